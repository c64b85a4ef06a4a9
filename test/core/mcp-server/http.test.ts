import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startStationForTest, type Station } from '../server/station-helpers.js';

async function connect(url: string, key: string | null, query = ''): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp${query}`), {
    requestInit: { headers: key === null ? {} : { Authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

describe('MCP over streamable HTTP at /mcp on stn serve', () => {
  let s: Station;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await s.stop();
  });

  it('needs a key; the key role applies to the tools', async () => {
    s = await startStationForTest({ model: { fallback: { text: 'over http' } } });
    await expect(connect(s.url, null)).rejects.toThrow(/unauthorized.*missing API key/);
    await expect(connect(s.url, s.keys.revoked)).rejects.toThrow(/unauthorized.*revoked/);

    const viewer = await connect(s.url, s.keys.viewer);
    clients.push(viewer);
    // A viewer is offered only what it may call: reading tools, no run, edit or sync tools.
    const viewerTools = (await viewer.listTools()).tools.map((t) => t.name);
    expect(viewerTools).toEqual(expect.arrayContaining(['list_agents', 'list_runs', 'get_run', 'get_agent']));
    for (const changing of ['run_agent', 'agent_hello', 'create_agent', 'update_agent', 'delete_agent', 'cancel_run'])
      expect(viewerTools).not.toContain(changing);
    expect(viewerTools).not.toContain('sync_environment');
    const denied = (await viewer.callTool({ name: 'run_agent', arguments: { name: 'hello' } })) as {
      isError?: boolean;
      content: { text: string }[];
    };
    expect(denied.isError).toBe(true);
    expect(denied.content[0]?.text).toMatch(/run_agent not found/);
    expect(viewer.getInstructions()).toMatch(/may only read/);

    const user = await connect(s.url, s.keys.user);
    clients.push(user);
    // A user runs and cancels, but does not edit agents or sync.
    const userTools = (await user.listTools()).tools.map((t) => t.name);
    expect(userTools).toEqual(expect.arrayContaining(['run_agent', 'agent_hello', 'cancel_run', 'list_runs']));
    for (const changing of [
      'create_agent',
      'update_agent',
      'delete_agent',
      'sync_environment',
      'list_secrets',
      'set_secret',
      'delete_secret',
      'list_webhooks',
      'add_webhook',
      'delete_webhook',
      'test_webhook',
    ])
      expect(userTools).not.toContain(changing);
    const admin = await connect(s.url, s.keys.admin);
    clients.push(admin);
    expect((await admin.listTools()).tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'create_agent',
        'update_agent',
        'delete_agent',
        'sync_environment',
        'run_agent',
        'list_secrets',
        'set_secret',
        'delete_secret',
        'list_webhooks',
        'add_webhook',
        'delete_webhook',
        'test_webhook',
      ]),
    );
    const result = (await user.callTool({ name: 'agent_hello', arguments: { userInput: 'hi' } })) as {
      content: { text: string }[];
    };
    expect(JSON.parse(result.content[0]!.text)).toMatchObject({ status: 'completed', output: 'over http' });
    expect(s.engine.keys.auditLog().find((e) => e.action === 'run.start')).toMatchObject({ actor: 'user' });

    const other = await connect(s.url, s.keys.userOther, '?environment=other');
    clients.push(other);
    const otherTools = (await other.listTools()).tools.map((t) => t.name);
    expect(otherTools.some((n) => n.startsWith('agent_'))).toBe(false);
    const envs = JSON.parse(
      ((await other.callTool({ name: 'list_environments', arguments: {} })) as { content: { text: string }[] })
        .content[0]!.text,
    ) as {
      name: string;
    }[];
    expect(envs.map((e) => e.name)).toEqual(['other']);
    expect(s.logs.join('')).not.toContain(s.keys.user.slice(17));
  });
});
