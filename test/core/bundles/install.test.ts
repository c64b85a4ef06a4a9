import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Application,
  ConflictError,
  ExitCode,
  MissingVariablesError,
  UnsafeBundleError,
  UsageError,
  openEngine,
  tarGz,
  type Engine,
  type StationApi,
} from '../../../src/core/index.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'bundles');

let temp: TempHome;
let engine: Engine;
let api: StationApi;

beforeEach(() => {
  temp = makeInitializedHome();
  engine = openEngine({ home: temp.home });
  api = new Application(engine).local();
});

afterEach(async () => {
  await engine.close();
  temp.cleanup();
});

function envs(): string[] {
  return readdirSync(temp.paths.environments).sort();
}

describe('bundle install: the shapes users have', () => {
  it('installs the older template bundle (manifest required fields, variables.schema.json, examples)', async () => {
    const result = await api.bundles.install(join(FIXTURES, 'registry-filesystem-bundle'), {
      yes: true,
      sync: false,
      vars: { ROOT_PATH: temp.home },
    });
    expect(result.environment).toBe('filesystem-updated');
    expect(result.shape).toBe('template');
    expect(result.servers.map((s) => [s.name, s.command])).toEqual([['filesystem', 'npx']]);
    const dir = join(temp.paths.environments, 'filesystem-updated');
    expect(readdirSync(join(dir, 'agents')).sort()).toEqual(['assistant.prompt', 'specialist.prompt']);
    expect(existsSync(join(dir, 'examples', 'development.vars.yml'))).toBe(true);
    expect(readFileSync(join(dir, 'variables.yml'), 'utf8')).toContain(`ROOT_PATH: ${temp.home}`);
  });

  it("installs the original's environment folder, leaving its variables.yml out", async () => {
    const result = await api.bundles.install(join(FIXTURES, 'station-head-test-sample-environment'), {
      yes: true,
      sync: false,
    });
    expect(result.shape).toBe('environment');
    expect(result.skipped.map((s) => s.path)).toEqual(['variables.yml']);
    expect(existsSync(join(result.path, 'variables.yml'))).toBe(false);
    expect(readdirSync(join(result.path, 'agents')).sort()).toEqual(['test-agent-1.prompt', 'test-agent-2.prompt']);
  });

  it("installs the original's tarball made with tar -czf X.tar.gz -C dir . (./ entries, no manifest)", async () => {
    const file = join(temp.home, 'sample.tar.gz');
    execFileSync('tar', ['-czf', file, '-C', join(FIXTURES, 'station-head-test-sample-environment'), '.']);
    const result = await api.bundles.install(file, { yes: true, sync: false });
    expect(result.environment).toBe('sample');
    expect(result.kind).toBe('archive');
    expect(readdirSync(result.path).sort()).toEqual(['agents', 'template.json']);
  });

  it('never applies a default path that does not exist; without a terminal lists every missing variable at once (exit 6)', async () => {
    const dir = join(temp.home, 'b');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'template.json'),
      JSON.stringify({
        mcpServers: {
          s: { command: 'node', args: ['{{ .ROOT }}', '{{ .MISSING_ONE }}'], env: { T: '{{ .API_TOKEN }}' } },
        },
      }),
    );
    writeFileSync(
      join(dir, 'variables.schema.json'),
      JSON.stringify({ properties: { ROOT: { default: '/no/such/path' }, MISSING_ONE: { description: 'the one' } } }),
    );
    const error: unknown = await api.bundles.install(dir, { yes: true, sync: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingVariablesError);
    expect((error as MissingVariablesError).exitCode).toBe(ExitCode.CONFIG);
    expect((error as MissingVariablesError).missing.map((m) => m.name).sort()).toEqual([
      'API_TOKEN',
      'MISSING_ONE',
      'ROOT',
    ]);
    expect((error as MissingVariablesError).missing.find((m) => m.name === 'ROOT')?.reason).toBe(
      'default path /no/such/path does not exist',
    );
    expect(envs()).toEqual(['default']);

    // Answers: the secret to the encrypted store, the rest to variables.yml.
    const result = await api.bundles.install(dir, {
      yes: true,
      sync: false,
      vars: { ROOT: temp.home, MISSING_ONE: 'x', API_TOKEN: 'tok-123456789' },
    });
    expect(result.secretsStored).toEqual(['API_TOKEN']);
    expect(result.variablesSaved.sort()).toEqual(['MISSING_ONE', 'ROOT']);
    expect(readFileSync(join(result.path, 'variables.yml'), 'utf8')).not.toContain('tok-123456789');
    expect(engine.secrets.valuesFor('b').API_TOKEN).toBe('tok-123456789');
  });
});

describe('bundle install: safety', () => {
  it('refuses a hostile archive and leaves no environment and no staging folder', async () => {
    const file = join(temp.home, 'evil.tar.gz');
    writeFileSync(
      file,
      tarGz([
        { path: 'template.json', data: '{"mcpServers":{}}' },
        { path: '../../escape.json', data: '{}' },
      ]),
    );
    await expect(api.bundles.install(file, { yes: true })).rejects.toBeInstanceOf(UnsafeBundleError);
    expect(envs()).toEqual(['default']);
    expect(existsSync(join(temp.home, '..', 'escape.json'))).toBe(false);
  });

  it('needs approval of the servers: without --yes or a terminal nothing is installed; declining installs nothing', async () => {
    const source = join(FIXTURES, 'station-head-test-sample-environment');
    const error: unknown = await api.bundles.install(source, { sync: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).details?.servers).toBeDefined();
    let shown = '';
    await expect(
      api.bundles.install(source, {
        sync: false,
        confirm: (review) => {
          shown = JSON.stringify(review.servers);
          return Promise.resolve(false);
        },
      }),
    ).rejects.toMatchObject({ code: 'declined' });
    expect(shown).toContain('@modelcontextprotocol/server-filesystem@latest');
    expect(envs()).toEqual(['default']);
  });

  it('never overwrites an environment without --force; --force keeps a dated backup', async () => {
    const source = join(FIXTURES, 'station-head-test-sample-environment');
    await api.bundles.install(source, { yes: true, sync: false, environment: 'sample' });
    writeFileSync(join(temp.paths.environments, 'sample', 'agents', 'mine.prompt'), 'x');
    await expect(api.bundles.install(source, { yes: true, sync: false, environment: 'sample' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    const result = await api.bundles.install(source, {
      yes: true,
      sync: false,
      environment: 'sample',
      force: true,
      now: new Date('2026-12-06T01:02:03Z'),
    });
    expect(result.backup).toBe(join(temp.home, 'backups', 'environments', 'sample-20261206-010203'));
    expect(existsSync(join(result.backup ?? '', 'agents', 'mine.prompt'))).toBe(true);
    expect(existsSync(join(result.path, 'agents', 'mine.prompt'))).toBe(false);
  });

  it('refuses plain http except from this machine', async () => {
    await expect(api.bundles.install('http://example.com/x.tar.gz', { yes: true })).rejects.toBeInstanceOf(UsageError);
  });
});

describe('bundle create and install round trip', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('creates the same bytes twice, installs them from a URL, syncs, and asks again when the servers change', async () => {
    const first = await api.bundles.install('ops-toolkit', { yes: true });
    expect(first.ok).toBe(true);
    expect(first.sync?.environments[0]?.servers[0]?.status).toBe('ready');

    const a = api.bundles.create('ops-toolkit');
    const b = api.bundles.create('ops-toolkit');
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.manifest.tools.everything?.['get-sum']).toMatch(/^[0-9a-f]{32}$/);
    expect(a.manifest.agents['capacity-planner']).toEqual(['everything__get-sum']);
    expect(a.files).not.toContain('variables.yml');

    const bytes = a.bytes;
    server = createServer((req, res) => {
      if (req.url === '/ops.tar.gz') res.end(bytes);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${String(port)}/ops.tar.gz`;
    // The manifest's name is taken: it is never overwritten.
    await expect(api.bundles.install(url, { yes: true })).rejects.toBeInstanceOf(ConflictError);
    const result = await api.bundles.install(url, { yes: true, strict: true, environment: 'ops' });
    expect(result.environment).toBe('ops');
    expect(result.shape).toBe('station');
    expect(result.ok).toBe(true);
    expect(result.lock).toEqual({ missingTools: [], changedTools: [], goneTools: [] });

    // An edit of what would be spawned: the next sync refuses without approval, and passes with it.
    const template = join(result.path, 'template.json');
    const config = JSON.parse(readFileSync(template, 'utf8')) as { mcpServers: { everything: { args: string[] } } };
    config.mcpServers.everything.args.push('--extra');
    writeFileSync(template, JSON.stringify(config));
    await expect(api.mcp.sync({ environments: [result.environment] })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/changed since they were approved/) as unknown,
    });
    config.mcpServers.everything.args.pop();
    writeFileSync(template, JSON.stringify(config));
    const again = await api.mcp.sync({ environments: [result.environment] });
    expect(again.ok).toBe(true);
  }, 60_000);
});
