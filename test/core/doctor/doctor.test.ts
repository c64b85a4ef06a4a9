// The doctor's checks, area by area, on real temp homes, a real SQLite file, the openai SDK against the
// test model server, and the real filesystem MCP server.
import Database from 'better-sqlite3-multiple-ciphers';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Application,
  AuthError,
  localDoctor,
  openEngine,
  type DoctorCheck,
  type DoctorReport,
  type Principal,
} from '../../../src/core/index.js';
import { latestSchemaVersion } from '../../../src/core/store/database.js';
import { makeTempHome, type TempHome } from '../../helpers/home.js';
import { startModelServer, type ModelServer } from '../../helpers/model-server.js';
import { FILESYSTEM_SERVER, writeTemplate } from '../mcp/helpers.js';
import { corruptDatabase, doctorEnv, doctorHome } from './helpers.js';

let model: ModelServer;
let home: TempHome;
let envDir: string;

beforeAll(async () => {
  model = await startModelServer({ models: ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'], apiKey: 'sk-good' });
});
afterAll(async () => {
  await model.close();
});
afterEach(() => {
  home.cleanup();
});

function setUp(): void {
  ({ home, envDir } = doctorHome());
}

async function doctor(
  env: NodeJS.ProcessEnv = doctorEnv(model.url, 'sk-good'),
  options: Parameters<ReturnType<typeof localDoctor>['run']>[0] = {},
): Promise<DoctorReport> {
  return localDoctor({ home: home.home, env }).run(options);
}

function find(report: DoctorReport, area: DoctorCheck['area'], name: string): DoctorCheck | undefined {
  return report.checks.find((c) => c.area === area && c.name === name);
}

describe('doctor on a healthy home', { timeout: 60_000 }, () => {
  it('checks every area and reports each check ok, with exit code 0', async () => {
    setUp();
    const report = await doctor();
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(report).toMatchObject({ ok: true, exitCode: 0, skipped: [] });
    expect(report.checks.map((c) => `${c.area}:${c.name}`)).toEqual([
      'home:folder',
      'home:secret files',
      'config:config.yaml',
      'config:default',
      'database:encryption',
      'database:integrity',
      'database:schema',
      'database:wal',
      'model:endpoint',
      'model:api key',
      'model:model',
      'mcp:default/filesystem',
    ]);
    expect(find(report, 'config', 'default')?.detail).toBe(
      '1 MCP server in template.json; 1 placeholder, each with a value',
    );
    expect(find(report, 'database', 'schema')?.detail).toBe(`version ${String(latestSchemaVersion())} (the latest)`);
    expect(find(report, 'model', 'api key')?.detail).toBe('accepted ($OPENAI_API_KEY)');
    expect(find(report, 'model', 'model')?.detail).toBe('gpt-4o-mini is offered (3 models listed)');
    expect(find(report, 'mcp', 'default/filesystem')?.detail).toMatch(/^\d+ tools, started in \d+ms, ping/);
    for (const c of report.checks) expect(c.hint).toBeNull();
  });

  it('changes nothing in the home (the database is opened read-only and not migrated)', async () => {
    setUp();
    const db = new Database(home.paths.database);
    db.prepare('DELETE FROM schema_migrations').run();
    db.close();
    const report = await doctor(undefined, { skipMcp: true, skipModel: true });
    expect(find(report, 'database', 'schema')).toMatchObject({
      status: 'warn',
      detail: `version 0, latest ${String(latestSchemaVersion())}: migrations are pending`,
    });
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
    const after = new Database(home.paths.database, { readonly: true });
    expect(after.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 0 });
    after.close();
  });
});

describe('doctor: home and config', { timeout: 30_000 }, () => {
  it('says "run stn init" for a missing home, and skips the rest', async () => {
    home = makeTempHome();
    rmSync(home.home, { recursive: true });
    const report = await doctor();
    expect(report.checks).toEqual([
      {
        area: 'home',
        name: 'folder',
        status: 'fail',
        detail: `no Station home at ${home.home}`,
        hint: expect.stringContaining('Run `stn init`'),
      },
    ]);
    expect(report.exitCode).toBe(6);
    expect(report.skipped.map((s) => s.area)).toEqual(['config', 'database', 'model', 'mcp']);
  });

  it('tells a folder that is not a Station home from one that is', async () => {
    home = makeTempHome();
    const report = await doctor();
    expect(find(report, 'home', 'folder')).toMatchObject({
      status: 'fail',
      detail: `${home.home} is not a Station home (no config.yaml, no station.db)`,
    });
  });

  it('warns about a home folder and a variables.yml that others may read, naming the chmod that fixes each', async () => {
    setUp();
    chmodSync(home.home, 0o755);
    chmodSync(join(envDir, 'variables.yml'), 0o644);
    const report = await doctor(undefined, { skipMcp: true, skipModel: true });
    expect(find(report, 'home', 'folder')).toMatchObject({ status: 'warn', hint: `chmod 700 ${home.home}` });
    expect(find(report, 'home', 'environments/default/variables.yml')).toEqual({
      area: 'home',
      name: 'environments/default/variables.yml',
      status: 'warn',
      detail: 'mode 0644: may hold secrets, and group or others may read it',
      hint: `chmod 600 ${join(envDir, 'variables.yml')}`,
    });
    expect(find(report, 'home', 'secret files')).toBeUndefined();
    // Warnings only: the doctor passes.
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
  });

  it('reports a config.yaml that does not parse with its line, and skips the model check', async () => {
    setUp();
    writeFileSync(home.paths.config, 'model:\n  name: [unclosed\n');
    const report = await doctor(undefined, { skipMcp: true });
    expect(find(report, 'config', 'config.yaml')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`${home.paths.config}:`),
    });
    expect(report.skipped).toEqual([
      { area: 'model', reason: 'config.yaml does not load' },
      { area: 'mcp', reason: 'skipped on request' },
    ]);
    expect(report.exitCode).toBe(6);
  });

  it('names a placeholder with no value, where to set it, and does not start that environment', async () => {
    setUp();
    writeTemplate(envDir, {
      gh: { url: 'https://example.invalid/mcp', headers: { Authorization: 'Bearer {{ .GITHUB_TOKEN }}' } },
    });
    const report = await doctor(undefined, { skipModel: true });
    expect(find(report, 'config', 'default')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('GITHUB_TOKEN'),
      hint: `Set GITHUB_TOKEN in ${join(envDir, 'variables.yml')} (a secret: stn secret set GITHUB_TOKEN --env default), export it, or run \`stn sync default\` on a terminal to be asked.`,
    });
    expect(find(report, 'mcp', 'default')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^servers not started: the environment's MCP config does not load/) as unknown,
    });
    // The first failing area decides the exit code: config (6) before mcp (8).
    expect(report.exitCode).toBe(6);
  });

  it('warns about unknown keys (likely typos) in config.yaml and template.json, with the key they meant', async () => {
    setUp();
    writeFileSync(home.paths.config, 'runer:\n  workers: 2\n');
    writeTemplate(envDir, {
      filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, '{{ .PROJECT_ROOT }}'], timout_ms: 5000 },
    });
    const report = await doctor(undefined, { skipMcp: true, skipModel: true });
    const typos = report.checks.filter((c) => c.area === 'config' && c.status === 'warn');
    expect(typos).toEqual([
      {
        area: 'config',
        name: 'config.yaml',
        status: 'warn',
        detail: expect.stringMatching(/^.*config\.yaml:1:1: unknown key "runer".*did you mean "runner"\?$/),
        hint: 'Rename "runer" to "runner".',
      },
      {
        area: 'config',
        name: 'default',
        status: 'warn',
        detail: expect.stringMatching(/template\.json:\d+:\d+: unknown key "timout_ms" in server "filesystem"/),
        hint: 'Rename "timout_ms" to "timeout_ms".',
      },
    ]);
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
  });

  it('fails a default environment that has no folder, naming the ones there are', async () => {
    setUp();
    writeFileSync(home.paths.config, 'environment:\n  default: staging\n');
    const report = await doctor(undefined, { skipMcp: true, skipModel: true });
    expect(find(report, 'config', 'environment.default')).toMatchObject({
      status: 'fail',
      hint: 'Run `stn env create staging`, or set environment.default in config.yaml to one of: default.',
    });
  });

  it('reports what it cannot read as failures and still checks the other areas', async () => {
    setUp();
    // environments/ is a file: neither the variables.yml modes nor the environments can be listed.
    rmSync(home.paths.environments, { recursive: true });
    writeFileSync(home.paths.environments, 'not a folder');
    const report = await doctor(undefined, { skipModel: true });
    expect(find(report, 'home', 'secret files')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('ENOTDIR'),
    });
    expect(find(report, 'config', 'environments')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('ENOTDIR'),
    });
    expect(find(report, 'database', 'integrity')?.status).toBe('ok');
    expect(report.exitCode).toBe(6);
  });

  it('turns an area that throws into a failure of that area, never an exception', async () => {
    setUp();
    // An environment that cannot be read: reading the model key throws inside the model area.
    const env = new Proxy(doctorEnv(model.url, 'sk-good'), {
      get(target, key) {
        if (key === 'OPENAI_API_KEY') throw new Error('environment unreadable');
        return target[key as string];
      },
    });
    const report = await doctor(env, { skipMcp: true });
    expect(find(report, 'model', 'unexpected error')).toMatchObject({
      status: 'fail',
      detail: 'the model checks stopped: environment unreadable',
    });
    expect(find(report, 'database', 'integrity')?.status).toBe('ok');
    expect(report.exitCode).toBe(9);
  });
});

describe('doctor: database', { timeout: 60_000 }, () => {
  it('reports a corrupted station.db under database (exit 7) and still checks the model and the MCP servers', async () => {
    setUp();
    corruptDatabase(home.paths.database);
    // The engine cannot open this home any more.
    expect(() => openEngine({ home: home.home, env: {} })).toThrow();
    const report = await doctor();
    const broken = report.checks.filter((c) => c.area === 'database' && c.status === 'fail');
    expect(broken.length).toBeGreaterThan(0);
    expect(broken[0]?.hint).toContain('stn sync --all');
    expect(find(report, 'model', 'model')?.status).toBe('ok');
    expect(find(report, 'mcp', 'default/filesystem')?.status).toBe('ok');
    expect(report).toMatchObject({ ok: false, exitCode: 7 });
  });

  it('reports a file that is not a database at all', async () => {
    setUp();
    writeFileSync(home.paths.database, 'garbage '.repeat(1000));
    const report = await doctor(undefined, { skipMcp: true, skipModel: true });
    expect(report.checks.find((c) => c.area === 'database' && c.status === 'fail')?.detail).toContain(
      'file is not a database',
    );
    expect(report.exitCode).toBe(7);
  });

  it('fails a database made by a newer Station', async () => {
    setUp();
    const db = new Database(home.paths.database);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, 0)').run('future');
    db.close();
    const report = await doctor(undefined, { skipMcp: true, skipModel: true });
    expect(find(report, 'database', 'schema')).toMatchObject({
      status: 'fail',
      detail: `version 99, made by a newer Station (this stn knows up to ${String(latestSchemaVersion())})`,
    });
  });

  it('warns when the write-ahead log is above the threshold', async () => {
    setUp();
    // A writer that stays open keeps its log, as `stn serve` does.
    const writer = new Database(home.paths.database);
    try {
      writer.pragma('journal_mode = WAL');
      writer.pragma('wal_autocheckpoint = 0');
      const insert = writer.prepare('INSERT INTO environments (name, created_at, updated_at) VALUES (?, ?, ?)');
      for (let i = 0; i < 50; i++) insert.run(`env-${String(i)}`, Date.now(), Date.now());
      const report = await doctor(undefined, { skipMcp: true, skipModel: true, walWarnBytes: 10_000 });
      expect(find(report, 'database', 'wal')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('(warning above 9.8 KiB)'),
        hint: expect.stringContaining('Restart long-running stn processes'),
      });
      expect(report.exitCode).toBe(0);
    } finally {
      writer.close();
    }
  });
});

describe('doctor: model endpoint', { timeout: 30_000 }, () => {
  it('says the key is refused and which variable holds it (401), never showing the key', async () => {
    setUp();
    writeFileSync(home.paths.config, 'model:\n  api_key_env: STATION_MODEL_KEY\n');
    const env = doctorEnv(model.url, undefined, { STATION_MODEL_KEY: 'sk-wrong' });
    const before = model.modelListRequests;
    const report = await doctor(env, { skipMcp: true });
    expect(model.modelListRequests).toBe(before + 1);
    expect(report.checks.filter((c) => c.area === 'model')).toEqual([
      {
        area: 'model',
        name: 'endpoint',
        status: 'ok',
        detail: `${model.url} (from OPENAI_BASE_URL) answered (401)`,
        hint: null,
      },
      {
        area: 'model',
        name: 'api key',
        status: 'fail',
        // The endpoint quotes the key it got: the doctor masks it.
        detail:
          'the endpoint refused the key in $STATION_MODEL_KEY (401: Incorrect API key provided: [secret:STATION_MODEL_KEY].)',
        hint: 'Set a valid key in $STATION_MODEL_KEY (config.yaml model.api_key_env names the variable).',
      },
    ]);
    expect(report.exitCode).toBe(9);
  });

  it('fails with the fix when no key is set and the endpoint asks for one', async () => {
    setUp();
    const report = await doctor(doctorEnv(model.url, undefined), { skipMcp: true });
    expect(find(report, 'model', 'api key')).toEqual({
      area: 'model',
      name: 'api key',
      status: 'fail',
      detail: 'no key set: $OPENAI_API_KEY is empty, and the endpoint asks for one (401)',
      hint: 'export OPENAI_API_KEY=<key> (config.yaml model.api_key_env names the variable)',
    });
  });

  it('warns when no key is set and the endpoint answers without one (a local endpoint)', async () => {
    setUp();
    const open = await startModelServer({ models: ['gpt-4o-mini'] });
    try {
      const report = await doctor(doctorEnv(open.url, undefined), { skipMcp: true });
      expect(find(report, 'model', 'api key')).toMatchObject({ status: 'warn' });
      expect(find(report, 'model', 'model')?.status).toBe('ok');
      expect(report).toMatchObject({ ok: true, exitCode: 0 });
    } finally {
      await open.close();
    }
  });

  it('names close model ids when the configured model is not offered', async () => {
    setUp();
    writeFileSync(home.paths.config, 'model:\n  name: gpt-4o-mimi\n');
    const report = await doctor(undefined, { skipMcp: true });
    expect(find(report, 'model', 'model')).toEqual({
      area: 'model',
      name: 'model',
      status: 'fail',
      detail: 'gpt-4o-mimi (config.yaml model.name) is not offered by the endpoint (3 models listed)',
      hint: "Close: gpt-4o, gpt-4o-mini. Set model.name in config.yaml (an agent's model: and --model override it).",
    });
    expect(report.exitCode).toBe(9);
  });

  it('fails an endpoint nothing listens on', async () => {
    setUp();
    const gone = await startModelServer();
    const url = gone.url;
    await gone.close();
    const report = await doctor(doctorEnv(url, 'sk-good'), { skipMcp: true });
    expect(report.checks.filter((c) => c.area === 'model')).toEqual([
      {
        area: 'model',
        name: 'endpoint',
        status: 'fail',
        detail: expect.stringMatching(
          /^cannot reach http:\/\/127\.0\.0\.1:\d+\/v1 \(from OPENAI_BASE_URL\): .*ECONNREFUSED/,
        ),
        hint: 'Check model.base_url in config.yaml (or OPENAI_BASE_URL) and that the server is running.',
      },
    ]);
  });
});

describe('doctor: MCP servers', { timeout: 60_000 }, () => {
  it('fails a server whose command cannot start (exit 8), naming the command that shows its stderr', async () => {
    setUp();
    writeTemplate(envDir, {
      filesystem: { command: process.execPath, args: [join(envDir, 'no-such-server.js')] },
    });
    const report = await doctor(undefined, { skipModel: true });
    expect(find(report, 'mcp', 'default/filesystem')).toMatchObject({
      status: 'fail',
      hint: 'See its full stderr: stn mcp check --env default --server filesystem',
    });
    expect(find(report, 'mcp', 'default/filesystem')?.detail).toMatch(
      /^exited with code 1 .*\(stderr: Error: Cannot find module '.*no-such-server\.js'\)$/,
    );
    expect(report.exitCode).toBe(8);
  });

  it('checks only the environments asked for, and fails one that does not exist', async () => {
    setUp();
    mkdirSync(join(home.paths.environments, 'staging'));
    writeTemplate(join(home.paths.environments, 'staging'), {});
    const all = await doctor(undefined, { skipModel: true });
    expect(all.checks.filter((c) => c.area === 'mcp').map((c) => c.name)).toEqual(['default/filesystem', 'staging']);
    const one = await doctor(undefined, { skipModel: true, environments: ['staging', 'prod'] });
    expect(one.checks.filter((c) => c.area === 'mcp')).toEqual([
      { area: 'mcp', name: 'staging', status: 'ok', detail: 'no MCP servers configured', hint: null },
      {
        area: 'mcp',
        name: 'prod',
        status: 'fail',
        detail: 'environment "prod" does not exist',
        hint: 'Environments: default, staging.',
      },
    ]);
  });
});

describe('doctor through the application layer', { timeout: 30_000 }, () => {
  it('is for admins: another role is refused', async () => {
    setUp();
    const engine = openEngine({ home: home.home, env: doctorEnv(model.url, 'sk-good') });
    try {
      const app = new Application(engine);
      const viewer: Principal = { keyId: 3, name: 'viewer-key', prefix: 'stn_v', role: 'viewer', environments: '*' };
      await expect(app.as(viewer).doctor.run({ skipMcp: true, skipModel: true })).rejects.toBeInstanceOf(AuthError);
      const report = await app.local().doctor.run({ skipMcp: true });
      expect(report).toMatchObject({ ok: true, exitCode: 0 });
    } finally {
      await engine.close();
    }
  });
});
