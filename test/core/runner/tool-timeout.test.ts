// Tool-call timeouts through the whole engine: config.yaml's runner.tool_timeout_seconds, a server's
// call_timeout_ms in template.json, the MCP pool that applies them, and the run that records the result.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../../src/core/index.js';
import type { RunEventOf } from '../../../src/core/events/run-events.js';
import type { TempHome } from '../../helpers/home.js';
import { startModelServer, toolMessages, type ModelServer, type ScriptedToolCall } from '../../helpers/model-server.js';
import { fixtureHome, tinyEntry, writeAgent, writeTemplate } from '../mcp/helpers.js';

let home: TempHome;
let model: ModelServer;
let engine: Engine;

beforeAll(async () => {
  const fixture = fixtureHome();
  home = fixture.home;
  writeFileSync(home.paths.config, 'runner:\n  tool_timeout_seconds: 1\n');
  // "config" follows config.yaml (1 s); "patient" sets its own 4 s.
  writeTemplate(fixture.envDir, { config: tinyEntry(), patient: { ...tinyEntry(), call_timeout_ms: 4000 } });
  writeAgent(fixture.envDir, 'caller', ['config__slow', 'patient__slow']);
  model = await startModelServer();
  engine = openEngine({
    home: home.home,
    env: { ...process.env, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test' },
  });
});
afterAll(async () => {
  await engine.close();
  await model.close();
  home.cleanup();
});

/** Runs the agent with one model turn making these tool calls, then a final answer. */
async function runCalls(toolCalls: ScriptedToolCall[]): Promise<{
  finished: Map<string, RunEventOf<'tool.finished'>['data']>;
  progress: number;
  sent: string[];
  status: string;
}> {
  model.requests.length = 0;
  model.script([{ toolCalls }, { text: 'done' }]);
  const runner = await engine.runner();
  const handle = await runner.submit({ agent: 'caller', environment: 'default', input: { userInput: 'go' } });
  const result = await handle.done;
  const events = engine.runs.events(handle.runId);
  const finished = new Map(
    events
      .filter((e): e is RunEventOf<'tool.finished'> => e.type === 'tool.finished')
      .map((e) => [e.data.callId, e.data]),
  );
  const sent = toolMessages(model.requests[1]!).map((m) => m.content ?? '');
  return { finished, progress: events.filter((e) => e.type === 'tool.progress').length, sent, status: result.status };
}

describe('tool-call timeouts', () => {
  it('fails a call with no answer or progress within runner.tool_timeout_seconds as a tool error the model sees', async () => {
    const run = await runCalls([{ id: 'c1', name: 'config__slow', arguments: { steps: 1, stepMs: 5000 } }]);
    expect(run.status).toBe('completed');
    const call = run.finished.get('c1');
    expect(call).toMatchObject({ isError: true, server: 'config', name: 'slow' });
    expect(call?.error).toBe(
      'MCP server "config": tool "slow" got no answer or progress for 1000 ms (runner.tool_timeout_seconds in config.yaml)',
    );
    expect(run.sent).toEqual([`Error: ${call?.error ?? ''}`]);
  });

  it('lets a call run past the timeout while progress keeps coming', async () => {
    // 5 steps of 400 ms: 2 s in all, over the 1 s timeout, with progress every 400 ms.
    const run = await runCalls([{ id: 'c2', name: 'config__slow', arguments: { steps: 5, stepMs: 400 } }]);
    expect(run.finished.get('c2')).toMatchObject({ isError: false, error: null, result: 'done after 5 steps' });
    // The last notification can lose the race with the result it precedes: the first four always arrive.
    expect(run.progress).toBeGreaterThanOrEqual(4);
    expect(run.sent).toEqual(['done after 5 steps']);
  });

  it("uses a server's call_timeout_ms over the config: the same 2 s call fails on one server and passes on the other", async () => {
    const run = await runCalls([
      { id: 'short', name: 'config__slow', arguments: { steps: 1, stepMs: 2000 } },
      { id: 'long', name: 'patient__slow', arguments: { steps: 1, stepMs: 2000 } },
    ]);
    expect(run.finished.get('short')).toMatchObject({ isError: true });
    expect(run.finished.get('short')?.error).toMatch(/for 1000 ms/);
    expect(run.finished.get('long')).toMatchObject({ isError: false, result: 'done after 1 steps' });
  });
});
