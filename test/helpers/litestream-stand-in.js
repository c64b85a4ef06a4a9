#!/usr/bin/env node
// A stand-in for the `litestream` binary (none is installed here, and Debian has no package), placed first on PATH
// by test/e2e/entrypoint.test.ts. It appends each call's arguments to $LITESTREAM_STAND_IN_LOG (one line, tab
// separated) and does the little the entrypoint relies on, with file:// replicas only:
//   restore [-config FILE] [-if-replica-exists] [-o OUT] DB|URL   copies REPLICA/station.db to the database path
//   replicate -config FILE -exec CMD   runs CMD as its child (split into words as a shell does), forwards SIGTERM
//                                      and SIGINT to it, waits for it, then copies the database to
//                                      REPLICA/station.db and exits with the child's status
// The real Litestream streams WAL frames and snapshots instead of copying the file.
//
// Written in Node rather than sh: a shell's `wait` cut short by a trapped signal returns 128 + signal, and telling
// that apart from the child's own status raced (CI saw 143 from a child that exited 0).
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:os';

const [verb, ...rest] = process.argv.slice(2);
const log = process.env.LITESTREAM_STAND_IN_LOG;
if (!log) fail('LITESTREAM_STAND_IN_LOG is not set');
appendFileSync(
  log,
  process.argv
    .slice(2)
    .map((a) => `${a}\t`)
    .join('') + '\n',
);

const flags = { config: '', out: '', exec: '', ifExists: false, target: '' };
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i];
  if (arg === '-config') flags.config = rest[++i];
  else if (arg === '-o') flags.out = rest[++i];
  else if (arg === '-exec') flags.exec = rest[++i];
  else if (arg === '-if-replica-exists') flags.ifExists = true;
  else if (arg.startsWith('-')) fail(`unknown flag ${arg}`, 2);
  else flags.target = arg;
}

/** A value from litestream.yml (`path:` or `url:`), read as the real one would find it in this simple file. */
function configValue(key) {
  const found = new RegExp(`^ *-? *${key}: *(.*)$`, 'm').exec(readFileSync(flags.config, 'utf8'));
  return found ? found[1].trim() : '';
}

function replicaFolder(url) {
  if (!url.startsWith('file://')) fail(`only file:// replicas, not ${url}`, 2);
  return url.slice('file://'.length);
}

function fail(message, code = 1) {
  process.stderr.write(`litestream stand-in: ${message}\n`);
  process.exit(code);
}

if (verb === 'restore') {
  const fromUrl = flags.target.startsWith('file://');
  const folder = replicaFolder(fromUrl ? flags.target : configValue('url'));
  const out = flags.out || (fromUrl ? '' : flags.target);
  if (!existsSync(join(folder, 'station.db'))) {
    if (flags.ifExists) {
      process.stderr.write('no matching backups found\n');
      process.exit(0);
    }
    fail(`no replica in ${folder}`);
  }
  copyFileSync(join(folder, 'station.db'), out);
} else if (verb === 'replicate') {
  const db = configValue('path');
  const folder = replicaFolder(configValue('url'));
  const child = spawn('/bin/sh', ['-c', `exec ${flags.exec}`], { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    mkdirSync(folder, { recursive: true });
    if (existsSync(db)) copyFileSync(db, join(folder, 'station.db'));
    if (signal !== null) process.stderr.write(`litestream stand-in: the child ended by ${signal}\n`);
    process.exit(code ?? 128 + constants.signals[signal]);
  });
} else {
  fail(`unknown command ${verb}`, 2);
}
