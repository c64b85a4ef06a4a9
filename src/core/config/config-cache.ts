import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { makePrivateDir } from '../fs/private-files.js';
import type { KeyWarning } from './unknown-keys.js';
import { readStationConfig, readStationConfigFile, type StationConfig } from './station-config.js';

/**
 * Set by the core's bundle step (tools/bundle-core.js) to an id of that build; absent when Station runs from
 * its TypeScript sources (development, tests), where nothing is cached.
 */
declare const STATION_BUILD_ID: string | undefined;

/** The id of this build of the core, or undefined when running from sources. */
export const BUILD_ID: string | undefined = typeof STATION_BUILD_ID === 'string' ? STATION_BUILD_ID : undefined;

interface CachedRead {
  build: string;
  file: string;
  text: string;
  config: StationConfig;
  warnings: KeyWarning[];
}

/**
 * readStationConfigFile, remembering its answer in `cacheFile` (mode 0600 in a 0700 folder, like config.yaml): every command
 * reads config.yaml, and its first YAML parse in a process costs more than the rest of a quick command's own
 * work. The answer is reused only for the same text of the same file read by the same build, so it is the
 * answer readStationConfig would give; anything else (no cache, another build, a changed file, an unreadable
 * cache) reads the file as before and rewrites the cache, unless the file is invalid (the error is thrown, as
 * always). A cache that cannot be written (a read-only home) is skipped. `build` undefined: no cache.
 */
export function readStationConfigCached(
  file: string,
  cacheFile: string,
  build: string | undefined = BUILD_ID,
): { config: StationConfig; warnings: KeyWarning[] } {
  if (build === undefined || !existsSync(file)) return readStationConfigFile(file);
  const text = readFileSync(file, 'utf8');
  const cached = readCache(cacheFile);
  if (cached !== undefined && cached.build === build && cached.file === file && cached.text === text) {
    return { config: cached.config, warnings: cached.warnings };
  }
  const read = readStationConfig(file, text);
  try {
    const entry: CachedRead = { build, file, text, ...read };
    makePrivateDir(dirname(cacheFile));
    writeFileAtomic(cacheFile, JSON.stringify(entry), { mode: 0o600 });
  } catch {
    // Only a cache: the next command parses the file again.
  }
  return read;
}

function readCache(cacheFile: string): CachedRead | undefined {
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf8')) as CachedRead;
  } catch {
    return undefined;
  }
}
