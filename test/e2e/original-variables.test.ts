// Issue 15 point 9: a bundle's variables.schema.json with a path default that does not exist is never used
// silently (listed as missing, with the reason, when there is no terminal), `stn env show` says which
// variables are set and from where (never a value), and `stn sync --var NAME=VALUE --save` keeps the values
// so that a later sync needs no --var. Real files, the built `stn`, a stand-in MCP server.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { runStn } from '../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';

const STAND_IN = fileURLToPath(new URL('../helpers/stand-in-mcp-server.js', import.meta.url));
const GONE = '/nonexistent-station-test/project';
const TOKEN = 'tok-0123456789-abcdef';

let home: TempHome;
let envDir: string;
let dataDir: string;
let projectDir: string;

interface VariableJson {
  name: string;
  set: boolean;
  source: string;
  scope?: string;
  reason?: string;
  files: string[];
}

const OURS = new Set(['PROJECT_ROOT', 'API_TOKEN', 'LOG_LEVEL', 'DATA_DIR']);

/** The home's environment without any of the test's variables, plus `extra`. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(home.env).filter(([k]) => !OURS.has(k)));
  return { ...base, ...extra };
}

async function variables(extra: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<Record<string, VariableJson>> {
  const r = await runStn(['env', 'show', 'proj', '--json', ...args], { env: env(extra) });
  expect(r.code, r.stderr).toBe(0);
  const shown = JSON.parse(r.stdout) as { variables: VariableJson[] };
  return Object.fromEntries(shown.variables.map((v) => [v.name, v]));
}

beforeAll(() => {
  home = makeInitializedHome();
  envDir = join(home.home, 'environments', 'proj');
  dataDir = join(home.home, 'data');
  projectDir = join(home.home, 'project');
  mkdirSync(join(envDir, 'agents'), { recursive: true });
  mkdirSync(dataDir);
  mkdirSync(projectDir);
  writeFileSync(
    join(envDir, 'template.json'),
    JSON.stringify(
      {
        mcpServers: {
          fs: {
            command: process.execPath,
            args: [STAND_IN, '--name', 'fs', 'list_directory'],
            env: {
              ROOT: '{{ .PROJECT_ROOT }}',
              API_TOKEN: '{{ .API_TOKEN }}',
              LEVEL: '{{ .LOG_LEVEL }}',
              DATA: '{{ .DATA_DIR }}',
            },
          },
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(envDir, 'variables.schema.json'),
    JSON.stringify({
      type: 'object',
      properties: {
        PROJECT_ROOT: { type: 'string', description: 'The project to work on', default: GONE },
        LOG_LEVEL: { type: 'string', default: 'info' },
        DATA_DIR: { type: 'string', default: dataDir },
        API_TOKEN: { type: 'string', description: 'API token' },
      },
    }),
  );
});

afterAll(() => home.cleanup());

describe('a path default that does not exist', () => {
  it('is listed as missing with the reason when there is no terminal (exit CONFIG)', async () => {
    const r = await runStn(['sync', 'proj'], { env: env({ API_TOKEN: TOKEN }) });
    expect(r.code, r.stderr).toBe(ExitCode.CONFIG);
    expect(r.stderr).toMatch(
      /no value: PROJECT_ROOT \(\S+template\.json:\d+; default path \/nonexistent-station-test\/project does not exist\)/,
    );
    expect(r.stderr).toContain('is used only when it exists');
    expect(r.stderr).not.toContain('DATA_DIR'); // an existing path default is used
    expect(r.stderr).not.toContain(TOKEN);

    const j = await runStn(['sync', 'proj', '--json'], { env: env({ API_TOKEN: TOKEN }) });
    expect(j.code).toBe(ExitCode.CONFIG);
    const out = JSON.parse(j.stdout) as { error: { code: string; details: { missing: VariableJson[] } } };
    expect(out.error.code).toBe('missing_variables');
    expect(out.error.details.missing).toEqual([
      expect.objectContaining({ name: 'PROJECT_ROOT', reason: `default path ${GONE} does not exist` }),
    ]);
  });

  it('is missing in `stn env show`, with the reason', async () => {
    const v = await variables();
    expect(v.PROJECT_ROOT).toEqual({
      name: 'PROJECT_ROOT',
      set: false,
      source: 'missing',
      reason: `default path ${GONE} does not exist`,
      files: ['template.json'],
    });
    expect(v.DATA_DIR).toMatchObject({ set: true, source: 'schema-default' });
    expect(v.LOG_LEVEL).toMatchObject({ set: true, source: 'schema-default' });
    expect(v.API_TOKEN).toMatchObject({ set: false, source: 'missing' });
    expect(v.API_TOKEN?.reason).toBeUndefined();
  });
});

describe('stn env show: where each variable comes from, never its value', () => {
  it('names --var and the process environment, in text and --json', async () => {
    const v = await variables({ API_TOKEN: TOKEN, LOG_LEVEL: 'debug' }, ['--var', `PROJECT_ROOT=${projectDir}`]);
    expect(v.PROJECT_ROOT).toMatchObject({ set: true, source: 'var' });
    expect(v.API_TOKEN).toMatchObject({ set: true, source: 'env' });
    expect(v.LOG_LEVEL).toMatchObject({ set: true, source: 'env' });

    const r = await runStn(['env', 'show', 'proj'], { env: env({ API_TOKEN: TOKEN }) });
    expect(r.code, r.stderr).toBe(0);
    const line = (name: string): string => r.stdout.split('\n').find((l) => l.trim().startsWith(name)) ?? '';
    expect(line('API_TOKEN')).toMatch(/yes\s+process env\s+template\.json/);
    expect(line('PROJECT_ROOT')).toMatch(
      /no\s+missing: default path \/nonexistent-station-test\/project does not exist/,
    );
    expect(line('LOG_LEVEL')).toMatch(/yes\s+schema default/);
    expect(r.stdout).toContain('4 used by the MCP configs, 1 missing');
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(dataDir); // the default's value is not shown either
  });
});

describe('stn sync --var NAME=VALUE --save', () => {
  it('needs --var', async () => {
    const r = await runStn(['sync', 'proj', '--save'], { env: env() });
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('--save saves the values given with --var');
  });

  it('saves nothing in a dry run', async () => {
    const r = await runStn(
      ['sync', 'proj', '--dry-run', '--save', '--var', `PROJECT_ROOT=${projectDir}`, '--var', `API_TOKEN=${TOKEN}`],
      { env: env(), timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(envDir, 'variables.yml'))).toBe(false);
    expect((await variables()).API_TOKEN).toMatchObject({ source: 'missing' });
  });

  it('saves secrets to the secret store and the rest to variables.yml; a later sync needs no --var', async () => {
    const r = await runStn(
      ['sync', 'proj', '--save', '--json', '--var', `PROJECT_ROOT=${projectDir}`, '--var', `API_TOKEN=${TOKEN}`],
      { env: env(), timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      environments: { variablesSaved: string[]; secretsStored: string[] }[];
    };
    expect(report.ok).toBe(true);
    expect(report.environments[0]).toMatchObject({ variablesSaved: ['PROJECT_ROOT'], secretsStored: ['API_TOKEN'] });
    const yml = readFileSync(join(envDir, 'variables.yml'), 'utf8');
    expect(yml).toContain(`PROJECT_ROOT: ${projectDir}`);
    expect(yml).not.toContain(TOKEN);

    const v = await variables();
    expect(v.PROJECT_ROOT).toMatchObject({ set: true, source: 'variables.yml' });
    expect(v.API_TOKEN).toMatchObject({ set: true, source: 'secret-store', scope: 'environment' });

    const text = await runStn(['env', 'show', 'proj'], { env: env() });
    expect(text.stdout).toMatch(/API_TOKEN\s+yes\s+secret store \(environment\)/);
    expect(text.stdout).not.toContain(TOKEN);
    expect(text.stdout).not.toContain(projectDir);

    const again = await runStn(['sync', 'proj'], { env: env(), timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('ready');
    expect(again.stdout).not.toContain('Saved');
  });

  it('says so in text; a --var no config uses is not saved', async () => {
    const r = await runStn(['sync', 'proj', '--save', '--var', 'LOG_LEVEL=warn', '--var', 'UNUSED_ONE=1'], {
      env: env(),
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Saved LOG_LEVEL to variables.yml');
    expect(r.stdout).toContain('--save: UNUSED_ONE is used by no MCP config of "proj"; not saved there');
    expect(readFileSync(join(envDir, 'variables.yml'), 'utf8')).not.toContain('UNUSED_ONE');
    expect((await variables()).LOG_LEVEL).toMatchObject({ source: 'variables.yml' });
  });
});
