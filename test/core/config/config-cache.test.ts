import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStationConfigCached } from '../../../src/core/config/config-cache.js';
import { readStationConfigFile } from '../../../src/core/config/station-config.js';
import { DEFAULT_CONFIG_YAML, FileFormatError } from '../../../src/core/index.js';

describe('config.yaml read through its cache', () => {
  let dir: string;
  let file: string;
  let cache: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stn-config-cache-'));
    file = join(dir, 'config.yaml');
    cache = join(dir, 'cache', 'config.json');
    // A typo, so that warnings (with their file:line) go through the cache too.
    writeFileSync(file, `${DEFAULT_CONFIG_YAML}\nruner:\n  workers: 3\n`);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Puts another model name in the cached answer: seeing it back proves the answer came from the cache. */
  function markCache(name: string): void {
    const entry = JSON.parse(readFileSync(cache, 'utf8')) as { config: { model: { name: string } } };
    entry.config.model.name = name;
    writeFileSync(cache, JSON.stringify(entry));
  }

  it('answers as reading the file does, and keeps that answer private (0600 in a 0700 folder)', () => {
    const fresh = readStationConfigFile(file);
    expect(fresh.warnings.length).toBeGreaterThan(0);
    expect(readStationConfigCached(file, cache, 'build-1')).toEqual(fresh);
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'cache')).mode & 0o777).toBe(0o700);
    expect(readStationConfigCached(file, cache, 'build-1')).toEqual(fresh);
  });

  it('reuses its answer for the same text and build, and writes nothing then', () => {
    readStationConfigCached(file, cache, 'build-1');
    markCache('from-the-cache');
    const before = statSync(cache);
    expect(readStationConfigCached(file, cache, 'build-1').config.model.name).toBe('from-the-cache');
    expect(statSync(cache).mtimeMs).toBe(before.mtimeMs);
  });

  it('reads the file again when its text changed, or another build reads it', () => {
    readStationConfigCached(file, cache, 'build-1');
    markCache('from-the-cache');
    expect(readStationConfigCached(file, cache, 'build-2').config.model.name).toBe('gpt-4o-mini');
    markCache('from-the-cache');
    writeFileSync(file, 'model:\n  name: llama3\n');
    expect(readStationConfigCached(file, cache, 'build-2')).toEqual(readStationConfigFile(file));
    expect(readStationConfigCached(file, cache, 'build-2').config.model.name).toBe('llama3');
  });

  it('throws for an invalid file as reading it does, and keeps no answer for it', () => {
    readStationConfigCached(file, cache, 'build-1');
    const kept = readFileSync(cache, 'utf8');
    writeFileSync(file, 'server:\n  port: many\n');
    expect(() => readStationConfigCached(file, cache, 'build-1')).toThrow(FileFormatError);
    expect(readFileSync(cache, 'utf8')).toBe(kept);
  });

  it('works without a cache: none when running from sources, a damaged one, a home it cannot write', () => {
    const fresh = readStationConfigFile(file);
    expect(readStationConfigCached(file, cache, undefined)).toEqual(fresh);
    expect(existsSync(cache)).toBe(false);
    readStationConfigCached(file, cache, 'build-1');
    writeFileSync(cache, '{"build": "build-1", "te');
    expect(readStationConfigCached(file, cache, 'build-1')).toEqual(fresh);
    // Its folder cannot be made: a file is in the way.
    rmSync(join(dir, 'cache'), { recursive: true });
    writeFileSync(join(dir, 'cache'), '');
    expect(readStationConfigCached(file, cache, 'build-1')).toEqual(fresh);
  });

  it('gives the defaults when there is no config.yaml, and caches nothing', () => {
    rmSync(file);
    expect(readStationConfigCached(file, cache, 'build-1')).toEqual(readStationConfigFile(file));
    expect(existsSync(cache)).toBe(false);
  });
});
