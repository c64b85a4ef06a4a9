import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { McpServerConfig, StdioServerConfig } from '../../../src/core/config/mcp-config.js';
import type { RunEvent, RunEventOf } from '../../../src/core/events/run-events.js';
import { McpPool } from '../../../src/core/mcp/pool.js';
import { makeRedactor } from '../../../src/core/mcp/redactor.js';
import { ModelClient } from '../../../src/core/model/model-client.js';
import { agentToolProvider } from '../../../src/core/runner/mcp-tools.js';
import { RunRecorder } from '../../../src/core/runner/run-recorder.js';
import type { Runner } from '../../../src/core/runner/runner.js';
import { toolMessages } from '../../helpers/model-server.js';
import { dumpDatabase } from '../mcp/helpers.js';
import { eventsOf, makeRig, stdioServer, type Rig } from './rig.js';

// A run's records never show a known secret, whoever puts it there: an MCP tool result, an error result,
// a JSON-RPC error, the model's answer, the input, or a model endpoint quoting the API key. The model
// and the tools still get the real values.

const LEAKY = fileURLToPath(new URL('../../fixtures/mcp/leaky-server.js', import.meta.url));
const TOKEN = 'tok-leaky-0123456789';
const CONN = 'conn-5a4b3c2d1e0f9a';
const KEY = 'sk-runner-key-8c7b6a';
const SECRETS = [
  { value: TOKEN, label: '[secret:LEAKY_TOKEN]' },
  { value: CONN, label: '[secret:CONN]' },
  { value: KEY, label: '[secret:OPENAI_API_KEY]' },
];

let rig: Rig;
let pool: McpPool;
let runner: Runner;
beforeAll(async () => {
  rig = await makeRig();
  // The pool masks nothing here: what is masked below is masked where the run is recorded.
  const leaky: McpServerConfig = {
    ...(stdioServer('leaky', [LEAKY], rig.dir) as StdioServerConfig),
    env: { LEAKY_TOKEN: TOKEN, CONN },
  };
  pool = await McpPool.start([leaky], { guard: false });
  const model = new ModelClient({
    settings: { baseUrl: rig.model.url, apiKey: KEY, apiKeyVariable: 'OPENAI_API_KEY' },
    maxRetries: 1,
    retryBaseMs: 1,
    retryMaxMs: 5,
  });
  runner = rig.runner({
    plan: { tools: ['leaky__reveal', 'leaky__fail', 'leaky__reject'], secrets: SECRETS },
    resources: (run) => Promise.resolve({ model, tools: agentToolProvider(pool, run.tools, run.agent) }),
  });
});
afterAll(async () => {
  await pool.close();
  await rig.close();
});
beforeEach(() => {
  rig.model.requests.length = 0;
});

function expectNoSecret(text: string): void {
  for (const s of SECRETS) expect(text).not.toContain(s.value);
}

describe('a run with known secrets', () => {
  it('masks them in tool results, error results, JSON-RPC errors, the answer and the input', async () => {
    rig.model.script((request) =>
      toolMessages(request).length === 0
        ? {
            toolCalls: [
              { name: 'leaky__reveal', arguments: { name: 'LEAKY_TOKEN' } },
              { name: 'leaky__fail', arguments: { name: 'CONN' } },
              { name: 'leaky__reject', arguments: { name: 'LEAKY_TOKEN' } },
            ],
          }
        : {
            text: `Found: ${toolMessages(request)
              .map((m) => m.content ?? '')
              .join(' | ')}`,
          },
    );
    const handle = await runner.submit({
      agent: 'leaky',
      environment: 'default',
      input: { userInput: `log in with ${TOKEN}` },
    });
    const result = await handle.done;

    // The tools and the model worked with the real values.
    expect(rig.model.requests[0]?.body.messages.at(-1)?.content).toBe(`log in with ${TOKEN}`);
    const sent = toolMessages(rig.model.requests[1]!).map((m) => m.content);
    expect(sent).toEqual([
      `LEAKY_TOKEN is ${TOKEN}`,
      `cannot log in with ${CONN}`,
      expect.stringContaining(`the server refused ${TOKEN}`),
    ]);

    // What was recorded and reported shows labels instead.
    expect(result.status).toBe('completed');
    expect(result.output).toMatch(
      /^Found: LEAKY_TOKEN is \[secret:LEAKY_TOKEN\] \| cannot log in with \[secret:CONN\] \| .*the server refused \[secret:LEAKY_TOKEN\]$/,
    );
    const finished = eventsOf(rig, handle.runId, 'tool.finished') as RunEventOf<'tool.finished'>[];
    expect(finished.map((e) => [e.data.name, e.data.isError, e.data.result])).toEqual([
      ['reveal', false, 'LEAKY_TOKEN is [secret:LEAKY_TOKEN]'],
      ['fail', true, 'cannot log in with [secret:CONN]'],
      ['reject', true, expect.stringMatching(/^MCP error -32602: .*the server refused \[secret:LEAKY_TOKEN\]$/)],
    ]);
    const queued = eventsOf(rig, handle.runId, 'run.queued')[0] as RunEventOf<'run.queued'>;
    expect(queued.data.input).toEqual({ userInput: 'log in with [secret:LEAKY_TOKEN]' });
    expect(rig.repo.get(handle.runId)?.final_output).toBe(result.output);

    expectNoSecret(JSON.stringify(eventsOf(rig, handle.runId)));
    expectNoSecret(JSON.stringify(result));
    expectNoSecret(dumpDatabase(join(rig.dir, 'station.db')));
  });

  it('masks the API key a failing model endpoint quotes, in retries and in the run error', async () => {
    rig.model.script(() => ({ status: 503, error: { message: 'overloaded' }, echoAuthorization: true }));
    const handle = await runner.submit({ agent: 'leaky', environment: 'default', input: {} });
    const result = await handle.done;
    expect(rig.model.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'model_server_error' } });
    expect(result.error?.message).toContain('overloaded (Authorization: Bearer [secret:OPENAI_API_KEY])');
    const retry = eventsOf(rig, handle.runId, 'model.retry')[0] as RunEventOf<'model.retry'>;
    expect(retry.data.error).toContain('(Authorization: Bearer [secret:OPENAI_API_KEY])');
    expectNoSecret(JSON.stringify(eventsOf(rig, handle.runId)) + JSON.stringify(result));
    expectNoSecret(dumpDatabase(join(rig.dir, 'station.db')));
  });
});

describe('RunRecorder', () => {
  it('masks every event, the input and the final row before storing and publishing them', () => {
    const published: RunEvent[] = [];
    const off = rig.bus.subscribe((e) => published.push(e));
    const recorder = RunRecorder.open(
      rig.repo,
      rig.bus,
      { agentName: 'a', environmentName: 'default', input: { [TOKEN]: [CONN] }, model: 'm', pid: 1, now: Date.now() },
      { redact: makeRedactor(SECRETS) },
    );
    recorder.emit('run.queued', { agent: 'a', environment: 'default', input: { token: TOKEN }, model: 'm' });
    const error = { code: 'x', message: `quote "${KEY}"` };
    const data = {
      status: 'failed' as const,
      stopReason: 'error' as const,
      output: `answer ${CONN}`,
      error,
      steps: 1,
      toolCalls: 0,
      tokens: { input: 0, output: 0, total: 0 },
      durationMs: 1,
    };
    const last = recorder.finish(data, { ...data, error: JSON.stringify(error) });
    off();
    expect(last.data).toMatchObject({
      output: 'answer [secret:CONN]',
      error: { message: 'quote "[secret:OPENAI_API_KEY]"' },
    });
    const row = rig.repo.get(recorder.runId);
    expect(row?.final_output).toBe('answer [secret:CONN]');
    expect(JSON.parse(row?.error ?? 'null')).toEqual({ code: 'x', message: 'quote "[secret:OPENAI_API_KEY]"' });
    expect(published.map((e) => e.data)).toEqual([
      { agent: 'a', environment: 'default', input: { token: '[secret:LEAKY_TOKEN]' }, model: 'm' },
      last.data,
    ]);
    expectNoSecret(JSON.stringify(published));
    expectNoSecret(dumpDatabase(join(rig.dir, 'station.db')));
  });

  it("keeps the run's status and stop reason as they are, even when a secret has the same value", () => {
    const recorder = RunRecorder.open(
      rig.repo,
      rig.bus,
      { agentName: 'a', environmentName: 'default', input: {}, model: 'm', pid: 1, now: Date.now() },
      { redact: makeRedactor([{ value: 'completed', label: '[secret:MODE]' }]) },
    );
    const data = {
      status: 'completed' as const,
      stopReason: 'final_answer' as const,
      output: 'completed the work',
      error: null,
      steps: 1,
      toolCalls: 0,
      tokens: { input: 0, output: 0, total: 0 },
      durationMs: 1,
    };
    const last = recorder.finish(data, { ...data, error: null });
    expect(last.data).toMatchObject({
      status: 'completed',
      stopReason: 'final_answer',
      output: '[secret:MODE] the work',
    });
    expect(rig.repo.get(recorder.runId)?.status).toBe('completed');
  });
});
