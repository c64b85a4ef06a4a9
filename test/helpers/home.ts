import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initStation, stationPaths, type StationPaths } from '../../src/core/index.js';

export interface TempHome {
  home: string;
  paths: StationPaths;
  /** The environment variables a spawned `stn` should get: STATION_HOME and no colour. */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** A fresh, empty Station home folder in the OS temp dir (not initialized). */
export function makeTempHome(prefix = 'station-test-'): TempHome {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return {
    home,
    paths: stationPaths(home),
    env: { ...process.env, STATION_HOME: home, NO_COLOR: '1', STATION_DEBUG: '' },
    cleanup: () => {
      rmSync(home, { recursive: true, force: true });
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
  initStation(temp.paths, { projectRoot: projectRoot ?? temp.home, encryptDb: options.encryptDb ?? TEST_ENCRYPT_DB });
  return temp;
}
