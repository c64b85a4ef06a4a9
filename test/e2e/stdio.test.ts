import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, processesMentioning, type RunHome } from './run-home.js';

const require = createRequire(import.meta.url);
/** The inspector's CLI client, run from node_modules (it reads its package.json relative to the cwd). */
const INSPECTOR_DIR = join(dirname(require.resolve('@modelcontextprotocol/inspector-cli/package.json')), 'build');

function inspector(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(INSPECTOR_DIR, 'index.js'), process.execPath, BIN, 'stdio', ...args], {
      cwd: INSPECTOR_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`inspector ${args.join(' ')} timed out: ${stderr}`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('stn stdio (spawned)', () => {
  let home: RunHome;
  let model: ModelServer;
  afterEach(async () => {
    await model.close();
    home.cleanup();
  });

  it('speaks MCP to the SDK client over stdio: tools, an agent tool, resources; exits when stdin closes', async () => {
    home = makeRunHome();
    model = await startModelServer({ fallback: { text: 'Answer over stdio.' } });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'stdio'],
      env: home.envFor(model.url) as Record<string, string>,
      cwd: ROOT,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['list_agents', 'run_agent', 'agent_reader', 'agent_counter', 'sync_environment']),
    );
    expect(tools.find((t) => t.name === 'agent_counter')?.inputSchema).toMatchObject({
      properties: { count: { type: 'integer' }, userInput: { type: 'string' } },
      // userInput may also come as the original Station's `input` argument.
      required: ['count'],
    });
    const result = (await client.callTool({ name: 'agent_reader', arguments: { userInput: 'hello' } })) as {
      content: { text: string }[];
    };
    expect(JSON.parse(result.content[0]!.text)).toMatchObject({
      agent: 'reader',
      status: 'completed',
      output: 'Answer over stdio.',
    });
    const resource = await client.readResource({ uri: 'station://agents/default/reader' });
    expect((resource.contents[0] as { text: string }).text).toContain('name: reader');
    const pid = transport.pid;
    await client.close();
    expect(pid).not.toBeNull();
    await expect.poll(() => processesMentioning(home.home), { timeout: 10_000 }).toEqual([]);
    expect(stderr).not.toContain('sk-e2e-secret-key-123');
  });

  it('writes nothing but JSON-RPC on stdout', async () => {
    home = makeRunHome();
    model = await startModelServer();
    const child = spawn(process.execPath, [BIN, 'stdio', '--log-level', 'debug'], {
      env: home.envFor(model.url),
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const send = (msg: unknown): void => void child.stdin.write(JSON.stringify(msg) + '\n');
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    await expect.poll(() => stdout, { timeout: 10_000 }).toContain('"id":1');
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_environments', arguments: {} } });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_agent', arguments: { name: 'nobody' } } });
    await expect.poll(() => stdout, { timeout: 10_000 }).toContain('"id":3');
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(JSON.parse(lines[2]!)).toMatchObject({ id: 3, result: { isError: true } });
    for (const line of stderr.trim().split('\n')) {
      expect(JSON.parse(line), line).toMatchObject({ level: expect.any(String), msg: expect.any(String) });
    }
  });

  it('answers @modelcontextprotocol/inspector-cli (--cli mode): tools/list, tools/call, resources/read', async () => {
    home = makeRunHome();
    model = await startModelServer({ fallback: { text: 'Inspector answer.' } });
    const env = home.envFor(model.url);
    const listed = await inspector(['--method', 'tools/list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const names = (JSON.parse(listed.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['list_environments', 'get_run', 'agent_reader']));
    const called = await inspector(
      ['--method', 'tools/call', '--tool-name', 'agent_reader', '--tool-arg', 'userInput=what is here?'],
      env,
    );
    expect(called.code, called.stderr).toBe(0);
    const content = (JSON.parse(called.stdout) as { content: { text: string }[] }).content[0]!.text;
    expect(JSON.parse(content)).toMatchObject({ status: 'completed', output: 'Inspector answer.' });
    const read = await inspector(['--method', 'resources/read', '--uri', 'station://environments'], env);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toContain('"name\\": \\"default\\"');
  }, 120_000); // three inspector sessions, each a node process starting stn stdio: slow on a loaded machine
});
