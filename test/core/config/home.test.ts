import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStationHome, stationPaths } from '../../../src/core/index.js';

describe('Station home', () => {
  it('prefers an explicit home, then STATION_HOME, then XDG_CONFIG_HOME, then ~/.config', () => {
    const env = { STATION_HOME: '/a/station', XDG_CONFIG_HOME: '/xdg' };
    expect(resolveStationHome({ home: '/explicit', env })).toBe('/explicit');
    expect(resolveStationHome({ env })).toBe('/a/station');
    expect(resolveStationHome({ env: { XDG_CONFIG_HOME: '/xdg' } })).toBe('/xdg/station');
    expect(resolveStationHome({ env: {} })).toBe(join(homedir(), '.config', 'station'));
  });

  it('ignores empty variables and resolves relative paths', () => {
    expect(resolveStationHome({ env: { STATION_HOME: '  ', XDG_CONFIG_HOME: '' } })).toBe(
      join(homedir(), '.config', 'station'),
    );
    expect(resolveStationHome({ env: { STATION_HOME: 'rel/home' } })).toBe(resolve('rel/home'));
  });

  it('names every path under the home in one place', () => {
    expect(stationPaths('/h')).toEqual({
      home: '/h',
      config: '/h/config.yaml',
      database: '/h/station.db',
      environments: '/h/environments',
      run: '/h/run',
      logs: '/h/logs',
      keyFile: '/h/keys/station.key',
      trust: '/h/bundle-trust.json',
      cache: '/h/cache',
      litestream: '/h/litestream.yml',
    });
  });
});
