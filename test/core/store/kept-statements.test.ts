import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/core/index.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'station-kept-statements-'));
  db = openDatabase(join(dir, 'station.db'));
  const add = db.prepare("INSERT INTO users (name, role, created_at) VALUES (?, 'viewer', 1)");
  for (const name of ['ada', 'bob', 'cy']) add.run(name);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const NAMES = 'SELECT name FROM users ORDER BY id';

describe("a connection's statements", () => {
  it('are prepared once per SQL text', () => {
    expect(db.prepare(NAMES)).toBe(db.prepare(NAMES));
    expect(db.prepare(NAMES)).not.toBe(db.prepare(`${NAMES} LIMIT 2`));
  });

  it('keep their mode: pluck, raw and expand give the kept statement of that row shape', () => {
    const rows = db.prepare(NAMES);
    const plucked = db.prepare(NAMES).pluck();
    const raw = db.prepare(NAMES).raw();
    expect(plucked).not.toBe(rows);
    expect(plucked.all()).toEqual(['ada', 'bob', 'cy']);
    expect(raw.all()).toEqual([['ada'], ['bob'], ['cy']]);
    expect(rows.all()).toEqual([{ name: 'ada' }, { name: 'bob' }, { name: 'cy' }]);
    expect(db.prepare(NAMES).get()).toEqual({ name: 'ada' });
    // Each row shape is kept too, and turning it off gives the plain one.
    expect(db.prepare(NAMES).pluck()).toBe(plucked);
    expect(plucked.pluck(false)).toBe(rows);
    expect(db.prepare(NAMES).raw().all()).toEqual([['ada'], ['bob'], ['cy']]);
  });

  it('are not given out while an iterator reads from them', () => {
    const seen: string[] = [];
    for (const row of db.prepare(NAMES).iterate() as IterableIterator<{ name: string }>) {
      // The same query inside the loop: the first statement is busy, this one is another.
      seen.push(`${row.name}:${String(db.prepare(NAMES).all().length)}`);
    }
    expect(seen).toEqual(['ada:3', 'bob:3', 'cy:3']);
    expect(db.prepare(NAMES).all()).toHaveLength(3);
  });

  it('do not keep a failed prepare', () => {
    expect(() => db.prepare('SELECT * FROM no_such_table')).toThrow(/no such table/);
    expect(() => db.prepare('SELECT * FROM no_such_table')).toThrow(/no such table/);
    db.exec('CREATE TABLE no_such_table (x INTEGER)');
    expect(db.prepare('SELECT * FROM no_such_table').all()).toEqual([]);
  });
});
