import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MissingVariablesError,
  McpError,
  ValidationError,
  openEngine,
  syncFailure,
  type Engine,
  type MissingVariable,
} from '../../../src/core/index.js';
import type { TempHome } from '../../helpers/home.js';
import {
  dumpDatabase,
  dumpFiles,
  expectAllEnded,
  fixtureHome,
  pidsIn,
  tinyEntry,
  writeAgent,
  writeTemplate,
} from '../mcp/helpers.js';

let home: TempHome;
let engine: Engine;
let envDir: string;

beforeEach(() => {
  ({ home, envDir } = fixtureHome());
  engine = openEngine({ home: home.home, env: {} });
});
afterEach(async () => {
  await engine.close();
  home.cleanup();
});

const agent = (name: string, tools: string[]): void => {
  writeAgent(envDir, name, tools);
};
const dbDump = (): string => dumpDatabase(home.paths.database);
const filesDump = (dir: string): string => dumpFiles(dir);

describe('SyncService', () => {
  it('records servers and tools, reports a plan, and finds nothing to change the second time', async () => {
    writeTemplate(envDir, { tiny: tinyEntry(), more: tinyEntry('--extra-tools', '2') });
    const first = await engine.mcpServers.sync({ environments: ['default'] });
    expect(first.ok).toBe(true);
    const env = first.environments[0];
    expect(env?.servers.map((s) => [s.name, s.status, s.tools, s.change])).toEqual([
      ['tiny', 'ready', 5, 'added'],
      ['more', 'ready', 7, 'added'],
    ]);
    expect(env?.plan.serversAdded).toEqual(['more', 'tiny']);
    expect(env?.plan.toolsAdded).toHaveLength(12);
    expect(env?.plan.toolsAdded).toContain('more__t2');
    expect(engine.mcpServers.tools('default').map((t) => t.qualifiedName)).toContain('tiny__echo');
    expect(engine.environments.list()[0]).toMatchObject({ servers: 2, tools: 12 });

    const second = await engine.mcpServers.sync({ environments: ['default'] });
    expect(second.environments[0]?.plan).toEqual({
      serversAdded: [],
      serversRemoved: [],
      serversChanged: [],
      toolsAdded: [],
      toolsRemoved: [],
      toolsChanged: [],
    });
    expect(second.environments[0]?.servers.every((s) => s.change === 'unchanged')).toBe(true);
  });

  it('removes servers and tools whose config is gone, and reports changed tools', async () => {
    writeTemplate(envDir, { tiny: tinyEntry(), more: tinyEntry('--extra-tools', '3') });
    await engine.mcpServers.sync({ environments: ['default'] });
    writeTemplate(envDir, { more: tinyEntry('--extra-tools', '1', '--echo-description', 'Says it again') });
    const report = await engine.mcpServers.sync({ environments: ['default'] });
    const plan = report.environments[0]?.plan;
    expect(plan?.serversRemoved).toEqual(['tiny']);
    expect(plan?.serversChanged).toEqual(['more']);
    expect(plan?.toolsChanged).toEqual(['more__echo']);
    expect(plan?.toolsRemoved).toEqual([
      'more__t2',
      'more__t3',
      'tiny__add',
      'tiny__crash',
      'tiny__echo',
      'tiny__env',
      'tiny__slow',
    ]);
    expect(engine.mcpServers.list('default').map((s) => s.name)).toEqual(['more']);
    expect(engine.mcpServers.tools('default').map((t) => t.qualifiedName)).toEqual([
      'more__add',
      'more__crash',
      'more__echo',
      'more__env',
      'more__slow',
      'more__t1',
    ]);
    expect(engine.mcpServers.tools('default', { name: 'echo' })[0]?.description).toBe('Says it again');
  });

  it('a failing server fails the sync with its reason and stderr, and keeps the tools of its last good sync', async () => {
    await engine.mcpServers.sync({ environments: ['default'] });
    const pidFile = join(home.home, 'pids');
    writeTemplate(envDir, { tiny: tinyEntry('--pid-file', pidFile, '--fail-start', 'cannot reach the database') });
    const report = await engine.mcpServers.sync({ environments: ['default'] });
    expect(report.ok).toBe(false);
    const server = report.environments[0]?.servers[0];
    expect(server).toMatchObject({
      status: 'failed',
      error: 'exited with code 3 before it finished starting',
      stderrTail: 'cannot reach the database',
    });
    expect(report.environments[0]?.plan.toolsRemoved).toEqual([]);
    expect(engine.mcpServers.tools('default')).toHaveLength(5);
    expect(engine.mcpServers.list('default')[0]).toMatchObject({
      status: 'failed',
      lastError: 'exited with code 3 before it finished starting',
    });
    const failure = syncFailure(report);
    expect(failure).toBeInstanceOf(McpError);
    expect(failure?.exitCode).toBe(8);
    expect(failure?.details?.report).toBe(report);
    await expectAllEnded(pidsIn(pidFile));
  });

  it('indexes agents and checks their tools: resolved, missing, ambiguous; links agent_tools to tools', async () => {
    writeTemplate(envDir, { tiny: tinyEntry(), other: tinyEntry('--extra-tools', '1') });
    agent('good', ['__t1', 'tiny__echo']);
    agent('lost', ['__nope']);
    agent('vague', ['__echo']);
    const report = await engine.mcpServers.sync({ environments: ['default'] });
    const env = report.environments[0];
    expect(env?.agents.indexed?.added.sort()).toEqual(['good', 'lost', 'vague']);
    expect(env?.agents.checks).toEqual([
      { agent: 'good', tool: '__t1', status: 'ok', resolved: 'other__t1' },
      { agent: 'good', tool: 'tiny__echo', status: 'ok', resolved: 'tiny__echo' },
      { agent: 'lost', tool: '__nope', status: 'missing' },
      { agent: 'vague', tool: '__echo', status: 'ambiguous', choices: ['other__echo', 'tiny__echo'] },
    ]);
    expect(report.ok).toBe(false);
    const failure = syncFailure(report);
    expect(failure).toBeInstanceOf(ValidationError);
    expect(failure?.message).toContain(
      'agent "vague" uses tool "__echo", which is ambiguous (several servers provide it): name one of other__echo, tiny__echo',
    );
    const links = engine.db
      .prepare(
        `SELECT a.name AS agent, t.tool_name AS tool, s.name || '__' || m.name AS target FROM agent_tools t JOIN agents a ON a.id = t.agent_id
           LEFT JOIN mcp_tools m ON m.id = t.mcp_tool_id LEFT JOIN mcp_servers s ON s.id = m.server_id ORDER BY a.name, t.tool_name`,
      )
      .all();
    expect(links).toEqual([
      { agent: 'good', tool: '__t1', target: 'other__t1' },
      { agent: 'good', tool: 'tiny__echo', target: 'tiny__echo' },
      { agent: 'lost', tool: '__nope', target: null },
      { agent: 'vague', tool: '__echo', target: null },
    ]);

    const lenient = await engine.mcpServers.sync({ environments: ['default'], allowMissing: true });
    expect(lenient.ok).toBe(true);
    expect(lenient.environments[0]?.warnings).toHaveLength(2);
  });

  it('--dry-run starts the servers and shows the plan but changes nothing on disk or in the database', async () => {
    await engine.mcpServers.sync({ environments: ['default'] });
    agent('new-agent', ['__t1', '__missing']);
    rmSync(join(envDir, 'variables.yml'));
    writeTemplate(envDir, { tiny: tinyEntry('--extra-tools', '1'), added: tinyEntry('{{ .SOME_FLAG }}') });
    const files = filesDump(home.home);
    const db = dbDump();
    let asked: readonly MissingVariable[] = [];
    const report = await engine.mcpServers.sync({
      environments: ['default'],
      dryRun: true,
      askVariables: async (_env, missing) => {
        asked = missing;
        return { SOME_FLAG: '--extra-tools' };
      },
    });
    expect(asked.map((m) => m.name)).toEqual(['SOME_FLAG']);
    const env = report.environments[0];
    expect(env?.dryRun).toBe(true);
    expect(env?.plan.serversAdded).toEqual(['added']);
    expect(env?.plan.toolsAdded).toContain('tiny__t1');
    expect(env?.agents.indexed).toBeNull();
    expect(env?.agents.checks).toContainEqual({ agent: 'new-agent', tool: '__missing', status: 'missing' });
    expect(env?.variablesSaved).toEqual([]);
    expect(filesDump(home.home)).toBe(files);
    expect(dbDump()).toBe(db);
  });

  it('asks for missing variables through the injected prompt: secrets go to the store, the rest to variables.yml (0600)', async () => {
    writeTemplate(envDir, {
      tiny: { ...tinyEntry('{{ .EXTRA_FLAG }}', '1'), env: { API_TOKEN: '{{ .API_TOKEN }}' } },
    });
    const report = await engine.mcpServers.sync({
      environments: ['default'],
      askVariables: async (env, missing) => {
        expect(env).toBe('default');
        expect(missing).toEqual([
          expect.objectContaining({ name: 'EXTRA_FLAG', secret: false }),
          expect.objectContaining({ name: 'API_TOKEN', secret: true }),
        ]);
        return { API_TOKEN: 'tok_live_0123456789', EXTRA_FLAG: '--extra-tools' };
      },
    });
    expect(report.ok).toBe(true);
    expect(report.environments[0]?.variablesSaved).toEqual(['EXTRA_FLAG']);
    expect(report.environments[0]?.secretsStored).toEqual(['API_TOKEN']);
    const file = join(envDir, 'variables.yml');
    expect(readFileSync(file, 'utf8')).toContain('EXTRA_FLAG: --extra-tools');
    expect(readFileSync(file, 'utf8')).not.toContain('API_TOKEN');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(engine.secrets.list({ environment: 'default' })).toEqual([
      expect.objectContaining({ name: 'API_TOKEN', scope: 'environment', environment: 'default' }),
    ]);
    expect(engine.secrets.valuesFor('default')).toEqual({ API_TOKEN: 'tok_live_0123456789' });
    expect(JSON.stringify(report)).not.toContain('tok_live_0123456789');
    expect(dbDump()).not.toContain('tok_live_0123456789');
    // The next sync resolves it from the store without asking.
    const again = await engine.mcpServers.sync({ environments: ['default'] });
    expect(again.ok).toBe(true);
  });

  it('without a prompt, missing variables fail the sync listing all of them and nothing is recorded', async () => {
    writeTemplate(envDir, { a: tinyEntry('{{ .FIRST }}'), b: { url: 'https://{{ .HOST }}/mcp' } });
    const before = dbDump();
    await expect(engine.mcpServers.sync({ environments: ['default'] })).rejects.toSatisfy(
      (e: unknown) => e instanceof MissingVariablesError && e.missing.map((m) => m.name).join() === 'FIRST,HOST',
    );
    expect(dbDump()).toBe(before);
  });

  it('--all syncs every environment folder', async () => {
    engine.environments.create('second');
    writeTemplate(join(home.paths.environments, 'second'), { other: tinyEntry() });
    const report = await engine.mcpServers.sync({ environments: engine.mcpServers.allEnvironments() });
    expect(report.environments.map((e) => [e.environment, e.servers.map((s) => s.name)])).toEqual([
      ['default', ['tiny']],
      ['second', ['other']],
    ]);
  });
});

describe('engine.mcp()', () => {
  it('starts the environment pool once, reuses it, and engine.close() ends its servers', async () => {
    const pidFile = join(home.home, 'pool.pids');
    writeTemplate(envDir, { tiny: tinyEntry('--pid-file', pidFile) });
    const [a, b] = await Promise.all([engine.mcp('default'), engine.mcp('default')]);
    expect(a).toBe(b);
    expect(a.tools().map((t) => t.qualifiedName)).toContain('tiny__echo');
    expect((await a.callTool('tiny', 'echo', { text: 'pooled' })).text).toBe('pooled');
    expect(pidsIn(pidFile)).toHaveLength(1);
    await engine.close();
    await expectAllEnded(pidsIn(pidFile));
  });

  it('renders with vars that win over variables.yml', async () => {
    writeTemplate(envDir, { tiny: { ...tinyEntry(), env: { WHO: '{{ .WHO }}' } } });
    writeFileSync(join(envDir, 'variables.yml'), 'WHO: file\n');
    const pool = await engine.mcp('default', { vars: { WHO: 'override' } });
    expect((await pool.callTool('tiny', 'env', { name: 'WHO' })).text).toBe('override');
    const plain = await engine.mcp('default');
    expect((await plain.callTool('tiny', 'env', { name: 'WHO' })).text).toBe('file');
  });
});
