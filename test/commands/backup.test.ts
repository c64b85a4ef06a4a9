// stn backup / stn restore end to end (the built bin/run.js against temporary homes).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestSchemaVersion } from '../../src/core/store/database.js';
import { runStn } from '../helpers/cli.js';
import { makeInitializedHome, makeTempHome, type TempHome } from '../helpers/home.js';
import { alterArchive, startBackupStation } from '../core/backup/backup-helpers.js';
import { Application, type StartedRun } from '../../src/core/index.js';

let source: TempHome;
let out: TempHome;
let file: string;

beforeAll(() => {
  source = makeInitializedHome();
  out = makeTempHome();
  file = join(out.home, 'station.tar.gz');
});

afterAll(() => {
  source.cleanup();
  out.cleanup();
});

describe('stn backup', () => {
  it('--help has examples', async () => {
    const help = await runStn(['backup', '--help'], { env: source.env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('stn backup ~/backups/station-');
    const restore = await runStn(['restore', '--help'], { env: source.env });
    expect(restore.stdout).toContain('restore-aside');
  });

  it('writes the archive (--json), and refuses to overwrite it without --force', async () => {
    const result = await runStn(['backup', file, '--json'], { env: source.env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      file,
      engine: 'sqlite',
      schemaVersion: latestSchemaVersion(),
      encrypted: false,
    });
    expect(readdirSync(out.home)).toEqual(['station.tar.gz']);
    const again = await runStn(['backup', file], { env: source.env });
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('exists already');
    expect(again.stderr).toContain('--force');
    const forced = await runStn(['backup', file, '--force'], { env: source.env });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`Backed up to ${file}`);
    expect(forced.stdout).toContain('The key is not in the archive');
  });
});

describe('stn backup in another process while runs go on', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('copies the runs this process is writing; stn restore marks the running ones interrupted', async () => {
    const { temp, engine, model, release } = await startBackupStation({}, cleanups);
    const api = new Application(engine).local('cli');
    const fast = await api.runs.start('default', 'hello', { userInput: 'fast 0' });
    await fast.done;
    const slow: StartedRun[] = [];
    for (let i = 0; i < 3; i++) slow.push(await api.runs.start('default', 'hello', { userInput: `slow ${String(i)}` }));
    await model.waitForRequests(3);
    const target = join(out.home, 'busy.tar.gz');
    const backup = runStn(['backup', target, '--json'], { env: temp.env, timeoutMs: 60_000 });
    // Writes from this process while the other copies: runs queued behind the slow ones.
    const more: StartedRun[] = [];
    for (let i = 0; i < 3; i++)
      more.push(await api.runs.start('default', 'hello', { userInput: `fast more ${String(i)}` }));
    const result = await backup;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    release();
    await Promise.all([...slow, ...more].map((r) => r.done));

    const home = makeTempHome();
    cleanups.push(() => home.cleanup());
    const restored = await runStn(['restore', target, '--json'], { env: home.env, timeoutMs: 60_000 });
    expect(restored.code).toBe(0);
    const { interrupted } = JSON.parse(restored.stdout) as { interrupted: number[] };
    const runs = await runStn(['runs', 'list', '--json'], { env: home.env });
    const listed = JSON.parse(runs.stdout) as { id: number; status: string }[];
    const byId = new Map(listed.map((r) => [r.id, r.status]));
    expect(byId.get(fast.runId)).toBe('completed');
    for (const r of slow) expect(byId.get(r.runId)).toBe('interrupted');
    // The runs started during the copy are in it or not, whole: queued ones are interrupted too.
    for (const r of more) if (byId.has(r.runId)) expect(byId.get(r.runId)).toBe('interrupted');
    expect([...interrupted].sort()).toEqual(
      listed
        .filter((r) => r.status === 'interrupted')
        .map((r) => r.id)
        .sort(),
    );
    expect(listed.filter((r) => ['queued', 'running'].includes(r.status))).toEqual([]);
  });
});

describe('stn restore', () => {
  it('into a fresh home; again only with --force, the old state kept aside', async () => {
    const target = makeTempHome();
    try {
      const env = { ...target.env, STATION_HOME: join(target.home, 'home') };
      const restored = await runStn(['restore', file, '--json'], { env });
      expect(restored.code).toBe(0);
      expect(JSON.parse(restored.stdout)).toMatchObject({ engine: 'sqlite', aside: null, interrupted: [] });
      const list = await runStn(['agent', 'list', '--json'], { env });
      expect(list.code).toBe(0);
      expect(list.stdout).toContain('hello');

      const refused = await runStn(['restore', file], { env });
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain('is not empty');
      expect(refused.stderr).toContain('--force');

      const forced = await runStn(['restore', file, '--force'], { env });
      expect(forced.code).toBe(0);
      expect(forced.stdout).toContain('kept aside');
      expect(readdirSync(join(target.home, 'home', 'restore-aside'))).toHaveLength(1);
      const audit = await runStn(['audit', '--json'], { env });
      expect(audit.stdout).toContain('backup.restore');
    } finally {
      target.cleanup();
    }
  });

  it('a backup from a newer schema: exit 7 and what to do; a damaged one: exit 5; nothing written', async () => {
    const target = makeTempHome();
    try {
      const newer = await alterArchive(file, (_f, manifest) => ({ ...manifest, schemaVersion: 999 }));
      const result = await runStn(['restore', newer], { env: target.env });
      expect(result.code).toBe(7);
      expect(result.stderr).toContain('made by a newer Station');
      expect(result.stderr).toContain('Upgrade stn');
      const json = await runStn(['restore', newer, '--json'], { env: target.env });
      expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'backup_newer_schema', exitCode: 7 } });
      const damaged = await alterArchive(file, (_f, manifest) => {
        manifest.files[0]!.sha256 = '0'.repeat(64);
        return manifest;
      });
      const bad = await runStn(['restore', damaged], { env: target.env });
      expect(bad.code).toBe(5);
      expect(bad.stderr).toContain('does not match its manifest');
      expect(existsSync(target.paths.database)).toBe(false);
      expect(existsSync(target.paths.config)).toBe(false);
    } finally {
      target.cleanup();
    }
  });
});
