#!/usr/bin/env node
// Holds a lock on a SQLite database from its own process, as another program would (a sqlite3 shell
// inside a transaction, a backup, another stn):
//
//   node test/helpers/hold-db-lock.js FILE [immediate|exclusive]
//
// immediate: BEGIN IMMEDIATE, the write lock (readers go on under WAL). exclusive: locking_mode
// EXCLUSIVE and a write, which locks readers out too. Prints "locked" when it holds the lock, and rolls
// back, prints "released" and exits when a line arrives on stdin (or stdin closes).
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** @type {typeof import('better-sqlite3-multiple-ciphers')} */
const Database = require('better-sqlite3-multiple-ciphers');

const [file, mode = 'immediate'] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: hold-db-lock.js FILE [immediate|exclusive]\n');
  process.exit(2);
}
const db = new Database(file);
// An encrypted station.db (its first bytes are not SQLite's header) is keyed as Station keys it: the raw
// 32-byte key from STATION_ENCRYPTION_KEY (hex or base64), else keys/station.key beside the database.
const head = readFileSync(file).subarray(0, 16);
if (head.length > 0 && !head.equals(Buffer.from('SQLite format 3\0', 'latin1'))) {
  const text = (
    process.env.STATION_ENCRYPTION_KEY || readFileSync(join(dirname(file), 'keys', 'station.key'), 'utf8')
  ).trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  db.pragma("cipher = 'sqlcipher'");
  db.pragma('legacy = 4');
  db.pragma(`key = "x'${key.toString('hex')}'"`);
}
if (mode === 'exclusive') {
  db.pragma('locking_mode = EXCLUSIVE');
  db.exec('BEGIN EXCLUSIVE');
  db.prepare("INSERT INTO settings (key, value_json, updated_at) VALUES ('held', '1', 0)").run();
} else {
  db.exec('BEGIN IMMEDIATE');
}
process.stdout.write('locked\n');

let released = false;
const release = () => {
  if (released) return;
  released = true;
  db.exec('ROLLBACK');
  db.close();
  process.stdout.write('released\n');
  process.exit(0);
};
process.stdin.on('data', release);
process.stdin.on('end', release);
