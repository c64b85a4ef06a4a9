import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Every path Station uses under its home. The only place these names are spelled. */
export interface StationPaths {
  home: string;
  config: string;
  database: string;
  environments: string;
  /** Records of the MCP server processes running Station processes have started (see mcp/group-records.ts). */
  run: string;
  /** Logs of processes Station starts in the background (the workers of `stn agent run --detach`). */
  logs: string;
  /**
   * The encryption key file (`keys/station.key`, mode 0600 in a 0700 folder): 32 random bytes, base64, made
   * by `stn init`. STATION_ENCRYPTION_KEY wins over it. Never inside the database.
   */
  keyFile: string;
  /** MCP server configs a user approved, per environment installed from a bundle (bundles/trust-store.ts). */
  trust: string;
  /** What Station may rebuild from the home's files at any time (config/config-cache.ts); safe to delete. */
  cache: string;
  /** Litestream's config for station.db (`stn init --litestream`); the container entrypoint reads it. */
  litestream: string;
}

export interface HomeOptions {
  /** An explicit home (the --home flag); wins over the environment. */
  home?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * The Station home: an explicit option, else STATION_HOME, else $XDG_CONFIG_HOME/station,
 * else ~/.config/station. Every command resolves it here and nowhere else.
 */
export function resolveStationHome(options: HomeOptions = {}): string {
  const env = options.env ?? process.env;
  const explicit = options.home ?? nonEmpty(env.STATION_HOME);
  if (explicit !== undefined) return resolve(explicit);
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  if (xdg !== undefined) return resolve(xdg, 'station');
  return join(homedir(), '.config', 'station');
}

export function stationPaths(home: string): StationPaths {
  return {
    home,
    config: join(home, 'config.yaml'),
    database: join(home, 'station.db'),
    environments: join(home, 'environments'),
    run: join(home, 'run'),
    logs: join(home, 'logs'),
    keyFile: join(home, 'keys', 'station.key'),
    trust: join(home, 'bundle-trust.json'),
    cache: join(home, 'cache'),
    litestream: join(home, 'litestream.yml'),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
