import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { toolLoop } from '../helpers/model-server.js';
import { scriptedRun } from './helpers/events.js';
import { FakeStationClient, freshStation, runView } from './helpers/fake-client.js';
import { KEYS, screenPerTest } from './helpers/screen.js';
import { stationPerTest } from './helpers/station.js';

describe('TUI runs and traces (real core, test model server, server-filesystem)', { timeout: 90_000 }, () => {
  const tui = stationPerTest();

  it('navigates to an agent, shows its detail, runs it from the form and watches the trace fill in', async () => {
    const station = await tui.open();
    const files = station.files;
    station.model.script(
      toolLoop({
        tool: 'filesystem__list_directory',
        args: { path: files },
        steps: 2,
        finalText: 'Found three files.',
      }),
    );
    const screen = await tui.show(station.client);
    await screen.waitFor('lister');
    // The selection starts on the first agent; lister is the third.
    await screen.press('j', 'j');
    await screen.waitFor(/›lister/);
    await screen.press(KEYS.enter);
    let frame = await screen.waitFor('Tools (1)');
    expect(frame).toContain('lister — Lists a folder and says what is in it.');
    expect(frame).toContain('filesystem__list_directory');
    expect(frame).toContain('Input schema');
    await screen.press('G');
    frame = await screen.waitFor('Prompt');
    expect(frame).toContain('List {{path}} with the tool, then answer.');

    await screen.press('r');
    frame = await screen.waitFor(/› userInput/);
    expect(frame).toContain('Run lister in default');
    expect(frame).toMatch(/path\*/);
    // Enter with the required path empty: the form says so and starts nothing.
    await screen.press(KEYS.enter);
    await screen.waitFor('✗ a value is required');
    expect(station.model.requests).toHaveLength(0);
    await screen.type('what is there?');
    await screen.press(KEYS.tab);
    await screen.type(files);
    await screen.press(KEYS.enter);

    frame = await screen.waitFor('run.finished completed', 20_000);
    expect(frame).toContain('[4 Trace]');
    expect(frame).toMatch(/Run #\d+ lister · completed · 3 steps · 2 tool calls/);
    expect(frame).toContain('run.queued');
    expect(frame).toContain('tools.ready');
    expect(frame).toMatch(/1 ◆ model test-model\s+1 tool call: filesystem__list_directory/);
    expect(frame).toMatch(/1 ⚙ filesystem__list_directory \{"path":".*"\} → \[FILE\]/);
    expect(frame).toContain('Found three files.');
    // The model got the tool results back.
    expect(station.model.requests).toHaveLength(3);

    // Open a tool call in full: pretty-printed JSON of its events.
    await screen.press('g');
    for (let i = 0; i < 4; i++) await screen.press('j');
    await screen.waitFor(/›\s+1 ⚙ filesystem__list_directory/);
    await screen.press(KEYS.enter);
    frame = await screen.waitFor('tool.started');
    expect(frame).toContain('"callId"');
    expect(frame).toContain('"arguments": {');
    expect(frame).toContain('esc closes');
    await screen.press(KEYS.esc);
    await screen.waitFor('enter: full JSON');
    // esc leaves the trace for the agent's detail; its list shows the last run.
    await screen.press(KEYS.esc);
    await screen.waitFor('Tools (1)');
    await screen.press(KEYS.esc);
    expect(await screen.waitFor(/lister\s+test-model\s+1 ✓ completed/)).toContain('[2 Agents]');
  });

  it('c cancels a running run from its trace; the header counts it while it runs', async () => {
    const station = await tui.open({ latencyMs: 60_000 });
    station.model.script(
      toolLoop({ tool: 'filesystem__list_directory', args: { path: station.files }, steps: 1, latencyMs: 60_000 }),
    );
    const screen = await tui.show(station.client);
    await screen.waitFor('lister');
    await screen.press('j', 'j', 'r');
    await screen.waitFor(/› userInput/);
    await screen.press(KEYS.tab);
    await screen.type(station.files);
    await screen.press(KEYS.enter);
    let frame = await screen.waitFor(/◆ model test-model\s.*running/, 20_000);
    expect(frame).toContain('● 1 running');
    expect(frame).toContain('[following]');
    expect(frame).toContain('c cancel run');
    await station.model.waitForRequests(1);
    await screen.press('c');
    frame = await screen.waitFor('run.finished cancelled', 20_000);
    expect(frame).toMatch(/Run #\d+ lister · cancelled/);
    // The reason names the door and who used it.
    expect(frame).toContain(`cancelled from the TUI by local:${userInfo().username}`);
    // The model call the run was waiting on is closed as cancelled, not left running.
    frame = await screen.waitFor(/◆ model test-model\s.*never finished: the run ended cancelled\s+⊘ cancelled/);
    expect(frame).not.toMatch(/◆ model test-model.*running/);
    // The "Cancelling…" notice goes with the run; a finished run offers neither cancel nor follow.
    frame = await screen.waitFor((f) => !f.includes('Cancelling run'), 3000);
    expect(frame).not.toContain('c cancel run');
    expect(frame).not.toContain('f follow');
    await screen.press('g');
    frame = await screen.waitFor(/›.*run\.queued/);
    expect(frame).not.toContain('[paused: G follows]');
    expect(await screen.waitFor('idle')).not.toContain('running ');
    // The model request was aborted, not left hanging.
    await station.model.waitIdle(10_000);
    expect(station.model.requests[0]?.closedEarly).toBe(true);
  });
});

// The runs list and its filters only render what the client has: the in-memory StationClient is enough.
describe('TUI runs list (StationClient fake)', () => {
  const tui = screenPerTest();

  it('runs pushed by the client appear live, filter by status and agent, and open as a trace', async () => {
    const client = new FakeStationClient(freshStation());
    const screen = await tui.show(client, { screen: 'runs' });
    await screen.waitFor('No runs yet');
    client.putRuns(runView({ id: 1, agent: 'lister', status: 'completed', steps: 2, toolCalls: 1 }));
    client.pushEvents(...scriptedRun(1, 1));
    client.putRuns(runView({ id: 2, agent: 'hello', status: 'completed', steps: 1 }));
    client.putRuns(
      runView({ id: 3, agent: 'hello', status: 'failed', error: { code: 'model_error', message: 'bad request' } }),
    );
    let frame = await screen.waitFor(/#3\s+hello\s+✗ failed/);
    expect(frame).toMatch(/#2\s+hello\s+✓ completed/);
    expect(frame).toMatch(/#1\s+lister\s+✓ completed/);
    // The footer's count is set by an effect after the rows render: it catches up a frame later.
    await screen.waitFor('3 runs in default');

    // Status filter: completed shows the two completed runs, failed only the failed one.
    await screen.press('s', 's');
    frame = await screen.waitFor('status: completed');
    expect(frame).toMatch(/#2\s+hello/);
    expect(frame).toMatch(/#1\s+lister/);
    expect(frame).not.toContain('#3');
    await screen.press('s');
    frame = await screen.waitFor('status: failed');
    expect(frame).toMatch(/#3\s+hello/);
    expect(frame).not.toMatch(/#[12]\s/);
    await screen.press('s', 's');
    await screen.waitFor('status: all');
    // Agent filter cycles through the agents that have runs.
    await screen.press('a');
    frame = await screen.waitFor('agent: hello');
    expect(frame).not.toMatch(/#\d+\s+lister/);
    await screen.press('a');
    frame = await screen.waitFor('agent: lister');
    expect(frame).not.toMatch(/#\d+\s+hello/);
    await screen.press(KEYS.enter);
    frame = await screen.waitFor('run.finished completed');
    expect(frame).toContain('Run #1 lister');
    expect(frame).toContain('fs__read');
  });
  it('a run stopped at max_steps has its own marker; only a queued or running run offers c cancel', async () => {
    const client = new FakeStationClient(freshStation());
    const screen = await tui.show(client, { screen: 'runs' });
    await screen.waitFor('No runs yet');
    client.putRuns(runView({ id: 1, agent: 'hello', status: 'completed', stopReason: 'max_steps', steps: 3 }));
    client.putRuns(runView({ id: 2, agent: 'hello', status: 'completed', stopReason: 'final_answer' }));
    client.putRuns(runView({ id: 3, agent: 'hello', status: 'running' }));
    let frame = await screen.waitFor(/#1\s+hello\s+! max_steps/);
    expect(frame).toMatch(/#2\s+hello\s+✓ completed/);
    expect(frame).not.toMatch(/#1\s+hello\s+✓/);
    // The cursor starts on the newest run, #3, which is running.
    expect(frame).toMatch(/›#3/);
    expect(frame).toContain('c cancel run');
    await screen.press('j');
    frame = await screen.waitFor(/›#2/);
    expect(frame).not.toContain('c cancel run');
    await screen.press('c');
    expect(await screen.waitFor('nothing to cancel')).toContain('Run #2 is completed');
  });
});
