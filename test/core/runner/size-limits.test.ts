// Size limits and the model idle timeout through the whole engine: config.yaml's
// runner.max_mcp_result_bytes, runner.max_answer_bytes and model.idle_timeout_seconds, a server's
// max_result_bytes in template.json, and what the run records (events and database rows).
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../../src/core/index.js';
import type { RunEvent, RunEventOf } from '../../../src/core/events/run-events.js';
import type { RunResult } from '../../../src/core/runner/run-errors.js';
import type { TempHome } from '../../helpers/home.js';
import { startModelServer, toolMessages, type ModelServer, type ModelStep } from '../../helpers/model-server.js';
import { fixtureHome, tinyEntry, writeAgent, writeTemplate } from '../mcp/helpers.js';

const MiB = 1024 * 1024;
let home: TempHome;
let model: ModelServer;
let engine: Engine;

beforeAll(async () => {
  const fixture = fixtureHome();
  home = fixture.home;
  writeFileSync(
    home.paths.config,
    'model:\n  idle_timeout_seconds: 2\nrunner:\n  max_mcp_result_bytes: 1048576\n  max_answer_bytes: 1048576\n',
  );
  // "tiny" follows config.yaml (1 MiB); "roomy" sets its own 4 MiB.
  writeTemplate(fixture.envDir, {
    tiny: tinyEntry('--big'),
    roomy: { ...tinyEntry('--big'), max_result_bytes: 4 * MiB },
  });
  writeAgent(fixture.envDir, 'sizer', ['tiny__big', 'tiny__echo', 'roomy__big']);
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

async function run(script: ModelStep[]): Promise<{ result: RunResult; events: RunEvent[] }> {
  model.requests.length = 0;
  model.script(script);
  const runner = await engine.runner();
  const handle = await runner.submit({ agent: 'sizer', environment: 'default', input: { userInput: 'go' } });
  const result = await handle.done;
  return { result, events: engine.runs.events(handle.runId) };
}

function finishedCalls(events: RunEvent[]): Map<string, RunEventOf<'tool.finished'>['data']> {
  return new Map(
    events
      .filter((e): e is RunEventOf<'tool.finished'> => e.type === 'tool.finished')
      .map((e) => [e.data.callId, e.data]),
  );
}

describe('size limits and the idle timeout in a run', () => {
  it('fails a tool result over runner.max_mcp_result_bytes as a tool error the model sees, and the server keeps answering', async () => {
    const { result, events } = await run([
      {
        toolCalls: [
          { id: 'over', name: 'tiny__big', arguments: { bytes: 2 * MiB } },
          { id: 'own', name: 'roomy__big', arguments: { bytes: 2 * MiB } },
        ],
      },
      { toolCalls: [{ id: 'after', name: 'tiny__echo', arguments: { text: 'still here' } }] },
      { text: 'done' },
    ]);
    expect(result).toMatchObject({ status: 'completed', stopReason: 'final_answer', output: 'done' });
    const calls = finishedCalls(events);
    const over = calls.get('over');
    expect(over).toMatchObject({ isError: true, server: 'tiny', name: 'big' });
    expect(over?.error).toBe(
      'MCP server "tiny": tool "big" sent a tool result larger than 1048576 bytes (runner.max_mcp_result_bytes in config.yaml)',
    );
    // The server's own max_result_bytes (4 MiB) lets the same 2 MiB through.
    expect(calls.get('own')).toMatchObject({ isError: false, bytes: 2 * MiB, truncated: true });
    expect(calls.get('after')).toMatchObject({ isError: false, result: 'still here' });
    expect(toolMessages(model.requests[1]!)[0]?.content).toBe(`Error: ${over?.error ?? ''}`);
  });

  it('ends a run whose model answer passes runner.max_answer_bytes with stop reason answer_too_large, recording a bounded row', async () => {
    const { result, events } = await run([{ answerBytes: 64 * MiB }]);
    expect(result).toMatchObject({ status: 'failed', stopReason: 'answer_too_large', output: null });
    expect(result.error).toEqual({
      code: 'answer_too_large',
      message: "the model's answer was larger than 1048576 bytes (runner.max_answer_bytes): the stream was cut",
    });
    const last = events.at(-1) as RunEventOf<'run.finished'>;
    expect(last.type).toBe('run.finished');
    expect(last.data).toMatchObject({ status: 'failed', stopReason: 'answer_too_large' });
    expect(events.map((e) => e.type)).not.toContain('model.retry');
    // Nothing of the answer was kept: the rows of the run stay small.
    const sizes = engine.db
      .prepare(
        `SELECT (SELECT SUM(LENGTH(data_json)) FROM run_events WHERE run_id = r.id) AS events,
                LENGTH(COALESCE(r.final_output, '')) + LENGTH(COALESCE(r.error, '')) AS row
         FROM agent_runs r WHERE r.id = ?`,
      )
      .get(result.runId) as { events: number; row: number };
    expect(sizes.events).toBeLessThan(16 * 1024);
    expect(sizes.row).toBeLessThan(1024);
    await model.waitIdle();
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]?.closedEarly).toBe(true);
    expect(model.requests[0]?.sentBytes).toBeLessThan(64 * MiB);
  });

  it('cuts a model stream that stalls after model.idle_timeout_seconds, retries it, and the run succeeds', async () => {
    const { result, events } = await run([
      { text: 'this answer stops half way through', chunkSize: 4, stall: 'mid' },
      { text: 'recovered' },
    ]);
    expect(result).toMatchObject({ status: 'completed', stopReason: 'final_answer', output: 'recovered' });
    const retries = events.filter((e): e is RunEventOf<'model.retry'> => e.type === 'model.retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]?.data).toMatchObject({ step: 1, attempt: 1, status: null });
    expect(retries[0]?.data.error).toMatch(/stalled: the model sent nothing for 2 s \(model\.idle_timeout_seconds\)$/);
    const response = events.find((e): e is RunEventOf<'model.response'> => e.type === 'model.response');
    expect(response?.data).toMatchObject({ content: 'recovered', attempts: 2 });
  });
});
