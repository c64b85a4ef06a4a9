// Keeps the code V8 compiles for Station's CommonJS bundles (dist/**/*.cjs: the core, oclif, yaml) between
// runs, so that a command reads it back instead of compiling ~1.7 MB of JavaScript on every start. Node 22.1
// and newer do this themselves for every module (module.enableCompileCache, used when there); Node 20 has no
// such cache, hence this one: the CommonJS loader's loader of `.cjs` files, for Station's own.
//
// The cache is a folder of the user's own (the OS temp folder's station-compile-cache-UID unless
// STATION_COMPILE_CACHE names another, or `off`), used only when no other user can write to it: compiled code
// is run as is. A file's cached code is kept under its stamp (inode, size, mtime and ctime), so a rebuilt or
// edited file never meets the code of its former content (V8 itself checks only the source's length).
//
// Code compiled through node:vm could import() only with an experimental loader option: Station's CommonJS
// bundles hold no import() (their build turns them into require() and fails on one left, tools/node-bundle.js).
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Script } from 'node:vm';
import { fileStamp, stampNumber } from '../core/fs/file-stamps.js';

/** Smaller files (bytes) compile in less time than their cache takes to find and read. */
const SMALLEST = 64 * 1024;

/** node:vm and the cache folder, or null when there is no cache to use. */
type Opened = { vm: typeof import('node:vm'); dir: string } | null;

/** What Node's CommonJS loader has, untyped in @types/node. */
interface LoadingModule {
  exports: unknown;
  _compile: (this: LoadingModule, content: string, filename: string) => unknown;
}
type Loader = (module: LoadingModule, filename: string) => void;

export interface CompileCacheOptions {
  env?: NodeJS.ProcessEnv;
  /** Use this even when Node has its own compile cache (tests). */
  evenWithNodeCache?: boolean;
}

/**
 * Keeps compiled code of the `.cjs` files under `root` (a folder URL or path) between runs: Node's own
 * compile cache where it has one, else a cache of V8 code made at exit, when one was missing or outdated.
 * Gives false when turned off (STATION_COMPILE_CACHE=off, NODE_DISABLE_COMPILE_CACHE) or not possible here.
 */
export function keepCompiledCode(root: URL | string, options: CompileCacheOptions = {}): boolean {
  const env = options.env ?? process.env;
  const setting = env.STATION_COMPILE_CACHE;
  if (setting === 'off' || env.NODE_DISABLE_COMPILE_CACHE !== undefined) return false;
  const nodeCache = (Module as { enableCompileCache?: () => unknown }).enableCompileCache;
  if (nodeCache !== undefined && options.evenWithNodeCache !== true) {
    nodeCache();
    return true;
  }
  const under = (typeof root === 'string' ? root : fileURLToPath(root)).replace(/[\\/]*$/, sep);
  // node:vm and node:os, and the folder, on the first file large enough to keep (not for `stn --version`).
  let cache: Opened | undefined;
  const open = (): Opened => {
    const require = createRequire(import.meta.url);
    const vm = require('node:vm') as typeof import('node:vm');
    const { tmpdir } = require('node:os') as typeof import('node:os');
    const dir = setting !== undefined && setting !== '' ? setting : join(tmpdir(), `station-compile-cache-${userId()}`);
    return privateFolder(dir) ? { vm, dir } : null;
  };

  const pending: { script: Script; file: string; prefix: string }[] = [];
  /** Compiles `filename` with its kept code; false when it is not one to keep (Node's loader takes it). */
  const compileKept = (module: LoadingModule, filename: string): boolean => {
    if (!filename.startsWith(under) || (statSync(filename, { throwIfNoEntry: false })?.size ?? 0) < SMALLEST) {
      return false;
    }
    if (cache === undefined) {
      cache = open();
      // At exit the code holds every function this run compiled, not only the files' top level.
      if (cache !== null) process.once('exit', () => pending.forEach((entry) => writeCache(entry)));
    }
    if (cache === null) return false;
    // The key is read before the content: a file replaced between the two is kept under its former key,
    // which no later run asks for.
    const key = cacheFile(cache.dir, filename);
    const content = readFileSync(filename, 'utf8');
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(key.file);
    } catch {
      // none yet
    }
    const script = new cache.vm.Script(Module.wrap(content), {
      filename,
      ...(cachedData === undefined ? {} : { cachedData }),
    });
    if (cachedData === undefined || script.cachedDataRejected === true) pending.push({ script, ...key });
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    fn.call(module.exports, module.exports, Module.createRequire(filename), module, filename, dirname(filename));
    return true;
  };

  const loaders = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
  const loadJs = loaders['.js']; // what loads .cjs files too, when `.cjs` has no loader of its own
  if (loadJs === undefined) return false;
  loaders['.cjs'] = (module, filename) => {
    if (!compileKept(module, filename)) loadJs(module, filename);
  };
  return true;
}

function userId(): string {
  return typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
}

/** Made if missing; usable only when it is a real folder of this user that no one else can write to. */
function privateFolder(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) return false;
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return false;
    return process.platform === 'win32' || (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * The cache file of `filename` as it is now on disk: the hashes of its path and of its stamp (inode, size,
 * mtime and ctime: a rebuilt or edited file gets another), and the V8 version.
 */
function cacheFile(dir: string, filename: string): { file: string; prefix: string } {
  const hash = (text: string): string => stampNumber(text).toString(36);
  const prefix = `${basename(filename)}-${hash(filename)}-`;
  return { file: join(dir, `${prefix}${hash(fileStamp(filename))}-${process.versions.v8}.bin`), prefix };
}

/**
 * Written to a temp file renamed over the cache file (readers see all or nothing); older ones removed. Not
 * through the core's writeFileAtomic: it loads node:crypto (~3 ms) at the start of every command.
 */
function writeCache(entry: { script: Script; file: string; prefix: string }): void {
  try {
    const temp = `${entry.file}.${String(process.pid)}.tmp`;
    writeFileSync(temp, entry.script.createCachedData(), { mode: 0o600 });
    renameSync(temp, entry.file);
    const dir = dirname(entry.file);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name.startsWith(entry.prefix) && path !== entry.file && !name.endsWith('.tmp')) rmSync(path, { force: true });
    }
  } catch {
    // A cache that cannot be written costs the next run its compile time, nothing else.
  }
}
