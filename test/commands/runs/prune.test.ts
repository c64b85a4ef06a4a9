// `stn runs prune` end to end (the built binary, a real home): dry runs, the question on a terminal, --yes for
// scripts, --keep and --before, runner.retention when no limit is given, and clear refusals.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/core/index.js';
import { runStn, runStnOnTerminal } from '../../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { addRunRow } from '../../helpers/run-rows.js';

const DAY = 86_400_000;
let temp: TempHome;
let ids: number[];

beforeEach(async () => {
  temp = makeInitializedHome();
  const engine = openEngine({ home: temp.home, env: temp.env });
  const now = Date.now();
  ids = [
    addRunRow(engine.db, { status: 'completed', createdAt: now - 60 * DAY }),
    addRunRow(engine.db, { status: 'failed', createdAt: now - 40 * DAY }),
    // Running in a live process (this one, started before it): never orphaned, never pruned.
    addRunRow(engine.db, { status: 'running', createdAt: now, pid: process.pid }),
    addRunRow(engine.db, { status: 'completed', createdAt: now - 2 * DAY }),
  ];
  await engine.close();
});
afterEach(() => {
  temp.cleanup();
});

async function remaining(): Promise<number[]> {
  const list = await runStn(['runs', 'list', '--json'], { env: temp.env });
  return (JSON.parse(list.stdout) as { id: number }[]).map((r) => r.id).sort((a, b) => a - b);
}

describe('stn runs prune', () => {
  it('--dry-run says what would go and deletes nothing', async () => {
    const r = await runStn(['runs', 'prune', '--before', '30d', '--dry-run'], { env: temp.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Would delete 2 finished runs \(6 events\) finished before \d{4}-\d\d-\d\dT.*\(dry run/);
    expect(await remaining()).toEqual(ids);
  });

  it('refuses without --yes when not on a terminal, and deletes with it (--json: the report)', async () => {
    const refused = await runStn(['runs', 'prune', '--keep', '1'], { env: temp.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to delete 2 finished runs (6 events) without --yes');
    expect(refused.stderr).toContain('stn runs prune --keep 1 --yes');
    expect(await remaining()).toEqual(ids);
    const r = await runStn(['runs', 'prune', '--keep', '1', '--yes', '--json'], { env: temp.env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      dryRun: false,
      keep: 1,
      before: null,
      runs: 2,
      events: 6,
      batches: 1,
    });
    // The running run stays though it is beyond the newest one.
    expect(await remaining()).toEqual([ids[2], ids[3]]);
  });

  it('asks on a terminal: no keeps everything, yes deletes', async () => {
    const no = await runStnOnTerminal(['runs', 'prune', '--before', '30d'], { env: temp.env, input: 'n\n' });
    expect(no.code, no.screen).toBe(2);
    expect(no.screen).toContain('Delete 2 finished runs (6 events)?');
    expect(await remaining()).toEqual(ids);
    const yes = await runStnOnTerminal(['runs', 'prune', '--before', '30d'], { env: temp.env, input: 'y\n' });
    expect(yes.code, yes.screen).toBe(0);
    expect(yes.screen).toMatch(/Deleted 2 finished runs \(6 events\) finished before .* in 1 batch\. station\.db: /);
    expect(await remaining()).toEqual([ids[2], ids[3]]);
  });

  it('with no limit applies runner.retention, and without one says what to do', async () => {
    const none = await runStn(['runs', 'prune', '--yes'], { env: temp.env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('nothing to prune by');
    expect(none.stderr).toContain('runner.retention');
    const config = readFileSync(temp.paths.config, 'utf8');
    writeFileSync(temp.paths.config, config.replace(/^runner:\n/m, 'runner:\n  retention:\n    days: 50\n'));
    const r = await runStn(['runs', 'prune', '--yes'], { env: temp.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Deleted 1 finished run (3 events) finished before');
    expect(await remaining()).toEqual(ids.slice(1));
    const again = await runStn(['runs', 'prune', '--yes'], { env: temp.env });
    expect(again.stdout).toContain('Nothing to prune');
  });

  it('refuses a bad date, and --before with --keep', async () => {
    const bad = await runStn(['runs', 'prune', '--before', 'last tuesday', '--yes'], { env: temp.env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('before "last tuesday" is neither an age nor a date');
    const both = await runStn(['runs', 'prune', '--before', '30d', '--keep', '3'], { env: temp.env });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot also be provided/);
    expect(await remaining()).toEqual(ids);
  });
});
