import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initStation, stationPaths, type StationPaths } from '../../src/core/index.js';
import { makePgSchema, rememberPgStore, TEST_ON_POSTGRES } from './stores.js';

export interface TempHome {
  home: string;
  paths: StationPaths;
  /** The environment variables a spawned `stn` should get: STATION_HOME and no colour. */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/**
 * A fresh, empty Station home folder in the OS temp dir (not initialized). With STATION_TEST_STORE=postgres its
 * store is a PostgreSQL schema of its own: `env` (for a spawned stn) carries STATION_DATABASE_URL, and
 * makeInitializedHome also writes it into config.yaml (for engines opened in the test's process).
 */
export function makeTempHome(prefix = 'station-test-'): TempHome {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const schema = TEST_ON_POSTGRES ? makePgSchema() : undefined;
  if (schema !== undefined) rememberPgStore(home, schema.url);
  return {
    home,
    paths: stationPaths(home),
    env: {
      ...process.env,
      STATION_HOME: home,
      NO_COLOR: '1',
      STATION_DEBUG: '',
      ...(schema === undefined ? {} : { STATION_DATABASE_URL: schema.url }),
    },
    cleanup: () => {
      rmSync(home, { recursive: true, force: true });
      schema?.drop();
    },
  };
}

/** STATION_TEST_ENCRYPT_DB=1: every home made by the helpers (and the runner rig) has an encrypted station.db. */
export const TEST_ENCRYPT_DB = process.env.STATION_TEST_ENCRYPT_DB === '1';
/** The key of the runner rig's encrypted database (it has no home key file). */
export const RIG_TEST_KEY = Buffer.alloc(32, 7);

/**
 * A Station home made by `initStation`, with PROJECT_ROOT pointing at `projectRoot` (default: the home);
 * its database encrypted when `encryptDb` (or STATION_TEST_ENCRYPT_DB=1) asks.
 */
export function makeInitializedHome(projectRoot?: string, options: { encryptDb?: boolean } = {}): TempHome {
  const temp = makeTempHome();
  const url = temp.env.STATION_DATABASE_URL;
  if (TEST_ON_POSTGRES && url !== undefined) {
    initStation(temp.paths, { projectRoot: projectRoot ?? temp.home, env: temp.env });
    const config = readFileSync(temp.paths.config, 'utf8');
    writeFileSync(temp.paths.config, config.replace(/^store: sqlite$/m, `store:\n  postgres:\n    url: "${url}"`));
    return temp;
  }
  initStation(temp.paths, { projectRoot: projectRoot ?? temp.home, encryptDb: options.encryptDb ?? TEST_ENCRYPT_DB });
  return temp;
}
