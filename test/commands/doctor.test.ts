// `stn doctor` end to end: the built CLI spawned against temp homes, the test model server (openai SDK),
// the real filesystem MCP server, and a real corrupted station.db. Needs `npm run build`.
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runStn, type CliResult } from '../helpers/cli.js';
import { makeTempHome, type TempHome } from '../helpers/home.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { corruptDatabase, doctorEnv, doctorHome } from '../core/doctor/helpers.js';
import { writeTemplate } from '../core/mcp/helpers.js';

/** A script path that does not exist: node exits 1 with "Cannot find module". */
const FILESYSTEM_ARGS_MISSING = join('/nonexistent', 'server-filesystem.js');

let model: ModelServer;
let home: TempHome;
let envDir: string;

beforeAll(async () => {
  model = await startModelServer({ models: ['gpt-4o-mini', 'llama3'], apiKey: 'sk-good' });
});
afterAll(async () => {
  await model.close();
});
afterEach(() => {
  home.cleanup();
});

function doctor(args: readonly string[] = [], key: string | undefined = 'sk-good', extra = {}): Promise<CliResult> {
  return runStn(['doctor', ...args], {
    env: doctorEnv(model.url, key, { STATION_HOME: home.home, NO_COLOR: '1', ...extra }),
    timeoutMs: 60_000,
  });
}

interface JsonReport {
  ok: boolean;
  exitCode: number;
  checks: { area: string; name: string; status: string; detail: string; hint: string | null }[];
  skipped: { area: string; reason: string }[];
}

function parse(out: CliResult): JsonReport {
  return JSON.parse(out.stdout) as JsonReport;
}

describe('stn doctor', { timeout: 120_000 }, () => {
  it('on a missing home: says to run stn init, exit 6, and --json gives the same report', async () => {
    home = makeTempHome();
    rmSync(home.home, { recursive: true });
    const out = await doctor();
    expect(out.stderr).toBe('');
    expect(out.code).toBe(6);
    expect(out.stdout.split('\n')).toEqual([
      'AREA  CHECK   STATUS  DETAIL',
      `home  folder  fail    no Station home at ${home.home}`,
      '                      → Run `stn init` to create it, or point --home / STATION_HOME at an existing Station home.',
      '',
      `Not checked: config, database, model, mcp (no Station home at ${home.home}).`,
      '',
      '1 check: 0 ok, 1 failed (exit 6).',
      '',
    ]);
    const json = await doctor(['--json']);
    expect(json.code).toBe(6);
    expect(parse(json)).toEqual({
      ok: false,
      exitCode: 6,
      checks: [
        {
          area: 'home',
          name: 'folder',
          status: 'fail',
          detail: `no Station home at ${home.home}`,
          hint: 'Run `stn init` to create it, or point --home / STATION_HOME at an existing Station home.',
        },
      ],
      skipped: ['config', 'database', 'model', 'mcp'].map((area) => ({
        area,
        reason: `no Station home at ${home.home}`,
      })),
    });
  });

  it('on a working home with a variables.yml open to others: a table with the warning and its fix, exit 0', async () => {
    ({ home, envDir } = doctorHome());
    chmodSync(join(envDir, 'variables.yml'), 0o644);
    const out = await doctor();
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AREA {6}CHECK {4,}STATUS {2}DETAIL$/);
    const row = (area: string, name: string, status: string): RegExp =>
      new RegExp(`^${area} +${name.replaceAll('/', '\\/')} +${status} +\\S`);
    for (const [area, name, status] of [
      ['home', 'folder', 'ok'],
      ['home', 'environments/default/variables.yml', 'warn'],
      ['config', 'config.yaml', 'ok'],
      ['config', 'default', 'ok'],
      ['database', 'integrity', 'ok'],
      ['database', 'schema', 'ok'],
      ['database', 'wal', 'ok'],
      ['model', 'endpoint', 'ok'],
      ['model', 'api key', 'ok'],
      ['model', 'model', 'ok'],
      ['mcp', 'default/filesystem', 'ok'],
    ] as const) {
      expect(
        lines.some((l) => row(area, name, status).test(l)),
        `${area} ${name} ${status}`,
      ).toBe(true);
    }
    const warn = lines.findIndex((l) => row('home', 'environments/default/variables.yml', 'warn').test(l));
    expect(lines[warn + 1]?.trim()).toBe(`→ chmod 600 ${join(envDir, 'variables.yml')}`);
    // The fix sits under the DETAIL column.
    expect(lines[warn + 1]?.indexOf('→')).toBe(lines[0]?.indexOf('DETAIL'));
    expect(lines.at(-1)).toBe('12 checks: 11 ok, 1 warning.');
    // Piped and NO_COLOR: plain text, no spinner or colour codes.
    expect(out.stdout).not.toContain('\u001b');

    const json = parse(await doctor(['--json']));
    expect(json).toMatchObject({ ok: true, exitCode: 0, skipped: [] });
    expect(json.checks).toHaveLength(12);
    for (const c of json.checks) {
      expect(Object.keys(c)).toEqual(['area', 'name', 'status', 'detail', 'hint']);
      expect(['ok', 'warn', 'fail']).toContain(c.status);
    }
  });

  it('colours the status on request (FORCE_COLOR), and NO_COLOR wins', async () => {
    ({ home, envDir } = doctorHome());
    const coloured = await runStn(['doctor', '--offline'], {
      env: doctorEnv(model.url, 'sk-good', { STATION_HOME: home.home, FORCE_COLOR: '1' }),
    });
    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toContain('\u001b[32mok\u001b[39m');
    const plain = await doctor(['--offline'], 'sk-good', { FORCE_COLOR: '1' });
    expect(plain.stdout).not.toContain('\u001b');
  });

  it('exits with the code of the first area that fails: a broken MCP server alone 8, with a refused key too 9', async () => {
    ({ home, envDir } = doctorHome());
    writeTemplate(envDir, {
      filesystem: { command: process.execPath, args: [FILESYSTEM_ARGS_MISSING] },
    });
    // A broken MCP server alone: 8.
    const mcp = await doctor(['--skip-model']);
    expect(mcp.code).toBe(8);
    expect(mcp.stdout).toMatch(/^mcp +default\/filesystem +fail +exited with code 1/m);
    expect(mcp.stdout).toContain('→ See its full stderr: stn mcp check --env default --server filesystem');
    // And a refused key: the model area comes first, 9.
    const both = await doctor([], 'sk-wrong');
    expect(both.code).toBe(9);
    expect(both.stdout).toMatch(
      /^model +api key +fail +the endpoint refused the key in \$OPENAI_API_KEY \(401: Incorrect API key provided: \[secret:OPENAI_API_KEY\]\.\)$/m,
    );
    // The endpoint quoted the key: neither the table nor --json shows it.
    expect(both.stdout + both.stderr).not.toContain('sk-wrong');
    const json = await doctor(['--json'], 'sk-wrong');
    expect(parse(json).exitCode).toBe(9);
    expect(json.stdout).not.toContain('sk-wrong');
  });

  it('on a corrupted station.db: reports it under database (exit 7) and still checks the model and MCP servers', async () => {
    ({ home, envDir } = doctorHome());
    corruptDatabase(home.paths.database);
    // Commands that open the engine fail on this home...
    const list = await runStn(['env', 'list'], { env: { ...home.env } });
    expect(list.code).toBe(7);
    // ...the doctor reports it and checks the rest.
    const out = await doctor(['--json']);
    expect(out.code).toBe(7);
    const report = parse(out);
    expect(report.checks.filter((c) => c.area === 'database' && c.status === 'fail')).not.toEqual([]);
    expect(report.checks.find((c) => c.name === 'model')?.status).toBe('ok');
    expect(report.checks.find((c) => c.name === 'default/filesystem')?.status).toBe('ok');
  });

  it('--offline checks only the home, config and database; --env limits the MCP servers checked', async () => {
    ({ home, envDir } = doctorHome());
    const offline = parse(await doctor(['--offline', '--json']));
    expect([...new Set(offline.checks.map((c) => c.area))]).toEqual(['home', 'config', 'database']);
    expect(offline.skipped).toEqual([
      { area: 'model', reason: 'skipped on request' },
      { area: 'mcp', reason: 'skipped on request' },
    ]);
    const out = await doctor(['--skip-model', '--env', 'nope']);
    expect(out.code).toBe(8);
    expect(out.stdout).toMatch(/^mcp +nope +fail +environment "nope" does not exist$/m);
    expect(out.stdout).toContain('→ Environments: default.');
    expect(out.stdout).not.toContain('default/filesystem');
    expect(out.stdout).toContain('Not checked: model (skipped on request).');
  });
});
