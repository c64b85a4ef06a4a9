/**
 * Change stamps of files and folders, and a cache that keeps a value while the stamps it was made from
 * hold: work done from files (parsing an agent, compiling its template, reading an environment's MCP
 * configs) is done again only when one of them changed, for the price of a stat per file.
 */
import { readdirSync, statSync } from 'node:fs';
import { sep } from 'node:path';

/**
 * What changes when a file or folder is written, replaced or removed: inode, size, mtime and ctime (ctime
 * cannot be set back by tools that preserve mtime). A folder's changes when an entry is added, removed or
 * renamed. '-' when there is none.
 */
export function fileStamp(path: string): string {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined) return '-';
  return `${String(st.ino)}:${String(st.size)}:${String(st.mtimeMs)}:${String(st.ctimeMs)}`;
}

/**
 * A stamp as a whole number below 2^53 (a 53-bit hash of its text), for a database column: the agent index
 * keeps each file's stamp in its row. Two different stamps give the same number by a chance of 2^-53.
 */
export function stampNumber(stamp: string): number {
  // cyrb53: two 32-bit multiplicative hashes, mixed.
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < stamp.length; i++) {
    const c = stamp.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The stamp of a folder and of each file directly in it (an edit in place changes no folder stamp). */
export function folderStamp(dir: string): string {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '-';
    throw error;
  }
  return [fileStamp(dir), ...names.map((name) => `${name}=${fileStamp(dir + sep + name)}`)].join('|');
}

/** Values by key, each kept while the stamp given with it stays the same. Bounded; oldest dropped first. */
export class StampedCache<V> {
  private readonly entries = new Map<string, { stamp: string; value: V }>();

  constructor(private readonly max = 256) {}

  /** The value for `key` made at `stamp`, else `make()`'s (kept for next time; never when there is no stamp). */
  get(key: string, stamp: string | undefined, make: () => V): V {
    if (stamp === undefined) return make();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.stamp === stamp) return hit.value;
    const value = make();
    this.set(key, stamp, value);
    return value;
  }

  /** The value kept for `key` and the stamp it was made at, if any. */
  find(key: string): { stamp: string; value: V } | undefined {
    return this.entries.get(key);
  }

  set(key: string, stamp: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { stamp, value });
  }

  /** Forgets `key` (its value failed to make, or must be made again). */
  delete(key: string): void {
    this.entries.delete(key);
  }
}
