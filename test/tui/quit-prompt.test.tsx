// Quitting the local TUI while runs it started are in progress: they run inside this process, so the
// question is "quit and cancel them" or "stay"; the cancellation is recorded with the TUI as the door.
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { KEYS } from './helpers/screen.js';
import { stationPerTest } from './helpers/station.js';
import { watchQuit } from './helpers/watch-quit.js';

describe('quitting the local TUI with runs in progress', { timeout: 60_000 }, () => {
  const tui = stationPerTest();

  it('q with no run of its own in progress quits at once', async () => {
    const station = await tui.open();
    const quit = watchQuit(station.client);
    const screen = await tui.show(quit.client);
    await screen.waitFor('lister');
    await screen.press('q');
    await expect.poll(quit.quitted).toBe(true);
  });

  it('asks first; esc stays; Ctrl-C twice cancels the run (from the TUI) and quits', async () => {
    const station = await tui.open();
    station.model.script([{ text: 'never shown', delayMs: 60_000 }]);
    const quit = watchQuit(station.client);
    const screen = await tui.show(quit.client, { screen: 'runs' });
    const run = await quit.client.startRun('default', 'lister', { userInput: 'x', path: station.files });
    await screen.waitFor(new RegExp(`#${String(run.id)}\\s+lister\\s+● running`), 20_000);
    await station.model.waitForRequests(1);

    await screen.press('q');
    let frame = await screen.waitFor('Quit? 1 run started here in progress');
    expect(frame).toContain(`#${String(run.id)} lister (running)`);
    expect(frame).toContain('It runs inside this UI, so quitting cancels it');
    expect(frame).toContain('y  quit and cancel 1 run');
    expect(frame).toContain('n  stay');
    expect(frame).toMatch(/y quit and cancel them\s+n stay/);
    expect(frame).not.toContain('? help');
    await screen.press(KEYS.esc);
    // The header shows "[3 Runs]" under the prompt too: wait for the frame after esc, the prompt gone.
    frame = await screen.waitFor((f) => f.includes('[3 Runs]') && !f.includes('Quit?'));
    expect(frame).toContain('lister');
    expect(quit.quitted()).toBe(false);
    expect(station.engine.runs.get(run.id).status).toBe('running');

    await screen.press(KEYS.ctrlC);
    await screen.waitFor('Quit? 1 run started here in progress');
    await screen.press(KEYS.ctrlC);
    await expect.poll(quit.quitted, { timeout: 20_000 }).toBe(true);
    await expect.poll(() => station.engine.runs.get(run.id).status, { timeout: 20_000 }).toBe('cancelled');
    expect(station.engine.runs.get(run.id).error?.message).toBe(
      `cancelled from the TUI by local:${userInfo().username}`,
    );
  });

  it('with two runs in progress, y cancels both and quits', async () => {
    const station = await tui.open();
    station.model.script([
      { text: 'never shown', delayMs: 60_000 },
      { text: 'never shown', delayMs: 60_000 },
    ]);
    const quit = watchQuit(station.client);
    const screen = await tui.show(quit.client, { screen: 'runs' });
    const first = await quit.client.startRun('default', 'lister', { userInput: 'x', path: station.files });
    const second = await quit.client.startRun('default', 'lister', { userInput: 'y', path: station.files });
    await screen.waitFor('● 2 running', 20_000);
    await screen.press('q');
    const frame = await screen.waitFor('Quit? 2 runs started here in progress');
    expect(frame).toContain(`#${String(first.id)} lister`);
    expect(frame).toContain(`#${String(second.id)} lister`);
    expect(frame).toContain('They run inside this UI, so quitting cancels them');
    expect(frame).toContain('y  quit and cancel 2 runs');
    await screen.press('y');
    await expect.poll(quit.quitted, { timeout: 20_000 }).toBe(true);
    for (const id of [first.id, second.id])
      await expect.poll(() => station.engine.runs.get(id).status, { timeout: 20_000 }).toBe('cancelled');
  });
});
