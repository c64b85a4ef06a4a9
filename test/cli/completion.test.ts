import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { format, homeNames, unquote } from '../../src/cli/completion/answer.js';
import { complete, specFromManifest, type NameSource } from '../../src/cli/completion/complete.js';
import { ROOT } from '../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as Parameters<
  typeof specFromManifest
>[0];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  oclif: { topics: Record<string, { description?: string }> };
};
const spec = specFromManifest(manifest, pkg.oclif.topics, [
  { id: 'help', summary: 'Display help for stn.', flags: [], args: [] },
]);

/** Two homes: the usual one (default env `default`, env `prod`) and /other (env `lab`). */
const names: NameSource = {
  environments: (home) => (home === '/other' ? ['lab'] : ['default', 'prod']),
  agents: (home, env) => {
    if (home === '/other') return env === undefined || env === 'lab' ? ['lab-agent'] : [];
    if (env === 'prod') return ['deployer', 'Security Scanner'];
    return env === undefined || env === 'default' ? ['hello', 'helper'] : [];
  },
};
const values = async (words: string[]): Promise<string[]> =>
  (await complete(words, spec, names)).candidates.map((c) => c.value);

describe('complete (pure)', async () => {
  it('completes commands and topics, with what they do', async () => {
    expect(await values([''])).toEqual([
      'agent',
      'audit',
      'backup',
      'bundle',
      'completion',
      'config',
      'db',
      'doctor',
      'env',
      'help',
      'init',
      'key',
      'mcp',
      'restore',
      'runs',
      'schedule',
      'secret',
      'serve',
      'stdio',
      'sync',
      'ui',
      'webhook',
    ]);
    expect((await complete(['ag'], spec, names)).candidates).toEqual([
      { value: 'agent', description: 'Manage and run agents' },
    ]);
    expect(await values(['agent', 'r'])).toEqual(['render', 'run']);
    expect((await complete(['env', 'l'], spec, names)).candidates).toEqual([
      { value: 'list', description: 'List environments with their agent, server and tool counts.' },
    ]);
    expect(await values(['agnet', ''])).toEqual([]);
  });

  it('completes the flags of the command, without those already given (unless repeatable)', async () => {
    const flags = await values(['agent', 'run', '--']);
    expect(flags).toEqual(expect.arrayContaining(['--env', '--input', '--home', '--json', '--help', '--timeout']));
    expect(await values(['agent', 'run', '--env', 'prod', '--e'])).toEqual([]);
    expect(await values(['sync', '--var', 'A=1', '--v'])).toEqual(['--var']);
    expect(await values(['--'])).toEqual(['--home', '--debug', '--json', '--help', '--version']);
    expect(await values(['agent', '--'])).toEqual(['--help']);
  });

  it('completes environment names for --env, -e, --env=, environment arguments, and --home before the command', async () => {
    expect(await values(['agent', 'list', '--env', ''])).toEqual(['default', 'prod']);
    expect(await values(['agent', 'list', '-e', 'p'])).toEqual(['prod']);
    expect(await values(['agent', 'list', '--env=p'])).toEqual(['--env=prod']);
    expect(await values(['agent', 'list', '--env', '=', 'p'])).toEqual(['prod']); // bash splits at '='
    expect(await values(['env', 'delete', ''])).toEqual(['default', 'prod']);
    expect(await values(['sync', ''])).toEqual(['default', 'prod']);
    expect(await values(['--home', '/other', 'env', 'show', ''])).toEqual(['lab']);
    expect(await values(['env', 'create', ''])).toEqual([]); // a new name
  });

  it('completes agent names of the environment on the line, else of the default one', async () => {
    expect(await values(['agent', 'run', ''])).toEqual(['hello', 'helper']);
    expect(await values(['agent', 'run', 'help'])).toEqual(['helper']);
    expect(await values(['agent', 'show', '--env', 'prod', ''])).toEqual(['deployer', 'Security Scanner']);
    expect(await values(['agent', 'show', '-e', 'prod', 'S'])).toEqual(['Security Scanner']);
    expect(await values(['agent', 'delete', '--env=prod', 'd'])).toEqual(['deployer']);
    expect(await values(['agent', 'run', '--home', '/other', ''])).toEqual(['lab-agent']);
    expect(await values(['runs', 'list', '--agent', ''])).toEqual(['hello', 'helper']);
    expect(await values(['agent', 'run', 'hello', ''])).toEqual([]); // the text
    expect(await values(['agent', 'create', ''])).toEqual([]);
  });

  it('completes fixed values, hands paths to the shell, and follows `stn help`', async () => {
    expect(await values(['runs', 'list', '--status', 'c'])).toEqual(['completed', 'cancelled']);
    expect(await values(['completion', ''])).toEqual(['bash', 'zsh']);
    expect(await complete(['--home', ''], spec, names)).toEqual({ candidates: [], paths: 'dirs' });
    expect(await complete(['agent', 'import', ''], spec, names)).toEqual({ candidates: [], paths: 'files' });
    expect((await complete(['agent', 'run', 'x', '--input-file', ''], spec, names)).paths).toBe('files');
    expect(await values(['help', 'agent', 'r'])).toEqual(['render', 'run']);
    expect(await values(['help', 'agent', 'run', ''])).toEqual([]);
  });
});

describe('the answer the scripts read', async () => {
  it('bash gets escaped values; zsh gets value:description; paths are a directive', async () => {
    const result = { candidates: [{ value: 'Security Scanner' }, { value: 'run', description: 'Run an\nagent' }] };
    expect(format(result, 'bash')).toBe('Security\\ Scanner\nrun\n');
    expect(format(result, 'zsh')).toBe('Security Scanner\nrun:Run an agent\n');
    expect(format({ candidates: [{ value: 'a:b' }] }, 'zsh')).toBe('a\\:b\n');
    expect(format({ candidates: [], paths: 'files' }, 'bash')).toBe(':files\n');
  });

  it('reads words as the command will see them', async () => {
    expect(unquote('Security\\ Sc')).toBe('Security Sc');
    expect(unquote('"Security Sc')).toBe('Security Sc');
    expect(unquote("'a b'")).toBe('a b');
  });
});

describe('names from the home folder', async () => {
  let temp: TempHome | undefined;
  afterEach(() => temp?.cleanup());

  it('lists environment folders and agent files (not hidden ones) without opening the database', async () => {
    temp = makeInitializedHome();
    const envs = temp.paths.environments;
    mkdirSync(join(envs, 'prod', 'agents'), { recursive: true });
    mkdirSync(join(envs, '.trash'));
    writeFileSync(join(envs, 'prod', 'agents', 'Security Scanner.prompt'), '---\n---\nhi\n');
    writeFileSync(join(envs, 'prod', 'agents', '.draft.prompt'), '');
    writeFileSync(join(envs, 'prod', 'agents', 'notes.txt'), '');
    writeFileSync(temp.paths.config, 'environment:\n  default: prod\n');
    const source = homeNames({ STATION_HOME: temp.home });
    expect(source.environments(undefined)).toEqual(['default', 'prod']);
    expect(await source.agents(undefined, undefined)).toEqual(['Security Scanner']);
    expect(await source.agents(undefined, 'default')).toEqual(['file-explorer', 'hello']);
    expect(await source.agents(undefined, '../..')).toEqual([]);
    expect(source.environments('/nonexistent')).toEqual([]);
    expect(await source.agents(temp.home, 'nope')).toEqual([]);
    writeFileSync(temp.paths.config, 'environment: [broken\n');
    expect(await source.agents(undefined, undefined)).toEqual(['file-explorer', 'hello']); // falls back to "default"
  });
});
