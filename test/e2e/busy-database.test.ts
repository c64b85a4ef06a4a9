// A busy or damaged station.db is not an internal error (issue #11, point 4). Another process holds a
// lock on the real database file of a real home (test/helpers/hold-db-lock.js) while the built `stn`
// runs: reads go on under WAL, writers wait the busy timeout and exit 7 saying who may hold the lock, a
// run whose event write meets the lock waits for it, and a damaged file is exit 7 with what to do.
import Database from 'better-sqlite3-multiple-ciphers';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runStn, type CliResult } from '../helpers/cli.js';
import { holdDatabaseLock, releaseAllLocks } from '../helpers/db-lock.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, startStn, type RunHome } from './run-home.js';

let model: ModelServer;
let home: RunHome;
beforeAll(async () => {
  model = await startModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => {
  home = makeRunHome();
  // Short waits keep the test quick; what is tested is what happens when the wait runs out.
  const config = readFileSync(home.paths.config, 'utf8');
  expect(config).toContain('busy_timeout_ms: 5000');
  writeFileSync(home.paths.config, config.replace('busy_timeout_ms: 5000', 'busy_timeout_ms: 200'));
  model.requests.length = 0;
  model.script([]);
});
afterEach(async () => {
  await releaseAllLocks();
  home.cleanup();
});

const LOCKED = 'the database is locked by another process';

function stn(args: readonly string[]): Promise<CliResult> {
  return runStn(args, { env: home.envFor(model.url) });
}

/** Records one real run (`stn agent run hello`) and returns its id. */
async function recordRun(text = 'Hello there.'): Promise<number> {
  model.push({ text });
  const out = await stn(['agent', 'run', 'hello', 'Say hi']);
  expect(out.code, out.stderr).toBe(0);
  const runs = JSON.parse((await stn(['runs', 'list', '--json'])).stdout) as { id: number }[];
  return runs[0]!.id;
}

/** A pid that no process has any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

const AGENT = `---
metadata:
  name: newcomer
  description: Written while the database was locked.
tools:
  - filesystem__read_text_file
---
Hello {{userInput}}
`;

describe('a database locked by another process', { timeout: 120_000 }, () => {
  it('read commands work and see the files as they are; writers wait, exit 7 naming the holder, and leave nothing behind', async () => {
    const runId = await recordRun();
    // A run left "running" by a process that died: opening the engine would mark it, but must not need to.
    const raw = new Database(home.paths.database);
    const orphan = Number(
      raw
        .prepare(
          `INSERT INTO agent_runs (agent_name, environment_name, status, pid, created_at, started_at)
           VALUES ('hello', 'default', 'running', ?, ?, ?)`,
        )
        .run(deadPid(), Date.now() - 5000, Date.now() - 5000).lastInsertRowid,
    );
    raw.close();

    const lock = await holdDatabaseLock(home.paths.database);
    // Files changed while the index cannot be written: an agent added, one removed, an environment folder.
    const agents = join(home.home, 'environments', 'default', 'agents');
    writeFileSync(join(agents, 'newcomer.prompt'), AGENT);
    renameSync(join(agents, 'counter.prompt'), join(home.home, 'counter.prompt.away'));
    mkdirSync(join(home.home, 'environments', 'handmade', 'agents'), { recursive: true });

    const [runsList, runsShow, agentList, agentShow, envList] = await Promise.all([
      stn(['runs', 'list', '--json']),
      stn(['runs', 'show', String(runId), '--json']),
      stn(['agent', 'list', '--json']),
      stn(['agent', 'show', 'newcomer', '--json']),
      stn(['env', 'list', '--json']),
    ]);
    for (const out of [runsList, runsShow, agentList, agentShow, envList]) {
      expect(out.code, out.stderr).toBe(0);
      expect(out.stderr).toBe('');
    }
    const runs = JSON.parse(runsList.stdout) as { id: number; status: string }[];
    expect(runs.map((r) => r.id)).toEqual([orphan, runId]);
    expect(runs.find((r) => r.id === orphan)?.status).toBe('running'); // marked at the next open instead
    const shown = JSON.parse(runsShow.stdout) as {
      status: string;
      output: string;
      events: { seq: number; type: string }[];
    };
    expect(shown).toMatchObject({ status: 'completed', output: 'Hello there.' });
    expect(shown.events.map((e) => e.type)).toEqual([
      'run.queued',
      'run.started',
      'tools.ready',
      'model.request',
      'model.response',
      'run.finished',
    ]);
    const listed = JSON.parse(agentList.stdout) as { name: string; tools: string[]; description: string }[];
    expect(listed.map((a) => a.name)).toEqual(['file-explorer', 'hello', 'newcomer', 'reader']);
    expect(listed.find((a) => a.name === 'newcomer')).toMatchObject({
      description: 'Written while the database was locked.',
      tools: ['filesystem__read_text_file'],
    });
    expect(JSON.parse(agentShow.stdout) as { name: string; template: string }).toMatchObject({ name: 'newcomer' });
    expect((JSON.parse(envList.stdout) as { name: string }[]).map((e) => e.name)).toEqual(['default', 'handmade']);

    const [envCreate, agentCreate, keyCreate, keyJson] = await Promise.all([
      stn(['env', 'create', 'staging']),
      stn(['agent', 'create', 'writer', '--description', 'Writes.']),
      stn(['key', 'create', 'ci', '--role', 'viewer']),
      stn(['key', 'create', 'ci2', '--role', 'viewer', '--json']),
    ]);
    for (const out of [envCreate, agentCreate, keyCreate]) {
      expect(out.code, out.stderr).toBe(7);
      expect(out.stderr).toContain(`Error: ${LOCKED}`);
      expect(out.stderr).toContain(`${String(lock.pid)} (node)`);
      expect(out.stderr).toContain('database.busy_timeout_ms in config.yaml (now 200)');
      expect(out.stderr).not.toContain('unexpected error');
    }
    expect(keyJson.code).toBe(7);
    expect(
      (JSON.parse(keyJson.stdout) as { error: { code: string; exitCode: number; message: string } }).error,
    ).toMatchObject({
      code: 'database_locked',
      exitCode: 7,
      message: expect.stringContaining(LOCKED) as unknown,
    });
    // A reader that needs a row only a write can make (the hand-made environment's id) waits and says so.
    const handmade = await stn(['agent', 'list', '--env', 'handmade']);
    expect(handmade.code).toBe(7);
    expect(handmade.stderr).toContain(LOCKED);
    // The refused writes left no folder or file behind.
    expect(existsSync(join(home.home, 'environments', 'staging'))).toBe(false);
    expect(existsSync(join(agents, 'writer.prompt'))).toBe(false);

    await lock.release();
    const after = await stn(['runs', 'list', '--json']);
    expect(after.code).toBe(0);
    expect((JSON.parse(after.stdout) as { id: number; status: string }[]).find((r) => r.id === orphan)?.status).toBe(
      'interrupted',
    );
    expect((await stn(['env', 'create', 'staging'])).code).toBe(0);
    expect((await stn(['agent', 'list', '--env', 'handmade'])).code).toBe(0);
  });

  it('a lock that shuts readers out too (locking_mode EXCLUSIVE) is exit 7 for reads, never 1', async () => {
    const lock = await holdDatabaseLock(home.paths.database, 'exclusive');
    const [runs, envs] = await Promise.all([stn(['runs', 'list']), stn(['env', 'list', '--json'])]);
    expect(runs.code).toBe(7);
    expect(runs.stderr).toContain(`Error: ${LOCKED}`);
    expect(runs.stderr).toContain(`${String(lock.pid)} (node)`);
    expect(envs.code).toBe(7);
    expect((JSON.parse(envs.stdout) as { error: { code: string } }).error.code).toBe('database_locked');
    await lock.release();
    expect((await stn(['runs', 'list'])).code).toBe(0);
  });

  it('a run whose event write meets the lock waits for it, completes, and records every event', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    model.script(async () => {
      await answered;
      return { text: 'Answered while the database was locked.' };
    });
    const run = startStn(['agent', 'run', 'hello', 'Say hi', '--json'], home.envFor(model.url));
    await model.waitForRequests(1, 30_000);
    const lock = await holdDatabaseLock(home.paths.database);
    answer();
    // The answer is in; recording it meets the lock. Holding it for many busy timeouts (200 ms) would
    // fail the run if the write were not tried again.
    await expect.poll(() => model.requests[0]?.completed, { timeout: 20_000 }).toBe(true);
    const during = await stn(['runs', 'list', '--json']);
    const runId = (JSON.parse(during.stdout) as { id: number; status: string }[])[0]!.id;
    expect((JSON.parse(during.stdout) as { status: string }[])[0]!.status).toBe('running');
    const shownDuring = JSON.parse((await stn(['runs', 'show', String(runId), '--json'])).stdout) as {
      events: { type: string }[];
    };
    expect(shownDuring.events.map((e) => e.type)).not.toContain('model.response');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await lock.release();

    expect(await run.exited).toBe(0);
    const lines = run
      .output()
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; status?: string; output?: string });
    expect(lines.at(-1)).toMatchObject({
      type: 'result',
      status: 'completed',
      output: 'Answered while the database was locked.',
    });
    const shown = JSON.parse((await stn(['runs', 'show', String(runId), '--json'])).stdout) as {
      status: string;
      events: { seq: number; type: string }[];
    };
    expect(shown.status).toBe('completed');
    expect(shown.events.map((e) => e.type)).toEqual([
      'run.queued',
      'run.started',
      'tools.ready',
      'model.request',
      'model.response',
      'run.finished',
    ]);
    expect(shown.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('a damaged database', { timeout: 120_000 }, () => {
  /** Overwrites one page of the (checkpointed) database file with bytes that are no b-tree page. */
  function smashPage(page: number, pageSize: number): void {
    const fd = openSync(home.paths.database, 'r+');
    try {
      writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, (page - 1) * pageSize);
    } finally {
      closeSync(fd);
    }
  }

  it('a corrupt page met in the middle of a command is exit 7 with what to do; what does not touch it still works', async () => {
    const runId = await recordRun();
    const raw = new Database(home.paths.database);
    const root = raw.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'run_events'").pluck().get() as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close(); // the last connection: the WAL is checkpointed into the file
    smashPage(root, pageSize);

    const [show, showJson, list, envs] = await Promise.all([
      stn(['runs', 'show', String(runId)]),
      stn(['runs', 'show', String(runId), '--json']),
      stn(['runs', 'list', '--json']),
      stn(['env', 'list']),
    ]);
    expect(show.code).toBe(7);
    expect(show.stderr).toContain(
      `Error: the database ${home.paths.database} is damaged: database disk image is malformed`,
    );
    expect(show.stderr).toContain('PRAGMA integrity_check');
    expect(show.stderr).toContain('.recover');
    expect(show.stderr).not.toContain('unexpected error');
    expect((JSON.parse(showJson.stdout) as { error: { code: string; exitCode: number } }).error).toMatchObject({
      code: 'database_corrupt',
      exitCode: 7,
    });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { id: number }[]).map((r) => r.id)).toEqual([runId]);
    expect(envs.code).toBe(0);
  });

  it('a file that is no database at all is exit 7 for any command; moved aside, the next command starts a new one', async () => {
    await recordRun();
    smashPage(1, 4096);
    const out = await stn(['agent', 'list']);
    expect(out.code).toBe(7);
    // Not a plain SQLite file, so possibly an encrypted one: the home key is tried, and the message says both.
    expect(out.stderr).toContain(`does not open the encrypted database ${home.paths.database}`);
    expect(out.stderr).toContain('(a wrong key, or a damaged file)');
    expect(out.stderr).toContain('If this home was never encrypted, the file is damaged');
    expect(out.stderr).toContain('move station.db (and its -wal and -shm files) aside');
    // What the hint says: the files are the truth, the index is made again.
    renameSync(home.paths.database, `${home.paths.database}.damaged`);
    const fresh = await stn(['agent', 'list', '--json']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect((JSON.parse(fresh.stdout) as { name: string }[]).map((a) => a.name)).toEqual([
      'counter',
      'file-explorer',
      'hello',
      'reader',
    ]);
  });
});
