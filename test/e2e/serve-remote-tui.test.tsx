// `stn ui --remote`: the TUI fed by a running server's REST API and WebSocket (RemoteClient), with the
// real core behind it (SQLite, the test model server, server-filesystem).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, ExitCode } from '../../src/core/index.js';
import type { ClientUpdate, RunEventView } from '../../src/tui/client/station-client.js';
import { TRACE_PAGE } from '../../src/tui/state/trace-state.js';
import { toolLoop } from '../helpers/model-server.js';
import { recordBigRun } from '../tui/helpers/big-run.js';
import { KEYS } from '../tui/helpers/screen.js';
import { remoteStationPerTest, type Served } from './remote-station.js';

describe('remote TUI client (stn ui --remote) against stn serve', { timeout: 90_000 }, () => {
  const remote = remoteStationPerTest();
  const serve = (role = 'user'): Promise<Served> => remote.serve({ role });

  it('shows the same screens: agents, the run form, a live trace, and cancel', async () => {
    const { station, url, key } = await serve();
    const client = await remote.connect({ url, key });
    expect(client.info(), JSON.stringify(client.info())).toMatchObject({
      kind: 'remote',
      defaultEnvironment: 'default',
    });
    expect(client.info().label).toContain(url);
    station.model.script(
      toolLoop({
        tool: 'filesystem__list_directory',
        args: { path: station.files },
        steps: 1,
        finalText: 'Remote answer.',
      }),
    );
    const screen = await remote.render(client);
    await screen.waitFor('lister');
    await screen.press('j', 'j');
    await screen.waitFor(/›lister/);
    await screen.press(KEYS.enter);
    let frame = await screen.waitFor('Tools (1)');
    expect(frame).toContain('lister — Lists a folder and says what is in it.');
    await screen.press('r');
    await screen.waitFor(/› userInput/);
    await screen.type('what is there?');
    await screen.press(KEYS.tab);
    await screen.type(station.files);
    await screen.press(KEYS.enter);
    await screen.waitFor('run.finished completed', 20_000);
    // The header comes from the run's row, refreshed over REST after the event.
    frame = await screen.waitFor(/Run #\d+ lister · completed · 2 steps · 1 tool call/);
    expect(frame).toMatch(/1 ⚙ filesystem__list_directory/);
    expect(frame).toContain('Remote answer.');
    expect(station.engine.runs.list({ agent: 'lister' })[0]).toMatchObject({ status: 'completed' });

    // A slow run, cancelled from the trace with c.
    station.model.script([{ text: 'never shown', delayMs: 30_000 }]);
    await screen.press(KEYS.esc);
    await screen.waitFor('Tools (1)');
    await screen.press('r');
    await screen.waitFor(/› userInput/);
    await screen.type('slow');
    await screen.press(KEYS.tab);
    await screen.type(station.files);
    await screen.press(KEYS.enter);
    await screen.waitFor('tools.ready', 20_000);
    await station.model.waitForRequests(3);
    // Under load the first key can land before the trace takes input: press until the cancel is under way.
    for (let i = 0; i < 10 && !/Cancelling run #\d+|run\.finished cancelled/.test(screen.frame()); i++) {
      await screen.press('c');
      await screen.waitFor(/Cancelling run #\d+|run\.finished cancelled/, 2000).catch(() => undefined);
    }
    await screen.waitFor('run.finished cancelled', 20_000);
    await screen.waitFor(/Run #\d+ lister · cancelled/);
  });

  it('a long trace: g asks the server for the first page by seq (one request) and shows event 1', async () => {
    // Recorded before the server starts, as a long run of the past (not streamed to the client as new).
    let runId = 0;
    const { url, key } = await remote.serve({ before: (station) => ({ runId } = recordBigRun(station.engine, 2500)) });
    const client = await remote.connect({ url, key });
    const asked = vi.spyOn(client, 'runEvents');
    const screen = await remote.render(client, { screen: 'runs' });
    await screen.waitFor(`#${String(runId)}`);
    await screen.press(KEYS.enter);
    await screen.waitFor(/events \d+–10006 \(older paged in as you scroll\)/);
    asked.mockClear();
    await screen.press('g');
    const frame = await screen.waitFor('run.queued');
    expect(frame).toContain('1 ◆ model test-model');
    expect(asked.mock.calls).toEqual([[runId, { after: 0, limit: TRACE_PAGE }]]);
  });

  it('shows the next fire of scheduled agents from listSchedules, as the local client does', async () => {
    const { station, url, key } = await serve();
    const agents = join(station.home.paths.environments, 'default', 'agents');
    const prompt = (name: string): string =>
      `---\nmetadata:\n  name: ${name}\nschedule:\n  cron: "0 9 * * *"\n  timezone: UTC\n---\nHello.\n`;
    writeFileSync(join(agents, 'daily.prompt'), prompt('daily'));
    writeFileSync(join(agents, 'held.prompt'), prompt('held'));
    const local = station.app.local('cli');
    local.schedules.pause('default', 'held');
    const client = await remote.connect({ url, key });
    const schedules = await client.schedules('default');
    expect(schedules.map((s) => [s.agent, s.paused])).toEqual([
      ['daily', false],
      ['held', true],
    ]);
    expect(schedules).toEqual(local.schedules.list('default'));

    const screen = await remote.render(client, { columns: 80, rows: 24 });
    const frame = await screen.waitFor('NEXT FIRE');
    const row = (name: string): string => frame.split('\n').find((l) => l.includes(name)) ?? '';
    expect(row('daily')).toMatch(/daily\s+default\s+0\s+-\s+(in \d+[smh]|[A-Z][a-z]{2} 09:00)(\s|$)/);
    expect(row('held')).toMatch(/held\s+default\s+0\s+-\s+paused(\s|$)/);
    expect(row('lister')).toMatch(/lister\s+test-model\s+1\s+-\s+-\s+Lists/);
    expect(Math.max(...frame.split('\n').map((l) => Array.from(l).length))).toBeLessThanOrEqual(80);
    await screen.press(KEYS.enter);
    expect(await screen.waitFor('schedule: 0 9 * * *')).toMatch(/schedule: 0 9 \* \* \*\s+timezone: UTC\s+next fire: /);
  });

  it('fails with the API error rebuilt from the body (exit code, field errors), and on a bad key or URL', async () => {
    const { url, key } = await serve('admin');
    await expect(remote.connect({ url, key: 'stn_000000000000_' + 'x'.repeat(43) })).rejects.toMatchObject({
      status: 401,
      code: 'unauthorized',
      exitCode: ExitCode.AUTH,
    });
    await expect(remote.connect({ url: 'ftp://x', key })).rejects.toMatchObject({
      code: 'usage',
      exitCode: ExitCode.USAGE,
    });
    await expect(remote.connect({ url: 'http://127.0.0.1:1', key })).rejects.toMatchObject({
      code: 'unreachable',
      exitCode: ExitCode.UNREACHABLE,
      hints: [expect.stringContaining('stn serve')],
    });
    const client = await remote.connect({ url, key });
    expect((await client.environments()).map((e) => e.name)).toEqual(['default']);
    expect((await client.agents('default')).map((a) => a.name)).toContain('lister');
    const detail = await client.agent('default', 'lister');
    expect(detail).toMatchObject({
      name: 'lister',
      file: 'lister.prompt',
      maxSteps: 5,
      lastRun: null,
      inputSchema: { required: ['path'] },
    });
    const bad = await client.startRun('default', 'lister', { userInput: 'x' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect(bad).toMatchObject({ status: 400, code: 'invalid', exitCode: ExitCode.INVALID });
    expect((bad as ApiError).details).toMatchObject({
      issues: [expect.objectContaining({ field: expect.stringContaining('path') })],
    });
    await expect(client.agent('default', 'nobody')).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
      exitCode: ExitCode.NOT_FOUND,
    });
    const servers = await client.mcpServers('default');
    expect(servers).toEqual([expect.objectContaining({ name: 'filesystem' })]);
    const sync = await client.syncEnvironment('default', () => undefined);
    expect(sync).toMatchObject({ ok: true, summary: expect.stringMatching(/^1\/1 servers ready, \d+ tools/) });
    expect((await client.mcpTools('default')).map((t) => t.qualifiedName)).toContain('filesystem__list_directory');
  });

  it('shows the stderr tail the last sync recorded of a server that failed, as the local client does', async () => {
    const { station, url, key } = await serve('admin');
    // An environment made after the server started: it has no live pool, so its servers show what was recorded.
    const env = station.engine.environments.create('broken');
    writeFileSync(
      join(env.path, 'template.json'),
      JSON.stringify({
        mcpServers: {
          crashy: {
            command: process.execPath,
            args: ['-e', "console.error('crashy: missing token'); process.exit(3)"],
          },
        },
      }),
    );
    const client = await remote.connect({ url, key });
    const progress: string[] = [];
    const sync = await client.syncEnvironment('broken', (p) => progress.push(p.message));
    expect(sync.ok).toBe(false);
    expect(progress).toContain('starting crashy');
    const servers = await client.mcpServers('broken');
    expect(servers).toEqual([
      expect.objectContaining({
        name: 'crashy',
        state: 'failed',
        source: 'recorded',
        stderrTail: expect.stringContaining('crashy: missing token'),
      }),
    ]);
    expect(servers).toEqual(await station.client.mcpServers('broken'));
  });

  it('after a network drop it reconnects and gets the events it missed, each once, in order', async () => {
    const { station, url, key } = await serve();
    const proxy = await remote.proxy(Number(new URL(url).port));
    const client = await remote.connect({ url: `http://127.0.0.1:${String(proxy.port)}`, key, reconnectMs: 100 });
    const updates: ClientUpdate[] = [];
    client.subscribe((u) => updates.push(u));
    const connections = (): boolean[] => updates.flatMap((u) => (u.kind === 'connection' ? [u.ok] : []));
    await expect.poll(connections, { timeout: 10_000 }).toContain(true);
    station.model.script([{ text: 'after the drop', delayMs: 1500 }]);
    const run = await client.startRun('default', 'lister', { userInput: 'x', path: station.files });
    const events = (): RunEventView[] =>
      updates.flatMap((u) => (u.kind === 'events' ? u.events : [])).filter((e) => e.runId === run.id);
    const types = (): string[] => events().map((e) => e.type);
    await expect.poll(types, { timeout: 10_000 }).toContain('model.request');
    proxy.cut();
    await expect.poll(connections, { timeout: 10_000, message: 'the drop to be noticed' }).toContain(false);
    await expect
      .poll(types, { timeout: 10_000, message: 'the rest of the run after reconnecting' })
      .toContain('run.finished');
    const seqs = events().map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(events().at(-1)).toMatchObject({
      type: 'run.finished',
      data: { status: 'completed', output: 'after the drop' },
    });
    expect(connections()).toEqual([true, false, true]);
    // The runs list follows the events (its row is fetched after run.finished arrives): it catches up.
    await expect
      .poll(
        () => updates.some((u) => u.kind === 'runs' && u.runs.some((r) => r.id === run.id && r.status === 'completed')),
        {
          timeout: 10_000,
          message: 'the runs list to show the run completed',
        },
      )
      .toBe(true);
  });
});
