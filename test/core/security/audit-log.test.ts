// The audit trail's hash chain: rows chained inside a write transaction, and `verify` naming the first
// row changed, deleted or inserted behind Station's back (raw SQL on a real SQLite file).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, auditHash, openDatabase, type Db } from '../../../src/core/index.js';
import { ROOT } from '../../helpers/cli.js';
import { makeTempHome, type TempHome } from '../../helpers/home.js';

describe('AuditLog', () => {
  let temp: TempHome;
  let db: Db;
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  function fill(n: number): AuditLog {
    temp = makeTempHome();
    db = openDatabase(join(temp.home, 'station.db'));
    let t = 1_700_000_000_000;
    const log = new AuditLog(db, () => (t += 1000));
    for (let i = 1; i <= n; i++) {
      log.record({ actor: 'local:ann', door: 'cli', action: 'agent.create', target: `default/a${String(i)}` });
    }
    return log;
  }

  it('chains each row to the one before it and verifies an untouched trail', () => {
    const log = fill(5);
    const rows = db.prepare('SELECT * FROM audit_log ORDER BY id').all() as { prev_hash: string; hash: string }[];
    expect(rows).toHaveLength(5);
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
    expect(log.verify()).toEqual({ ok: true, rows: 5, legacyRows: 0, problem: null });
  });

  it('names a row whose target was edited with raw SQL', () => {
    const log = fill(5);
    db.prepare("UPDATE audit_log SET target = 'default/innocent' WHERE id = 3").run();
    expect(log.verify()).toMatchObject({ ok: false, problem: { id: 3, kind: 'changed' } });
  });

  it('names a row edited together with a recomputed hash at the next row', () => {
    const log = fill(5);
    const row = db.prepare('SELECT * FROM audit_log WHERE id = 3').get() as Parameters<typeof auditHash>[1] & {
      prev_hash: string;
    };
    const forged = { ...row, target: 'default/innocent' };
    db.prepare('UPDATE audit_log SET target = ?, hash = ? WHERE id = 3').run(
      forged.target,
      auditHash(row.prev_hash, forged),
    );
    expect(log.verify()).toMatchObject({ ok: false, problem: { id: 4, kind: 'inserted' } });
  });

  it('detects a deleted row in the middle, the first row and the newest rows', () => {
    let log = fill(5);
    db.prepare('DELETE FROM audit_log WHERE id = 2').run();
    expect(log.verify()).toMatchObject({ ok: false, problem: { id: 3, kind: 'deleted' } });
    expect(log.verify().problem?.message).toContain('row(s) 2 before row 3 were deleted');
    db.close();
    temp.cleanup();

    log = fill(5);
    db.prepare('DELETE FROM audit_log WHERE id = 1').run();
    expect(log.verify()).toMatchObject({ ok: false, problem: { id: 2, kind: 'deleted' } });
    db.close();
    temp.cleanup();

    log = fill(5);
    db.prepare('DELETE FROM audit_log WHERE id >= 4').run();
    expect(log.verify()).toMatchObject({ ok: false, problem: { id: 5, kind: 'deleted' } });
  });

  it('detects a row inserted behind its back', () => {
    const log = fill(3);
    db.prepare(
      "INSERT INTO audit_log (ts, actor, action, target, details_json) VALUES (1, 'local:eve', 'key.create', 'x', '{}')",
    ).run();
    expect(log.verify()).toMatchObject({ ok: false, problem: { id: 4 } });
  });

  it('seals rows written before the chain existed, then keeps chaining', () => {
    temp = makeTempHome();
    db = openDatabase(join(temp.home, 'station.db'));
    db.prepare(
      "INSERT INTO audit_log (ts, actor, action, target, details_json) VALUES (1, 'cli', 'key.create', 'abc', '{}')",
    ).run();
    const log = new AuditLog(db);
    expect(log.verify()).toMatchObject({ ok: true, legacyRows: 1 });
    log.record({ actor: 'local:ann', door: 'cli', action: 'sync', target: 'default' });
    expect(log.verify()).toEqual({ ok: true, rows: 2, legacyRows: 0, problem: null });
  });

  it('lists newest first with filters and pages', () => {
    const log = fill(5);
    log.record({ actor: 'ci', owner: 'ann', door: 'rest', action: 'key.revoke', target: 'p1', requestId: 'r-1' });
    expect(log.list({ actor: 'ci' }).map((r) => r.action)).toEqual(['key.revoke']);
    expect(log.list({ actor: 'ann' }).map((r) => r.requestId)).toEqual(['r-1']);
    expect(log.list({ action: 'key.*' })).toHaveLength(1);
    expect(log.list({ action: 'agent.create', limit: 2 }).map((r) => r.id)).toEqual([5, 4]);
    expect(log.list({ action: 'agent.create', limit: 2, before: 4 }).map((r) => r.id)).toEqual([3, 2]);
    expect(log.list({ since: 1_700_000_005_000 }).map((r) => r.id)).toEqual([6, 5]);
    expect(() => log.list({ limit: 0 })).toThrow(/limit/);
  });

  it('keeps one chain when two processes write at the same time', async () => {
    fill(1);
    const file = join(temp.home, 'station.db');
    const core = pathToFileURL(join(ROOT, 'dist', 'core', 'index.js')).href;
    const script = `
      const { openDatabase, AuditLog } = await import(${JSON.stringify(core)});
      const db = openDatabase(process.argv[1]);
      const log = new AuditLog(db);
      for (let i = 0; i < 150; i++) log.record({ actor: 'p' + process.argv[2], door: 'cli', action: 'sync', target: String(i) });
      db.close();`;
    const writer = (n: number): Promise<number | null> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, file, String(n)], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('error', reject);
        child.on('close', resolve);
      });
    expect(await Promise.all([writer(1), writer(2)])).toEqual([0, 0]);
    const log = new AuditLog(db);
    expect(log.verify()).toEqual({ ok: true, rows: 301, legacyRows: 0, problem: null });
    const actors = new Set(log.list({ limit: 1000 }).map((r) => r.actor));
    expect(actors).toEqual(new Set(['local:ann', 'p1', 'p2']));
  });
});
