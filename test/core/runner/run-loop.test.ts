import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunEventOf } from '../../../src/core/events/run-events.js';
import { toolMessages } from '../../helpers/model-server.js';
import { eventsOf, makeRig, type Rig } from './rig.js';

let rig: Rig;
beforeAll(async () => {
  rig = await makeRig({ everything: true, tiny: { callTimeoutMs: 300 } });
  writeFileSync(join(rig.files, 'notes.txt'), 'alpha\nbeta\n');
});
afterAll(async () => {
  await rig.close();
});
beforeEach(() => {
  rig.model.requests.length = 0;
  rig.model.script([]);
});

describe('the execution loop', () => {
  it('runs a multi-step agent against server-filesystem and sends each result back with its call id', async () => {
    rig.model.script([
      {
        toolCalls: [{ id: 'call_list', name: 'fs__list_directory', arguments: { path: rig.files } }],
        usage: { prompt_tokens: 10, completion_tokens: 3 },
      },
      {
        toolCalls: [{ id: 'call_read', name: 'fs__read_text_file', arguments: { path: join(rig.files, 'notes.txt') } }],
        usage: { prompt_tokens: 20, completion_tokens: 4 },
      },
      { text: 'The notes say alpha and beta.', usage: { prompt_tokens: 30, completion_tokens: 5 } },
    ]);
    const runner = rig.runner();
    const handle = await runner.submit({
      agent: 'reader',
      environment: 'default',
      input: { userInput: 'what do the notes say?' },
    });
    const result = await handle.done;

    expect(result).toMatchObject({
      status: 'completed',
      stopReason: 'final_answer',
      output: 'The notes say alpha and beta.',
      steps: 3,
      toolCalls: 2,
      tokens: { input: 60, output: 12, total: 72 },
      error: null,
    });

    // The exact request bodies: the assistant turn with its tool call, then the tool result with that id.
    const second = rig.model.requests[1]!.body;
    expect(second.messages.slice(2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_list',
            type: 'function',
            function: { name: 'fs__list_directory', arguments: JSON.stringify({ path: rig.files }) },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_list', content: '[FILE] notes.txt' },
    ]);
    expect(toolMessages(rig.model.requests[2]!)).toEqual([
      { role: 'tool', tool_call_id: 'call_list', content: '[FILE] notes.txt' },
      { role: 'tool', tool_call_id: 'call_read', content: 'alpha\nbeta\n' },
    ]);

    // Tools offered: exactly the agent's two tools, with their MCP input schemas.
    const offered = rig.model.requests[0]!.body.tools as { function: { name: string; parameters: unknown } }[];
    expect(offered.map((t) => t.function.name)).toEqual(['fs__read_text_file', 'fs__list_directory']);
    const mcpSchema = rig.pool.tools().find((t) => t.server === 'fs' && t.name === 'list_directory')!.inputSchema;
    expect(offered[1]!.function.parameters).toEqual(mcpSchema);

    // The events, in order, with gap-free sequence numbers; the same events are in the store.
    const events = eventsOf(rig, handle.runId);
    expect(events.map((e) => e.type)).toEqual([
      'run.queued',
      'run.started',
      'tools.ready',
      'model.request',
      'model.response',
      'tool.started',
      'tool.finished',
      'model.request',
      'model.response',
      'tool.started',
      'tool.finished',
      'model.request',
      'model.response',
      'run.finished',
    ]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(rig.repo.events(handle.runId)).toEqual(events);
    const read = events[10] as RunEventOf<'tool.finished'>;
    expect(read.data).toMatchObject({
      server: 'fs',
      name: 'read_text_file',
      tool: 'fs__read_text_file',
      isError: false,
      result: 'alpha\nbeta\n',
      truncated: false,
    });
    const started = events[9] as RunEventOf<'tool.started'>;
    expect(started.data.arguments).toEqual({ path: join(rig.files, 'notes.txt') });

    const row = rig.repo.get(handle.runId)!;
    expect(row).toMatchObject({
      status: 'completed',
      stop_reason: 'final_answer',
      final_output: 'The notes say alpha and beta.',
      steps: 3,
      tool_calls: 2,
      tokens_total: 72,
      model: 'test-model',
    });
    expect(row.started_at).not.toBeNull();
    expect(row.finished_at).not.toBeNull();
  });

  it('runs the tool calls of one turn concurrently', async () => {
    rig.model.script([
      {
        toolCalls: [
          {
            id: 'call_slow_1',
            name: 'everything__trigger-long-running-operation',
            arguments: { duration: 0.6, steps: 2 },
          },
          {
            id: 'call_slow_2',
            name: 'everything__trigger-long-running-operation',
            arguments: { duration: 0.6, steps: 2 },
          },
        ],
      },
      { text: 'both done' },
    ]);
    const runner = rig.runner({ plan: { tools: ['everything__trigger-long-running-operation'] } });
    const handle = await runner.submit({ agent: 'parallel', environment: 'default', input: {} });
    const result = await handle.done;
    expect(result.status).toBe('completed');
    const types = eventsOf(rig, handle.runId)
      .filter((e) => e.type.startsWith('tool.'))
      .map((e) => `${e.type}:${(e.data as { callId: string }).callId}`);
    // Both calls started before either finished: they overlapped.
    const firstFinish = types.findIndex((t) => t.startsWith('tool.finished'));
    expect(types.slice(0, firstFinish)).toEqual(
      expect.arrayContaining(['tool.started:call_slow_1', 'tool.started:call_slow_2']),
    );
    // Progress notifications were recorded, and results go back in the order of the calls.
    expect(types.some((t) => t.startsWith('tool.progress'))).toBe(true);
    expect(toolMessages(rig.model.requests[1]!).map((m) => m.tool_call_id)).toEqual(['call_slow_1', 'call_slow_2']);
  });

  it('feeds tool errors back to the model and keeps going: MCP isError, unknown tool, bad JSON, a timeout', async () => {
    const missing = join(rig.files, 'missing.txt');
    rig.model.script([
      {
        toolCalls: [
          { id: 'c_missing', name: 'fs__read_text_file', arguments: { path: missing } },
          { id: 'c_unknown', name: 'fs__delete_everything', arguments: {} },
          { id: 'c_badjson', name: 'fs__list_directory', arguments: '{"path": ' },
          { id: 'c_slow', name: 'tiny__slow', arguments: { steps: 1, stepMs: 5000 } },
        ],
      },
      { text: 'I could not read it.' },
    ]);
    const runner = rig.runner({ plan: { tools: ['fs__read_text_file', 'fs__list_directory', 'tiny__slow'] } });
    const handle = await runner.submit({ agent: 'errors', environment: 'default', input: {} });
    const result = await handle.done;
    expect(result).toMatchObject({ status: 'completed', output: 'I could not read it.', toolCalls: 4 });

    const finished = eventsOf(rig, handle.runId, 'tool.finished') as RunEventOf<'tool.finished'>[];
    const byId = new Map(finished.map((e) => [e.data.callId, e.data]));
    expect(byId.get('c_missing')).toMatchObject({ isError: true, error: null });
    expect(byId.get('c_missing')!.result).toMatch(/ENOENT|no such file|not found/i);
    expect(byId.get('c_unknown')).toMatchObject({ isError: true, server: null });
    expect(byId.get('c_unknown')!.error).toContain('unknown tool "fs__delete_everything"');
    expect(byId.get('c_badjson')!.error).toContain('not valid JSON');
    expect(byId.get('c_slow')).toMatchObject({ isError: true });
    expect(byId.get('c_slow')!.error).toBe(
      'MCP server "tiny": tool "slow" got no answer or progress for 300 ms ("call_timeout_ms" in template.json)',
    );

    const sent = toolMessages(rig.model.requests[1]!);
    expect(sent.map((m) => m.tool_call_id)).toEqual(['c_missing', 'c_unknown', 'c_badjson', 'c_slow']);
    expect(sent[0]!.content).toBe(byId.get('c_missing')!.result);
    expect(sent[1]!.content).toBe(`Error: ${byId.get('c_unknown')!.error!}`);
    expect(sent[3]!.content).toBe(`Error: ${byId.get('c_slow')!.error!}`);
  });

  it('enforces max_steps with a last call without tools and records why it stopped', async () => {
    rig.model.script((request) =>
      Array.isArray(request.body.tools)
        ? { toolCalls: [{ name: 'fs__list_directory', arguments: { path: rig.files } }] }
        : { text: 'Stopping here: notes.txt exists.' },
    );
    const runner = rig.runner({ plan: { maxSteps: 2 } });
    const handle = await runner.submit({ agent: 'looper', environment: 'default', input: {} });
    const result = await handle.done;
    expect(result).toMatchObject({
      status: 'completed',
      stopReason: 'max_steps',
      output: 'Stopping here: notes.txt exists.',
      steps: 3,
      toolCalls: 2,
    });
    expect(rig.model.requests).toHaveLength(3);
    const last = rig.model.requests[2]!.body;
    expect(last.tools).toBeUndefined();
    const lastMessage = (last.messages as { role: string; content: string }[]).at(-1)!;
    expect(lastMessage.role).toBe('user');
    expect(lastMessage.content).toContain('maximum number of steps');
    const requests = eventsOf(rig, handle.runId, 'model.request') as RunEventOf<'model.request'>[];
    expect(requests.map((e) => e.data.final)).toEqual([false, false, true]);
    expect(rig.repo.get(handle.runId)!.stop_reason).toBe('max_steps');
  });

  it('a long run does not pile up abort listeners on its signal (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      rig.model.script((request) =>
        request.body.messages.filter((m) => m.role === 'tool').length < 15
          ? { toolCalls: [{ name: 'fs__list_directory', arguments: { path: rig.files } }] }
          : { text: 'listed 15 times' },
      );
      const runner = rig.runner({ plan: { maxSteps: 20 } });
      const result = await (await runner.submit({ agent: 'long', environment: 'default', input: {} })).done;
      expect(result).toMatchObject({ status: 'completed', steps: 16, toolCalls: 15 });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('cuts huge tool results for the model (head, tail, marker) and keeps them whole in the record', async () => {
    const big = `HEAD-${'x'.repeat(150_000)}-é-${'y'.repeat(50_000)}-TAIL`;
    writeFileSync(join(rig.files, 'big.txt'), big);
    rig.model.script([
      { toolCalls: [{ id: 'c_big', name: 'fs__read_text_file', arguments: { path: join(rig.files, 'big.txt') } }] },
      { text: 'read it' },
    ]);
    const runner = rig.runner({ maxToolResultBytes: 4096 });
    const handle = await runner.submit({ agent: 'big', environment: 'default', input: {} });
    expect((await handle.done).status).toBe('completed');
    const sent = toolMessages(rig.model.requests[1]!)[0]!.content!;
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(4096);
    expect(sent.startsWith('HEAD-')).toBe(true);
    expect(sent.endsWith('-TAIL')).toBe(true);
    expect(sent).toMatch(/\[\.\.\. \d+ of \d+ bytes cut here; the whole result is kept in the run record \.\.\.\]/);
    const stored = rig.repo.events(handle.runId).find((e) => e.type === 'tool.finished') as RunEventOf<'tool.finished'>;
    expect(stored.data.result).toBe(big);
    expect(stored.data.truncated).toBe(true);
    expect(stored.data.bytes).toBe(Buffer.byteLength(big));
  });

  it('asks for JSON and validates the answer against the output schema, with one correction', async () => {
    const schema = {
      type: 'object',
      properties: { count: { type: 'integer' } },
      required: ['count'],
      additionalProperties: false,
    };
    rig.model.script([{ text: '{"count": "three"}' }, { text: '```json\n{"count": 3}\n```' }]);
    const runner = rig.runner({ plan: { output: { format: 'json', schema }, tools: [] } });
    const handle = await runner.submit({ agent: 'json', environment: 'default', input: {} });
    const result = await handle.done;
    expect(result).toMatchObject({ status: 'completed', output: '{"count": 3}', steps: 2 });
    const first = rig.model.requests[0]!.body;
    expect(first.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'output', schema, strict: false },
    });
    expect(first.messages[1]).toMatchObject({ role: 'system' });
    expect(first.messages[1]!.content).toContain('JSON');
    const invalid = eventsOf(rig, handle.runId, 'output.invalid') as RunEventOf<'output.invalid'>[];
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.data).toMatchObject({
      retrying: true,
      issues: [{ field: 'count', message: 'must be integer' }],
    });
  });

  it('fails a run whose answer stays invalid, keeping the answer', async () => {
    rig.model.script([{ text: 'not json at all' }, { text: 'still not json' }]);
    const runner = rig.runner({ plan: { output: { format: 'json' }, tools: [] } });
    const handle = await runner.submit({ agent: 'json', environment: 'default', input: {} });
    const result = await handle.done;
    expect(result).toMatchObject({ status: 'failed', stopReason: 'invalid_output', output: 'still not json' });
    expect(result.error?.code).toBe('invalid');
    expect(result.error?.message).toContain('not JSON');
  });

  it('records model retries, and fails the run with a model error on a 4xx', async () => {
    rig.model.script([{ status: 500, error: { message: 'hiccup' } }, { text: 'fine' }]);
    const runner = rig.runner({ plan: { tools: [] } });
    const ok = await runner.submit({ agent: 'retry', environment: 'default', input: {} });
    expect(await ok.done).toMatchObject({ status: 'completed', output: 'fine' });
    const retry = eventsOf(rig, ok.runId, 'model.retry') as RunEventOf<'model.retry'>[];
    expect(retry.map((e) => [e.data.attempt, e.data.status])).toEqual([[1, 500]]);
    expect((eventsOf(rig, ok.runId, 'model.response')[0] as RunEventOf<'model.response'>).data.attempts).toBe(2);

    rig.model.script([{ status: 400, error: { message: 'model does not support tools' } }]);
    const bad = await runner.submit({ agent: 'retry', environment: 'default', input: {} });
    const result = await bad.done;
    expect(result).toMatchObject({ status: 'failed', stopReason: 'error', error: { code: 'model_bad_request' } });
    expect(result.error?.message).toContain('model does not support tools');
    expect(JSON.parse(rig.repo.get(bad.runId)!.error!)).toEqual(result.error);
  });

  it('fails clearly when the agent names a tool the environment lacks', async () => {
    const runner = rig.runner({ plan: { tools: ['fs__read_text_file', '__no_such_tool'] } });
    const handle = await runner.submit({ agent: 'missing-tool', environment: 'default', input: {} });
    const result = await handle.done;
    expect(result).toMatchObject({ status: 'failed', error: { code: 'invalid' } });
    expect(rig.model.requests).toHaveLength(0);
  });
});
