/**
 * New better-sqlite3 connections (the SQLite3MultipleCiphers build), the one way the core makes them. Its
 * compiled addon is given by path: the package's own lookup (the `bindings` package) finds the package from
 * the caller's stack, which is Station's bundle once the core is built (tools/bundle-core.js bundles the
 * driver's JavaScript, ten small files that cost ~4 ms to load one by one on every command).
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatabaseError } from '../errors.js';

const PACKAGE = 'better-sqlite3-multiple-ciphers';
let addon: string | undefined;

/** The path of the driver's compiled addon, where npm's install (prebuilt or built here) puts it. */
export function sqliteAddonPath(): string {
  if (addon !== undefined) return addon;
  const root = dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`));
  const candidates = ['Release', 'Debug'].map((build) => join(root, 'build', build, 'better_sqlite3.node'));
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined) {
    throw new DatabaseError(`SQLite's driver is not built: no ${candidates.join(' or ')}`, {
      hints: [`Run: npm rebuild ${PACKAGE} (in Station's folder), then try again.`],
    });
  }
  addon = found;
  return found;
}

/** A new connection to `file` (better-sqlite3's options). */
export function sqliteConnection(file: string, options: Database.Options = {}): Database.Database {
  return new Database(file, { ...options, nativeBinding: sqliteAddonPath() });
}
