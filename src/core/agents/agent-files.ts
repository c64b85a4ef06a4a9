import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { ConflictError } from '../errors.js';
import { fileStamp, stampNumber } from '../fs/file-stamps.js';

/** A `.prompt` file in an agents folder with its change stamp (fileStamp as a number: stampNumber). */
export interface PromptFile {
  fileName: string;
  stamp: number;
}

/** The `.prompt` files of an agents folder (hidden and temporary files skipped), sorted by name. */
export function listPromptFiles(dir: string): PromptFile[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: PromptFile[] = [];
  for (const entry of entries) {
    if (!entry.name.endsWith('.prompt') || entry.name.startsWith('.')) continue;
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    // String concatenation: path.join costs more than the stat itself over a thousand files.
    const stamp = fileStamp(dir + sep + entry.name);
    // A file removed between readdir and stat, or a dangling link, is simply not there.
    if (stamp !== '-') out.push({ fileName: entry.name, stamp: stampNumber(stamp) });
  }
  return out.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Writes a file that must not exist yet, atomically: a temporary file is written and fsynced, then
 * hard-linked to the target (which fails if the target exists, even if another process made it a moment ago).
 */
export function writeNewFileAtomic(path: string, text: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    const buffer = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(fd, buffer, offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ConflictError(`${path} already exists`, { hints: ['Pick another name, or remove that file first.'] });
    }
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
}
