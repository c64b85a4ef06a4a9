/**
 * Unpacking a bundle archive safely: decompressed with limits (total bytes and ratio, refused as soon as
 * they are crossed), every entry checked before anything is written (type, path, layout, count), then
 * unpacked with the `tar` library into a fresh staging folder with a filter that admits only the entries
 * checked. A refused archive leaves nothing: the staging folder is removed.
 */
import { once } from 'node:events';
import { createReadStream, mkdirSync, rmSync, statSync } from 'node:fs';
import type { ReadEntry } from 'tar';
import { StationError, ExitCode } from '../errors.js';
import { classifyPath, type LayoutVerdict } from './bundle-layout.js';

export interface ExtractLimits {
  /** Most entries an archive may hold. */
  maxEntries: number;
  /** Most bytes once decompressed (the tar stream, headers included). */
  maxBytes: number;
  /** Most decompressed bytes per compressed byte. */
  maxRatio: number;
}

export const DEFAULT_LIMITS: ExtractLimits = { maxEntries: 1000, maxBytes: 50 * 1024 * 1024, maxRatio: 200 };

/**
 * Which entries an archive may hold, and the error a refusal throws: a bundle's layout by default; backups
 * (src/core/backup) give their own. Whatever the layout, only files and folders are unpacked.
 */
export interface ArchiveLayout {
  /** The verdict on one entry's path (absolute paths, `..` segments and the like must be refused). */
  classify(raw: string, isDir: boolean): LayoutVerdict;
  /** Most folder levels of a path. */
  maxDepth: number;
  /** The error of a refused archive, naming the entry when there is one. */
  refuse(message: string, entry?: string): StationError;
}

export const BUNDLE_LAYOUT: ArchiveLayout = {
  classify: classifyPath,
  maxDepth: 3,
  refuse: (message, entry) => new UnsafeBundleError(message, entry),
};

/** A bundle refused for safety or shape (exit 5): what was wrong and with which entry. */
export class UnsafeBundleError extends StationError {
  constructor(message: string, entry?: string) {
    super('unsafe_bundle', message, ExitCode.INVALID, {
      ...(entry === undefined ? {} : { details: { entry } }),
      hints: ['Nothing was installed. Only install bundles from sources you trust.'],
    });
  }
}

export interface ExtractResult {
  /** Files written (normalized paths). */
  files: string[];
  /** Entries left out on purpose, with why. */
  skipped: { path: string; reason: string }[];
}

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'Directory']);

/** Reads a .tar.gz (or plain .tar) with the limits; the decompressed bytes, or an UnsafeBundleError. */
export async function readArchive(
  file: string,
  limits: ExtractLimits = DEFAULT_LIMITS,
  layout: ArchiveLayout = BUNDLE_LAYOUT,
): Promise<Buffer> {
  const compressed = statSync(file).size;
  const head = Buffer.alloc(2);
  const fd = await import('node:fs/promises').then((f) => f.open(file, 'r'));
  try {
    await fd.read(head, 0, 2, 0);
  } finally {
    await fd.close();
  }
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const cap = gzipped ? Math.min(limits.maxBytes, Math.max(compressed, 1) * limits.maxRatio) : limits.maxBytes;
  const source = createReadStream(file);
  // zlib and tar are loaded when a bundle is read, not by every command that loads the core.
  const stream = gzipped ? source.pipe((await import('node:zlib')).createGunzip()) : source;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > cap) {
        const why =
          cap < limits.maxBytes
            ? `decompresses more than ${String(limits.maxRatio)} times its size (a decompression bomb?)`
            : `unpacks to more than ${String(limits.maxBytes)} bytes`;
        throw layout.refuse(`archive ${file} ${why}`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof StationError) throw error;
    throw layout.refuse(`archive ${file} is not a readable .tar.gz: ${(error as Error).message}`);
  } finally {
    source.destroy();
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

interface Checked {
  files: Set<string>;
  skipped: { path: string; reason: string }[];
}

/** Walks the tar bytes and checks every entry; throws UnsafeBundleError on the first bad one. */
async function checkEntries(tar: Buffer, limits: ExtractLimits, layout: ArchiveLayout): Promise<Checked> {
  const files = new Set<string>();
  const skipped: { path: string; reason: string }[] = [];
  let count = 0;
  let problem: StationError | undefined;
  const { Parser } = await import('tar');
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      entry.resume();
      if (problem !== undefined) return;
      count++;
      if (count > limits.maxEntries) {
        problem = layout.refuse(`archive has more than ${String(limits.maxEntries)} entries`);
        return;
      }
      const raw = entry.header.path ?? entry.path;
      if (!ALLOWED_TYPES.has(entry.type)) {
        problem = layout.refuse(
          `entry "${raw}" is a ${describeType(entry.type)}; only files and folders are allowed`,
          raw,
        );
        return;
      }
      const verdict = layout.classify(raw, entry.type === 'Directory');
      if (verdict.kind === 'refuse') problem = layout.refuse(`entry "${raw}": ${verdict.reason}`, raw);
      else if (verdict.kind === 'skip') skipped.push({ path: verdict.path, reason: verdict.reason });
      else if (verdict.kind === 'file') {
        if (files.has(verdict.path)) problem = layout.refuse(`entry "${raw}" appears twice`, raw);
        files.add(verdict.path);
      }
    },
  });
  let parseError: Error | undefined;
  const finished = new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.on('close', resolve);
    parser.on('error', (e: Error) => {
      parseError = e;
      resolve();
    });
  });
  parser.on('warn', (_code: string, message: string) => {
    parseError ??= new Error(message);
  });
  parser.end(tar);
  await finished;
  if (problem !== undefined) throw problem;
  if (parseError !== undefined) throw layout.refuse(`archive is damaged: ${parseError.message}`);
  return { files, skipped };
}

function describeType(type: string): string {
  const names: Record<string, string> = {
    SymbolicLink: 'symbolic link',
    Link: 'hard link',
    CharacterDevice: 'character device',
    BlockDevice: 'block device',
    FIFO: 'FIFO',
  };
  return names[type] ?? `"${type}" entry`;
}

/**
 * Unpacks the archive `file` into `staging` (created here; must not exist). On any refusal the staging
 * folder is removed and the layout's error (a bundle's: UnsafeBundleError) thrown.
 */
export async function extractArchive(
  file: string,
  staging: string,
  limits: ExtractLimits = DEFAULT_LIMITS,
  layout: ArchiveLayout = BUNDLE_LAYOUT,
): Promise<ExtractResult> {
  const tar = await readArchive(file, limits, layout);
  const checked = await checkEntries(tar, limits, layout);
  const { Unpack } = await import('tar');
  mkdirSync(staging, { recursive: false, mode: 0o700 });
  try {
    const unpack = new Unpack({
      cwd: staging,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      noMtime: true,
      maxDepth: layout.maxDepth,
      // Only what checkEntries admitted: files and folders at the paths it checked.
      filter: (path, entry) => {
        if (!('type' in entry) || !ALLOWED_TYPES.has(entry.type)) return false;
        const verdict = layout.classify(path, entry.type === 'Directory');
        return verdict.kind === 'dir' || (verdict.kind === 'file' && checked.files.has(verdict.path));
      },
    });
    const done = Promise.race([once(unpack, 'close'), once(unpack, 'error').then(([e]) => Promise.reject(e as Error))]);
    unpack.end(tar);
    await done;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw layout.refuse(`archive could not be unpacked: ${(error as Error).message}`);
  }
  return { files: [...checked.files].sort(), skipped: checked.skipped };
}
