/**
 * A minimal, deterministic ustar writer: the bytes depend only on the entries given (no clock, owner or
 * umask), so the same environment always gives the same archive. Also used by tests to hand-make hostile
 * archives (links, devices, absolute paths), which is why it takes any entry type.
 */
import { createRequire } from 'node:module';

export interface TarEntry {
  path: string;
  /** '0' file (default), '5' directory, '1' hard link, '2' symlink, '3' char device, '4' block device, '6' FIFO. */
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  data?: Uint8Array | string;
  /** Declared size when it should differ from the data (hostile tests only). */
  size?: number;
  linkpath?: string;
  mode?: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(entry: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const path = Buffer.from(entry.path, 'utf8');
  let name = path;
  let prefix = Buffer.alloc(0);
  if (path.length > 100) {
    // ustar: split at a slash into prefix (155) and name (100).
    const text = entry.path;
    const cut = text.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(text.slice(cut + 1)) > 100) throw new Error(`tar entry name too long: ${text}`);
    prefix = Buffer.from(text.slice(0, cut));
    name = Buffer.from(text.slice(cut + 1));
  }
  const type = entry.type ?? '0';
  name.copy(h, 0);
  h.write(octal(entry.mode ?? (type === '5' ? 0o755 : 0o644), 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime: 1970-01-01
  h.fill(' ', 148, 156); // checksum placeholder
  h.write(type, 156, 'ascii');
  if (entry.linkpath !== undefined) h.write(entry.linkpath, 157, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(octal(0, 8), 329, 'ascii'); // devmajor
  h.write(octal(0, 8), 337, 'ascii'); // devminor
  prefix.copy(h, 345);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/** The tar bytes of `entries`, in the order given. */
export function tarBytes(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    parts.push(header(e, e.size ?? data.length));
    if (data.length > 0) {
      parts.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad > 0) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

/** A gzipped tar of `entries`. Node's gzip header carries no timestamp, so equal entries give equal bytes. */
export function tarGz(entries: readonly TarEntry[]): Buffer {
  // zlib is loaded when a bundle is made, not by every command that loads the core.
  const require = createRequire(import.meta.url);
  const { gzipSync } = require('node:zlib') as typeof import('node:zlib');
  return gzipSync(tarBytes(entries), { level: 9 });
}
