// The CLI on a PostgreSQL store: `stn init`, `stn db migrate`, `stn db status` and `stn doctor` say which store
// and which schema version; a server that cannot be reached is exit 7 with what to do, and the URL's password is
// never printed.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestSchemaVersion } from '../../src/core/store/database.js';
import { originalAsidePath } from '../../src/core/store/original-import.js';
import { runStn } from '../helpers/cli.js';
import { makeTempHome, type TempHome } from '../helpers/home.js';
import { writeOriginalDatabase } from '../helpers/original-db.js';
import { makePgSchema, type TestSchema } from '../helpers/stores.js';

let home: TempHome;
let schema: TestSchema;
beforeEach(() => {
  home = makeTempHome();
  schema = makePgSchema();
});
afterEach(() => {
  home.cleanup();
  schema.drop();
});

describe('stn on PostgreSQL', () => {
  it('init makes the schema there (no station.db), and db status, db migrate and doctor report it', async () => {
    const env = { ...home.env, STATION_DATABASE_URL: schema.url };
    const init = await runStn(['init'], { env });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('store      PostgreSQL postgres://postgres@127.0.0.1:5432/test');
    expect(init.stdout).not.toContain('station.db');

    const status = await runStn(['db', 'status', '--json'], { env });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({
      engine: 'postgres',
      location: expect.stringContaining('postgres://postgres@127.0.0.1:5432/test') as unknown,
      schemaVersion: latestSchemaVersion(),
      latestVersion: latestSchemaVersion(),
      appliedNow: [],
    });
    const migrate = await runStn(['db', 'migrate'], { env });
    expect(migrate.stdout).toContain('Up to date: no migration to apply.');

    const doctor = await runStn(['doctor', '--offline', '--json'], { env });
    const checks = (JSON.parse(doctor.stdout) as { checks: { area: string; name: string; status: string }[] }).checks;
    expect(checks.filter((c) => c.area === 'database')).toEqual([
      expect.objectContaining({ name: 'postgres', status: 'ok' }),
    ]);
  });

  it('a server that cannot be reached is exit 7 saying what to check, with the password hidden', async () => {
    expect((await runStn(['init'], { env: home.env })).code).toBe(0);
    const env = { ...home.env, STATION_DATABASE_URL: 'postgres://station:hunter2secret@127.0.0.1:1/station' };
    const out = await runStn(['db', 'status'], { env });
    expect(out.code).toBe(7);
    expect(out.stderr).toContain('cannot reach PostgreSQL at postgres://station:***@127.0.0.1:1/station');
    expect(out.stderr).toContain('STATION_DATABASE_URL');
    expect(out.stdout + out.stderr).not.toContain('hunter2secret');
  });

  it('a store setting that is not a postgres URL names the file, line and field', async () => {
    const init = await runStn(['init'], { env: home.env });
    expect(init.code).toBe(0);
    const { readFileSync, writeFileSync } = await import('node:fs');
    const config = readFileSync(home.paths.config, 'utf8').replace(
      'store: sqlite',
      'store:\n  postgres:\n    url: mysql://x',
    );
    writeFileSync(home.paths.config, config);
    const out = await runStn(['db', 'status'], { env: home.env });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/config\.yaml:\d+:\d+/);
    expect(out.stderr).toContain('expected a postgres:// URL');
  });

  it('init --import-original on a PostgreSQL home is refused before the original database is moved', async () => {
    writeOriginalDatabase(home.paths.database);
    const before = readFileSync(home.paths.database);
    const env = { ...home.env, STATION_DATABASE_URL: schema.url };
    const out = await runStn(['init', '--import-original'], { env });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('--import-original is for the SQLite store; this home uses PostgreSQL');
    // The original's file is where it was, unchanged, and nothing was put aside.
    expect(readFileSync(home.paths.database).equals(before)).toBe(true);
    expect(existsSync(originalAsidePath(home.paths.database))).toBe(false);
  });
});
