import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkLitestreamUrl, initStation, litestreamConfigYaml, StationError } from '../../src/core/index.js';
import { makeTempHome, type TempHome } from '../helpers/home.js';

function thrown(fn: () => unknown): StationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StationError) return error;
    throw error;
  }
  throw new Error('expected a StationError');
}

describe('Litestream replica URLs', () => {
  it('accepts s3:// buckets (with or without a path) and absolute file:// folders', () => {
    expect(checkLitestreamUrl(' s3://my-bucket/station ')).toBe('s3://my-bucket/station');
    expect(checkLitestreamUrl('s3://backups.example.com')).toBe('s3://backups.example.com');
    expect(checkLitestreamUrl('file:///var/backups/station')).toBe('file:///var/backups/station');
  });

  it.each([
    ['https://example.com/db', 'replica URLs with "https://" are not supported; expected s3:// or file://'],
    ['gcs://bucket/db', 'replica URLs with "gcs://" are not supported'],
    ['/var/backups/station', 'expected a replica URL (s3://... or file://...)'],
    ['s3://', 'needs a bucket after s3://'],
    ['s3://My_Bucket/db', '"My_Bucket" is not an S3 bucket name'],
    ['file://backups/station', 'needs an absolute folder after file://'],
    ['file:///', 'needs an absolute folder after file://'],
  ])('refuses %s with a usage error saying what is expected', (url, message) => {
    const error = thrown(() => checkLitestreamUrl(url));
    expect(error.code).toBe('usage');
    expect(error.message).toContain('--litestream');
    expect(error.message).toContain(message);
    expect(error.hints.join(' ')).toContain('s3://my-bucket/station');
  });

  it('writes one replica for the database with a 10 s sync interval and 24 h retention', () => {
    const text = litestreamConfigYaml('/data/station/station.db', 's3://my-bucket/station');
    expect(parse(text)).toEqual({
      dbs: [
        {
          path: '/data/station/station.db',
          replicas: [{ url: 's3://my-bucket/station', 'sync-interval': '10s', retention: '24h' }],
        },
      ],
    });
    expect(text).not.toMatch(/^\s*(access-key-id|secret-access-key):/m);
  });
});

describe('stn init --litestream (core)', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('writes litestream.yml for the home station.db, and leaves the same file alone on a second init', () => {
    temp = makeTempHome();
    const first = initStation(temp.paths, { litestream: 'file:///srv/replica', env: {} });
    expect(first.created).toContain('litestream.yml');
    expect(first.created).toContain('station.db');
    const written = parse(readFileSync(temp.paths.litestream, 'utf8')) as {
      dbs: { path: string; replicas: { url: string }[] }[];
    };
    expect(written.dbs[0]?.path).toBe(temp.paths.database);
    expect(written.dbs[0]?.replicas[0]?.url).toBe('file:///srv/replica');
    const second = initStation(temp.paths, { litestream: 'file:///srv/replica', env: {} });
    expect(second.created).toEqual([]);
    expect(second.unchanged).toContain('litestream.yml');
  });

  it('refuses another replica over an existing litestream.yml unless --force, which rewrites it', () => {
    temp = makeTempHome();
    initStation(temp.paths, { litestream: 'file:///srv/replica', env: {} });
    const error = thrown(() => initStation(temp.paths, { litestream: 's3://other-bucket/db', env: {} }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(temp.paths.litestream);
    expect(error.hints.join(' ')).toContain('--force');
    expect(readFileSync(temp.paths.litestream, 'utf8')).toContain('file:///srv/replica');
    const forced = initStation(temp.paths, { litestream: 's3://other-bucket/db', force: true, env: {} });
    expect(forced.rewritten).toContain('litestream.yml');
    expect(readFileSync(temp.paths.litestream, 'utf8')).toContain('s3://other-bucket/db');
  });

  it('writes nothing when the URL is bad', () => {
    temp = makeTempHome();
    const error = thrown(() => initStation(temp.paths, { litestream: 'ftp://host/db', env: {} }));
    expect(error.code).toBe('usage');
    expect(existsSync(temp.paths.config)).toBe(false);
    expect(existsSync(temp.paths.litestream)).toBe(false);
  });

  it('is refused on a PostgreSQL home, before litestream.yml is written', () => {
    temp = makeTempHome();
    writeFileSync(temp.paths.config, 'store:\n  postgres:\n    url: postgres://station@db.internal:5432/station\n');
    const error = thrown(() => initStation(temp.paths, { litestream: 's3://my-bucket/station', env: {} }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('this home uses PostgreSQL');
    expect(existsSync(temp.paths.litestream)).toBe(false);
  });
});
