// Helpers for backup tests: read an archive's entries, and unpack / re-pack one to make damaged or altered copies.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { create, extract, list } from 'tar';
import type { BackupManifest } from '../../../src/core/index.js';

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
