import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/cli.js';
import { makeInitializedHome, makeTempHome, type TempHome } from '../helpers/home.js';

describe('stn env (command classes)', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('env list --json has a stable shape', async () => {
    temp = makeInitializedHome();
    const out = await runCommand(['env:list', '--json', '--home', temp.home]);
    expect(out.code).toBe(0);
    const list = JSON.parse(out.stdout) as unknown[];
    expect(list).toEqual([
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

  it('env list prints a table marking the default environment', async () => {
    temp = makeInitializedHome();
    const out = await runCommand(['env:list', '--home', temp.home]);
    expect(out.stdout.split('\n')[0]).toMatch(/^NAME\s+AGENTS\s+SERVERS\s+TOOLS\s+SYNCED$/);
    expect(out.stdout).toMatch(/^default \*\s+2\s+0\s+0\s+-$/m);
    expect(out.stdout).not.toContain('\u001b[');
  });

  it('create, show and delete round-trip; delete needs --yes', async () => {
    temp = makeInitializedHome();
    const created = await runCommand(['env:create', 'staging', '--description', 'pre', '--json', '--home', temp.home]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'staging', description: 'pre' });
    const shown = await runCommand(['env:show', 'staging', '--json', '--home', temp.home]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ name: 'staging', configFiles: ['template.json'], agentFiles: [] });
    const refused = await runCommand(['env:delete', 'staging', '--home', temp.home]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('without --yes');
    expect(existsSync(join(temp.home, 'environments', 'staging'))).toBe(true);
    const deleted = await runCommand(['env:delete', 'staging', '--yes', '--home', temp.home]);
    expect(deleted.code).toBe(0);
    expect(existsSync(join(temp.home, 'environments', 'staging'))).toBe(false);
  });

  it('a bad name is exit 5 with the rule; a missing environment is exit 3 with the known ones', async () => {
    temp = makeInitializedHome();
    const bad = await runCommand(['env:create', '../escape', '--home', temp.home]);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('invalid environment name "../escape"');
    const missing = await runCommand(['env:show', 'nope', '--json', '--home', temp.home]);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout)).toEqual({
      error: {
        code: 'not_found',
        message: 'environment "nope" does not exist',
        hints: ['Known environments: default.', 'Create it with: stn env create nope'],
        exitCode: 3,
      },
    });
  });

  it('an uninitialized home says to run stn init', async () => {
    temp = makeTempHome();
    const out = await runCommand(['env:list', '--home', temp.home]);
    expect(out.code).toBe(6);
    expect(out.stderr).toContain(`Station is not initialized at ${temp.home}`);
    expect(out.stderr).toContain('stn init');
  });

  it('a broken variables.yml is reported with file, line and column', async () => {
    temp = makeInitializedHome();
    const file = join(temp.home, 'environments', 'default', 'variables.yml');
    writeFileSync(file, 'A: 1\nB: [unclosed\n');
    const out = await runCommand(['env:show', 'default', '--home', temp.home]);
    expect(out.code).toBe(6);
    expect(out.stderr).toMatch(new RegExp(`${file.replaceAll('/', '\\/')}:\\d+:\\d+: invalid YAML`));
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
