// The store boundary: a Station connection (openDatabase) against a real file that a second, plain
// SQLite connection locks. SQLite locks between connections, so one process is enough here;
// test/e2e/busy-database.test.ts does the same across processes with the built stn.
import Database from 'better-sqlite3-multiple-ciphers';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseError, openDatabase, type Db } from '../../../src/core/index.js';
import { retryWhileLocked, writeUnlessLocked } from '../../../src/core/store/lock-waits.js';
import { MIGRATIONS } from '../../../src/core/store/migrations/index.js';
import { makeTempHome, type TempHome } from '../../helpers/home.js';

let temp: TempHome;
let file: string;
let db: Db | undefined;
let other: Database.Database | undefined;
beforeEach(() => {
  temp = makeTempHome();
  file = join(temp.home, 'station.db');
  openDatabase(file).close();
});
afterEach(() => {
  if (other?.inTransaction === true) other.exec('ROLLBACK');
  other?.close();
  db?.close();
  other = undefined;
  db = undefined;
  temp.cleanup();
});

/** A second connection holding the write lock (BEGIN IMMEDIATE). */
function lockFromElsewhere(): Database.Database {
  other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  return other;
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function expectLocked(error: unknown): void {
  expect(error).toBeInstanceOf(DatabaseError);
  expect(error).toMatchObject({ code: 'database_locked', exitCode: 7 });
  expect((error as DatabaseError).message).toContain('the database is locked by another process');
  expect((error as DatabaseError).hints.join('\n')).toContain('database.busy_timeout_ms in config.yaml (now 20)');
}

describe('a Station connection when another connection holds the write lock', () => {
  it('opens an up-to-date database without writing, and reads go on', () => {
    lockFromElsewhere();
    db = openDatabase(file, { busyTimeoutMs: 20 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM environments').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT name FROM environments').all()).toEqual([]);
    expect([...db.prepare('SELECT name FROM environments').iterate()]).toEqual([]);
  });

  it('every way of writing throws a DatabaseError (exit 7) with what to do, never a raw SqliteError', () => {
    lockFromElsewhere();
    db = openDatabase(file, { busyTimeoutMs: 20 });
    const insert = "INSERT INTO environments (name, created_at, updated_at) VALUES ('x', 0, 0)";
    const live = db;
    expectLocked(caught(() => live.prepare(insert).run()));
    expectLocked(caught(() => live.exec(insert)));
    expectLocked(caught(() => live.transaction(() => live.prepare(insert).run()).immediate()));
    expectLocked(caught(() => live.transaction(() => live.prepare(insert).run())()));
    expect(live.inTransaction).toBe(false);
  });

  it('a pending migration meets the lock: the lock error, not "migration failed"', () => {
    lockFromElsewhere();
    const next = { version: 99, name: 'later', sql: 'CREATE TABLE later (id INTEGER PRIMARY KEY)' };
    expectLocked(caught(() => openDatabase(file, { busyTimeoutMs: 20, migrations: [...MIGRATIONS, next] })));
  });

  it('errors that are bugs (bad SQL, a broken constraint) stay as SQLite raised them', () => {
    db = openDatabase(file, { busyTimeoutMs: 20 });
    const live = db;
    const bad = caught(() => live.prepare('SELEC 1'));
    expect(bad).toBeInstanceOf(Database.SqliteError);
    live.prepare("INSERT INTO environments (name, created_at, updated_at) VALUES ('x', 0, 0)").run();
    const dup = caught(() =>
      live.prepare("INSERT INTO environments (name, created_at, updated_at) VALUES ('x', 0, 0)").run(),
    );
    expect(dup).toBeInstanceOf(Database.SqliteError);
    expect((dup as InstanceType<typeof Database.SqliteError>).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
  });

  it('writeUnlessLocked: a read goes on without its write while locked, and the busy timeout is put back', () => {
    db = openDatabase(file, { busyTimeoutMs: 20 });
    const live = db;
    const insert = (): number =>
      live.prepare("INSERT INTO settings (key, value_json, updated_at) VALUES ('k', '1', 0)").run().changes;
    lockFromElsewhere();
    const refused = writeUnlessLocked(live, insert, 0);
    expect(refused.written).toBe(false);
    if (!refused.written) expectLocked(refused.error);
    expect(live.pragma('busy_timeout', { simple: true })).toBe(20);
    other?.exec('ROLLBACK');
    expect(writeUnlessLocked(live, insert, 0)).toEqual({ written: true, value: 1 });
    // Anything but the lock is thrown as usual.
    expect(() => writeUnlessLocked(live, insert, 0)).toThrow(/UNIQUE/);
  });
});

describe('retryWhileLocked', () => {
  const locked = new DatabaseError('the database is locked by another process', { code: 'database_locked' });

  it('tries again while the lock error comes back, and returns what the write returns', () => {
    let tries = 0;
    const value = retryWhileLocked(
      () => {
        tries += 1;
        if (tries < 3) throw locked;
        return 'written';
      },
      60_000,
      1,
    );
    expect(value).toBe('written');
    expect(tries).toBe(3);
  });

  it('gives up with the lock error once its patience is spent, and never retries other errors', () => {
    let tries = 0;
    expect(() =>
      retryWhileLocked(
        () => {
          tries += 1;
          throw locked;
        },
        0,
        1,
      ),
    ).toThrow(locked);
    expect(tries).toBe(1);
    const other = new DatabaseError('damaged', { code: 'database_corrupt' });
    tries = 0;
    expect(() =>
      retryWhileLocked(
        () => {
          tries += 1;
          throw other;
        },
        60_000,
        1,
      ),
    ).toThrow(other);
    expect(tries).toBe(1);
  });
});

describe('a file that is not a database', () => {
  it('is a DatabaseError with code database_corrupt and what to do', () => {
    const junk = join(temp.home, 'junk.db');
    writeFileSync(junk, Buffer.alloc(8192, 0xab));
    const error = caught(() => openDatabase(junk));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: 'database_corrupt', exitCode: 7 });
    expect((error as DatabaseError).message).toContain('is damaged: file is not a database');
    expect((error as DatabaseError).hints.join('\n')).toContain('PRAGMA integrity_check');
  });
});
