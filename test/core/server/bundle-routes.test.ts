import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application } from '../../../src/core/index.js';
import { createStationMcpServer } from '../../../src/core/mcp-server/index.js';
import { startStationForTest, type Station } from './station-helpers.js';

// Bundles through the REST and MCP doors: the archive of an environment, and an install whose trust gate
// is an explicit approval (the configHash of the servers) and whose variables come in the request.

let s: Station;
beforeAll(async () => {
  s = await startStationForTest();
});
afterAll(async () => {
  await s.stop();
});

interface ErrorAnswer {
  error: { code: string; details: { servers?: { name: string }[]; configHash?: string; missing?: { name: string }[] } };
}

describe('bundles over REST', () => {
  it('GET /environments/{env}/bundle answers the archive (admin only), the same bytes as bundle create', async () => {
    const res = await fetch(`${s.url}/api/v1/environments/default/bundle`, {
      headers: { Authorization: `Bearer ${s.keys.admin}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    const bytes = Buffer.from(await res.arrayBuffer());
    const tar = gunzipSync(bytes).toString('latin1');
    expect(tar).toContain('manifest.json');
    expect(tar).toContain('template.json');
    expect(tar).not.toContain('variables.yml');
    expect(bytes.equals(new Application(s.engine).local().bundles.create('default').bytes)).toBe(true);
    for (const key of [s.keys.user, s.keys.viewer]) {
      const denied = await fetch(`${s.url}/api/v1/environments/default/bundle`, {
        headers: { Authorization: `Bearer ${key}` },
      });
      expect(denied.status).toBe(403);
    }
    expect((await s.raw('GET', '/api/v1/environments/nope/bundle')).status).toBe(404);
    // The API client gets the same bytes.
    expect((await s.api.getEnvironmentBundle('default')).equals(bytes)).toBe(true);
  });

  it('POST /bundles/install: 409 with the servers and hash, then 422 with the missing variables, then 201', async () => {
    // A bundle folder whose server needs DATA_DIR (no default).
    const folder = join(s.temp.home, 'data-bundle');
    mkdirSync(join(folder, 'agents'), { recursive: true });
    writeFileSync(
      join(folder, 'template.json'),
      JSON.stringify({ mcpServers: { filesystem: { command: 'npx', args: ['-y', 'pkg', '{{ .DATA_DIR }}'] } } }),
    );
    writeFileSync(join(folder, 'agents', 'a.prompt'), '---\nmetadata:\n  name: a\n---\nHi {{userInput}}\n');
    const first = await s.raw('POST', '/api/v1/bundles/install', {
      body: { source: folder, environment: 'logs', sync: false },
    });
    expect(first.status).toBe(409);
    const approval = first.body as ErrorAnswer;
    expect(approval.error.code).toBe('approval_required');
    expect(approval.error.details.servers?.map((x) => x.name)).toEqual(['filesystem']);
    const hash = approval.error.details.configHash ?? '';
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(s.temp.home, 'environments', 'logs'))).toBe(false);

    const stale = await s.raw('POST', '/api/v1/bundles/install', {
      body: { source: folder, environment: 'logs', sync: false, approve: '0'.repeat(64) },
    });
    expect(stale.status).toBe(409);

    const second = await s.raw('POST', '/api/v1/bundles/install', {
      body: { source: folder, environment: 'logs', sync: false, approve: hash },
    });
    expect(second.status).toBe(422);
    const missing = second.body as ErrorAnswer;
    expect(missing.error.code).toBe('missing_variables');
    expect(missing.error.details.missing?.map((m) => m.name)).toEqual(['DATA_DIR']);
    expect(existsSync(join(s.temp.home, 'environments', 'logs'))).toBe(false);

    const denied = await s.raw('POST', '/api/v1/bundles/install', {
      key: s.keys.user,
      body: { source: folder, environment: 'logs', sync: false, approve: hash, vars: { DATA_DIR: s.files } },
    });
    expect(denied.status).toBe(403);

    const done = await s.raw('POST', '/api/v1/bundles/install', {
      body: { source: folder, environment: 'logs', sync: false, approve: hash, vars: { DATA_DIR: s.files } },
    });
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ environment: 'logs', configHash: hash, variablesSaved: ['DATA_DIR'] });
    expect(readFileSync(join(s.temp.home, 'environments', 'logs', 'variables.yml'), 'utf8')).toContain('DATA_DIR');
    const audit = s.engine.keys.auditLog().filter((e) => e.action === 'bundle.install');
    expect(audit.map((e) => e.target)).toEqual(['logs']);

    const bad = await s.raw('POST', '/api/v1/bundles/install', { body: { source: 'x', approve: 'not-a-hash' } });
    expect(bad.status).toBe(400);
  });

  it('GET /bundles/inspect: what a bundle holds and the hash to approve (admin only); nothing installed', async () => {
    const res = await s.raw('GET', '/api/v1/bundles/inspect?source=ops-toolkit');
    expect(res.status).toBe(200);
    const local = await new Application(s.engine).local().bundles.inspect('ops-toolkit');
    expect(res.body).toMatchObject({ environment: 'ops-toolkit', configHash: local.configHash });
    expect((res.body as { agents: unknown[] }).agents.length).toBe(local.agents.length);
    expect(existsSync(join(s.temp.home, 'environments', 'ops-toolkit'))).toBe(false);
    expect((await s.api.inspectBundle('ops-toolkit')).configHash).toBe(local.configHash);
    expect((await s.raw('GET', '/api/v1/bundles/inspect?source=ops-toolkit', { key: s.keys.user })).status).toBe(403);
    expect((await s.raw('GET', '/api/v1/bundles/inspect')).status).toBe(400);
  });
});

describe('bundles over MCP', () => {
  it('create_bundle returns base64 or writes a path; install_bundle needs the approval hash', async () => {
    const api = new Application(s.engine).local();
    const server = createStationMcpServer(api, { environment: 'default', version: '1.0.0' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(b);
    const text = (r: unknown): string => (r as { content: { text: string }[] }).content[0]?.text ?? '';
    try {
      const inline = JSON.parse(text(await client.callTool({ name: 'create_bundle', arguments: {} }))) as {
        base64: string;
        sha256: string;
      };
      const bytes = Buffer.from(inline.base64, 'base64');
      expect(gunzipSync(bytes).toString('latin1')).toContain('manifest.json');
      const out = join(s.temp.home, 'from-mcp.tar.gz');
      const written = JSON.parse(
        text(await client.callTool({ name: 'create_bundle', arguments: { output: out } })),
      ) as { path: string; sha256: string };
      expect(written.path).toBe(out);
      expect(written.sha256).toBe(inline.sha256);
      expect(readFileSync(out).equals(bytes)).toBe(true);

      const asked = (await client.callTool({
        name: 'install_bundle',
        arguments: { source: out, environment: 'mcp-copy', sync: false },
      })) as { isError?: boolean };
      expect(asked.isError).toBe(true);
      const details = /details: (.*)$/m.exec(text(asked))?.[1] ?? '{}';
      const { configHash, servers } = JSON.parse(details) as { configHash: string; servers: { name: string }[] };
      expect(text(asked)).toMatch(/^approval_required:/);
      expect(servers.map((x) => x.name)).toEqual(['filesystem']);
      expect(existsSync(join(s.temp.home, 'environments', 'mcp-copy'))).toBe(false);

      const installed = await client.callTool({
        name: 'install_bundle',
        arguments: { source: out, environment: 'mcp-copy', sync: false, approve: configHash },
      });
      expect((installed as { isError?: boolean }).isError).toBeUndefined();
      expect(JSON.parse(text(installed))).toMatchObject({ environment: 'mcp-copy', configHash });
      expect(existsSync(join(s.temp.home, 'environments', 'mcp-copy', 'template.json'))).toBe(true);
    } finally {
      await client.close();
    }
  });
});
