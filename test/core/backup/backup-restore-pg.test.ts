// A PostgreSQL store backed up (a JSON-lines dump per table from one snapshot) while runs go on, and restored
// into an empty schema: rows, ids, events and secrets come back; running runs are interrupted; a store that
// holds data is refused.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Application, openEngine, restoreBackup, type StartedRun } from '../../../src/core/index.js';
import { latestSchemaVersion } from '../../../src/core/store/database.js';
import { makeTempHome } from '../../helpers/home.js';
import { dumpPgStore, makePgSchema } from '../../helpers/stores.js';
import { archiveEntries, startBackupStation } from './backup-helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function schema(): ReturnType<typeof makePgSchema> {
  const s = makePgSchema();
  cleanups.push(() => s.drop());
  return s;
}

describe('PostgreSQL backup and restore', () => {
  it('round trip into an empty schema while runs go on', async () => {
    const from = schema();
    const { temp, engine, model, release } = await startBackupStation({ databaseUrl: from.url }, cleanups);
    const api = new Application(engine).local('cli');
    api.secrets.set('API_TOKEN', 'tok-pg-secret', { environment: 'default' });
    const fast: StartedRun[] = [];
    for (let i = 0; i < 3; i++) fast.push(await api.runs.start('default', 'hello', { userInput: `fast ${String(i)}` }));
    await Promise.all(fast.map((r) => r.done));
    const slow = await api.runs.start('default', 'hello', { userInput: 'slow 0' });
    await model.waitForRequests(4);
    expect(engine.runs.get(slow.runId).status).toBe('running');

    const outDir = makeTempHome();
    cleanups.push(() => outDir.cleanup());
    const file = join(outDir.home, 'pg.tar.gz');
    const backup = await api.backup.create(file);
    release();
    await slow.done;
    expect(backup).toMatchObject({ engine: 'postgres', schemaVersion: latestSchemaVersion() });
    expect(backup.tables.agent_runs).toBe(4);
    const entries = await archiveEntries(file);
    expect(entries).toContain('store/agent_runs.jsonl');
    expect(entries).toContain('store/run_events.jsonl');
    expect(entries).not.toContain('station.db');

    const to = schema();
    const target = makeTempHome();
    cleanups.push(() => target.cleanup());
    mkdirSync(join(target.home, 'keys'), { mode: 0o700 });
    copyFileSync(temp.paths.keyFile, target.paths.keyFile);
    const env = { STATION_DATABASE_URL: to.url };
    const restored = await restoreBackup(file, { home: target.home, env });
    expect(restored).toMatchObject({ engine: 'postgres', interrupted: [slow.runId], aside: null });

    const copy = openEngine({ home: target.home, env });
    cleanups.push(() => copy.close());
    for (const run of fast) {
      const { events: originalEvents, ...original } = engine.runs.show(run.runId);
      const { events, ...back } = copy.runs.show(run.runId);
      expect(back).toEqual(original);
      expect(events).toEqual(originalEvents);
    }
    expect(copy.runs.get(slow.runId)).toMatchObject({ status: 'interrupted' });
    // The secret is still encrypted in the store and opens with the home's key.
    expect(dumpPgStore(to.url)).not.toContain('tok-pg-secret');
    expect(copy.secrets.valuesFor('default').API_TOKEN).toBe('tok-pg-secret');
    // New rows get new ids (the identity sequences were moved past the restored ones).
    const maxRun = Math.max(...copy.runs.list({}).map((r) => r.id));
    const next = await new Application(copy).local('cli').runs.start('default', 'hello', { userInput: 'fast again' });
    expect(next.runId).toBe(maxRun + 1);
    await next.done;

    // Into a store that holds data: refused, the store unchanged.
    const before = dumpPgStore(to.url);
    const again = makeTempHome();
    cleanups.push(() => again.cleanup());
    await expect(restoreBackup(file, { home: again.home, env })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('holds data already') as unknown,
    });
    expect(dumpPgStore(to.url)).toBe(before);
    expect(readFileSync(file).length).toBe(backup.bytes);
  });
});
