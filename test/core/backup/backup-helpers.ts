// Helpers for backup tests: read an archive's entries, and unpack / re-pack one to make damaged or altered copies.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { create, extract, list } from 'tar';
import { initStation, openEngine, type BackupManifest, type Engine } from '../../../src/core/index.js';
import { makeInitializedHome, makeTempHome, type TempHome } from '../../helpers/home.js';
import { startModelServer, type ModelServer } from '../../helpers/model-server.js';
import { pointAtLocalFilesystemServer } from '../server/station-helpers.js';

/** The entry paths of an archive, in order. */
export async function archiveEntries(file: string): Promise<string[]> {
  const paths: string[] = [];
  await list({ file, onReadEntry: (entry) => paths.push(entry.path) });
  return paths;
}

/** The archive's decompressed tar bytes (to search for text that must never be in it). */
export function archiveBytes(file: string): Buffer {
  return gunzipSync(readFileSync(file));
}

/**
 * Unpacks `file`, lets `change` alter the files (and the manifest, given parsed; return it to write it back),
 * and writes the result as a new archive, entries in the original order. Returns the new archive's path.
 */
export async function alterArchive(
  file: string,
  change: (folder: string, manifest: BackupManifest) => BackupManifest | undefined,
): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'station-backup-alter-'));
  try {
    const entries = await archiveEntries(file);
    await extract({ file, cwd: folder });
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as BackupManifest;
    const changed = change(folder, manifest);
    if (changed !== undefined) writeFileSync(join(folder, 'manifest.json'), JSON.stringify(changed, null, 2));
    const out = join(mkdtempSync(join(tmpdir(), 'station-backup-out-')), 'altered.tar.gz');
    await create({ gzip: true, file: out, cwd: folder, portable: true, noDirRecurse: true }, entries);
    return out;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export interface BackupStation {
  temp: TempHome;
  engine: Engine;
  model: ModelServer;
  /** Lets the runs whose input says "slow" finish. */
  release: () => void;
}

/**
 * An initialized home (2 workers: of 4 slow runs, 2 run and 2 wait queued), a model server that answers runs
 * whose input says "slow" only after `release()`, and an engine on the home; each registered in `cleanups`.
 * `databaseUrl`: the store is that PostgreSQL schema (STATION_DATABASE_URL; config.yaml stays as init made it).
 */
export async function startBackupStation(
  options: { encryptDb?: boolean; databaseUrl?: string },
  cleanups: (() => Promise<void> | void)[],
): Promise<BackupStation> {
  const pg = options.databaseUrl === undefined ? {} : { STATION_DATABASE_URL: options.databaseUrl };
  let temp: TempHome;
  if (options.databaseUrl === undefined) {
    temp = makeInitializedHome(undefined, options.encryptDb === undefined ? {} : { encryptDb: options.encryptDb });
  } else {
    temp = makeTempHome();
    initStation(temp.paths, { projectRoot: temp.home, env: { ...process.env, ...pg } });
  }
  cleanups.push(() => temp.cleanup());
  pointAtLocalFilesystemServer(temp, temp.home);
  const config = readFileSync(temp.paths.config, 'utf8');
  writeFileSync(temp.paths.config, config.replace(/^( *)workers: \d+$/m, '$1workers: 2'));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const model = await startModelServer({
    script: async (request) => {
      const user = request.body.messages.find((m) => m.role === 'user')?.content ?? '';
      if (user.includes('slow')) {
        await gate;
        return { text: `slow answer to ${user}` };
      }
      return { text: `fast answer to ${user}` };
    },
  });
  cleanups.push(() => model.close());
  const engine = openEngine({
    home: temp.home,
    env: { ...process.env, ...pg, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test-model-key' },
  });
  cleanups.push(() => engine.close());
  return { temp, engine, model, release };
}
