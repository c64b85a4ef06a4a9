import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application } from '../../../src/core/index.js';
import { createStationMcpServer } from '../../../src/core/mcp-server/index.js';
import { startStationForTest, type Station } from './station-helpers.js';

// REST and MCP: admins list names and set or remove values; nothing returns a value, not even to an admin.

const VALUE = 'rest-secret-value-0123456789';
const MCP_VALUE = 'mcp-secret-value-9876543210';

let s: Station;
beforeAll(async () => {
  s = await startStationForTest();
});
afterAll(async () => {
  await s.stop();
});

describe('secrets over REST', () => {
  it('PUT stores (201, then 200), GET lists names only, DELETE removes; other roles get 403; no answer or log has the value', async () => {
    const texts: string[] = [];
    const created = await s.raw('PUT', '/api/v1/secrets/API_TOKEN', { body: { value: VALUE } });
    texts.push(created.text);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'API_TOKEN', scope: 'global', environment: null });
    const scoped = await s.raw('PUT', '/api/v1/secrets/API_TOKEN', { body: { value: VALUE, environment: 'default' } });
    texts.push(scoped.text);
    expect(scoped.status).toBe(201);
    const replaced = await s.raw('PUT', '/api/v1/secrets/API_TOKEN', { body: { value: `${VALUE}-2` } });
    texts.push(replaced.text);
    expect(replaced.status).toBe(200);
    expect(s.engine.secrets.valuesFor('default')).toEqual({ API_TOKEN: VALUE });
    expect(s.engine.secrets.valuesFor('other')).toEqual({ API_TOKEN: `${VALUE}-2` });

    const list = await s.raw('GET', '/api/v1/secrets?environment=default');
    texts.push(list.text);
    expect(list.status).toBe(200);
    expect((list.body as { name: string; scope: string }[]).map((x) => [x.name, x.scope])).toEqual([
      ['API_TOKEN', 'global'],
      ['API_TOKEN', 'environment'],
    ]);
    // No route reads a value back.
    const read = await s.raw('GET', '/api/v1/secrets/API_TOKEN');
    texts.push(read.text);
    expect(read.status).toBe(405);

    for (const key of [s.keys.user, s.keys.viewer]) {
      const denied = await s.raw('PUT', '/api/v1/secrets/API_TOKEN', { key, body: { value: 'x' } });
      expect(denied.status).toBe(403);
      expect((await s.raw('GET', '/api/v1/secrets', { key })).status).toBe(403);
    }
    const bad = await s.raw('PUT', '/api/v1/secrets/bad-name', { body: { value: VALUE } });
    texts.push(bad.text);
    expect(bad.status).toBe(400);

    const removed = await s.raw('DELETE', '/api/v1/secrets/API_TOKEN?environment=default');
    expect(removed.status).toBe(204);
    expect((await s.raw('DELETE', '/api/v1/secrets/API_TOKEN?environment=default')).status).toBe(404);

    const audit = s.engine.keys.auditLog().filter((e) => e.action.startsWith('secret.'));
    expect(audit.map((e) => [e.action, e.target])).toEqual(
      expect.arrayContaining([
        ['secret.set', 'API_TOKEN'],
        ['secret.set', 'default/API_TOKEN'],
        ['secret.remove', 'default/API_TOKEN'],
      ]),
    );
    const everything = [...texts, ...s.logs, JSON.stringify(s.engine.keys.auditLog())].join('\n');
    expect(everything).not.toContain(VALUE);
  });
});

describe('secrets over MCP', () => {
  it('an admin lists names and sets values; no tool returns a value', async () => {
    const api = new Application(s.engine).local();
    const server = createStationMcpServer(api, { environment: 'default', version: '1.0.0' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(b);
    try {
      const set = await client.callTool({ name: 'set_secret', arguments: { name: 'MCP_TOKEN', value: MCP_VALUE } });
      const list = await client.callTool({ name: 'list_secrets', arguments: {} });
      const texts = JSON.stringify([set, list]);
      expect(texts).toContain('MCP_TOKEN');
      expect(texts).not.toContain(MCP_VALUE);
      expect(s.engine.secrets.valuesFor('default')).toMatchObject({ MCP_TOKEN: MCP_VALUE });
      const removed = await client.callTool({ name: 'delete_secret', arguments: { name: 'MCP_TOKEN' } });
      expect(JSON.stringify(removed)).not.toContain(MCP_VALUE);
      expect(s.engine.secrets.list().map((x) => x.name)).not.toContain('MCP_TOKEN');
    } finally {
      await client.close();
    }
  });
});
