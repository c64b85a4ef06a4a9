// Core's API client against HTTP servers that are not Station (a proxy's error page, a future exit code,
// nothing listening). Its behaviour against a real `stn serve` is in test/core/server/*.test.ts and
// test/e2e/same-exit-codes.test.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiClient,
  ApiError,
  DatabaseError,
  ExitCode,
  McpError,
  ModelError,
  QueueFullError,
  ServerUnreachableError,
  StationError,
  UsageError,
} from '../../../src/core/index.js';
import { toHttpError } from '../../../src/core/server/http-errors.js';

let server: Server | undefined;

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

describe('ApiClient', () => {
  it('refuses a URL that is not http(s) as a usage error', () => {
    expect(() => new ApiClient({ url: 'ftp://host', key: 'k' })).toThrow(UsageError);
  });

  it('sends the key and JSON body, and encodes names into the path', async () => {
    const seen: Record<string, string | undefined>[] = [];
    const url = await serve((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          auth: req.headers.authorization,
          type: req.headers['content-type'],
          body,
        });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      });
    });
    const api = new ApiClient({ url: `${url}/`, key: 'stn_secret' });
    await api.updateAgent('my env', 'a/b', { description: 'd' });
    await api.listRuns({ status: ['queued', 'running'], limit: 5 });
    expect(seen).toEqual([
      {
        method: 'PATCH',
        url: '/api/v1/environments/my%20env/agents/a%2Fb',
        auth: 'Bearer stn_secret',
        type: 'application/json',
        body: '{"description":"d"}',
      },
      { method: 'GET', url: '/api/v1/runs?status=queued%2Crunning&limit=5', auth: 'Bearer stn_secret', body: '' },
    ]);
  });

  it('an MCP, model, database or queue failure answered by the server exits as it would locally (502/503/429 no longer exit 1)', async () => {
    const failures: StationError[] = [
      new McpError('server "fs" is down', { code: 'mcp_server_unavailable', hints: ['stn mcp check'] }),
      new ModelError('the model endpoint answered 401', { code: 'model_auth' }),
      new DatabaseError('database is locked'),
      new QueueFullError(64),
    ];
    let current: StationError | undefined;
    const url = await serve((_req, res) => {
      const answer = toHttpError(current, 'req-1');
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
    const api = new ApiClient({ url, key: 'k' });
    for (const local of failures) {
      current = local;
      const remote = await api.getEnvironment('default').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(remote).toBeInstanceOf(ApiError);
      expect(remote).toMatchObject({ code: local.code, message: local.message, exitCode: local.exitCode });
    }
    expect(failures.map((f) => f.exitCode)).toEqual([
      ExitCode.MCP,
      ExitCode.MODEL,
      ExitCode.DATABASE,
      ExitCode.QUEUE_FULL,
    ]);
  });

  it('rebuilds a Station error body, and keeps an exit code it does not know out (exit 1)', async () => {
    const url = await serve((req, res) => {
      const exitCode = req.url === '/api/v1/environments/known' ? ExitCode.CONFLICT : 99;
      res.writeHead(409, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          error: { code: 'conflict', message: 'exists', exitCode, hints: ['h'], details: { a: 1 }, requestId: 'r1' },
        }),
      );
    });
    const api = new ApiClient({ url, key: 'k' });
    const known = await api.getEnvironment('known').catch((e: unknown) => e);
    expect(known).toBeInstanceOf(ApiError);
    expect(known).toMatchObject({
      status: 409,
      code: 'conflict',
      message: 'exists',
      exitCode: ExitCode.CONFLICT,
      hints: ['h'],
      details: { a: 1 },
      requestId: 'r1',
    });
    await expect(api.getEnvironment('other')).rejects.toMatchObject({ code: 'conflict', exitCode: ExitCode.ERROR });
  });

  it('says so when an error answer is not a Station error (a proxy in front of the server)', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html>Bad Gateway</html>');
    });
    const error = await new ApiClient({ url, key: 'k' }).listEnvironments().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 502,
      code: 'http',
      message: 'HTTP 502 from GET /api/v1/environments',
      exitCode: ExitCode.ERROR,
      hints: [expect.stringContaining('proxy')],
    });
  });

  it('fails with exit 16 and a hint when nothing answers', async () => {
    const url = await serve((_req, res) => res.end());
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const error = await new ApiClient({ url, key: 'k' }).whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect(error).toMatchObject({
      code: 'unreachable',
      message: `cannot reach ${url}: ECONNREFUSED`,
      exitCode: ExitCode.UNREACHABLE,
      hints: [expect.stringContaining('stn serve')],
    });
  });
});
