import { userInfo } from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Application, openEngine, type Engine, type Principal } from '../../../src/core/index.js';
import { agentToolNames, createStationMcpServer } from '../../../src/core/mcp-server/index.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { startModelServer, type ModelServer, type ModelServerOptions } from '../../helpers/model-server.js';
import { pointAtLocalFilesystemServer } from '../server/station-helpers.js';

interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
}

const text = (r: unknown): string => (r as ToolResult).content.map((c) => c.text).join('');
const json = (r: unknown): unknown => JSON.parse(text(r));

describe('Station MCP server (SDK client, in memory)', () => {
  let temp: TempHome;
  let engine: Engine;
  let model: ModelServer;
  let client: Client;

  async function start(options: { principal?: Principal; model?: ModelServerOptions } = {}): Promise<void> {
    temp = makeInitializedHome();
    const files = join(temp.home, 'files');
    mkdirSync(files);
    pointAtLocalFilesystemServer(temp, files);
    model = await startModelServer(options.model ?? { fallback: { text: 'Hello from the model.' } });
    engine = openEngine({
      home: temp.home,
      env: { ...process.env, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test' },
    });
    engine.environments.create('other');
    const app = new Application(engine);
    const api = options.principal === undefined ? app.local() : app.as(options.principal);
    const server = createStationMcpServer(api, { environment: 'default', version: '9.9.9' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(b);
  }

  afterEach(async () => {
    await client.close();
    await engine.close();
    await model.close();
    temp.cleanup();
  });

  it('offers the Station tools and one tool per agent with the agent input schema', async () => {
    await start();
    expect(client.getServerVersion()).toMatchObject({ name: 'station', version: '9.9.9' });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'agent_file-explorer',
        'agent_hello',
        'cancel_run',
        'create_agent',
        'create_bundle',
        'install_bundle',
        'delete_agent',
        'delete_secret',
        'get_agent',
        'get_run',
        'list_agents',
        'list_environments',
        'list_runs',
        'list_schedules',
        'get_schedule',
        'pause_schedule',
        'resume_schedule',
        'run_schedule',
        'list_secrets',
        'list_tools',
        'run_agent',
        'set_secret',
        'sync_environment',
        'update_agent',
        'list_webhooks',
        'add_webhook',
        'delete_webhook',
        'test_webhook',
        // The original Station's tools (test/core/mcp-server/original-tools.test.ts).
        'call_agent',
        'create_environment',
        'delete_environment',
        'export_agent',
        'list_mcp_configs',
        'discover_tools',
        'get_agent_schema',
        'add_tool',
        'remove_tool',
        'inspect_run',
      ].sort(),
    );
    const hello = tools.find((t) => t.name === 'agent_hello');
    expect(hello?.inputSchema).toMatchObject({
      type: 'object',
      properties: { userInput: { type: 'string' }, input: { type: 'string' }, variables: { type: 'object' } },
    });
    // userInput may come as the original's `input` instead: the runner checks the input it makes.
    expect((hello?.inputSchema as { required?: string[] }).required ?? []).not.toContain('userInput');
    expect(hello?.description).toContain('friendly');
  });

  it('lists, reads, creates, updates and deletes agents through the agent service', async () => {
    await start();
    expect(
      (json(await client.callTool({ name: 'list_environments', arguments: {} })) as { name: string }[]).map(
        (e) => e.name,
      ),
    ).toEqual(['default', 'other']);
    expect(
      (json(await client.callTool({ name: 'list_agents', arguments: {} })) as { name: string }[]).map((a) => a.name),
    ).toEqual(['file-explorer', 'hello']);
    const got = json(await client.callTool({ name: 'get_agent', arguments: { name: 'hello' } })) as {
      agent: { name: string; path?: string };
      text: string;
    };
    expect(got.agent.name).toBe('hello');
    expect(got.agent.path).toBeUndefined();
    expect(got.text).toContain('{{userInput}}');

    const created = await client.callTool({
      name: 'create_agent',
      arguments: { name: 'critic', prompt: 'Criticize.', description: 'Finds faults' },
    });
    expect(created.isError).toBeFalsy();
    expect(engine.agents.get('default', 'critic').description).toBe('Finds faults');
    const bad = (await client.callTool({
      name: 'create_agent',
      arguments: { name: 'bad/name', prompt: 'x' },
    })) as ToolResult;
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/^invalid: /);
    const dup = (await client.callTool({
      name: 'create_agent',
      arguments: { name: 'critic', prompt: 'x' },
    })) as ToolResult;
    expect(text(dup)).toMatch(/^conflict: /);
    const updated = json(
      await client.callTool({
        name: 'update_agent',
        arguments: { name: 'critic', description: 'Finds every fault', maxSteps: 2 },
      }),
    );
    expect(updated).toMatchObject({ description: 'Finds every fault', maxSteps: 2 });
    const nothing = (await client.callTool({ name: 'update_agent', arguments: { name: 'critic' } })) as ToolResult;
    expect(nothing.isError).toBe(true);
    expect(json(await client.callTool({ name: 'delete_agent', arguments: { name: 'critic' } }))).toEqual({
      deleted: 'critic',
      environment: 'default',
    });
    const missing = (await client.callTool({ name: 'get_agent', arguments: { name: 'critic' } })) as ToolResult;
    expect(text(missing)).toMatch(/^not_found: /);
    const schemaError = (await client.callTool({ name: 'get_run', arguments: { id: 'x' } })) as ToolResult;
    expect(schemaError.isError).toBe(true);
  });

  it('runs an agent waiting for the answer, or returning the run id; lists, inspects and cancels runs', async () => {
    await start({
      model: {
        script: [{ text: 'First answer.' }, { text: 'Agent tool answer.' }],
        fallback: { text: 'slow', delayMs: 30_000 },
      },
    });
    const waited = json(
      await client.callTool({ name: 'run_agent', arguments: { name: 'hello', input: { userInput: 'hi' } } }),
    ) as {
      runId: number;
      status: string;
      output: string;
    };
    expect(waited).toMatchObject({ status: 'completed', output: 'First answer.' });
    const progress: string[] = [];
    const viaAgentTool = json(
      await client.callTool({ name: 'agent_hello', arguments: { userInput: 'hi again' } }, undefined, {
        onprogress: (p) => progress.push(p.message ?? ''),
      }),
    );
    expect(progress).toEqual(expect.arrayContaining(['run.queued', 'model step 1', 'finished: completed']));
    expect(viaAgentTool).toMatchObject({ status: 'completed', output: 'Agent tool answer.' });
    const badInput = (await client.callTool({ name: 'agent_hello', arguments: { userInput: 42 } })) as ToolResult;
    expect(badInput.isError).toBe(true);

    const queued = json(
      await client.callTool({
        name: 'run_agent',
        arguments: { name: 'hello', input: { userInput: 'slow one' }, wait: false },
      }),
    ) as {
      runId: number;
      status: string;
    };
    expect(queued.status).toBe('queued');
    await model.waitForRequests(3);
    const runs = json(await client.callTool({ name: 'list_runs', arguments: { agent: 'hello' } })) as {
      id: number;
      status: string;
    }[];
    expect(runs.map((r) => r.id)).toEqual([queued.runId, (viaAgentTool as { runId: number }).runId, waited.runId]);
    const inspected = json(await client.callTool({ name: 'get_run', arguments: { id: waited.runId } })) as {
      events: { type: string }[];
      output: string;
    };
    expect(inspected.output).toBe('First answer.');
    expect(inspected.events.at(-1)?.type).toBe('run.finished');
    const cancelled = json(await client.callTool({ name: 'cancel_run', arguments: { id: queued.runId } }));
    expect(cancelled).toMatchObject({ outcome: 'cancelled' });
    // The run records who cancelled it, through which door.
    await expect
      .poll(async () => json(await client.callTool({ name: 'get_run', arguments: { id: queued.runId } })))
      .toMatchObject({
        status: 'cancelled',
        error: { message: `cancelled over MCP by local:${userInfo().username}` },
      });
    const again = (await client.callTool({ name: 'cancel_run', arguments: { id: queued.runId } })) as ToolResult;
    expect(text(again)).toMatch(/^conflict: /);
  });

  it('serves resources for environments, agents and runs', async () => {
    await start();
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(
      expect.arrayContaining([
        'station://environments',
        'station://environments/default',
        'station://agents/default/hello',
      ]),
    );
    const envs = await client.readResource({ uri: 'station://environments' });
    expect(JSON.parse((envs.contents[0] as { text: string }).text)).toHaveLength(2);
    const agent = await client.readResource({ uri: 'station://agents/default/hello' });
    expect((agent.contents[0] as { text: string }).text).toBe(engine.agents.source('default', 'hello').text);
    const run = json(
      await client.callTool({ name: 'run_agent', arguments: { name: 'hello', input: { userInput: 'x' } } }),
    ) as { runId: number };
    const runResource = await client.readResource({ uri: `station://runs/${String(run.runId)}` });
    expect(JSON.parse((runResource.contents[0] as { text: string }).text)).toMatchObject({
      id: run.runId,
      status: 'completed',
    });
    await expect(client.readResource({ uri: 'station://runs/999999' })).rejects.toThrow(/does not exist/);
  });

  it('syncs an environment', async () => {
    await start();
    const report = json(await client.callTool({ name: 'sync_environment', arguments: {} })) as {
      ok: boolean;
      environments: { servers: { name: string; status: string }[] }[];
    };
    expect(report.ok).toBe(true);
    expect(report.environments[0]?.servers).toEqual([expect.objectContaining({ name: 'filesystem', status: 'ready' })]);
    const tools = json(await client.callTool({ name: 'list_tools', arguments: {} })) as { qualifiedName: string }[];
    expect(tools.map((t) => t.qualifiedName)).toContain('filesystem__list_directory');
  });

  it("applies the caller's role and grants to every tool", async () => {
    await start({
      principal: { keyId: 9, name: 'v', prefix: '000000000000', role: 'viewer', environments: ['default'] },
    });
    expect((json(await client.callTool({ name: 'list_environments', arguments: {} })) as unknown[]).length).toBe(1);
    const run = (await client.callTool({
      name: 'run_agent',
      arguments: { name: 'hello', input: { userInput: 'x' } },
    })) as ToolResult;
    // A viewer is not offered run or edit tools at all.
    expect(text(run)).toMatch(/Tool run_agent not found/);
    const other = (await client.callTool({ name: 'list_agents', arguments: { environment: 'other' } })) as ToolResult;
    expect(text(other)).toMatch(/^forbidden: .*environment "other"/);
    const del = (await client.callTool({ name: 'delete_agent', arguments: { name: 'hello' } })) as ToolResult;
    expect(del.isError).toBe(true);
    expect(engine.agents.list('default')).toHaveLength(2);
    expect(engine.runs.list({})).toEqual([]);
  });

  it('checks the grants of a key offered run tools on every call', async () => {
    await start({
      principal: { keyId: 8, name: 'u', prefix: '000000000001', role: 'user', environments: ['default'] },
    });
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['run_agent', 'cancel_run']));
    expect(names).not.toContain('delete_agent');
    const run = (await client.callTool({
      name: 'run_agent',
      arguments: { environment: 'other', name: 'hello', input: { userInput: 'x' } },
    })) as ToolResult;
    expect(text(run)).toMatch(/^forbidden: .*environment "other"/);
    expect(engine.runs.list({})).toEqual([]);
  });
});

describe('agentToolNames', () => {
  it('sanitizes to ^[a-zA-Z0-9_-]{1,64}$, avoids reserved names and clashes', () => {
    const names = agentToolNames(
      ['Security Scanner', 'security-scanner', 'Security_Scanner', 'a'.repeat(80), 'ünïcode'],
      new Set(['agent_a']),
    );
    expect([...names.values()]).toEqual([
      'agent_Security_Scanner',
      'agent_security-scanner',
      'agent_Security_Scanner_2',
      `agent_${'a'.repeat(58)}`,
      'agent__n_code',
    ]);
    for (const n of names.values()) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(agentToolNames(['a'], new Set(['agent_a'])).get('a')).toBe('agent_a_2');
  });
});
