import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application, openEngine, type Engine } from '../../../src/core/index.js';
import { createStationMcpServer } from '../../../src/core/mcp-server/index.js';
import { originalAgentArgs } from '../../../src/core/mcp-server/original-tools.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { startModelServer, type ModelServer } from '../../helpers/model-server.js';

// The tools clients of the original Station call, through the SDK client over an in-memory transport.
interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
}
const text = (r: unknown): string => (r as ToolResult).content.map((c) => c.text).join('');
const json = (r: unknown): Record<string, unknown> => JSON.parse(text(r)) as Record<string, unknown>;

let temp: TempHome;
let engine: Engine;
let model: ModelServer;
let client: Client;

beforeAll(async () => {
  temp = makeInitializedHome();
  model = await startModelServer({ fallback: { text: 'Hello from the model.' } });
  engine = openEngine({ home: temp.home, env: { ...process.env, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-t' } });
  const server = createStationMcpServer(new Application(engine).local(), { environment: 'default', version: '1' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  client = new Client({ name: 'original-client', version: '1.0.0' });
  await client.connect(b);
});
afterAll(async () => {
  await client.close();
  await engine.close();
  await model.close();
  temp.cleanup();
});

const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args });

describe("the original Station's MCP tools", { timeout: 60_000 }, () => {
  it('are offered', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    for (const name of [
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
    ])
      expect(names).toContain(name);
  });

  it('call_agent runs an agent with the task as userInput; inspect_run reads the run', async () => {
    const r = json(await call('call_agent', { agent_id: 'hello', task: 'Say hi' }));
    expect(r).toMatchObject({ agent: 'hello', status: 'completed', output: 'Hello from the model.' });
    const run = json(await call('inspect_run', { run_id: String(r.runId) }));
    expect(run).toMatchObject({ id: r.runId, input: { userInput: 'Say hi' } });
    expect(Array.isArray(run.events)).toBe(true);
    expect(json(await call('inspect_run', { run_id: r.runId, verbose: false })).events).toBeUndefined();
    const queued = json(await call('call_agent', { agent_id: 'hello', task: 'later', async: true }));
    expect(queued.status).toBe('queued');
  });

  it('agent_<name> accepts the original input and variables arguments', async () => {
    const r = json(await call('agent_hello', { input: 'from input' }));
    expect(r.status).toBe('completed');
    const run = json(await call('inspect_run', { run_id: r.runId }));
    expect((run.input as Record<string, unknown>).userInput).toBe('from input');
    const v = json(await call('agent_hello', { variables: { userInput: 'from variables' } }));
    const vRun = json(await call('inspect_run', { run_id: v.runId }));
    expect((vRun.input as Record<string, unknown>).userInput).toBe('from variables');
    expect(originalAgentArgs({ input: 't', variables: { a: 1, userInput: 'v' }, a: 2 }, new Set())).toEqual({
      a: 2,
      userInput: 'v',
    });
    expect(originalAgentArgs({ input: 't' }, new Set(['input']))).toEqual({ input: 't' });
  });

  it('create_environment, list_mcp_configs, discover_tools, delete_environment (confirm needed)', async () => {
    expect(json(await call('create_environment', { name: 'lab', description: 'a lab' })).name).toBe('lab');
    expect(existsSync(join(temp.paths.environments, 'lab'))).toBe(true);
    const configs = json(await call('list_mcp_configs', { environment_id: 'default' }));
    expect(configs.environment).toBe('default');
    expect(Array.isArray(configs.configs)).toBe(true);
    expect(Array.isArray(JSON.parse(text(await call('discover_tools', {}))))).toBe(true);
    const refused = (await call('delete_environment', { name: 'lab', confirm: false })) as ToolResult;
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain('confirm');
    expect(json(await call('delete_environment', { name: 'lab', confirm: true }))).toEqual({ deleted: 'lab' });
    expect(existsSync(join(temp.paths.environments, 'lab'))).toBe(false);
  });

  it('export_agent and get_agent_schema read the agent; add_tool and remove_tool rewrite its file', async () => {
    const file = join(temp.paths.environments, 'default', 'agents', 'hello.prompt');
    const exported = json(await call('export_agent', { agent_id: 'hello' }));
    expect(exported.text).toBe(readFileSync(file, 'utf8'));
    const schema = json(await call('get_agent_schema', { agent_id: 'hello' }));
    expect(schema.agent).toBe('hello');
    expect(schema.variables).toContain('userInput');
    const added = json(await call('add_tool', { agent_id: 'hello', tool_name: '__read_text_file' }));
    expect(added).toMatchObject({ changed: true });
    expect(added.tools).toContain('__read_text_file');
    expect(readFileSync(file, 'utf8')).toContain('__read_text_file');
    expect(json(await call('add_tool', { agent_id: 'hello', tool_name: '__read_text_file' })).changed).toBe(false);
    const removed = json(await call('remove_tool', { agent_id: 'hello', tool_name: '__read_text_file' }));
    expect(removed.tools).not.toContain('__read_text_file');
    expect(readFileSync(file, 'utf8')).not.toContain('__read_text_file');
    const missing = (await call('export_agent', { agent_id: 'nobody' })) as ToolResult;
    expect(missing.isError).toBe(true);
  });
});
