import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, schemaVersion, DatabaseError } from '../../../src/core/index.js';
import { MIGRATIONS } from '../../../src/core/store/migrations/index.js';
import { makeTempHome, type TempHome } from '../../helpers/home.js';

const EXPECTED_TABLES = [
  'agent_runs',
  'agent_tools',
  'agents',
  'api_keys',
  'audit_log',
  'environments',
  'mcp_servers',
  'mcp_tools',
  'original_runs',
  'run_events',
  'schedule_state',
  'schema_migrations',
  'secrets',
  'settings',
  'users',
  'webhook_attempts',
  'webhook_deliveries',
  'webhooks',
];

describe('database and migrations', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('applies every migration to an empty database, in order, and records them', () => {
    temp = makeTempHome();
    const file = join(temp.home, 'station.db');
    const db = openDatabase(file);
    const tables = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as { name: string }[]
    ).map((r) => r.name);
    expect(tables).toEqual(EXPECTED_TABLES);
    const recorded = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(recorded).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
    db.close();
  });

  it('applies migration 6 to a database at version 3, and lower numbers merged later (4, 5) still run', () => {
    temp = makeTempHome();
    const file = join(temp.home, 'station.db');
    openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 3) }).close();
    // A home that reached 6 on a branch where 4 and 5 did not exist yet.
    const without45 = openDatabase(file, {
      migrations: MIGRATIONS.filter((m) => m.version <= 6 && m.version !== 4 && m.version !== 5),
    });
    expect(schemaVersion(without45)).toBe(6);
    expect(without45.prepare("SELECT name FROM sqlite_master WHERE name = 'webhooks'").get()).toBeDefined();
    expect(without45.prepare("SELECT name FROM sqlite_master WHERE name = 'schedule_state'").get()).toBeUndefined();
    without45.close();
    // Numbers below the highest recorded one are applied, not skipped.
    const again = openDatabase(file);
    expect(again.prepare("SELECT name FROM sqlite_master WHERE name = 'schedule_state'").get()).toBeDefined();
    expect(
      again.prepare("SELECT name FROM pragma_table_info('agent_runs') WHERE name = 'trigger'").get(),
    ).toBeDefined();
    expect(
      (again.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    ).toEqual(MIGRATIONS.map((m) => m.version));
    again.close();
  });

  it('creates the columns later features rely on', () => {
    temp = makeTempHome();
    const db = openDatabase(join(temp.home, 'station.db'));
    const columns = (table: string): string[] =>
      (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    expect(columns('agent_runs')).toEqual(
      expect.arrayContaining([
        'agent_name',
        'environment_name',
        'status',
        'stop_reason',
        'tokens_in',
        'tokens_out',
        'tokens_total',
        'steps',
        'tool_calls',
        'pid',
        'started_at',
        'finished_at',
      ]),
    );
    expect(columns('run_events')).toEqual(['id', 'run_id', 'seq', 'type', 'ts', 'data_json']);
    expect(columns('mcp_tools')).toEqual(
      expect.arrayContaining(['server_id', 'name', 'description', 'input_schema_json']),
    );
    expect(columns('api_keys')).toEqual(expect.arrayContaining(['prefix', 'key_hash', 'role', 'revoked_at']));
    // Runs survive their agent: the foreign key nulls out instead of cascading.
    const fks = db.prepare('PRAGMA foreign_key_list(agent_runs)').all() as { table: string; on_delete: string }[];
    expect(fks.find((f) => f.table === 'agents')?.on_delete).toBe('SET NULL');
    db.close();
  });

  it('opens in WAL mode with foreign keys and a busy timeout', () => {
    temp = makeTempHome();
    const db = openDatabase(join(temp.home, 'station.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(() =>
      db
        .prepare(
          "INSERT INTO agents (environment_id, name, file_name, content_hash, created_at, updated_at) VALUES (999, 'a', 'a.prompt', 'h', 0, 0)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('is idempotent: reopening applies nothing new', () => {
    temp = makeTempHome();
    const file = join(temp.home, 'station.db');
    openDatabase(file).close();
    const db = openDatabase(file);
    expect((db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(
      MIGRATIONS.length,
    );
    db.close();
  });

  it('refuses a database made by a newer Station, saying what to do', () => {
    temp = makeTempHome();
    const file = join(temp.home, 'station.db');
    openDatabase(file).close();
    const raw = new Database(file);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('from-the-future');
    raw.close();
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatabaseError);
    const err = caught as DatabaseError;
    expect(err.message).toMatch(/newer version of Station \(schema version 999; this stn knows up to \d+\)/);
    expect(err.hints.join(' ')).toMatch(/Upgrade stn/);
    expect(err.exitCode).toBe(7);
  });

  it('rolls back a failing migration and leaves earlier ones applied', () => {
    temp = makeTempHome();
    const file = join(temp.home, 'station.db');
    const broken = [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, name: 'two', sql: 'CREATE TABLE b (x INTEGER); INSERT INTO nope VALUES (1);' },
    ];
    expect(() => openDatabase(file, { migrations: broken })).toThrow(/migration 2 \(two\) failed/);
    const raw = new Database(file);
    const tables = (
      raw.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]
    ).map((r) => r.name);
    expect(tables).toEqual(['a', 'schema_migrations']);
    expect(raw.prepare('SELECT version FROM schema_migrations').all()).toEqual([{ version: 1 }]);
    raw.close();
  });
});
