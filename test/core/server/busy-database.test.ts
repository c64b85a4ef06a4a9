// `stn serve` while another process holds station.db's write lock: GETs answer 200 (a key's first use
// is not recorded rather than holding the request up), and a write answers 503 database_locked with
// Retry-After, as the CLI exits 7.
import { afterEach, describe, expect, it } from 'vitest';
import { holdDatabaseLock, releaseAllLocks } from '../../helpers/db-lock.js';
import { startStationForTest, type Station } from './station-helpers.js';

let station: Station | undefined;
afterEach(async () => {
  await releaseAllLocks();
  await station?.stop();
  station = undefined;
});

describe('the server on a locked database', { timeout: 60_000 }, () => {
  it('answers reads, and refuses writes with 503 database_locked and Retry-After', async () => {
    station = await startStationForTest({ config: 'database:\n  busy_timeout_ms: 200\n' });
    const lock = await holdDatabaseLock(station.temp.paths.database);
    // The viewer key was never used: its first use would be recorded, which needs the lock.
    for (const path of ['/api/v1/environments', '/api/v1/environments/default/agents', '/api/v1/runs']) {
      const read = await station.raw('GET', path, { key: station.keys.viewer });
      expect(read.status, `${path}: ${read.text}`).toBe(200);
    }
    const write = await station.raw('POST', '/api/v1/environments', { body: { name: 'staging' } });
    expect(write.status).toBe(503);
    expect(write.headers.get('retry-after')).not.toBeNull();
    expect(write.body).toMatchObject({
      error: { code: 'database_locked', exitCode: 7, message: expect.stringContaining('locked by another process') },
    });
    await lock.release();
    expect((await station.raw('POST', '/api/v1/environments', { body: { name: 'staging' } })).status).toBe(201);
    expect(station.engine.keys.find('viewer').lastUsedAt).toBeNull();
  });
});
