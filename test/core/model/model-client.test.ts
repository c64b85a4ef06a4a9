import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelClient } from '../../../src/core/model/model-client.js';
import { ModelError } from '../../../src/core/errors.js';
import type { RetryInfo } from '../../../src/core/model/types.js';
import { startModelServer, type ModelServer } from '../../helpers/model-server.js';

let server: ModelServer;
beforeEach(async () => {
  server = await startModelServer();
});
afterEach(async () => {
  await server.close();
});

function client(options: { maxRetries?: number; apiKey?: string } = {}): ModelClient {
  return new ModelClient({
    settings: { baseUrl: server.url, apiKey: options.apiKey ?? 'sk-test-secret', apiKeyVariable: 'OPENAI_API_KEY' },
    retryBaseMs: 1,
    retryMaxMs: 20,
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
}

describe('ModelClient', () => {
  it('streams text and usage and sends the key as a bearer token', async () => {
    server.push({
      text: 'Hello there, this answer arrives in several chunks.',
      usage: { prompt_tokens: 11, completion_tokens: 7 },
    });
    const deltas: string[] = [];
    const answer = await client().chat(
      { model: 'm1', messages: [{ role: 'user', content: 'hi' }] },
      { onDelta: (d) => deltas.push(d) },
    );
    expect(answer.content).toBe('Hello there, this answer arrives in several chunks.');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(answer.content);
    expect(answer.usage).toEqual({ input: 11, output: 7, total: 18 });
    expect(answer.toolCalls).toEqual([]);
    expect(answer.finishReason).toBe('stop');
    expect(answer.attempts).toBe(1);
    const req = server.requests[0]!;
    expect(req.headers.authorization).toBe('Bearer sk-test-secret');
    expect(req.body).toMatchObject({ model: 'm1', stream: true, stream_options: { include_usage: true } });
    expect(req.body.tools).toBeUndefined();
  });

  it('assembles streamed tool-call deltas for several parallel calls', async () => {
    server.push({
      toolCalls: [
        { id: 'call_a', name: 'fs__read', arguments: { path: '/tmp/a.txt', encoding: 'utf8' } },
        { id: 'call_b', name: 'fs__list', arguments: { path: '/tmp' } },
      ],
      chunkSize: 3,
    });
    const answer = await client().chat({
      model: 'm',
      messages: [{ role: 'user', content: 'go' }],
      tools: [
        { name: 'fs__read', description: 'read', parameters: { type: 'object' } },
        { name: 'fs__list', description: 'list', parameters: { type: 'object' } },
      ],
    });
    expect(answer.content).toBeNull();
    expect(answer.finishReason).toBe('tool_calls');
    expect(answer.toolCalls).toEqual([
      { id: 'call_a', name: 'fs__read', arguments: JSON.stringify({ path: '/tmp/a.txt', encoding: 'utf8' }) },
      { id: 'call_b', name: 'fs__list', arguments: JSON.stringify({ path: '/tmp' }) },
    ]);
    expect(server.requests[0]!.body.tools).toEqual([
      { type: 'function', function: { name: 'fs__read', description: 'read', parameters: { type: 'object' } } },
      { type: 'function', function: { name: 'fs__list', description: 'list', parameters: { type: 'object' } } },
    ]);
  });

  it('sends tool results as role tool with the call id and the result text', async () => {
    server.push({ text: 'ok' });
    await client().chat({
      model: 'm',
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'call_9', name: 't', arguments: '{"x":1}' }] },
        { role: 'tool', toolCallId: 'call_9', content: 'the result' },
      ],
    });
    expect(server.requests[0]!.body.messages).toEqual([
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_9', type: 'function', function: { name: 't', arguments: '{"x":1}' } }],
      },
      { role: 'tool', tool_call_id: 'call_9', content: 'the result' },
    ]);
  });

  it('retries 429 and 500 with backoff, reporting each retry', async () => {
    server.push(
      { status: 429, error: { message: 'slow down' }, headers: { 'retry-after-ms': '5' } },
      { status: 500, error: { message: 'boom' } },
      { text: 'finally' },
    );
    const retries: RetryInfo[] = [];
    const answer = await client().chat(
      { model: 'm', messages: [{ role: 'user', content: 'x' }] },
      { onRetry: (r) => retries.push(r) },
    );
    expect(answer.content).toBe('finally');
    expect(answer.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
    expect(retries.map((r) => [r.attempt, r.status])).toEqual([
      [1, 429],
      [2, 500],
    ]);
    expect(retries[0]!.delayMs).toBe(5);
  });

  it('retries dropped connections, before the answer and mid-stream', async () => {
    server.push(
      { drop: 'before' },
      { text: 'a long enough answer to be split into chunks', drop: 'mid' },
      { text: 'whole' },
    );
    const retries: RetryInfo[] = [];
    const answer = await client().chat(
      { model: 'm', messages: [{ role: 'user', content: 'x' }] },
      { onRetry: (r) => retries.push(r) },
    );
    expect(answer.content).toBe('whole');
    expect(retries).toHaveLength(2);
    expect(retries.every((r) => r.status === null)).toBe(true);
  });

  it('does not retry other 4xx and maps them to ModelError with a hint', async () => {
    server.push({ status: 400, error: { message: 'tools are not supported by this model' } }, { text: 'never' });
    const error = await client()
      .chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe('model_bad_request');
    expect((error as ModelError).message).toContain('tools are not supported by this model');
    expect((error as ModelError).exitCode).toBe(9);
    expect(server.requests).toHaveLength(1);
  });

  it('maps 401 to an auth error naming the variable, never the key', async () => {
    server.push({ status: 401, error: { message: 'Incorrect API key provided' } });
    const error = (await client({ apiKey: 'sk-very-secret-value' })
      .chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as ModelError;
    expect(error.code).toBe('model_auth');
    expect(error.hints.join(' ')).toContain('$OPENAI_API_KEY');
    expect(JSON.stringify(error.toJSON())).not.toContain('sk-very-secret-value');
    expect(error.message).not.toContain('sk-very-secret-value');
  });

  it('gives up after maxRetries with the last failure', async () => {
    server.script(() => ({ status: 503, error: { message: 'overloaded' } }));
    const error = (await client({ maxRetries: 2 })
      .chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as ModelError;
    expect(error.code).toBe('model_server_error');
    expect(error.message).toContain('after 3 attempts');
    expect(server.requests).toHaveLength(3);
  });

  it('reports an endpoint that is not listening as a connection error', async () => {
    const dead = new ModelClient({
      settings: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: undefined, apiKeyVariable: 'OPENAI_API_KEY' },
      maxRetries: 1,
      retryBaseMs: 1,
    });
    const error = (await dead
      .chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as ModelError;
    expect(error).toBeInstanceOf(ModelError);
    expect(error.code).toBe('model_connection');
    expect(error.message).toContain('http://127.0.0.1:9/v1');
  });

  it('aborts the HTTP request when the signal fires, with the signal reason', async () => {
    server.push({ text: 'late', delayMs: 10_000 });
    const controller = new AbortController();
    const pending = client().chat(
      { model: 'm', messages: [{ role: 'user', content: 'x' }] },
      { signal: controller.signal },
    );
    await server.waitForRequests(1);
    const reason = new Error('cancelled by test');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await server.waitIdle();
    expect(server.requests[0]!.closedEarly).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('asks for JSON output with a schema, and passes temperature and max tokens', async () => {
    server.push({ text: '{"a":1}' });
    await client().chat({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      temperature: 0.2,
      maxTokens: 100,
      responseFormat: { type: 'json_schema', name: 'output', schema: { type: 'object' } },
    });
    expect(server.requests[0]!.body).toMatchObject({
      temperature: 0.2,
      max_tokens: 100,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'output', schema: { type: 'object' }, strict: false },
      },
    });
  });
});
