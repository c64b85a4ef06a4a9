// The records of MCP server process groups and the reaper that ends the groups a killed Station left
// behind, with real processes: a group is ended only when its owner has gone and its leader is the very
// process recorded (a reused pid is never killed). The kill -9 end-to-end cases are in
// test/e2e/mcp-orphans.test.ts.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  childStart,
  currentProcessStart,
  processState,
  psStartTime,
  type ProcessStart,
} from '../../../src/core/os/process-identity.js';
import { reapOrphanedGroups, writeGroupRecord, type GroupRecord } from '../../../src/core/mcp/group-records.js';
import { guardianPid } from '../../../src/core/mcp/guardian.js';
import { McpPool } from '../../../src/core/mcp/pool.js';
import { ProcessGuard } from '../../../src/core/mcp/process-guard.js';
import {
  TINY_SERVER,
  expectAllEnded,
  isRunning,
  pidsIn,
  stdioConfig,
  stubbornGroup,
  type StubbornGroup,
} from './helpers.js';

let dir: string;
let started: StubbornGroup[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'station-orphans-'));
});
afterEach(() => {
  for (const group of started) group.kill();
  started = [];
  rmSync(dir, { recursive: true, force: true });
});

/** The pid and start of a process that has ended. */
async function deadProcess(): Promise<{ pid: number; start: ProcessStart }> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 50)'], { stdio: 'ignore' });
  const start = childStart(child.pid!);
  await new Promise((resolve) => child.once('exit', resolve));
  return { pid: child.pid!, start };
}

function record(pgid: number, start: ProcessStart, owner: GroupRecord['owner']): GroupRecord {
  return { pgid, start, owner, server: 'stubborn', command: process.execPath };
}

describe('process identity', () => {
  it('tells a running process from a pid that is free or taken by a later process', async () => {
    expect(processState(process.pid, currentProcessStart())).toBe('running');
    const dead = await deadProcess();
    expect(processState(dead.pid, dead.start)).toBe('gone');
    // Our pid with another start: the process recorded has gone and a new one got its number.
    const own = currentProcessStart();
    expect(processState(process.pid, { at: own.at - 3_600_000, ticks: (own.ticks ?? 0) - 360_000 })).toBe('gone');
  });

  it('the portable path (ps) agrees with /proc', async () => {
    const group = await stubbornGroup();
    started.push(group);
    const { pgid, start } = group;
    const at = psStartTime(pgid);
    expect(at).toBeDefined();
    expect(Math.abs(at! - start.at)).toBeLessThanOrEqual(2000);
    // A record without a start tick, as written where there is no /proc (the time the child was spawned).
    expect(processState(pgid, { at: start.at }, { proc: false })).toBe('running');
    expect(processState(pgid, { at: start.at - 3_600_000 }, { proc: false })).toBe('gone');
  });
});

describe('reapOrphanedGroups', () => {
  it('ends a group whose Station has gone: SIGTERM, then SIGKILL for what ignores it, and removes the record', async () => {
    const group = await stubbornGroup();
    started.push(group);
    const owner = await deadProcess();
    const file = writeGroupRecord(dir, record(group.pgid, group.start, owner));
    expect(file).toBe(join(dir, `mcp-${String(owner.pid)}-${String(group.pgid)}.json`));
    expect(await reapOrphanedGroups(dir, { graceMs: 200 })).toBe(1);
    await expectAllEnded(group.pids);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves alone a group whose Station still runs', async () => {
    const group = await stubbornGroup();
    started.push(group);
    writeGroupRecord(dir, record(group.pgid, group.start, { pid: process.pid, start: currentProcessStart() }));
    expect(await reapOrphanedGroups(dir, { graceMs: 200 })).toBe(0);
    expect(group.pids.every(isRunning)).toBe(true);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('never kills a process that got a recorded pid later: the record is dropped', async () => {
    const group = await stubbornGroup();
    started.push(group);
    const owner = await deadProcess();
    // The recorded leader started an hour before the process that has its pid now.
    const earlier: ProcessStart = {
      at: group.start.at - 3_600_000,
      ...(group.start.ticks === undefined ? {} : { ticks: group.start.ticks - 360_000 }),
    };
    writeGroupRecord(dir, record(group.pgid, earlier, owner));
    expect(await reapOrphanedGroups(dir, { graceMs: 200 })).toBe(0);
    expect(group.pids.every(isRunning)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes records of groups that have ended, ignores other files, and drops an old unreadable record', async () => {
    const owner = await deadProcess();
    const gone = await deadProcess();
    writeGroupRecord(dir, record(gone.pid, gone.start, owner));
    writeFileSync(join(dir, 'notes.txt'), 'not a record\n');
    const torn = join(dir, 'mcp-1-2.json');
    writeFileSync(torn, '{"pgid": 2, "sta');
    expect(await reapOrphanedGroups(dir)).toBe(0);
    // A torn record may be being written: it is kept while young.
    expect(readdirSync(dir).sort()).toEqual(['mcp-1-2.json', 'notes.txt']);
    utimesSync(torn, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    await reapOrphanedGroups(dir);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('is nothing at all for a home without records', async () => {
    expect(await reapOrphanedGroups(join(dir, 'missing'))).toBe(0);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});

describe('ProcessGuard.track through a pool', () => {
  it('records each stdio server group while it runs, hands it to the guardian, and forgets it once ended', async () => {
    const pidFile = join(dir, 'servers.pids');
    const runDir = join(dir, 'run');
    const pool = await McpPool.start(
      [stdioConfig('a', [TINY_SERVER, '--pid-file', pidFile, '--spawn-child']), stdioConfig('b', [TINY_SERVER])],
      { guard: new ProcessGuard({ recordsDir: runDir }) },
    );
    try {
      const pids = pool.status().map((s) => s.pid!);
      const records = readdirSync(runDir).map((f) => JSON.parse(readFileSync(join(runDir, f), 'utf8')) as GroupRecord);
      expect(records.map((r) => r.pgid).sort()).toEqual([...pids].sort());
      expect(records.map((r) => r.server).sort()).toEqual(['a', 'b']);
      for (const r of records) {
        expect(r.owner.pid).toBe(process.pid);
        expect(processState(r.pgid, r.start)).toBe('running');
        expect(processState(r.owner.pid, r.owner.start)).toBe('running');
      }
      // The guardian: one process for this whole process, named for `ps`.
      const guardian = guardianPid();
      expect(guardian).toBeDefined();
      expect(isRunning(guardian!)).toBe(true);
      expect(readFileSync(`/proc/${String(guardian)}/cmdline`, 'utf8')).toContain('stn-mcp-guardian');
    } finally {
      await pool.close();
    }
    await expectAllEnded(pidsIn(pidFile));
    expect(readdirSync(runDir)).toEqual([]);
  });
});
