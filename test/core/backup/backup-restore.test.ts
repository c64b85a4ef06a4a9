// stn backup / stn restore in core: an online copy taken while runs go on, restored into a fresh home; archives
// that are damaged, altered, hostile or from a newer schema are refused before anything of the home changes.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Application, openEngine, restoreBackup, RESTORE_ASIDE_DIR, type StartedRun } from '../../../src/core/index.js';
import { tarGz } from '../../../src/core/bundles/tar-writer.js';
import { latestSchemaVersion } from '../../../src/core/store/database.js';
import { makeInitializedHome, makeTempHome, type TempHome } from '../../helpers/home.js';
import {
  alterArchive,
  archiveBytes,
  archiveEntries,
  startBackupStation,
  type BackupStation,
} from './backup-helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempHome(): TempHome {
  const temp = makeTempHome();
  cleanups.push(() => temp.cleanup());
  return temp;
}

function station(options: { encryptDb?: boolean } = {}): Promise<BackupStation> {
  return startBackupStation(options, cleanups);
}

describe('backup during 10 concurrent runs, restored into a fresh home', () => {
  for (const encryptDb of [false, true]) {
    it(`every completed run and its events are restored; the running ones are interrupted${encryptDb ? ' (encrypted database)' : ''}`, async () => {
      const { temp, engine, model, release } = await station({ encryptDb });
      const api = new Application(engine).local('cli');
      const fast: StartedRun[] = [];
      const slow: StartedRun[] = [];
      for (let i = 0; i < 6; i++)
        fast.push(await api.runs.start('default', 'hello', { userInput: `fast ${String(i)}` }));
      for (let i = 0; i < 4; i++)
        slow.push(await api.runs.start('default', 'hello', { userInput: `slow ${String(i)}` }));
      await Promise.all(fast.map((r) => r.done));
      await model.waitForRequests(8);
      const before = new Map(slow.map((r) => [r.runId, engine.runs.get(r.runId).status]));
      expect([...before.values()].sort()).toEqual(['queued', 'queued', 'running', 'running']);

      const file = join(tempHome().home, 'station.tar.gz');
      const backup = await api.backup.create(file);
      release();
      await Promise.all(slow.map((r) => r.done));

      expect(backup).toMatchObject({
        file,
        engine: 'sqlite',
        encrypted: encryptDb,
        schemaVersion: latestSchemaVersion(),
      });
      expect(backup.tables.agent_runs).toBe(10);
      const entries = await archiveEntries(file);
      expect(entries[0]).toBe('manifest.json');
      expect(entries).toContain('station.db');
      expect(entries).toContain('config.yaml');
      expect(entries).toContain('environments/default/agents/hello.prompt');
      expect(entries.some((e) => e.startsWith('keys'))).toBe(false);

      const target = tempHome();
      // The key is never in the archive: the new home gets it from where it was kept.
      if (encryptDb) {
        await expect(restoreBackup(file, { home: target.home, env: {} })).rejects.toMatchObject({
          code: 'database_key_missing',
        });
        expect(existsSync(target.paths.database)).toBe(false);
        mkdirSync(join(target.home, 'keys'), { mode: 0o700 });
        copyFileSync(temp.paths.keyFile, target.paths.keyFile);
      }
      const restored = await restoreBackup(file, { home: target.home, env: {} });
      expect(restored).toMatchObject({ engine: 'sqlite', aside: null, schemaVersion: latestSchemaVersion() });
      expect([...restored.interrupted].sort()).toEqual(slow.map((r) => r.runId).sort());

      const copy = openEngine({ home: target.home, env: {} });
      cleanups.push(() => copy.close());
      expect(copy.runs.list({}).length).toBe(10);
      // Files that may hold secrets are private in the restored home as they were in the original.
      expect(copy.privacyWarnings()).toEqual([]);
      expect(statSync(target.home).mode & 0o077).toBe(0);
      for (const run of fast) {
        const { events: originalEvents, ...original } = engine.runs.show(run.runId);
        const { events, ...back } = copy.runs.show(run.runId);
        expect(back.status).toBe('completed');
        expect(back).toEqual(original);
        expect(events.length).toBeGreaterThan(1);
        expect(events).toEqual(originalEvents);
      }
      for (const run of slow) {
        expect(engine.runs.get(run.runId).status).toBe('completed');
        const back = copy.runs.show(run.runId);
        expect(back.status).toBe('interrupted');
        expect(back.error).toMatchObject({ code: 'interrupted' });
        expect(back.events.at(-1)?.type).toBe('run.finished');
      }
    });
  }
});

describe('restore refuses before anything is replaced', () => {
  /** A backup of a plain home with no runs, and a second home (to restore over) with its own agent. */
  async function backupAndOther(): Promise<{ file: string; other: TempHome; snapshot: () => string }> {
    const { engine } = await station();
    const file = join(tempHome().home, 'b.tar.gz');
    await new Application(engine).local('cli').backup.create(file);
    const other = makeInitializedHome();
    cleanups.push(() => other.cleanup());
    writeFileSync(
      join(other.paths.environments, 'default', 'agents', 'mine.prompt'),
      '---\nmetadata:\n  name: mine\n---\nhi\n',
    );
    return { file, other, snapshot: () => snapshotOf(other.home) };
  }

  it('an existing home without --force', async () => {
    const { file, other, snapshot } = await backupAndOther();
    const before = snapshot();
    await expect(restoreBackup(file, { home: other.home, env: {} })).rejects.toMatchObject({ code: 'conflict' });
    expect(snapshot()).toBe(before);
  });

  it('a file whose checksum does not match the manifest', async () => {
    const { file, other, snapshot } = await backupAndOther();
    const altered = await alterArchive(file, (folder) => {
      writeFileSync(join(folder, 'config.yaml'), 'log_level: debug\n');
      return undefined;
    });
    const before = snapshot();
    await expect(restoreBackup(altered, { home: other.home, env: {}, force: true })).rejects.toMatchObject({
      code: 'backup_checksum',
      exitCode: 5,
      message: expect.stringContaining('checksum of config.yaml does not match') as unknown,
    });
    expect(snapshot()).toBe(before);
  });

  it('a database that fails the integrity check (checksums made to match)', async () => {
    const { file, other, snapshot } = await backupAndOther();
    const { createHash } = await import('node:crypto');
    const altered = await alterArchive(file, (folder, manifest) => {
      const db = readFileSync(join(folder, 'station.db'));
      // Page 2 and on (page size 4096): scribble over a b-tree page.
      db.fill(0xa5, 4096 + 8, 4096 + 600);
      writeFileSync(join(folder, 'station.db'), db);
      const entry = manifest.files.find((f) => f.path === 'station.db')!;
      entry.sha256 = createHash('sha256').update(db).digest('hex');
      return manifest;
    });
    const before = snapshot();
    const error = await restoreBackup(altered, { home: other.home, env: {}, force: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: expect.any(Number) as unknown });
    expect((error as { code: string }).code).toMatch(/backup_integrity|database_corrupt/);
    expect(snapshot()).toBe(before);
  });

  it('a backup from a newer schema: a clear error, exit code 7', async () => {
    const { file, other, snapshot } = await backupAndOther();
    const altered = await alterArchive(file, (_folder, manifest) => ({ ...manifest, schemaVersion: 999 }));
    const before = snapshot();
    await expect(restoreBackup(altered, { home: other.home, env: {}, force: true })).rejects.toMatchObject({
      code: 'backup_newer_schema',
      exitCode: 7,
      message: expect.stringContaining(
        `schema version 999); this stn knows schema versions up to ${String(latestSchemaVersion())}`,
      ) as unknown,
    });
    expect(snapshot()).toBe(before);
    const fresh = tempHome();
    await expect(restoreBackup(altered, { home: fresh.home, env: {} })).rejects.toMatchObject({
      code: 'backup_newer_schema',
    });
    expect(existsSync(fresh.paths.database)).toBe(false);
  });

  it('a tar entry with ../ never escapes the home', async () => {
    const fresh = tempHome();
    const dir = tempHome().home;
    const file = join(dir, 'evil.tar.gz');
    const manifest = { format: 'station-backup', formatVersion: 1, files: [] };
    writeFileSync(
      file,
      tarGz([
        { path: 'manifest.json', data: JSON.stringify(manifest) },
        { path: 'environments/../../escaped.txt', data: 'out' },
        { path: '../escaped.txt', data: 'out' },
      ]),
    );
    await expect(restoreBackup(file, { home: fresh.home, env: {} })).rejects.toMatchObject({
      code: 'backup_unsafe',
      message: expect.stringContaining('".." segment') as unknown,
    });
    expect(existsSync(join(fresh.home, '..', 'escaped.txt'))).toBe(false);
    expect(existsSync(join(fresh.home, 'escaped.txt'))).toBe(false);
    expect(readdirSync(fresh.home)).toEqual([]);
    // A link that points out is refused too.
    writeFileSync(file, tarGz([{ path: 'environments/x', type: '2', linkpath: '/etc' }]));
    await expect(restoreBackup(file, { home: fresh.home, env: {} })).rejects.toMatchObject({ code: 'backup_unsafe' });
    // A home that did not exist is not left behind, empty, by a refused restore.
    const missing = join(dir, 'not-yet');
    await expect(restoreBackup(file, { home: missing, env: {} })).rejects.toMatchObject({ code: 'backup_unsafe' });
    expect(existsSync(missing)).toBe(false);
  });
});

describe('the key and --force', () => {
  it('the key is never in the archive, in any form', async () => {
    const { temp, engine } = await station({ encryptDb: true });
    const api = new Application(engine).local('cli');
    api.secrets.set('API_TOKEN', 'tok-very-secret-value', { environment: 'default' });
    const file = join(tempHome().home, 'k.tar.gz');
    await api.backup.create(file);
    const keyText = readFileSync(temp.paths.keyFile, 'utf8').trim();
    const keyHex = Buffer.from(keyText, 'base64').toString('hex');
    const tar = archiveBytes(file);
    expect(tar.includes(keyText)).toBe(false);
    expect(tar.includes(keyHex)).toBe(false);
    expect(tar.includes(Buffer.from(keyText, 'base64'))).toBe(false);
    expect(tar.includes('tok-very-secret-value')).toBe(false);
    expect((await archiveEntries(file)).filter((e) => e.includes('key'))).toEqual([]);
  });

  it('a variables.yml holding secret-looking values in plain text is named, with the fix', async () => {
    const { temp, engine } = await station();
    writeFileSync(join(temp.paths.environments, 'default', 'variables.yml'), 'PLAIN_TOKEN: abc\nROOT_DIR: /srv\n');
    const result = await new Application(engine).local('cli').backup.create(join(tempHome().home, 'v.tar.gz'));
    expect(result.warnings).toEqual([
      'environments/default/variables.yml holds PLAIN_TOKEN in plain text, and so does the backup: move it into the encrypted secret store with: stn secret import --env default',
    ]);
  });

  it('--force keeps the previous state in restore-aside/<time>/, and keys/ stays', async () => {
    const { engine } = await station();
    const file = join(tempHome().home, 'f.tar.gz');
    await new Application(engine).local('cli').backup.create(file);
    const other = makeInitializedHome();
    cleanups.push(() => other.cleanup());
    const mine = join(other.paths.environments, 'default', 'agents', 'mine.prompt');
    writeFileSync(mine, '---\nmetadata:\n  name: mine\n---\nhi\n');
    const keyBefore = existsSync(other.paths.keyFile) ? readFileSync(other.paths.keyFile, 'utf8') : undefined;
    const now = new Date('2026-12-07T08:00:00.000Z');
    const result = await restoreBackup(file, { home: other.home, env: {}, force: true, now: () => now });
    const aside = join(other.home, RESTORE_ASIDE_DIR, '2026-12-07T08-00-00.000Z');
    expect(result.aside).toBe(aside);
    expect(existsSync(join(aside, 'station.db'))).toBe(true);
    expect(existsSync(join(aside, 'config.yaml'))).toBe(true);
    expect(existsSync(join(aside, 'environments', 'default', 'agents', 'mine.prompt'))).toBe(true);
    expect(existsSync(mine)).toBe(false);
    expect(existsSync(join(other.paths.environments, 'default', 'agents', 'hello.prompt'))).toBe(true);
    if (keyBefore !== undefined) expect(readFileSync(other.paths.keyFile, 'utf8')).toBe(keyBefore);
    const restored = openEngine({ home: other.home, env: {} });
    cleanups.push(() => restored.close());
    expect(restored.runs.list({})).toEqual([]);
    expect(readdirSync(other.home).filter((n) => n.startsWith('.restore-staging'))).toEqual([]);
  });
});

/** Every path under `home` with its size, to compare before and after a refused restore. */
function snapshotOf(home: string): string {
  return JSON.stringify(
    readdirSync(home, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && !d.name.endsWith('-shm') && !d.name.endsWith('-wal'))
      .map((d) => {
        const path = join(d.parentPath, d.name);
        return [path, readFileSync(path).toString('base64')];
      })
      .sort(),
  );
}
