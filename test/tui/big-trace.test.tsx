import { describe, expect, it, vi } from 'vitest';
import { TRACE_PAGE } from '../../src/tui/state/trace-state.js';
import { recordBigRun } from './helpers/big-run.js';
import { KEYS } from './helpers/screen.js';
import { stationPerTest } from './helpers/station.js';

describe('TUI trace of a long run (10 000 events)', { timeout: 90_000 }, () => {
  const tui = stationPerTest();

  it('opens at the end, pages older events in as you scroll up, jumps to the first event by seq with g', async () => {
    const station = await tui.open();
    const { runId, events } = recordBigRun(station.engine, 2500);
    expect(events).toBe(10_006);
    const screen = await tui.show(station.client, { screen: 'runs' });
    await screen.waitFor(`#${String(runId)}`);
    await screen.press(KEYS.enter);
    // Only the tail is held: the status line says which events and that older ones page in.
    let frame = await screen.waitFor(/events \d+–10006 \(older paged in as you scroll\)/);
    expect(frame).toContain('run.finished completed');
    expect(frame).toContain('2500 ⚙ fs__read {"path":"/f2500"} → content of f2500');
    expect(frame).not.toContain('run.queued');
    const firstHeld = (f: string): number => Number(/events (\d+)–/.exec(f)?.[1] ?? 0);
    const tailStart = firstHeld(frame);

    // Paging up near the top of the window brings the page before it in from the store.
    const asked = vi.spyOn(station.client, 'runEvents');
    for (let i = 0; i < 20 && firstHeld(screen.frame()) === tailStart; i++) {
      await screen.press(KEYS.ctrlU);
      await screen.waitFor((f) => !f.includes('loading…'), 5000);
    }
    expect(firstHeld(screen.frame())).toBeLessThan(tailStart);
    expect(asked).toHaveBeenCalledWith(runId, { before: tailStart, limit: TRACE_PAGE });

    // g: the first page, asked for by seq in one query (not page by page back), shows event 1.
    asked.mockClear();
    await screen.press('g');
    frame = await screen.waitFor('run.queued');
    expect(asked.mock.calls).toEqual([[runId, { after: 0, limit: TRACE_PAGE }]]);
    // The run has finished: scrolled up, there is nothing to follow.
    expect(frame).not.toContain('[paused: G follows]');
    expect(frame).toContain('1 ◆ model test-model');
    // Errors in the middle of the run are marked.
    for (let i = 0; i < 30; i++) await screen.press('j');
    expect(await screen.waitFor('✗ ENOENT')).toMatch(
      / (7|14) ⚙ fs__read \{"path":"\/f(7|14)"\} ✗ ENOENT: no such file/,
    );
    expect(screen.frame()).toMatch(/events 1–\d+ \(newer paged in at the end\)/);

    // G goes back to the end (newer pages come back from the store) and follows again.
    await screen.press('G');
    frame = await screen.waitFor((f) => f.includes('run.finished completed') && f.includes('[at end]'), 10_000);
    expect(frame).toContain('2500 ⚙ fs__read');
  });
});

describe('TUI trace of a long run under resizes, key repeats and live runs', { timeout: 90_000 }, () => {
  const tui = stationPerTest();

  // The setup file fails this test if React warns (an effect looping on state it sets, a missing key).
  it('stays consistent and prints no React warning', async () => {
    const station = await tui.open();
    const { runId } = recordBigRun(station.engine, 2500);
    const screen = await tui.show(station.client, { screen: 'runs' });
    await screen.waitFor(`#${String(runId)}`);
    await screen.press(KEYS.enter);
    await screen.waitFor('run.finished completed');
    // Key repeats that arrive bunched, as when a key is held down; paging older pages in meanwhile.
    await screen.type('k'.repeat(120));
    await screen.waitFor((f) => !f.includes('loading…'), 10_000);
    await screen.type('gggg');
    await screen.waitFor((f) => !f.includes('loading…'), 10_000);
    await screen.type('j'.repeat(60));
    // Resizes, down to the smallest frame and back, while the window pages.
    for (const [columns, rows] of [
      [40, 8],
      [200, 60],
      [20, 3],
      [120, 30],
      [80, 24],
    ] as const) {
      screen.resize(columns, rows);
      await screen.press('G');
    }
    // Other runs come and go in the runs list (another process) while the trace is shown.
    const other = station.otherProcess();
    for (let i = 0; i < 5; i++) recordBigRun(other, 2);
    const frame = await screen.waitFor(
      (f) => f.includes('run.finished completed') && f.includes('[at end]') && !f.includes('loading…'),
      10_000,
    );
    expect(frame).toContain('2500 ⚙ fs__read');
    await screen.press('3');
    await screen.waitFor(`#${String(runId + 5)}`);
  });
});
