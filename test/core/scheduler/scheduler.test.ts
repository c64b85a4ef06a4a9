import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileFormatError, openDatabase, parseAgentFile, type Db, type RunStatus } from '../../../src/core/index.js';
import type { ScheduledAgent } from '../../../src/core/scheduler/schedule-catalog.js';
import { readSchedule, type AgentSchedule } from '../../../src/core/scheduler/schedule-spec.js';
import { Scheduler } from '../../../src/core/scheduler/scheduler.js';
import { ScheduleRepo } from '../../../src/core/store/schedule-repo.js';
import { makeTempHome, type TempHome } from '../../helpers/home.js';

// The scheduler with an injected clock, a real SQLite file, and a `fire` that records runs whose status
// the test sets (a slow run is one the test has not finished yet).
const T0 = Date.parse('2026-12-01T00:00:00Z');
const MIN = 60_000;

function spec(fields: Partial<AgentSchedule> = {}): AgentSchedule {
  const base = readSchedule(
    { cron: '* * * * *', timezone: 'UTC' },
    (keys, message) => new FileFormatError({ file: 'test', key: keys.join('.') }, message),
  );
  return { ...base!, ...fields };
}

interface Rig {
  scheduler: Scheduler;
  clock: { now: number };
  runs: Map<number, { status: RunStatus; createdAt: number; finishedAt: number | null; fireAt: number }>;
  finish(id: number): void;
}

let temp: TempHome;
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  temp.cleanup();
});

function openDb(): Db {
  const db = openDatabase(join(temp.home, 'station.db'));
  dbs.push(db);
  return db;
}

let nextRunId = 1;
type RunMap = Map<number, { status: RunStatus; createdAt: number; finishedAt: number | null; fireAt: number }>;
function rig(
  schedule: AgentSchedule,
  options: { clock?: { now: number }; runs?: Rig['runs']; owner?: string } = {},
): Rig {
  const clock = options.clock ?? { now: T0 };
  const runs: RunMap = options.runs ?? new Map();
  const entry: ScheduledAgent = { environment: 'default', agent: 'nightly', fileName: 'nightly.prompt', schedule };
  const scheduler = new Scheduler({
    repo: new ScheduleRepo(openDb()),
    schedules: () => [entry],
    fire: async (_e, fireAt) => {
      await Promise.resolve();
      const id = nextRunId++;
      runs.set(id, { status: 'running', createdAt: clock.now, finishedAt: null, fireAt });
      return { runId: id, done: Promise.resolve() };
    },
    runState: (id: number) => runs.get(id),
    now: () => clock.now,
    owner: options.owner ?? 'test',
  });
  return {
    scheduler,
    clock,
    runs,
    finish: (id) => {
      const run = runs.get(id)!;
      run.status = 'completed';
      run.finishedAt = clock.now;
    },
  };
}

const fired = (records: { outcome: string; fireAt: number }[]): string[] =>
  records.map((r) => `${r.outcome}@${new Date(r.fireAt).toISOString().slice(11, 16)}`);

describe('Scheduler (injected clock)', () => {
  it('fires each fire time once, counted from when the schedule was first seen', async () => {
    temp = makeTempHome();
    const r = rig(spec({ cron: '*/5 * * * *' }));
    expect(await r.scheduler.runDue()).toEqual([]); // first seen at 00:00: nothing before it fires
    r.clock.now = T0 + 4 * MIN;
    expect(await r.scheduler.runDue()).toEqual([]);
    r.clock.now = T0 + 5 * MIN + 300;
    expect(fired(await r.scheduler.runDue())).toEqual(['fired@00:05']);
    expect(await r.scheduler.runDue()).toEqual([]); // the same time never fires twice
    expect([...r.runs.values()][0]?.fireAt).toBe(T0 + 5 * MIN);
  });

  it('a clock jump forward applies catch_up: none drops missed fires, latest runs one, all runs up to max', async () => {
    temp = makeTempHome();
    const none = rig(spec({ cron: '* * * * *', catchUp: 'none', overlap: 'allow' }));
    await none.scheduler.runDue();
    none.clock.now = T0 + 30 * MIN;
    // 00:30 is on time (it is now), the 29 before it are missed.
    expect(fired(await none.scheduler.runDue())).toEqual(['fired@00:30']);
    none.clock.now = T0 + 45 * MIN + 30_000; // 00:31..00:44 missed, 00:45 on time
    expect(fired(await none.scheduler.runDue())).toEqual(['fired@00:45']);
    temp.cleanup();

    temp = makeTempHome();
    const late = rig(spec({ cron: '0 * * * *', catchUp: 'none' }));
    await late.scheduler.runDue();
    late.clock.now = T0 + 5 * 60 * MIN + 10 * MIN; // the newest fire (05:00) is 10 minutes late: all missed
    expect(fired(await late.scheduler.runDue())).toEqual(['missed@05:00']);
    expect(late.runs.size).toBe(0);
    temp.cleanup();

    temp = makeTempHome();
    const latest = rig(spec({ cron: '0 * * * *', catchUp: 'latest' }));
    await latest.scheduler.runDue();
    latest.clock.now = T0 + 5 * 60 * MIN + 10 * MIN; // Station was down from 00:00 to 05:10
    expect(fired(await latest.scheduler.runDue())).toEqual(['fired@05:00']);
    temp.cleanup();

    temp = makeTempHome();
    const all = rig(spec({ cron: '0 * * * *', catchUp: 'all', maxCatchUp: 3, overlap: 'allow' }));
    await all.scheduler.runDue();
    all.clock.now = T0 + 5 * 60 * MIN + 10 * MIN;
    expect(fired(await all.scheduler.runDue())).toEqual(['fired@03:00', 'fired@04:00', 'fired@05:00']);
  });

  it('a clock jump backward never fires a time again', async () => {
    temp = makeTempHome();
    const r = rig(spec({ cron: '*/10 * * * *' }));
    await r.scheduler.runDue();
    r.clock.now = T0 + 10 * MIN;
    expect(fired(await r.scheduler.runDue())).toEqual(['fired@00:10']);
    r.finish(1 + [...r.runs.keys()][0]! - 1);
    r.clock.now = T0 + 1 * MIN; // back in time
    expect(await r.scheduler.runDue()).toEqual([]);
    r.clock.now = T0 + 10 * MIN + 30_000;
    expect(await r.scheduler.runDue()).toEqual([]);
    r.clock.now = T0 + 20 * MIN;
    expect(fired(await r.scheduler.runDue())).toEqual(['fired@00:20']);
  });

  it('a slow run: overlap skip records the fire skipped, queue waits for the run then fires, allow fires at once', async () => {
    temp = makeTempHome();
    const skip = rig(spec({ cron: '* * * * *', overlap: 'skip' }));
    await skip.scheduler.runDue();
    skip.clock.now = T0 + MIN;
    const [first] = await skip.scheduler.runDue();
    skip.clock.now = T0 + 2 * MIN;
    expect(fired(await skip.scheduler.runDue())).toEqual(['skipped@00:02']);
    skip.finish(first!.runId!);
    skip.clock.now = T0 + 3 * MIN;
    expect(fired(await skip.scheduler.runDue())).toEqual(['fired@00:03']);
    temp.cleanup();

    temp = makeTempHome();
    const queue = rig(spec({ cron: '* * * * *', overlap: 'queue', catchUp: 'none' }));
    await queue.scheduler.runDue();
    queue.clock.now = T0 + MIN;
    const [slow] = await queue.scheduler.runDue();
    queue.clock.now = T0 + 4 * MIN; // 00:02..00:04 come due while it runs
    expect(await queue.scheduler.runDue()).toEqual([]);
    queue.clock.now = T0 + 6 * MIN + 30_000;
    queue.finish(slow!.runId!); // ends at 00:06:30
    queue.clock.now = T0 + 8 * MIN + 10_000;
    // Held fires are not missed even past the grace minute: the latest of them runs once.
    expect(fired(await queue.scheduler.runDue())).toEqual(['fired@00:08']);
    temp.cleanup();

    temp = makeTempHome();
    const allow = rig(spec({ cron: '* * * * *', overlap: 'allow' }));
    await allow.scheduler.runDue();
    allow.clock.now = T0 + MIN;
    await allow.scheduler.runDue();
    allow.clock.now = T0 + 2 * MIN;
    expect(fired(await allow.scheduler.runDue())).toEqual(['fired@00:02']);
    expect([...allow.runs.values()].filter((run) => run.status === 'running')).toHaveLength(2);
  });

  it('after a restart, a new scheduler on the same home catches up from the last fire', async () => {
    temp = makeTempHome();
    const before = rig(spec({ cron: '0 * * * *', catchUp: 'all', overlap: 'allow' }));
    await before.scheduler.runDue();
    before.clock.now = T0 + 60 * MIN;
    expect(fired(await before.scheduler.runDue())).toEqual(['fired@01:00']);
    // Down from 01:00 to 03:30; a new process (its own connection and owner) picks up where it stopped.
    const after = rig(spec({ cron: '0 * * * *', catchUp: 'all', overlap: 'allow' }), {
      clock: { now: T0 + 3 * 60 * MIN + 30 * MIN },
      runs: before.runs,
      owner: 'restarted',
    });
    expect(fired(await after.scheduler.runDue())).toEqual(['fired@02:00', 'fired@03:00']);
  });

  it('two schedulers on one home fire a schedule once', async () => {
    temp = makeTempHome();
    const clock = { now: T0 };
    const runs: Rig['runs'] = new Map();
    const a = rig(spec({ cron: '* * * * *', overlap: 'allow' }), { clock, runs, owner: 'a' });
    const b = rig(spec({ cron: '* * * * *', overlap: 'allow' }), { clock, runs, owner: 'b' });
    await Promise.all([a.scheduler.runDue(), b.scheduler.runDue()]);
    for (let minute = 1; minute <= 5; minute += 1) {
      clock.now = T0 + minute * MIN;
      const records = (await Promise.all([a.scheduler.runDue(), b.scheduler.runDue()])).flat();
      expect(fired(records)).toEqual([`fired@00:0${String(minute)}`]);
    }
    expect(runs.size).toBe(5);
  });
});

describe('schedule: in agent files', () => {
  const file = (schedule: string): string => `---\nmetadata:\n  name: nightly\n${schedule}---\nScan.\n`;

  it('reads the shape real files use (6 fields) with defaults, and the new keys', () => {
    const agent = parseAgentFile(
      '/x/nightly.prompt',
      file('schedule:\n  cron: "0 0 9 * * *"\n  enabled: true\n  variables:\n    userInput: scan\n'),
    );
    expect(agent.schedule).toEqual({
      cron: '0 0 9 * * *',
      enabled: true,
      variables: { userInput: 'scan' },
      overlap: 'skip',
      catchUp: 'latest',
      maxCatchUp: 10,
    });
    const full = parseAgentFile(
      '/x/nightly.prompt',
      file(
        'schedule:\n  cron: "*/5 * * * *"\n  timezone: Europe/Berlin\n  overlap: queue\n  catch_up: all\n  max_catch_up: 3\n',
      ),
    );
    expect(full.schedule).toMatchObject({ timezone: 'Europe/Berlin', overlap: 'queue', catchUp: 'all', maxCatchUp: 3 });
  });

  it('a bad expression is a validation error naming the file, the line and the key', () => {
    const bad = (schedule: string): FileFormatError => {
      try {
        parseAgentFile('/x/nightly.prompt', file(schedule));
      } catch (error) {
        return error as FileFormatError;
      }
      throw new Error('expected an error');
    };
    const fields = bad('schedule:\n  cron: "* * *"\n');
    expect(fields).toBeInstanceOf(FileFormatError);
    expect(fields.message).toContain('/x/nightly.prompt:5');
    expect(fields.message).toContain('schedule.cron');
    expect(fields.message).toContain('expected 5 (minute hour day month weekday) or 6 (second first)');
    expect(bad('schedule:\n  cron: "61 * * * *"\n').message).toMatch(/nightly\.prompt:5.*minute: 61/s);
    expect(bad('schedule:\n  cron: "* * * * *"\n  overlap: never\n').message).toMatch(
      /:6.*expected one of skip, queue, allow/s,
    );
    expect(bad('schedule:\n  cron: "* * * * *"\n  timezone: Mars/Base\n').message).toContain('IANA time zone');
  });
});
