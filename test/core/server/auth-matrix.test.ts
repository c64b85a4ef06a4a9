import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Application, type Engine } from '../../../src/core/index.js';
import { startStationForTest, type Station } from './station-helpers.js';
import { tableNames, tableRows } from '../../helpers/stores.js';

type Caller = 'none' | 'revoked' | 'malformed' | 'viewer' | 'user' | 'admin' | 'viewerOther' | 'userOther';
/** `optional`: answers without a key (less), refuses a bad key (401), answers every valid key. */
type Needs = 'public' | 'optional' | 'viewer' | 'user' | 'admin';

/**
 * Every route of the server, the least role it needs, and a request for it. Routes under an environment
 * use "default", which the viewer and user keys are granted and the *Other keys are not. The test fails
 * when a route is added without a row here.
 */
const MATRIX: Record<string, { needs: Needs; envScoped: boolean; method: string; path: string; body?: unknown }> = {
  health: { needs: 'public', envScoped: false, method: 'GET', path: '/health' },
  ready: { needs: 'optional', envScoped: false, method: 'GET', path: '/ready' },
  metrics: { needs: 'viewer', envScoped: false, method: 'GET', path: '/metrics' },
  whoami: { needs: 'viewer', envScoped: false, method: 'GET', path: '/api/v1/me' },
  createWsTicket: { needs: 'viewer', envScoped: false, method: 'POST', path: '/api/v1/ws-tickets' },
  openapi: { needs: 'viewer', envScoped: false, method: 'GET', path: '/api/v1/openapi.json' },
  listEnvironments: { needs: 'viewer', envScoped: false, method: 'GET', path: '/api/v1/environments' },
  getEnvironment: { needs: 'viewer', envScoped: true, method: 'GET', path: '/api/v1/environments/default' },
  createEnvironment: {
    needs: 'admin',
    envScoped: false,
    method: 'POST',
    path: '/api/v1/environments',
    body: { name: 'matrix-env' },
  },
  deleteEnvironment: { needs: 'admin', envScoped: true, method: 'DELETE', path: '/api/v1/environments/default' },
  listAgents: { needs: 'viewer', envScoped: true, method: 'GET', path: '/api/v1/environments/default/agents' },
  getAgent: { needs: 'viewer', envScoped: true, method: 'GET', path: '/api/v1/environments/default/agents/hello' },
  createAgent: {
    needs: 'admin',
    envScoped: true,
    method: 'POST',
    path: '/api/v1/environments/default/agents',
    body: { name: 'matrix-agent', prompt: 'x' },
  },
  updateAgent: {
    needs: 'admin',
    envScoped: true,
    method: 'PATCH',
    path: '/api/v1/environments/default/agents/hello',
    body: { description: 'changed' },
  },
  replaceAgent: {
    needs: 'admin',
    envScoped: true,
    method: 'PUT',
    path: '/api/v1/environments/default/agents/hello',
    body: { text: 'REPLACED' },
  },
  deleteAgent: { needs: 'admin', envScoped: true, method: 'DELETE', path: '/api/v1/environments/default/agents/hello' },
  listTools: { needs: 'viewer', envScoped: true, method: 'GET', path: '/api/v1/environments/default/tools' },
  listServers: { needs: 'viewer', envScoped: true, method: 'GET', path: '/api/v1/environments/default/servers' },
  checkServers: { needs: 'user', envScoped: true, method: 'POST', path: '/api/v1/environments/default/servers/check' },
  callTool: {
    needs: 'user',
    envScoped: true,
    method: 'POST',
    path: '/api/v1/environments/default/tools/filesystem__list_allowed_directories/call',
    body: {},
  },
  listResources: { needs: 'viewer', envScoped: true, method: 'GET', path: '/api/v1/environments/default/resources' },
  listPrompts: { needs: 'viewer', envScoped: true, method: 'GET', path: '/api/v1/environments/default/prompts' },
  startSync: { needs: 'admin', envScoped: true, method: 'POST', path: '/api/v1/environments/default/sync' },
  getSync: { needs: 'viewer', envScoped: true, method: 'GET', path: '/api/v1/syncs/SYNC' },
  listRuns: { needs: 'viewer', envScoped: false, method: 'GET', path: '/api/v1/runs' },
  getRun: { needs: 'viewer', envScoped: true, method: 'GET', path: '/api/v1/runs/RUN' },
  listRunEvents: { needs: 'viewer', envScoped: true, method: 'GET', path: '/api/v1/runs/RUN/events' },
  startRun: {
    needs: 'user',
    envScoped: true,
    method: 'POST',
    path: '/api/v1/environments/default/agents/hello/runs',
    body: { input: { userInput: 'x' } },
  },
  cancelRun: { needs: 'user', envScoped: true, method: 'POST', path: '/api/v1/runs/RUN/cancel' },
  pruneRuns: {
    needs: 'admin',
    envScoped: false,
    method: 'POST',
    path: '/api/v1/runs/prune',
    body: { keep: 1000, dryRun: true },
  },
  listSecrets: { needs: 'admin', envScoped: false, method: 'GET', path: '/api/v1/secrets' },
  setSecret: {
    needs: 'admin',
    envScoped: false,
    method: 'PUT',
    path: '/api/v1/secrets/MATRIX_TOKEN',
    body: { value: 'matrix-secret-value' },
  },
  deleteSecret: { needs: 'admin', envScoped: false, method: 'DELETE', path: '/api/v1/secrets/MATRIX_TOKEN' },
  installBundle: {
    needs: 'admin',
    envScoped: false,
    method: 'POST',
    path: '/api/v1/bundles/install',
    body: { source: 'ops-toolkit', environment: 'matrix-bundle', sync: false },
  },
  inspectBundle: {
    needs: 'admin',
    envScoped: false,
    method: 'GET',
    path: '/api/v1/bundles/inspect?source=ops-toolkit',
  },
  getEnvironmentBundle: {
    needs: 'admin',
    envScoped: true,
    method: 'GET',
    path: '/api/v1/environments/default/bundle',
  },
  listSchedules: { needs: 'viewer', envScoped: false, method: 'GET', path: '/api/v1/schedules' },
  getSchedule: {
    needs: 'viewer',
    envScoped: true,
    method: 'GET',
    path: '/api/v1/environments/default/schedules/nightly',
  },
  pauseSchedule: {
    needs: 'user',
    envScoped: true,
    method: 'POST',
    path: '/api/v1/environments/default/schedules/nightly/pause',
  },
  resumeSchedule: {
    needs: 'user',
    envScoped: true,
    method: 'POST',
    path: '/api/v1/environments/default/schedules/nightly/resume',
  },
  runSchedule: {
    needs: 'user',
    envScoped: true,
    method: 'POST',
    path: '/api/v1/environments/default/schedules/nightly/run',
  },
  listWebhooks: { needs: 'admin', envScoped: false, method: 'GET', path: '/api/v1/webhooks' },
  // localhost resolves to a loopback address, refused at delivery (no allow_private): nothing leaves the machine.
  addWebhook: {
    needs: 'admin',
    envScoped: false,
    method: 'POST',
    path: '/api/v1/webhooks',
    body: { url: 'http://localhost:9/matrix' },
  },
  testWebhook: { needs: 'admin', envScoped: false, method: 'POST', path: '/api/v1/webhooks/WEBHOOK/test' },
  deleteWebhook: { needs: 'admin', envScoped: false, method: 'DELETE', path: '/api/v1/webhooks/WEBHOOK' },
  listAudit: { needs: 'admin', envScoped: false, method: 'GET', path: '/api/v1/audit' },
  verifyAudit: { needs: 'admin', envScoped: false, method: 'GET', path: '/api/v1/audit/verify' },
};

const RANK: Record<Needs, number> = { public: 0, optional: 0, viewer: 1, user: 2, admin: 3 };

function expected(caller: Caller, row: { needs: Needs; envScoped: boolean }): 401 | 403 | 'ok' {
  if (row.needs === 'public') return 'ok';
  if (row.needs === 'optional') return caller === 'revoked' || caller === 'malformed' ? 401 : 'ok';
  if (caller === 'none' || caller === 'revoked' || caller === 'malformed') return 401;
  const role: Needs = caller.startsWith('admin') ? 'admin' : caller.startsWith('user') ? 'user' : 'viewer';
  if (RANK[role] < RANK[row.needs]) return 403;
  if (row.envScoped && caller.endsWith('Other')) return 403;
  return 'ok';
}

/** Everything a request could change: every table (minus key usage times) and every file of the home. */
/** The store's rows and the home's files (hashed): compared whole, a difference shows the table or file. */
function snapshot(engine: Engine, home: string): { data: Record<string, unknown>; files: Record<string, string> } {
  const tables = tableNames(engine.db);
  const data: Record<string, unknown> = {};
  for (const table of tables) {
    // A refusal changes nothing but the audit trail, where it is recorded (denied).
    if (table === 'audit_log') continue;
    const rows = tableRows(engine.db, table);
    data[table] =
      table === 'api_keys'
        ? rows.map(({ last_used_at: _ignored, ...rest }) => rest)
        : table === 'settings'
          ? rows.filter((r) => r.key !== 'audit.head')
          : rows;
  }
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!/station\.db(-wal|-shm)?$/.test(name))
        files[relative(home, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(home);
  return { data, files };
}

describe('roles x routes', () => {
  let s: Station;
  let runId: number;
  let syncId: string;
  let webhookId = 1;
  const keyOf = (caller: Caller): string | null => {
    switch (caller) {
      case 'none':
        return null;
      case 'malformed':
        return 'not-a-station-key';
      default:
        return s.keys[caller];
    }
  };
  const pathOf = (path: string): string =>
    path.replace('RUN', String(runId)).replace('SYNC', syncId).replace('WEBHOOK', String(webhookId));

  beforeAll(async () => {
    s = await startStationForTest({ model: { fallback: { text: 'done' } } });
    // A scheduled agent (once a year: it never fires during the test) for the schedule routes.
    const hello = s.engine.agents.source('default', 'hello');
    writeFileSync(
      join(s.temp.home, 'environments', 'default', 'agents', 'nightly.prompt'),
      hello.text.replace(
        'name: hello',
        "name: nightly\nschedule:\n  cron: '0 3 1 1 *'\n  variables:\n    userInput: nightly check",
      ),
    );
    runId = (await s.api.startRun('default', 'hello', { input: { userInput: 'x' } })).id;
    await s.waitRun(runId);
    const sync = await s.api.startSync('default');
    syncId = sync.id;
    await s.api.followSync(sync, { pollMs: 50 });
    // The scheduler records the new schedule at its next pass (every second): not during a test that compares
    // the store before and after.
    await vi.waitFor(
      () => {
        expect(tableRows(s.engine.db, 'schedule_state').map((r) => r.agent)).toContain('nightly');
      },
      { timeout: 10_000, interval: 50 },
    );
  });
  afterAll(async () => {
    await s.stop();
  });

  it('the matrix covers every route the server dispatches, with the access the route declares', () => {
    const routes = s.running.server.router.routes;
    expect(Object.keys(MATRIX).sort()).toEqual(routes.map((r) => r.operationId).sort());
    for (const route of routes) {
      const row = MATRIX[route.operationId]!;
      expect(route.method, route.operationId).toBe(row.method);
      if (route.access === 'public' || route.access === 'optional') {
        expect(row.needs, route.operationId).toBe(route.access);
        continue;
      }
      const declared = { read: 'viewer', run: 'user', write: 'admin', admin: 'admin' }[route.access.action];
      expect(declared, route.operationId).toBe(row.needs);
    }
  });

  it('refuses (401/403) every caller the matrix refuses, and nothing changes', async () => {
    const before = snapshot(s.engine, s.temp.home);
    const callers: Caller[] = ['none', 'revoked', 'malformed', 'viewer', 'user', 'viewerOther', 'userOther'];
    let refused = 0;
    for (const [op, row] of Object.entries(MATRIX)) {
      for (const caller of callers) {
        const want = expected(caller, row);
        if (want === 'ok') continue;
        const res = await s.raw(row.method, pathOf(row.path), {
          key: keyOf(caller),
          ...(row.body === undefined ? {} : { body: row.body }),
        });
        expect(res.status, `${caller} ${op}`).toBe(want);
        expect((res.body as { error: { code: string } }).error.code).toBe(want === 401 ? 'unauthorized' : 'forbidden');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
    expect(snapshot(s.engine, s.temp.home)).toEqual(before);
  });

  it('lets every caller the matrix allows through (reads for each allowed key)', async () => {
    const callers: Caller[] = ['viewer', 'user', 'admin', 'viewerOther', 'userOther'];
    for (const [op, row] of Object.entries(MATRIX)) {
      if (row.method !== 'GET') continue;
      for (const caller of callers) {
        if (expected(caller, row) !== 'ok') continue;
        const res = await s.raw('GET', pathOf(row.path), { key: keyOf(caller) });
        expect(res.status, `${caller} ${op}: ${res.text.slice(0, 200)}`).toBe(200);
      }
    }
  });

  it('lets the least role allowed make each change', async () => {
    const least = (needs: Needs): Caller => (needs === 'admin' ? 'admin' : needs === 'user' ? 'user' : 'viewer');
    const order: [string, string?, unknown?][] = [
      ['createEnvironment'],
      ['createAgent'],
      ['updateAgent', '/api/v1/environments/default/agents/matrix-agent'],
      [
        'replaceAgent',
        '/api/v1/environments/default/agents/matrix-agent',
        { text: s.engine.agents.source('default', 'hello').text.replace('name: hello', 'name: matrix-agent') },
      ],
      ['createWsTicket'],
      ['startRun'],
      ['cancelRun'],
      ['pruneRuns'],
      ['checkServers'],
      ['callTool'],
      ['startSync'],
      ['deleteAgent', '/api/v1/environments/default/agents/matrix-agent'],
      ['deleteEnvironment', '/api/v1/environments/matrix-env'],
      ['setSecret'],
      ['deleteSecret'],
      ['pauseSchedule'],
      ['resumeSchedule'],
      ['runSchedule'],
      ['addWebhook'],
      ['testWebhook'],
      ['deleteWebhook'],
      [
        'installBundle',
        '/api/v1/bundles/install',
        {
          source: 'ops-toolkit',
          environment: 'matrix-bundle',
          sync: false,
          approve: (await new Application(s.engine).local().bundles.inspect('ops-toolkit')).configHash,
        },
      ],
    ];
    const writes = Object.entries(MATRIX)
      .filter(([, r]) => r.method !== 'GET')
      .map(([op]) => op);
    expect(order.map(([op]) => op).sort()).toEqual(writes.sort());
    for (const [op, path, body] of order) {
      const row = MATRIX[op]!;
      const res = await s.raw(row.method, pathOf(path ?? row.path), {
        key: keyOf(least(row.needs)),
        ...((body ?? row.body) !== undefined ? { body: body ?? row.body } : {}),
      });
      expect([401, 403], `${op}: ${String(res.status)} ${res.text.slice(0, 200)}`).not.toContain(res.status);
      expect(res.status, `${op}: ${res.text.slice(0, 300)}`).toBeLessThan(op === 'cancelRun' ? 500 : 300);
      if (op === 'addWebhook') webhookId = (res.body as { webhook: { id: number } }).webhook.id;
    }
  });
});
