// Bounds on a streamed model request, against the test model server over real HTTP: a stream that
// stalls is cut by the idle timeout and retried like a dropped one; an answer over the size limit is cut
// and not retried.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/core/errors.js';
import { ModelClient } from '../../../src/core/model/model-client.js';
import { AnswerTooLargeError } from '../../../src/core/model/stream-limits.js';
import type { RetryInfo } from '../../../src/core/model/types.js';
import { startModelServer, type ModelServer } from '../../helpers/model-server.js';

const MiB = 1024 * 1024;
let server: ModelServer;
beforeEach(async () => {
  server = await startModelServer();
});
afterEach(async () => {
  await server.close();
});

function client(options: { idleTimeoutMs?: number; maxRetries?: number } = {}): ModelClient {
  return new ModelClient({
    settings: { baseUrl: server.url, apiKey: 'sk-test-secret', apiKeyVariable: 'OPENAI_API_KEY' },
    retryBaseMs: 1,
    retryMaxMs: 20,
    ...options,
  });
}

const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ModelError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject');
}

describe('model idle timeout', () => {
  it('cuts a stream that stalls mid-way and retries it, reporting the idle reason', async () => {
    server.push(
      { text: 'this answer stops half way through', chunkSize: 4, stall: 'mid' },
      { text: 'the whole answer' },
    );
    const retries: RetryInfo[] = [];
    const answer = await client({ idleTimeoutMs: 1000 }).chat(request, { onRetry: (r) => retries.push(r) });
    expect(answer.content).toBe('the whole answer');
    expect(answer.attempts).toBe(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, status: null });
    expect(retries[0]?.error).toBe(
      `the model endpoint ${server.url} (model m) stalled: the model sent nothing for 1 s (model.idle_timeout_seconds)`,
    );
    // The stalled request was closed by the client, not left open.
    expect(server.requests[0]?.closedEarly).toBe(true);
  });

  it('also cuts a request whose answer does not start, and gives up after the retries with a clear error', async () => {
    server.push({ text: 'late', delayMs: 60_000 }, { text: 'late', delayMs: 60_000 });
    const error = await failure(client({ idleTimeoutMs: 300, maxRetries: 1 }).chat(request));
    expect(error.code).toBe('model_idle_timeout');
    expect(error.message).toMatch(/stalled after 2 attempts: the model sent nothing for 300 ms/);
    expect(error.hints.join('\n')).toContain('model.idle_timeout_seconds');
    await server.waitIdle();
    expect(server.requests.map((r) => r.closedEarly)).toEqual([true, true]);
  });

  it('lets a slow stream through while chunks keep coming', async () => {
    // 30 chunks 100 ms apart: 3 s in all, twice the idle timeout.
    server.push({ text: 'a'.repeat(30), chunkSize: 1, chunkDelayMs: 100 });
    const answer = await client({ idleTimeoutMs: 1500 }).chat(request);
    expect(answer).toMatchObject({ content: 'a'.repeat(30), attempts: 1 });
  });
});

describe('model answer size limit', () => {
  it('cuts an answer over maxAnswerBytes without reading the rest, and does not retry', async () => {
    server.push({ answerBytes: 64 * MiB }, { text: 'never asked for' });
    const retries: RetryInfo[] = [];
    const error = await failure(client().chat(request, { maxAnswerBytes: MiB, onRetry: (r) => retries.push(r) }));
    expect(error).toBeInstanceOf(AnswerTooLargeError);
    expect(error.code).toBe('answer_too_large');
    expect(error.message).toBe(
      "the model's answer was larger than 1048576 bytes (runner.max_answer_bytes): the stream was cut",
    );
    expect(retries).toEqual([]);
    await server.waitIdle();
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.closedEarly).toBe(true);
    expect(server.requests[0]?.sentBytes).toBeLessThan(64 * MiB);
  });

  it('counts tool-call arguments too, and lets an answer at the limit through', async () => {
    server.push({ toolCalls: [{ name: 'fs__write', arguments: { text: 'x'.repeat(5000) } }], chunkSize: 500 });
    const error = await failure(client().chat(request, { maxAnswerBytes: 4096 }));
    expect(error.code).toBe('answer_too_large');
    server.push({ answerBytes: 4096, chunkSize: 1000 });
    expect((await client().chat(request, { maxAnswerBytes: 4096 })).content).toHaveLength(4096);
  });
});
