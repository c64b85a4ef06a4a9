// station.db encrypted at rest: `stn init --encrypt-db`, `stn db encrypt|decrypt|rekey`, `stn secret rotate-key`.
// The built binary, real homes, the filesystem MCP server and the test model server; the raw bytes of
// station.db and its -wal and -shm files are searched for what the runs stored.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runStn } from '../helpers/cli.js';
import { startModelServer, toolMessages, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, startStn, type RunHome } from './run-home.js';

const SECRET_FILE_TEXT = 'zebra-quartz-lighthouse-4417';
const QUESTION = 'What does marmalade-ledger.txt say?';
const ANSWER = 'It says plum-orbit-9932.';
const AGENT = 'archivist';
const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

let model: ModelServer;
const homes: RunHome[] = [];

beforeAll(async () => {
  model = await startModelServer();
});
afterAll(async () => {
  await model.close();
});
afterEach(() => {
  for (const h of homes.splice(0)) h.cleanup();
});

function home(encryptDb: boolean): RunHome {
  const h = makeRunHome({ encryptDb });
  homes.push(h);
  writeFileSync(join(h.files, 'marmalade-ledger.txt'), `${SECRET_FILE_TEXT}\n`);
  h.writeAgent(
    AGENT,
    `---
metadata:
  name: ${AGENT}
  description: Reads ledgers.
max_steps: 4
tools:
  - filesystem__read_text_file
---
{{role "system"}}
You read ledgers.
{{role "user"}}
{{userInput}}
`,
  );
  model.script((request) =>
    toolMessages(request).length === 0
      ? {
          toolCalls: [
            { name: 'filesystem__read_text_file', arguments: { path: join(h.files, 'marmalade-ledger.txt') } },
          ],
        }
      : { text: ANSWER },
  );
  return h;
}

const dbFiles = (h: RunHome): string[] =>
  ['', '-wal', '-shm'].map((s) => `${h.paths.database}${s}`).filter((f) => existsSync(f));

/** The stored words found in the raw bytes of station.db, -wal and -shm (what `strings` would show). */
function plaintextIn(h: RunHome): string[] {
  const raw = Buffer.concat(dbFiles(h).map((f) => readFileSync(f)));
  return [AGENT, 'marmalade-ledger', SECRET_FILE_TEXT, 'plum-orbit-9932', 'read_text_file', 'CREATE TABLE'].filter(
    (word) => raw.includes(word),
  );
}

const hash = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

async function runAgent(h: RunHome): Promise<number> {
  const r = await runStn(['agent', 'run', AGENT, QUESTION, '--json'], { env: h.envFor(model.url) });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { runId: number; output: string };
  expect(result.output).toBe(ANSWER);
  return result.runId;
}

async function shown(h: RunHome, id: number): Promise<{ status: string; output: string | null }> {
  const r = await runStn(['runs', 'show', String(id), '--json'], { env: h.env });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { status: string; output: string | null };
}

describe('encrypted station.db', { timeout: 240_000 }, () => {
  it('init --encrypt-db: a run stores nothing readable in station.db, -wal or -shm; serve and a CLI follow share it', async () => {
    const h = home(true);
    expect(readFileSync(h.paths.database).subarray(0, 16).equals(HEADER)).toBe(false);
    const id = await runAgent(h);
    expect(await shown(h, id)).toMatchObject({ status: 'completed', output: ANSWER });
    expect(plaintextIn(h)).toEqual([]);

    // Two processes: the server runs a detached run, the CLI follows it; the WAL is live meanwhile.
    const serve = startStn(['serve', '--port', '0'], h.envFor(model.url));
    try {
      await vi.waitFor(
        () => {
          if (!serve.output().stdout.includes('Station listening on')) throw new Error('not listening yet');
        },
        { timeout: 30_000, interval: 50 },
      );
      const r = await runStn(['agent', 'run', AGENT, QUESTION, '--detach'], { env: h.envFor(model.url) });
      expect(r.code).toBe(0);
      const detached = Number(r.stdout.trim());
      expect(r.stderr).toContain('queued for stn serve');
      const followed = await runStn(['runs', 'show', String(detached), '--follow', '--json'], {
        env: h.envFor(model.url),
      });
      expect(followed.code).toBe(0);
      const last = JSON.parse(followed.stdout.trim().split('\n').at(-1) ?? '{}') as { status?: string };
      expect(last.status).toBe('completed');
      expect(existsSync(`${h.paths.database}-wal`)).toBe(true);
      expect(plaintextIn(h)).toEqual([]);
    } finally {
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    }
    expect(plaintextIn(h)).toEqual([]);

    const doctor = await runStn(['doctor', '--skip-model', '--json'], { env: h.env });
    const checks = (JSON.parse(doctor.stdout) as { checks: { area: string; name: string; detail: string }[] }).checks;
    expect(checks.find((c) => c.area === 'database' && c.name === 'encryption')?.detail).toMatch(/^encrypted at rest/);
  });

  it('a wrong or missing key is exit 7 naming the key source, and the file is not changed', async () => {
    const h = home(true);
    await runAgent(h);
    const before = hash(h.paths.database);
    const wrong = await runStn(['runs', 'list', '--json'], {
      env: { ...h.env, STATION_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') },
    });
    expect(wrong.code).toBe(7);
    const error = (JSON.parse(wrong.stdout) as { error: { code: string; message: string; hints: string[] } }).error;
    expect(error.code).toBe('database_key_wrong');
    expect(error.message).toContain('STATION_ENCRYPTION_KEY environment variable');
    expect(error.hints.join('\n')).toContain('Nothing was changed');

    const keyText = readFileSync(h.paths.keyFile, 'utf8');
    writeFileSync(h.paths.keyFile, `${Buffer.alloc(32, 2).toString('base64')}\n`);
    const wrongFile = await runStn(['agent', 'run', AGENT, 'hi'], { env: h.envFor(model.url) });
    expect(wrongFile.code).toBe(7);
    expect(wrongFile.stderr).toContain(
      `the key from the key file ${h.paths.keyFile} does not open the encrypted database`,
    );

    const { rmSync } = await import('node:fs');
    rmSync(h.paths.keyFile);
    const missing = await runStn(['env', 'list'], { env: h.env });
    expect(missing.code).toBe(7);
    expect(missing.stderr).toContain('and there is no key: STATION_ENCRYPTION_KEY is not set');
    expect(hash(h.paths.database)).toBe(before);
    expect(existsSync(`${h.paths.database}-wal`)).toBe(false);

    writeFileSync(h.paths.keyFile, keyText, { mode: 0o600 });
    expect((await runStn(['runs', 'list'], { env: h.env })).code).toBe(0);
  });

  it('db encrypt on a home with history, rotate-key and db rekey keep everything, db decrypt gives a plain file', async () => {
    const h = home(false);
    const id = await runAgent(h);
    const set = await runStn(['secret', 'set', 'LEDGER_TOKEN'], { env: h.env, input: 'tok-5150-secret\n' });
    expect(set.code).toBe(0);
    expect(plaintextIn(h)).toContain(SECRET_FILE_TEXT);

    const enc = await runStn(['db', 'encrypt', '--json'], { env: h.env });
    expect(enc.stderr).toBe('');
    expect(JSON.parse(enc.stdout)).toEqual({ file: h.paths.database, encrypted: true, keySource: 'file' });
    expect(plaintextIn(h)).toEqual([]);
    expect(await shown(h, id)).toMatchObject({ status: 'completed', output: ANSWER });
    const again = await runStn(['db', 'encrypt'], { env: h.env });
    expect(again.code).toBe(4);

    for (const args of [
      ['secret', 'rotate-key', '--json'],
      ['db', 'rekey', '--json'],
    ]) {
      const oldKey = readFileSync(h.paths.keyFile, 'utf8');
      const r = await runStn(args, { env: h.env });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toMatchObject({ secrets: 1, source: 'file', databaseEncrypted: true });
      expect(readFileSync(h.paths.keyFile, 'utf8')).not.toBe(oldKey);
      expect(await shown(h, id)).toMatchObject({ status: 'completed', output: ANSWER });
      const old = await runStn(['runs', 'list'], { env: { ...h.env, STATION_ENCRYPTION_KEY: oldKey.trim() } });
      expect(old.code).toBe(7);
    }
    const secrets = await runStn(['secret', 'list', '--json'], { env: h.env });
    expect((JSON.parse(secrets.stdout) as { name: string }[]).map((s) => s.name)).toEqual(['LEDGER_TOKEN']);
    expect(await runAgent(h)).toBeGreaterThan(id);
    expect(plaintextIn(h)).toEqual([]);

    const dec = await runStn(['db', 'decrypt', '--json'], { env: h.env });
    expect(JSON.parse(dec.stdout)).toMatchObject({ encrypted: false });
    expect(readFileSync(h.paths.database).subarray(0, 16).equals(HEADER)).toBe(true);
    expect(await shown(h, id)).toMatchObject({ status: 'completed', output: ANSWER });
    expect(plaintextIn(h)).toContain(SECRET_FILE_TEXT);
    // The secret value itself stays AES-GCM encrypted in the secret store either way.
    expect(readFileSync(h.paths.database).includes('tok-5150-secret')).toBe(false);
  });

  it('refuses to change the key while another process has the database open', async () => {
    const h = home(false);
    await runAgent(h);
    const serve = startStn(['serve', '--port', '0'], h.envFor(model.url));
    try {
      await vi.waitFor(
        () => {
          if (!serve.output().stdout.includes('Station listening on')) throw new Error('not listening yet');
        },
        { timeout: 30_000, interval: 50 },
      );
      const before = hash(h.paths.database);
      const r = await runStn(['db', 'encrypt'], { env: h.env });
      expect(r.code).toBe(7);
      expect(r.stderr).toContain(`other processes have ${h.paths.database} open: ${String(serve.child.pid)}`);
      expect(hash(h.paths.database)).toBe(before);
    } finally {
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    }
  });
});
