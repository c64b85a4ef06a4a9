import { describe, expect, it } from 'vitest';
import type { RunView } from '../../src/tui/client/station-client.js';
import { connectionText } from '../../src/tui/components/header.js';
import {
  initialRunsState,
  lastRunByAgent,
  runningCount,
  runsReducer,
  shownStatus,
} from '../../src/tui/state/runs-state.js';

function run(id: number, patch: Partial<RunView> = {}): RunView {
  return {
    id,
    agent: 'hello',
    environment: 'default',
    status: 'completed',
    model: 'm',
    createdAt: new Date(1_700_000_000_000 + id * 1000).toISOString(),
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    steps: 0,
    toolCalls: 0,
    tokens: { input: 0, output: 0, total: 0 },
    error: null,
    stopReason: null,
    trigger: 'manual',
    scheduledAt: null,
    ...patch,
  };
}

describe('runs state', () => {
  it('loads newest first and merges live updates by id', () => {
    let s = runsReducer(initialRunsState(), { type: 'runs-loaded', runs: [run(1), run(3), run(2)] });
    expect(s.runs.map((r) => r.id)).toEqual([3, 2, 1]);
    s = runsReducer(s, { type: 'runs-updated', runs: [run(4, { status: 'running' }), run(2, { status: 'failed' })] });
    expect(s.runs.map((r) => `${String(r.id)}:${r.status}`)).toEqual([
      '4:running',
      '3:completed',
      '2:failed',
      '1:completed',
    ]);
    expect(runningCount(s)).toBe(1);
  });

  it('an update that changes nothing keeps the same state (no re-render)', () => {
    const s = runsReducer(initialRunsState(), { type: 'runs-loaded', runs: [run(1)] });
    expect(runsReducer(s, { type: 'runs-updated', runs: [run(1)] })).toBe(s);
    expect(runsReducer(s, { type: 'runs-updated', runs: [] })).toBe(s);
  });

  it('keeps at most `limit` runs, but never drops an active one', () => {
    let s = runsReducer(initialRunsState(3), {
      type: 'runs-loaded',
      runs: [run(1, { status: 'running' }), run(2), run(3)],
    });
    s = runsReducer(s, { type: 'runs-updated', runs: [run(4), run(5)] });
    expect(s.runs.map((r) => r.id)).toEqual([5, 4, 3, 1]);
  });

  it('gives the newest run of each agent of an environment', () => {
    const s = runsReducer(initialRunsState(), {
      type: 'runs-loaded',
      runs: [
        run(1, { agent: 'a' }),
        run(2, { agent: 'b' }),
        run(3, { agent: 'a', status: 'failed' }),
        run(4, { agent: 'a', environment: 'other' }),
      ],
    });
    const last = lastRunByAgent(s, 'default');
    expect(last.get('a')?.id).toBe(3);
    expect(last.get('b')?.id).toBe(2);
  });

  it('a lost connection makes active runs stale until the list is loaded again', () => {
    let s = runsReducer(initialRunsState(), {
      type: 'runs-loaded',
      runs: [run(1), run(2, { status: 'running' }), run(3, { status: 'queued' })],
    });
    s = runsReducer(s, { type: 'connection-lost' });
    expect(s.stale).toBe(true);
    expect(s.runs.map((r) => shownStatus(r, s.stale))).toEqual(['stale', 'stale', 'completed']);
    expect(runningCount(s)).toBe(2);
    s = runsReducer(s, { type: 'runs-loaded', runs: [run(1), run(2), run(3, { status: 'running' })] });
    expect(s.stale).toBe(false);
    expect(s.runs.map((r) => shownStatus(r, s.stale))).toEqual(['running', 'completed', 'completed']);
  });

  it('the header leads with "disconnected" and counts down to the next attempt', () => {
    const label = 'remote http://127.0.0.1:8585 (tui, user)';
    expect(connectionText({ label, ok: true, error: null }, 0)).toBe(label);
    expect(connectionText({ label: 'local /h', ok: false, error: 'reading runs failed: busy' }, 0)).toBe(
      'local /h (reading runs failed: busy)',
    );
    expect(connectionText({ label, ok: false, error: 'connect ECONNREFUSED', remote: true, retryAt: 2500 }, 0)).toBe(
      `✗ disconnected, retrying in 3s · connect ECONNREFUSED · ${label}`,
    );
    expect(connectionText({ label, ok: false, error: null, remote: true, retryAt: 1000 }, 1000)).toBe(
      `✗ disconnected, retrying now · ${label}`,
    );
    expect(connectionText({ label, ok: false, error: null, remote: true, retryAt: null }, 0)).toBe(
      `✗ disconnected, retrying · ${label}`,
    );
  });
});
