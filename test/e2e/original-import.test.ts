import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runStn, runStnOnTerminal } from '../helpers/cli.js';
import { makeTempHome, type TempHome } from '../helpers/home.js';
import { writeOriginalDatabase } from '../helpers/original-db.js';

let temp: TempHome | undefined;
afterEach(() => temp?.cleanup());

interface Listed {
  id: number;
  agent: string;
  environment: string;
  status: string;
  trigger: string;
  model: string | null;
  tokens: { total: number };
}

/** A home the original Station left: its config.yaml and its station.db. */
function originalHome(): TempHome {
  const home = makeTempHome();
  mkdirSync(home.home, { recursive: true });
  writeFileSync(home.paths.config, 'ai_model: gpt-5-mini\nlocal_mode: true\n');
  writeOriginalDatabase(home.paths.database);
  return home;
}

describe("stn on a home whose station.db is the original's", { timeout: 120_000 }, () => {
  it('init --import-original moves it aside, makes Station a database and imports its runs, once', async () => {
    temp = originalHome();
    const aside = join(temp.home, 'station.original.db');
    const original = readFileSync(temp.paths.database);

    const refused = await runStn(['runs', 'list', '--json'], { env: temp.env });
    expect(refused.code).toBe(7);
    const error = (JSON.parse(refused.stdout) as { error: { code: string; hints: string[] } }).error;
    expect(error.code).toBe('database_original');
    expect(error.hints[0]).toContain('stn init --import-original');

    // Without a terminal, plain init does not move anything.
    const plain = await runStn(['init'], { env: temp.env });
    expect(plain.code).toBe(7);
    expect(existsSync(aside)).toBe(false);

    const init = await runStn(['init', '--import-original', '--json'], { env: temp.env });
    expect(init.code, init.stdout + init.stderr).toBe(0);
    const result = JSON.parse(init.stdout) as {
      originalDatabase: { file: string; moved: boolean };
      originalImport: { imported: number; skipped: number };
    };
    expect(result.originalDatabase).toEqual({ file: aside, moved: true });
    expect(result.originalImport).toMatchObject({ imported: 4, skipped: 0 });
    expect(readFileSync(aside).equals(original)).toBe(true);

    const list = await runStn(['runs', 'list', '--json'], { env: temp.env });
    expect(list.code, list.stderr).toBe(0);
    const runs = (JSON.parse(list.stdout) as Listed[]).sort((a, b) => a.id - b.id);
    expect(runs.map((r) => [r.agent, r.environment, r.status, r.trigger])).toEqual([
      ['hello', 'default', 'completed', 'import'],
      ['reviewer', 'staging', 'failed', 'import'],
      ['hello', 'default', 'interrupted', 'import'],
      ['unknown-agent-9', 'unknown', 'failed', 'import'],
    ]);
    expect(runs[0]).toMatchObject({ model: 'gpt-4o-mini', tokens: { total: 120 } });

    // Again (the home is Station's now, the original kept aside): nothing is added twice.
    const again = await runStn(['db', 'import-original', aside], { env: temp.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Imported 0 run(s)');
    expect(again.stdout).toContain('4 imported before, skipped');
    const show = await runStn(['runs', 'show', String(runs[0]?.id), '--json'], { env: temp.env });
    expect(JSON.parse(show.stdout)).toMatchObject({ input: { userInput: 'Say hi' }, output: 'Hello!' });
    const count = await runStn(['runs', 'list', '--trigger', 'import', '--json'], { env: temp.env });
    expect(JSON.parse(count.stdout)).toHaveLength(4);
  });

  it('stn init asks on a terminal, and yes does the same', async () => {
    temp = originalHome();
    const r = await runStnOnTerminal(['init'], { env: temp.env, input: 'y\n' });
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain('import its run history?');
    expect(r.screen).toMatch(/imported\s+4 run\(s\)/);
    expect(existsSync(join(temp.home, 'station.original.db'))).toBe(true);
  });

  it('db import-original refuses a file that is not the original database (exit 5)', async () => {
    temp = makeTempHome();
    expect((await runStn(['init'], { env: temp.env })).code).toBe(0);
    const r = await runStn(['db', 'import-original', temp.paths.config, '--json'], { env: temp.env });
    expect(r.code).toBe(5);
    const error = (JSON.parse(r.stdout) as { error: { code: string; message: string; hints: string[] } }).error;
    expect(error.code).toBe('not_original_database');
    expect(error.message).toContain(temp.paths.config);
    expect(error.hints.join(' ')).toContain('goose_db_version');
  });
});

describe('any command meeting the original station.db on a terminal', { timeout: 120_000 }, () => {
  it('offers the move aside and import; no leaves it as it was and reports the error', async () => {
    temp = originalHome();
    const no = await runStnOnTerminal(['env', 'list'], { env: temp.env, input: 'n\n' });
    expect(no.code, no.screen).toBe(7);
    expect(no.screen).toContain('import its run history?');
    expect(no.screen).toContain('stn init --import-original');
    expect(existsSync(join(temp.home, 'station.original.db'))).toBe(false);

    const yes = await runStnOnTerminal(['env', 'list'], { env: temp.env, input: 'y\n' });
    expect(yes.code, yes.screen).toBe(0);
    expect(yes.screen).toMatch(/imported\s+4 run\(s\)/);
    expect(yes.screen).toContain('Now run it again: stn env list');
    const list = await runStn(['runs', 'list', '--trigger', 'import', '--json'], { env: temp.env });
    expect(JSON.parse(list.stdout)).toHaveLength(4);
  });
});
