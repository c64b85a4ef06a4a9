import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, ExitCode, openEngine } from '../../../src/core/index.js';
import { StationServer, silentLogger } from '../../../src/core/server/index.js';
import { requestTarget } from '../../../src/core/server/station-server.js';
import { ROOT } from '../../helpers/cli.js';
import { makeInitializedHome } from '../../helpers/home.js';
import { startTestServer, type TestServer } from './server-helpers.js';

describe('StationServer', () => {
  let t: TestServer;
  afterEach(async () => {
    await t.stop();
  });

  it('serves /health and a bare /ready without a key and refuses everything else without one', async () => {
    t = await startTestServer();
    const health = await t.raw('GET', '/health', { key: null });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', version: expect.any(String) });
    // /ready for load balancers and probes: the status, nothing about environments or servers.
    const probe = await t.raw('GET', '/ready', { key: null });
    expect(probe.status).toBe(200);
    expect(probe.body).toEqual({ status: 'ready' });
    // A key that is given must be valid, even where none is needed.
    const badProbe = await t.raw('GET', '/ready', { key: t.keys.revoked });
    expect(badProbe.status).toBe(401);
    for (const path of ['/metrics', '/api/v1/environments', '/api/v1/openapi.json', '/api/v1/nope']) {
      const res = await t.raw('GET', path, { key: null });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="station"');
      expect(res.body).toMatchObject({ error: { code: 'unauthorized', message: 'missing API key' } });
    }
    const revoked = await t.raw('GET', '/api/v1/environments', { key: t.keys.revoked });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ error: { message: expect.stringContaining('revoked') } });
    const garbage = await t.raw('GET', '/api/v1/environments', { key: 'stn_0123456789ab_' + 'x'.repeat(43) });
    expect(garbage.status).toBe(401);
  });

  it('gives every response a request id, keeps a sane incoming one, and logs JSON lines without secrets', async () => {
    t = await startTestServer();
    const a = await t.raw('GET', '/api/v1/environments');
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const b = await t.raw('GET', '/api/v1/environments', { headers: { 'X-Request-Id': 'trace-42' } });
    expect(b.headers.get('x-request-id')).toBe('trace-42');
    const c = await t.raw('GET', '/api/v1/environments', { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(c.headers.get('x-request-id')).not.toBe('bad id with spaces');
    await t.raw('GET', '/api/v1/environments', { key: t.keys.viewer + 'x' });
    const lines = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const req = lines.find((l) => l.msg === 'request' && l.requestId === 'trace-42');
    expect(req).toMatchObject({
      level: 'info',
      method: 'GET',
      path: '/api/v1/environments',
      status: 200,
      keyName: 'admin',
      role: 'admin',
    });
    expect(typeof req?.ts).toBe('string');
    const all = t.logs.join('');
    for (const key of Object.values(t.keys)) expect(all).not.toContain(key.slice(17));
  });

  it('names the door, the request id and the remote address in every audit row a request writes', async () => {
    t = await startTestServer();
    const id = (requestId: string): { headers: Record<string, string> } => ({ headers: { 'X-Request-Id': requestId } });
    expect((await t.raw('POST', '/api/v1/environments', { body: { name: 'staging' }, ...id('audit-1') })).status).toBe(
      201,
    );
    expect((await t.raw('GET', '/api/v1/environments', { key: t.keys.revoked, ...id('audit-2') })).status).toBe(401);
    expect((await t.raw('DELETE', '/api/v1/environments/other', { key: t.keys.viewer, ...id('audit-3') })).status).toBe(
      403,
    );
    const rows = t.engine.audit
      .list({ limit: 20 })
      .filter((r) => r.requestId?.startsWith('audit-') === true)
      .map((r) => `${r.requestId ?? ''} ${r.door} ${r.remoteAddress ?? ''} ${r.actor} ${r.action} ${r.outcome}`);
    expect(rows).toEqual([
      'audit-3 rest 127.0.0.1 viewer access.admin denied',
      'audit-2 rest 127.0.0.1 anonymous auth.failed denied',
      'audit-1 rest 127.0.0.1 admin environment.create allowed',
    ]);
  });

  it('lists environments by grant; shows, creates and deletes them with status codes from typed errors', async () => {
    t = await startTestServer();
    const names = async (key: string): Promise<string[]> =>
      (await t.api.withKey(key).listEnvironments()).map((e) => e.name);
    expect(await names(t.keys.admin)).toEqual(['default', 'other']);
    expect(await names(t.keys.viewer)).toEqual(['default']);
    expect(await names(t.keys.userOther)).toEqual(['other']);

    expect(await t.api.getEnvironment('default')).toMatchObject({ name: 'default', agentFiles: expect.any(Array) });
    await expect(t.api.getEnvironment('missing')).rejects.toMatchObject({
      status: 404,
      exitCode: ExitCode.NOT_FOUND,
    });
    await expect(t.api.withKey(t.keys.viewer).getEnvironment('other')).rejects.toMatchObject({
      status: 403,
      code: 'forbidden',
      exitCode: ExitCode.AUTH,
    });

    const created = await t.raw('POST', '/api/v1/environments', { body: { name: 'staging', description: 'pre' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/v1/environments/staging');
    expect(created.body).toMatchObject({ name: 'staging', description: 'pre', agents: 0 });
    const dup = await t.api.createEnvironment({ name: 'staging' }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ApiError);
    expect(dup).toMatchObject({
      status: 409,
      code: 'conflict',
      exitCode: ExitCode.CONFLICT,
      hints: [expect.any(String)],
      requestId: expect.any(String),
    });
    await t.api.deleteEnvironment('staging');
    expect(t.engine.environments.list().map((e) => e.name)).toEqual(['default', 'other']);
    await expect(t.api.deleteEnvironment('staging')).rejects.toMatchObject({ status: 404 });
    expect(
      t.engine.keys
        .auditLog()
        .map((e) => `${e.actor} ${e.action} ${e.target}`)
        .slice(0, 2),
    ).toEqual(['admin environment.delete staging', 'admin environment.create staging']);
  });

  it('answers bad input with 400 and field errors, and writes nothing', async () => {
    t = await startTestServer();
    const missing = await t.raw('POST', '/api/v1/environments', { body: { description: 5, extra: true } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      error: {
        code: 'invalid',
        details: {
          issues: expect.arrayContaining([
            { field: 'name', message: 'is required' },
            { field: 'extra', message: 'is not a known field' },
            { field: 'description', message: 'must be string' },
          ]),
        },
      },
    });
    const badName = await t.raw('POST', '/api/v1/environments', { body: { name: '../x' } });
    expect(badName.status).toBe(400);
    expect(badName.body).toMatchObject({ error: { details: { issues: [{ field: 'name' }] } } });
    const notJson = await t.raw('POST', '/api/v1/environments', { rawBody: '{"name": ' });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ error: { message: expect.stringContaining('not valid JSON') } });
    const empty = await t.raw('POST', '/api/v1/environments', { rawBody: '' });
    expect(empty.status).toBe(400);
    const wrongType = await t.raw('POST', '/api/v1/environments', {
      rawBody: 'name=x',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);
    const huge = await t.raw('POST', '/api/v1/environments', {
      rawBody: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(((await t.raw('GET', '/api/v1/environments')).body as unknown[]).length).toBe(2);
  });

  it('404s unknown routes and 405s known paths with the wrong method', async () => {
    t = await startTestServer();
    const none = await t.raw('GET', '/api/v1/nothing-here');
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ error: { code: 'no_route' } });
    const wrong = await t.raw('PATCH', '/api/v1/environments');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
  });

  it('reports readiness and Prometheus metrics with the required names', async () => {
    t = await startTestServer({ queueSize: () => 3 });
    const viewer = t.api.withKey(t.keys.viewer);
    expect(await viewer.ready()).toMatchObject({ status: 'ready', checks: { database: { ok: true } } });
    t.engine.db
      .prepare(
        `INSERT INTO agent_runs (agent_name, environment_name, status, created_at) VALUES ('a', 'default', 'completed', 1), ('a', 'default', 'failed', 2)`,
      )
      .run();
    const raw = await t.raw('GET', '/metrics', { key: t.keys.viewer });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toContain('text/plain');
    const metrics = { text: await viewer.metrics() };
    for (const name of [
      'station_agents_total',
      'station_agent_runs_total',
      'station_mcp_servers_total',
      'station_execution_queue_size',
      'station_agent_execution_duration_seconds',
      'station_mcp_request_duration_seconds',
      'station_database_query_duration_seconds',
      'station_agent_execution_errors_total',
      'station_mcp_connection_errors_total',
      'station_database_errors_total',
    ]) {
      expect(metrics.text, name).toContain(`# TYPE ${name} `);
    }
    expect(metrics.text).toContain('station_execution_queue_size 3');
    expect(metrics.text).toContain('station_agent_runs_total{status="completed"} 1');
    expect(metrics.text).toContain('station_agent_runs_total{status="failed"} 1');
    expect(metrics.text).toMatch(/station_database_query_duration_seconds_count\{query="ready"\} 1/);
  });

  it('keeps metrics per server instance (no shared global registry)', async () => {
    t = await startTestServer();
    const temp = makeInitializedHome();
    const engine = openEngine({ home: temp.home });
    const other = new StationServer({ engine, host: '127.0.0.1', port: 0, logger: silentLogger });
    try {
      other.metrics.databaseErrors.inc(5);
      const text = await t.api.metrics();
      expect(text).toContain('station_database_errors_total 0');
      expect((await other.metrics.text()).body).toContain('station_database_errors_total 5');
    } finally {
      await engine.close();
      temp.cleanup();
    }
  });
});

describe('StationServer listen errors', () => {
  it('names the address and says what to do when the port is taken', async () => {
    const t = await startTestServer();
    const port = Number(new URL(t.url).port);
    const other = new StationServer({ engine: t.engine, host: '127.0.0.1', port, logger: silentLogger });
    try {
      await expect(other.listen()).rejects.toMatchObject({
        code: 'port_in_use',
        exitCode: ExitCode.PORT_IN_USE,
        message: `port ${String(port)} on 127.0.0.1 is in use`,
        details: { host: '127.0.0.1', port },
        hints: [expect.stringContaining('--port')],
      });
    } finally {
      await t.stop();
    }
  });

  it('an address this machine does not have is invalid input (5), not a bug', async () => {
    const t = await startTestServer();
    // 192.0.2.0/24 is TEST-NET-1: never an address of this host.
    const other = new StationServer({ engine: t.engine, host: '192.0.2.1', port: 0, logger: silentLogger });
    try {
      await expect(other.listen()).rejects.toMatchObject({
        code: 'listen',
        exitCode: ExitCode.INVALID,
        message: expect.stringContaining('EADDRNOTAVAIL'),
        hints: [expect.stringContaining('--host')],
      });
    } finally {
      await t.stop();
    }
  });
});

describe('StationServer over TLS', () => {
  it('serves HTTPS with the given certificate and key', async () => {
    const temp = makeInitializedHome();
    const engine = openEngine({ home: temp.home });
    const fixtures = join(ROOT, 'test', 'fixtures', 'tls');
    const cert = readFileSync(join(fixtures, 'cert.pem'));
    const server = new StationServer({
      engine,
      host: '127.0.0.1',
      port: 0,
      tls: { cert, key: readFileSync(join(fixtures, 'key.pem')) },
      logger: silentLogger,
    });
    try {
      const { url } = await server.listen();
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${url}/health`, { ca: cert }, (res) => {
          let data = '';
          res.setEncoding('utf8').on('data', (d: string) => (data += d));
          res.on('end', () => resolve(data));
        });
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toMatchObject({ status: 'ok' });
    } finally {
      await server.close(1000);
      await engine.close();
      temp.cleanup();
    }
  });
});

describe('requestTarget', () => {
  it('reads the path and query of a request target as URL does', () => {
    const targets = [
      '/',
      '/api/v1/runs?limit=50',
      '/api/v1/runs?status=failed,completed&limit=5&limit=7',
      '/api/v1/environments/default/agents/hello.v2',
      '/api/v1/runs?agent=a%20b&x=%E6%97%A5+c',
      '/api/v1/../v1/runs?limit=1',
      '/api/./v1//runs',
      '/a/%2E%2E/b',
      '/api/v1/runs?q=1#fragment',
      '/api/v1/runs/',
      '/é?é=ü',
      '/a b?c d',
      '//host/path?x=1',
      '?x=1',
      '',
    ];
    for (const target of targets) {
      const url = new URL(target, 'http://station.local');
      const { pathname, query } = requestTarget(target);
      expect(pathname, target).toBe(url.pathname);
      expect([...query], target).toEqual([...url.searchParams]);
    }
  });
});
