import { readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initStation, loadStationConfig, parseVariables, DEFAULT_CONFIG } from '../../src/core/index.js';
import { makeTempHome, type TempHome } from '../helpers/home.js';

describe('stn init (core)', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('creates config.yaml, station.db and the default environment from templates', () => {
    temp = makeTempHome();
    const result = initStation(temp.paths, { projectRoot: '/srv/project' });
    expect(result.created).toEqual([
      'config.yaml',
      'station.db',
      'environments/default/agents/file-explorer.prompt',
      'environments/default/agents/hello.prompt',
      'environments/default/template.json',
      'environments/default/variables.yml',
      'keys/station.key',
    ]);
    expect(statSync(temp.paths.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(temp.home, 'keys')).mode & 0o777).toBe(0o700);
    expect(loadStationConfig(temp.paths.config)).toEqual(DEFAULT_CONFIG);
    const env = join(temp.home, 'environments', 'default');
    const template = JSON.parse(readFileSync(join(env, 'template.json'), 'utf8')) as {
      mcpServers: Record<string, { args: string[] }>;
    };
    expect(template.mcpServers.filesystem?.args).toContain('{{ .PROJECT_ROOT }}');
    const varsFile = join(env, 'variables.yml');
    expect(parseVariables(varsFile, readFileSync(varsFile, 'utf8'))).toEqual({ PROJECT_ROOT: '/srv/project' });
    expect(statSync(varsFile).mode & 0o777).toBe(0o600);
  });

  it('is idempotent: a second init changes nothing', () => {
    temp = makeTempHome();
    initStation(temp.paths, { projectRoot: '/p' });
    const snapshot = (): Record<string, string> => {
      const out: Record<string, string> = {};
      const env = join(temp.home, 'environments', 'default');
      for (const f of ['template.json', 'variables.yml', 'agents/hello.prompt'])
        out[f] = readFileSync(join(env, f), 'utf8');
      out.config = readFileSync(temp.paths.config, 'utf8');
      return out;
    };
    writeFileSync(temp.paths.config, 'model:\n  name: my-model\n');
    const before = snapshot();
    const again = initStation(temp.paths, { projectRoot: '/other' });
    expect(again.created).toEqual([]);
    expect(again.rewritten).toEqual([]);
    expect(snapshot()).toEqual(before);
  });

  it('--force rewrites template files but never config, variables or the database', () => {
    temp = makeTempHome();
    initStation(temp.paths, { projectRoot: '/p' });
    const env = join(temp.home, 'environments', 'default');
    writeFileSync(join(env, 'agents', 'hello.prompt'), 'broken by hand');
    writeFileSync(join(env, 'variables.yml'), 'PROJECT_ROOT: /mine\n');
    writeFileSync(temp.paths.config, 'model:\n  name: mine\n');
    const result = initStation(temp.paths, { force: true, projectRoot: '/p' });
    expect(result.rewritten).toContain('environments/default/agents/hello.prompt');
    expect(result.rewritten).not.toContain('environments/default/variables.yml');
    expect(readFileSync(join(env, 'agents', 'hello.prompt'), 'utf8')).toContain('{{role "system"}}');
    expect(readFileSync(join(env, 'variables.yml'), 'utf8')).toBe('PROJECT_ROOT: /mine\n');
    expect(readFileSync(temp.paths.config, 'utf8')).toBe('model:\n  name: mine\n');
    expect(readdirSync(temp.home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
