// Retention over REST and in `stn serve`: POST /api/v1/runs/prune (admin keys only; dry runs; bad limits 400;
// audited), and the server's own pass applying runner.retention of config.yaml.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startStationForTest, type Station } from './station-helpers.js';

async function finishedRuns(s: Station, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = await s.api.startRun('default', 'hello', { input: { userInput: `run ${String(i)}` } });
    await s.waitRun(started.id);
    ids.push(started.id);
  }
  return ids;
}

describe('POST /api/v1/runs/prune', () => {
  let s: Station;
  beforeAll(async () => {
    s = await startStationForTest({ model: { fallback: { text: 'done' } } });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('counts on a dry run, prunes beyond the newest N, is for admins only, and is audited', async () => {
    const ids = await finishedRuns(s, 3);
    const dry = await s.raw('POST', '/api/v1/runs/prune', { body: { keep: 1, dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, keep: 1, runs: 2, batches: 0 });
    for (const key of [s.keys.user, s.keys.viewer]) {
      expect((await s.raw('POST', '/api/v1/runs/prune', { key, body: { keep: 1 } })).status).toBe(403);
    }
    expect((await s.api.listRuns({})).map((r) => r.id)).toHaveLength(3);
    const done = await s.api.pruneRuns({ keep: 1 });
    expect(done).toMatchObject({ dryRun: false, runs: 2, batches: 1 });
    expect(done.events).toBeGreaterThan(0);
    expect((await s.api.listRuns({})).map((r) => r.id)).toEqual([ids[2]]);
    const audit = s.engine.audit.list({ action: 'run.prune' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'admin', door: 'rest', outcome: 'allowed', details: { keep: 1, runs: 2 } });
    expect(s.engine.audit.verify().ok).toBe(true);
  });

  it('answers 400 to a bad date or count, and to no limit when none is configured', async () => {
    const bad = await s.raw('POST', '/api/v1/runs/prune', { body: { before: 'last tuesday' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('neither an age nor a date');
    expect((await s.raw('POST', '/api/v1/runs/prune', { body: { keep: -1 } })).status).toBe(400);
    expect((await s.raw('POST', '/api/v1/runs/prune', { body: { keep: 1, extra: true } })).status).toBe(400);
    const none = await s.raw('POST', '/api/v1/runs/prune', { body: {} });
    expect(none.status).toBe(400);
    expect(none.text).toContain('nothing to prune by');
    // A date prunes what finished before it: nothing here, all runs are newer.
    const dated = await s.raw('POST', '/api/v1/runs/prune', { body: { before: '2020-01-01' } });
    expect(dated.body).toMatchObject({ runs: 0, before: new Date(2020, 0, 1).toISOString() });
  });
});

describe('stn serve applies runner.retention', () => {
  let s: Station | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('prunes finished runs beyond the configured count on its schedule, and logs the pass', async () => {
    s = await startStationForTest({
      model: { fallback: { text: 'done' } },
      editConfig: (yaml) => yaml.replace(/^runner:\n/m, 'runner:\n  retention:\n    runs: 2\n'),
      retention: { firstDelayMs: 0, intervalMs: 50 },
    });
    expect(s.engine.config.runner.retention).toEqual({ days: null, runs: 2 });
    const ids = await finishedRuns(s, 4);
    const station = s;
    await vi.waitFor(async () => expect((await station.api.listRuns({})).map((r) => r.id)).toEqual([ids[3], ids[2]]), {
      timeout: 10_000,
      interval: 50,
    });
    const passes = s.logs
      .map((l) => JSON.parse(l) as { msg?: string; runs?: number })
      .filter((l) => l.msg === 'retention pass');
    expect(passes.some((p) => (p.runs ?? 0) > 0)).toBe(true);
    const audit = s.engine.audit.list({ action: 'run.prune' });
    expect(audit.length).toBeGreaterThan(0);
    expect(audit[0]).toMatchObject({ actor: 'retention', door: 'internal' });
  });
});
