import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, openEngine, ValidationError, type Engine } from '../../../src/core/index.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

describe('environments', () => {
  let temp: TempHome;
  let engine: Engine;
  afterEach(async () => {
    await engine.close();
    temp.cleanup();
  });
  const setup = (): void => {
    temp = makeInitializedHome();
    engine = openEngine({ home: temp.home });
  };

  it('lists the default environment made by init with its agents', () => {
    setup();
    expect(engine.environments.list()).toEqual([
      {
        name: 'default',
        path: join(temp.home, 'environments', 'default'),
        description: '',
        agents: 2,
        servers: 0,
        tools: 0,
        lastSyncedAt: null,
      },
    ]);
  });

  it('create makes agents/, template.json and variables.yml and a row; delete removes both', () => {
    setup();
    const created = engine.environments.create('staging', { description: 'pre-prod' });
    expect(created).toMatchObject({ name: 'staging', description: 'pre-prod', agents: 0 });
    const dir = join(temp.home, 'environments', 'staging');
    expect(readdirSync(dir).sort()).toEqual(['agents', 'template.json', 'variables.yml']);
    expect(JSON.parse(readFileSync(join(dir, 'template.json'), 'utf8'))).toMatchObject({ mcpServers: {} });
    expect(engine.db.prepare('SELECT name, description FROM environments ORDER BY name').all()).toEqual([
      { name: 'default', description: '' },
      { name: 'staging', description: 'pre-prod' },
    ]);
    engine.environments.delete('staging');
    expect(existsSync(dir)).toBe(false);
    expect(engine.db.prepare('SELECT name FROM environments').all()).toEqual([{ name: 'default' }]);
    // No staging or deleting leftovers.
    expect(readdirSync(join(temp.home, 'environments'))).toEqual(['default']);
  });

  it('refuses a duplicate, and writes nothing', () => {
    setup();
    expect(() => engine.environments.create('default')).toThrow(ConflictError);
    expect(readdirSync(join(temp.home, 'environments'))).toEqual(['default']);
  });

  it.each(['../evil', 'a/b', 'a\\b', '..', '.hidden', '', 'x'.repeat(65), 'sp ace'])('rejects the name %j', (name) => {
    setup();
    expect(() => engine.environments.create(name)).toThrow(ValidationError);
    expect(readdirSync(join(temp.home, 'environments'))).toEqual(['default']);
    expect(existsSync(join(temp.home, 'evil'))).toBe(false);
  });

  it('refuses to delete the last environment or one that does not exist', () => {
    setup();
    expect(() => engine.environments.delete('default')).toThrow(ConflictError);
    expect(existsSync(join(temp.home, 'environments', 'default'))).toBe(true);
    const err = (() => {
      try {
        engine.environments.delete('nope');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).hints.join('\n')).toContain('Known environments: default');
  });

  it('treats folders as the source of truth: a folder made by hand appears, a removed one disappears', () => {
    setup();
    mkdirSync(join(temp.home, 'environments', 'handmade', 'agents'), { recursive: true });
    expect(engine.environments.list().map((e) => e.name)).toEqual(['default', 'handmade']);
    rmSync(join(temp.home, 'environments', 'handmade'), { recursive: true });
    expect(engine.environments.list().map((e) => e.name)).toEqual(['default']);
    expect(engine.db.prepare('SELECT name FROM environments').all()).toEqual([{ name: 'default' }]);
  });

  it('require: a folder made by hand is found (with a row), one removed by hand is not (and loses its row)', () => {
    setup();
    const made = join(temp.home, 'environments', 'handmade');
    mkdirSync(join(made, 'agents'), { recursive: true });
    const row = engine.environments.require('handmade');
    expect(row.name).toBe('handmade');
    // Asked again while all is as it was: the same row.
    expect(engine.environments.require('handmade')).toEqual(row);
    rmSync(made, { recursive: true });
    expect(() => engine.environments.require('handmade')).toThrow(NotFoundError);
    expect(engine.db.prepare('SELECT name FROM environments').all()).toEqual([{ name: 'default' }]);
    // A file where the folder was is no environment either.
    writeFileSync(made, 'not a folder');
    expect(() => engine.environments.require('handmade')).toThrow(NotFoundError);
  });

  it('show lists agent files, configs and variable names, never values', () => {
    setup();
    const detail = engine.environments.show('default');
    expect(detail.agentFiles).toEqual(['file-explorer.prompt', 'hello.prompt']);
    expect(detail.configFiles).toEqual(['template.json']);
    expect(detail.variableNames).toEqual(['PROJECT_ROOT']);
    expect(JSON.stringify(detail)).not.toContain(`"${temp.home}"`);
  });
});
