// `stn ui --remote` when the connection goes: the header says so within two seconds and counts down to the
// next attempt, rows of runs that were running are marked stale, and when the server is reachable again the
// UI catches up (lists loaded again, the followed trace gets the events it missed). Quitting with runs this
// UI started in progress asks first, and says that they keep running on the server.
// A real `stn serve` (startStation) on 127.0.0.1, reached through a TCP proxy that plays the network.
import { describe, expect, it } from 'vitest';
import type { RemoteClient } from '../../src/tui/client/remote-client.js';
import type { TcpProxy } from '../helpers/tcp-proxy.js';
import { KEYS } from '../tui/helpers/screen.js';
import type { TuiStation } from '../tui/helpers/station.js';
import { watchQuit } from '../tui/helpers/watch-quit.js';
import { remoteStationPerTest } from './remote-station.js';

describe('remote TUI: a lost connection, catching up, and quitting', { timeout: 90_000 }, () => {
  const remote = remoteStationPerTest();

  /** A server with the lister agent, a proxy in front of it, and a remote client through the proxy. */
  async function connect(): Promise<{ station: TuiStation; proxy: TcpProxy; client: RemoteClient; url: string }> {
    const served = await remote.serve();
    const proxy = await remote.proxy(served.running.port);
    const url = `http://127.0.0.1:${String(proxy.port)}`;
    const client = await remote.connect({ url, key: served.key, reconnectMs: 300, maxReconnectMs: 1000 });
    return { station: served.station, proxy, client, url };
  }

  const statusIn = (station: TuiStation, id: number): string => station.engine.runs.get(id).status;

  it('the server gone: disconnected within 2 s, running rows stale; back: the list and the trace catch up', async () => {
    const { station, proxy, client } = await connect();
    station.model.script([{ text: 'never shown', delayMs: 60_000 }]);
    const screen = await remote.render(client, { screen: 'runs' });
    await screen.waitFor(/\[3 Runs\]/);
    await screen.waitFor(/remote http:\/\/127\.0\.0\.1/);
    const run = await client.startRun('default', 'lister', { userInput: 'x', path: station.files });
    await screen.waitFor(new RegExp(`#${String(run.id)}\\s+lister\\s+● running`));
    // Open its trace, following it live.
    await screen.press(KEYS.enter);
    await screen.waitFor(/model\.request|◆ model/);
    await station.model.waitForRequests(1);

    await proxy.stop();
    let frame = await screen.waitFor('disconnected', 2000);
    expect(frame.split('\n')[0]).toMatch(/✗ disconnected, retrying/);
    // The run's title in the trace and its row are stale, not left "● running".
    frame = await screen.waitFor(`◌ Run #${String(run.id)} lister · stale`);
    expect(frame).toContain('◌ 1 stale');
    expect(frame).not.toContain('● 1 running');
    await screen.press('3');
    frame = await screen.waitFor(new RegExp(`#${String(run.id)}\\s+lister\\s+◌ stale`));
    expect(frame).not.toContain('● running');
    // The header counts down to the next attempt.
    await screen.waitFor(/retrying in \d+s|retrying now/);

    // The run ends on the server (cancelled with `stn runs cancel` there) while nobody here can see it.
    station.app.local().runs.cancel(run.id, 'cli');
    await expect.poll(() => statusIn(station, run.id), { timeout: 20_000 }).toBe('cancelled');
    expect(screen.frame()).toContain('◌ stale');

    await proxy.start();
    frame = await screen.waitFor(new RegExp(`#${String(run.id)}\\s+lister\\s+⊘ cancelled`), 20_000);
    expect(frame.split('\n')[0]).not.toContain('disconnected');
    expect(frame.split('\n')[0]).toContain('idle');
    // The trace has the events it missed, up to the run's end.
    await screen.press('4');
    frame = await screen.waitFor('run.finished cancelled', 20_000);
    expect(frame).toMatch(new RegExp(`Run #${String(run.id)} lister · cancelled`));
    expect(frame).toContain('cancelled with `stn runs cancel` by local:');
  });

  it('a server that goes silent without closing the socket is noticed by the heartbeat within 2 s', async () => {
    const { proxy, client } = await connect();
    const connections: boolean[] = [];
    client.subscribe((u) => {
      if (u.kind === 'connection') connections.push(u.ok);
    });
    const screen = await remote.render(client, { screen: 'runs' });
    await screen.waitFor(/remote http:\/\/127\.0\.0\.1/);
    // The WebSocket is up (its subscription confirmed) before it is frozen.
    await expect.poll(() => connections).toContain(true);
    proxy.freeze();
    const frame = await screen.waitFor('disconnected', 2000);
    expect(frame.split('\n')[0]).toContain('the server stopped answering');
    // The proxy still lets new connections through: it reconnects by itself.
    await screen.waitFor((f) => !(f.split('\n')[0] ?? '').includes('disconnected'), 20_000);
  });

  it('q with a run this UI started in progress asks; y quits and the run keeps running on the server', async () => {
    const { station, client, url } = await connect();
    station.model.script([
      { text: 'never shown', delayMs: 60_000 },
      { text: 'never shown', delayMs: 60_000 },
    ]);
    const quit = watchQuit(client);
    const screen = await remote.render(quit.client, { screen: 'runs' });
    await screen.waitFor(/remote http:\/\/127\.0\.0\.1/);
    // Runs started elsewhere are not this UI's to ask about.
    await station.client.startRun('default', 'lister', { userInput: 'not mine', path: station.files });
    const run = await quit.client.startRun('default', 'lister', { userInput: 'x', path: station.files });
    await screen.waitFor(new RegExp(`#${String(run.id)}\\s+lister\\s+● running`), 20_000);
    await screen.press('q');
    let frame = await screen.waitFor('Quit? 1 run started here in progress');
    expect(frame).toContain(`#${String(run.id)} lister (running)`);
    expect(frame).toContain(`It runs on ${url}, not in this UI`);
    expect(frame).toContain(`y  quit; 1 run keeps running on ${url}`);
    expect(frame).toContain('c  cancel it and quit');
    expect(frame).toMatch(/y quit, runs keep going\s+c cancel them and quit\s+n stay/);
    expect(frame).not.toContain('? help');
    await screen.press('n');
    frame = await screen.waitFor('[3 Runs]');
    expect(frame).not.toContain('Quit?');
    expect(quit.quitted()).toBe(false);
    await screen.press('q');
    await screen.waitFor('Quit?');
    await screen.press('y');
    await expect.poll(quit.quitted).toBe(true);
    expect(statusIn(station, run.id)).toBe('running');
  });

  it('c in the quit question cancels the runs on the server (as the TUI, by key name), then quits', async () => {
    const { station, client } = await connect();
    station.model.script([{ text: 'never shown', delayMs: 60_000 }]);
    const quit = watchQuit(client);
    const screen = await remote.render(quit.client, { screen: 'runs' });
    const run = await quit.client.startRun('default', 'lister', { userInput: 'x', path: station.files });
    await screen.waitFor(new RegExp(`#${String(run.id)}\\s+lister\\s+● running`), 20_000);
    await station.model.waitForRequests(1);
    await screen.press(KEYS.ctrlC);
    await screen.waitFor('Quit? 1 run started here in progress');
    await screen.press('c');
    await expect.poll(quit.quitted, { timeout: 20_000 }).toBe(true);
    await expect.poll(() => statusIn(station, run.id), { timeout: 20_000 }).toBe('cancelled');
    expect(station.engine.runs.get(run.id).error?.message).toBe('cancelled from the remote TUI over REST by key "tui"');
  });
});
