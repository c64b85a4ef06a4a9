import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/core/index.js';
import { pathParams } from '../../../src/core/server/openapi.js';
import { startStationForTest, type Station } from './station-helpers.js';

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string }[];
  responses: Record<string, unknown>;
  security?: unknown[];
}

describe('OpenAPI document', () => {
  let s: Station;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    s = await startStationForTest();
    doc = (await s.api.withKey(s.keys.viewer).openapi()) as typeof doc;
  });
  afterAll(async () => {
    await s.stop();
  });

  it('documents every route the server dispatches, and nothing else but /ws and /mcp', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routed = s.running.server.router.routes.map((r) => `${r.method} ${r.path}`);
    for (const r of routed) expect(documented, r).toContain(r);
    const extra = documented.filter((d) => !routed.includes(d));
    expect(extra.sort()).toEqual(['GET /ws', 'POST /mcp']);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the core API client has a method for every operation, named by its operationId', () => {
    const methods = Object.getOwnPropertyNames(ApiClient.prototype);
    for (const route of s.running.server.router.routes) expect(methods, route.operationId).toContain(route.operationId);
  });

  it('declares each path parameter, the bearer scheme, and the error responses', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared, `${method} ${path}`).toEqual(pathParams(path));
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        if (path === '/health') expect(op.security).toEqual([]);
        else if (path === '/ready') {
          // No key needed; a key, when given, must be valid.
          expect(op.security).toEqual([{}, { bearer: [] }]);
          expect(Object.keys(op.responses)).toEqual(['200', '401', '503']);
        } else if (!['/ws', '/mcp'].includes(path))
          expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it('every documented operation reaches a handler (no 404 no_route, no 405)', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (path === '/ws' || path === '/mcp') continue;
      const concrete = path.replace(/\{[^}]+\}/g, (m) =>
        m === '{env}' ? 'default' : m === '{agent}' ? 'nobody-here' : '999999',
      );
      for (const method of Object.keys(ops)) {
        if (method === 'delete' && concrete === '/api/v1/environments/default') continue;
        const res = await s.raw(method.toUpperCase(), concrete, method === 'get' ? {} : { body: {} });
        expect(res.status, `${method} ${concrete}`).not.toBe(405);
        if (res.status === 404)
          expect((res.body as { error: { code: string } }).error.code, `${method} ${concrete}`).not.toBe('no_route');
      }
    }
  });
});
