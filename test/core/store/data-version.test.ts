import Database from 'better-sqlite3-multiple-ciphers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/core/index.js';
import { DataVersion } from '../../../src/core/store/data-version.js';

let dir: string | undefined;
const open: { close(): unknown }[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function file(): string {
  dir = mkdtempSync(join(tmpdir(), 'station-data-version-'));
  return join(dir, 'station.db');
}

function connect(path: string): Db {
  const db = openDatabase(path);
  open.push(db);
  return db;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('DataVersion', () => {
  it('moves with a change of this connection, of another connection of this process, at once', () => {
    const path = file();
    const here = connect(path);
    const other = connect(path);
    const stamps = [new DataVersion(here), new DataVersion(here)];
    const before = stamps[0]?.stamp();
    expect(stamps[1]?.stamp()).toBe(before);
    other.prepare("INSERT INTO users (name, role, created_at) VALUES ('a', 'viewer', 1)").run();
    const afterOther = stamps[0]?.stamp();
    expect(afterOther).not.toBe(before);
    expect(stamps[1]?.stamp()).toBe(afterOther);
    // Committed when the transaction returns, without a statement's run after it.
    other.transaction(() => other.prepare("UPDATE users SET role = 'admin'").run())();
    const afterCommit = stamps[1]?.stamp();
    expect(afterCommit).not.toBe(afterOther);
    here.prepare("UPDATE users SET role = 'viewer'").run();
    expect(stamps[0]?.stamp()).not.toBe(afterCommit);
  });

  it('moves with a commit of another process by the next turn of the event loop', async () => {
    const path = file();
    const here = connect(path);
    const version = new DataVersion(here);
    const before = version.stamp();
    // Not opened by openDatabase: what this process cannot see coming, like another process's connection.
    const elsewhere = new Database(path);
    open.push(elsewhere);
    elsewhere.prepare("INSERT INTO users (name, role, created_at) VALUES ('b', 'viewer', 1)").run();
    await nextTurn();
    expect(version.stamp()).not.toBe(before);
  });

  it('gives none inside a transaction', () => {
    const here = connect(file());
    const version = new DataVersion(here);
    expect(version.stamp()).toBeDefined();
    here.transaction(() => {
      expect(version.stamp()).toBeUndefined();
    })();
  });
});
