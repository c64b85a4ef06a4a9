// The audit trail from every door: the built `stn` (spawned), REST on a real server (allowed and denied),
// MCP over stdio (the SDK client against `stn stdio`). Tamper tests edit and delete rows with raw SQL
// behind Station's back and `stn audit verify` names them; secret values never reach the table.
// Needs `npm run build` first.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, openDatabase, type AuditRecord } from '../../src/core/index.js';
import { BIN, ROOT, runStn } from '../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { startStationForTest, type Station } from '../core/server/station-helpers.js';
import { makeRunHome, type RunHome } from './run-home.js';

const SECRET = 'hunter2-correct-horse-battery-staple';
const OS_USER = `local:${userInfo().username}`;

async function auditJson(env: NodeJS.ProcessEnv, ...args: string[]): Promise<AuditRecord[]> {
  const result = await runStn(['audit', '--json', ...args], { env });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as AuditRecord[];
}

describe('audit trail (CLI, spawned)', { timeout: 120_000 }, () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('records CLI changes as the OS user, never a secret value, and verify finds a changed and a deleted row', async () => {
    temp = makeInitializedHome();
    const env = temp.env;
    expect((await runStn(['key', 'create', 'ci', '--role', 'user', '--expires', '30d'], { env })).code).toBe(0);
    expect((await runStn(['secret', 'set', 'API_TOKEN'], { env, input: SECRET + '\n' })).code).toBe(0);
    expect((await runStn(['key', 'rotate', 'ci', '--grace', '1h'], { env })).code).toBe(0);
    const rows = await auditJson(env);
    expect(rows.map((r) => r.action)).toEqual(['key.rotate', 'secret.set', 'key.create']);
    for (const row of rows) expect(row).toMatchObject({ actor: OS_USER, door: 'cli', outcome: 'allowed' });
    expect((await auditJson(env, '--action', 'key.*')).map((r) => r.action)).toEqual(['key.rotate', 'key.create']);
    expect(await auditJson(env, '--actor', 'nobody')).toEqual([]);

    // The secret value is nowhere in the audit table, nor in the database file.
    const db = openDatabase(temp.paths.database);
    try {
      expect(JSON.stringify(db.prepare('SELECT * FROM audit_log').all())).not.toContain(SECRET);
    } finally {
      db.close();
    }
    expect(readFileSync(temp.paths.database).includes(SECRET)).toBe(false);

    const ok = await runStn(['audit', 'verify'], { env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Audit trail intact: 3 rows');

    const raw = openDatabase(temp.paths.database);
    const secretSetId = rows[1]?.id ?? 0;
    try {
      raw.prepare("UPDATE audit_log SET target = 'SOMETHING_ELSE' WHERE id = ?").run(secretSetId);
    } finally {
      raw.close();
    }
    const changed = await runStn(['audit', 'verify', '--json'], { env });
    expect(changed.code).toBe(ExitCode.AUDIT_BROKEN);
    expect(JSON.parse(changed.stdout)).toMatchObject({ ok: false, problem: { id: secretSetId, kind: 'changed' } });
    expect(changed.stderr).toContain(`row ${String(secretSetId)}`);

    const raw2 = openDatabase(temp.paths.database);
    try {
      raw2.prepare("UPDATE audit_log SET target = 'API_TOKEN' WHERE id = ?").run(secretSetId);
      expect((await runStn(['audit', 'verify'], { env })).code).toBe(0);
      raw2.prepare('DELETE FROM audit_log WHERE id = ?').run(secretSetId);
    } finally {
      raw2.close();
    }
    const deleted = await runStn(['audit', 'verify'], { env });
    expect(deleted.code).toBe(ExitCode.AUDIT_BROKEN);
    expect(deleted.stderr).toContain(`row(s) ${String(secretSetId)} before row`);
  });

  it('two stn processes writing at once keep one valid chain', async () => {
    temp = makeInitializedHome();
    const env = temp.env;
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((n) => runStn(['key', 'create', `k-${n}`, '--role', 'viewer'], { env })),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const verify = await runStn(['audit', 'verify', '--json'], { env });
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, rows: 4 });
  });
});

describe('audit trail (REST, real server)', { timeout: 60_000 }, () => {
  let s: Station;
  afterEach(async () => s.stop());

  it('records the key, door, request id and remote address; denied attempts too; GET /api/v1/audit is admin only', async () => {
    s = await startStationForTest();
    const created = s.engine.keys.create({ name: 'ops', role: 'admin', user: 'ann' });
    const ops = s.api.withKey(created.key);
    await ops.createAgent('default', { name: 'audited', prompt: 'Hello.' });
    await ops.setSecret('REST_TOKEN', { value: SECRET });
    const viewer = s.api.withKey(s.keys.viewer);
    await expect(viewer.createAgent('default', { name: 'nope', prompt: 'Hi.' })).rejects.toMatchObject({ status: 403 });
    await expect(viewer.listAudit()).rejects.toMatchObject({ status: 403 });

    const page = await s.api.listAudit({ limit: 10 });
    const [auditDenied, agentDenied, secretSet, agentCreate] = page.rows;
    expect(agentCreate).toMatchObject({
      actor: 'ops',
      owner: 'ann',
      door: 'rest',
      action: 'agent.create',
      target: 'default/audited',
      outcome: 'allowed',
      remoteAddress: expect.stringMatching(/127\.0\.0\.1/) as unknown,
    });
    expect(agentCreate?.requestId).toMatch(/.+/);
    expect(secretSet).toMatchObject({ actor: 'ops', action: 'secret.set', target: 'REST_TOKEN' });
    expect(agentDenied).toMatchObject({ actor: 'viewer', door: 'rest', outcome: 'denied', action: 'access.write' });
    expect(agentDenied?.reason).toContain('may not');
    expect(auditDenied).toMatchObject({ actor: 'viewer', outcome: 'denied', action: 'access.admin' });
    expect(JSON.stringify(page)).not.toContain(SECRET);

    // Filters and pages.
    const denied = await s.api.listAudit({ actor: 'viewer' });
    expect(denied.rows.map((r) => r.outcome)).toEqual(['denied', 'denied']);
    const first = await s.api.listAudit({ limit: 1 });
    expect(first.next).toBe(first.rows[0]?.id);
    const second = await s.api.listAudit({ limit: 1, before: first.next ?? 0 });
    expect(second.rows[0]?.id).toBeLessThan(first.rows[0]?.id ?? 0);
    expect(await s.api.verifyAudit()).toMatchObject({ ok: true });
  });

  it('expired keys get 401 "expired"; a rotated key works at once, the old one until its grace ends', async () => {
    s = await startStationForTest();
    const short = s.engine.keys.create({ name: 'short', role: 'viewer', expires: '1h' });
    await expect(s.api.withKey(short.key).listEnvironments()).resolves.toBeDefined();
    // Time passes behind the server's back: the key's expiry is set in the past.
    s.engine.db.prepare('UPDATE api_keys SET expires_at = 1 WHERE prefix = ?').run(short.info.prefix);
    await expect(s.api.withKey(short.key).listEnvironments()).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('expired') as unknown,
    });

    const old = s.engine.keys.create({ name: 'ci', role: 'viewer' });
    const graced = s.engine.keys.rotate('ci', { grace: '1h' });
    await expect(s.api.withKey(old.key).listEnvironments()).resolves.toBeDefined();
    await expect(s.api.withKey(graced.key).listEnvironments()).resolves.toBeDefined();
    const now = s.engine.keys.rotate('ci', { grace: '0' });
    await expect(s.api.withKey(graced.key).listEnvironments()).rejects.toMatchObject({ status: 401 });
    await expect(s.api.withKey(now.key).listEnvironments()).resolves.toBeDefined();
    const listed = s.engine.keys.list().filter((k) => k.name === 'ci');
    expect(listed.map((k) => k.status)).toEqual(['rotated', 'expired', 'active']);
    expect(listed[2]?.lastUsedAt).not.toBeNull();

    // Every refused key is in the audit trail (actor anonymous, the reason, the request's address), never the key.
    await expect(s.api.withKey('stn_not-a-real-key').listEnvironments()).rejects.toMatchObject({ status: 401 });
    const failed = await s.api.listAudit({ action: 'auth.failed' });
    expect(failed.rows.map((r) => [r.actor, r.door, r.outcome, r.target])).toEqual([
      ['anonymous', 'rest', 'denied', 'GET /api/v1/environments'],
      ['anonymous', 'rest', 'denied', 'GET /api/v1/environments'],
      ['anonymous', 'rest', 'denied', 'GET /api/v1/environments'],
    ]);
    expect(failed.rows.map((r) => r.reason)).toEqual([
      expect.stringContaining('invalid API key'),
      expect.stringContaining('grace period is over'),
      expect.stringContaining('expired'),
    ]);
    expect(failed.rows[0]?.remoteAddress).toMatch(/127\.0\.0\.1/);
    const all = JSON.stringify(await s.api.listAudit({ limit: 100 }));
    for (const k of [short.key, old.key, graced.key, now.key, 'stn_not-a-real-key']) expect(all).not.toContain(k);
  });
});

describe('audit trail (MCP over stdio, SDK client against stn stdio)', { timeout: 60_000 }, () => {
  let home: RunHome;
  let model: ModelServer;
  afterEach(async () => {
    await model.close();
    home.cleanup();
  });

  it('records tool calls that change things with actor stdio and door mcp-stdio', async () => {
    home = makeRunHome();
    model = await startModelServer({ fallback: { text: 'ok' } });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'stdio'],
      env: home.envFor(model.url) as Record<string, string>,
      cwd: ROOT,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'audit-e2e', version: '1.0.0' });
    await client.connect(transport);
    try {
      const made = (await client.callTool({ name: 'create_agent', arguments: { name: 'viamcp', prompt: 'Hi.' } })) as {
        isError?: boolean;
      };
      expect(made.isError ?? false).toBe(false);
      await client.callTool({ name: 'set_secret', arguments: { name: 'MCP_TOKEN', value: SECRET } });
    } finally {
      await client.close();
    }
    const rows = await auditJson(home.env);
    expect(rows.map((r) => r.action)).toEqual(['secret.set', 'agent.create']);
    for (const row of rows) expect(row).toMatchObject({ actor: 'stdio', owner: OS_USER, door: 'mcp-stdio' });
    expect(JSON.stringify(rows)).not.toContain(SECRET);
    expect(readFileSync(join(home.home, 'station.db')).includes(SECRET)).toBe(false);
  });
});
