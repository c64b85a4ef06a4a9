import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelError } from '../../../src/core/errors.js';
import { ModelClient } from '../../../src/core/model/model-client.js';
import type { RetryInfo } from '../../../src/core/model/types.js';
import { startModelServer, type ModelServer } from '../../helpers/model-server.js';

// An endpoint that quotes the Authorization header it refused must not make Station show the key.

const KEY = 'sk-echoed-key-5f4e3d2c1b';

let server: ModelServer;
beforeEach(async () => {
  server = await startModelServer();
});
afterEach(async () => {
  await server.close();
});

function client(): ModelClient {
  return new ModelClient({
    settings: { baseUrl: server.url, apiKey: KEY, apiKeyVariable: 'STATION_MODEL_KEY' },
    maxRetries: 2,
    retryBaseMs: 1,
    retryMaxMs: 5,
  });
}

async function failure(retries: RetryInfo[] = []): Promise<ModelError> {
  return (await client()
    .chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { onRetry: (r) => retries.push(r) })
    .catch((e: unknown) => e)) as ModelError;
}

describe('model errors that echo the API key', () => {
  it('a 401 quoting the Authorization header names the variable in place of the key', async () => {
    server.push({ status: 401, error: { message: 'invalid credentials' }, echoAuthorization: true });
    const error = await failure();
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(error.code).toBe('model_auth');
    expect(error.message).toContain('invalid credentials (Authorization: Bearer [secret:STATION_MODEL_KEY])');
    // Nothing reachable from the error holds the key: not its JSON, not a printed inspection (causes included).
    expect(JSON.stringify(error.toJSON())).not.toContain(KEY);
    expect(inspect(error, { depth: 10 })).not.toContain(KEY);
  });

  it('5xx answers quoting it are masked in every retry report and in the final error', async () => {
    server.script(() => ({ status: 503, error: { message: 'overloaded' }, echoAuthorization: true }));
    const retries: RetryInfo[] = [];
    const error = await failure(retries);
    expect(server.requests).toHaveLength(3);
    expect(retries).toHaveLength(2);
    for (const r of retries) expect(r.error).toContain('(Authorization: Bearer [secret:STATION_MODEL_KEY])');
    expect(error.code).toBe('model_server_error');
    expect(error.message).toContain('after 3 attempts: overloaded (Authorization: Bearer [secret:STATION_MODEL_KEY])');
    expect(JSON.stringify(retries) + inspect(error, { depth: 10 })).not.toContain(KEY);
  });
});
