#!/usr/bin/env node
// Holds a lock on a SQLite database from its own process, as another program would (a sqlite3 shell
// inside a transaction, a backup, another stn):
//
//   node test/helpers/hold-db-lock.js FILE [immediate|exclusive]
//
// immediate: BEGIN IMMEDIATE, the write lock (readers go on under WAL). exclusive: locking_mode
// EXCLUSIVE and a write, which locks readers out too. Prints "locked" when it holds the lock, and rolls
// back, prints "released" and exits when a line arrives on stdin (or stdin closes).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** @type {typeof import('better-sqlite3-multiple-ciphers')} */
const Database = require('better-sqlite3-multiple-ciphers');

const [file, mode = 'immediate'] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: hold-db-lock.js FILE [immediate|exclusive]\n');
  process.exit(2);
}
const db = new Database(file);
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
