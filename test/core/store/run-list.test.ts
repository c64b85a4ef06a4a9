import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/core/index.js';
import { RunService, type RunSummary } from '../../../src/core/runner/run-service.js';
import type { RunFilter, RunRow } from '../../../src/core/store/run-repo.js';

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

/**
 * The run summary as it was built in JavaScript from a whole row before the view moved into SQL
 * (run-summary-json.ts): the reference the SQL view must match, value for value.
 */
function reference(row: RunRow): RunSummary {
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  let error: RunSummary['error'] = null;
  if (row.error !== null) {
    error = { code: 'error', message: row.error };
    try {
      const value = JSON.parse(row.error) as { code?: unknown; message?: unknown } | null;
      if (typeof value?.code === 'string' && typeof value.message === 'string')
        error = { code: value.code, message: value.message };
    } catch {
      // Not JSON: shown whole.
    }
  }
  return {
    id: row.id,
    agent: row.agent_name,
    environment: row.environment_name,
    status: row.status,
    stopReason: row.stop_reason,
    trigger: row.trigger,
    scheduledAt: iso(row.scheduled_at),
    model: row.model,
    steps: row.steps,
    toolCalls: row.tool_calls,
    tokens: { input: row.tokens_in, output: row.tokens_out, total: row.tokens_total },
    error,
    createdAt: iso(row.created_at) as string,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: row.duration_ms,
  };
}

const ERRORS = [
  null,
  JSON.stringify({ code: 'timeout', message: 'the run took longer than 5m' }),
  JSON.stringify({ code: 'model_error', message: 'quote " backslash \\ newline \n tab \t bell \u0007 é 日本 😀' }),
  JSON.stringify({ code: 'x', message: 'extra fields are left out', details: { a: 1 } }),
  JSON.stringify({ code: 42, message: 'a code that is not text' }),
  JSON.stringify({ message: 'no code' }),
  JSON.stringify(['an', 'array']),
  JSON.stringify('a JSON string'),
  'plain text, not JSON',
  '{"code": "broken", ',
];
const STATUSES = ['completed', 'failed', 'running', 'queued', 'cancelled', 'timed_out', 'interrupted'];
const TRIGGERS = ['manual', 'api', 'mcp', 'schedule', 'import'];

/** A database with varied runs: every error form, times with and without milliseconds, nulls. */
function seeded(count = 240): RunService {
  db = openDatabase(':memory:');
  const insert = db.prepare(
    `INSERT INTO agent_runs (agent_name, environment_name, input_json, status, stop_reason, final_output, model,
       tokens_in, tokens_out, tokens_total, steps, tool_calls, error, pid, created_at, started_at, finished_at,
       duration_ms, trigger, scheduled_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const base = Date.parse('2026-03-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const created = base + i * 86_400_007 + (i % 3 === 0 ? 0 : i % 3 === 1 ? 999 : 5);
    const finished = i % 4 === 0 ? null : created + 1234 + i;
    insert.run(
      `agent-${String(i % 7)}`,
      `env-${String(i % 4)}`,
      JSON.stringify({ q: `question ${String(i)}` }),
      STATUSES[i % STATUSES.length],
      i % 5 === 0 ? null : 'final_answer',
      i % 2 === 0 ? `answer ${String(i)}` : null,
      i % 6 === 0 ? null : 'gpt-test',
      i * 10,
      i * 3,
      i * 13,
      i % 9,
      i % 4,
      ERRORS[i % ERRORS.length],
      i % 2 === 0 ? 1000 + i : null,
      created,
      i % 4 === 0 ? null : created + 17,
      finished,
      finished === null ? null : finished - created,
      TRIGGERS[i % TRIGGERS.length],
      i % 5 === 4 ? created - 60_000 : null,
    );
  }
  return new RunService(db);
}

function rows(): RunRow[] {
  return (db as Db).prepare('SELECT * FROM agent_runs ORDER BY id DESC').all() as RunRow[];
}

/** The runs a filter should list, computed from every row in JavaScript. */
function expected(filter: RunFilter): RunSummary[] {
  const anyOf = <T>(value: T | readonly T[] | undefined): readonly T[] | undefined =>
    value === undefined ? undefined : Array.isArray(value) ? (value as readonly T[]) : [value as T];
  const envs = anyOf(filter.environment);
  const statuses = anyOf(filter.status);
  const triggers = anyOf(filter.trigger);
  return rows()
    .filter((r) => filter.agent === undefined || r.agent_name === filter.agent)
    .filter((r) => envs === undefined || envs.includes(r.environment_name))
    .filter((r) => statuses === undefined || statuses.length === 0 || statuses.includes(r.status))
    .filter((r) => triggers === undefined || triggers.length === 0 || triggers.includes(r.trigger))
    .filter((r) => filter.beforeId === undefined || r.id < filter.beforeId)
    .filter((r) => filter.since === undefined || r.created_at >= filter.since)
    .slice(0, filter.limit ?? 50)
    .map(reference);
}

describe('the runs list (one SQL view of a run summary)', () => {
  it('shows every run as the summary built from its whole row did: errors, times, nulls', () => {
    const runs = seeded();
    const all = runs.list({ limit: 1000 });
    expect(all).toHaveLength(240);
    expect(all).toEqual(rows().map(reference));
    for (const row of rows()) {
      expect(runs.get(row.id)).toEqual(reference(row));
      expect(runs.find(row.id)).toEqual(reference(row));
    }
    expect(runs.find(9999)).toBeUndefined();
    expect(() => runs.get(9999)).toThrow(/run 9999 does not exist/);
  });

  it('lists the same runs for every filter and page, and its JSON text is the list', () => {
    const runs = seeded();
    const since = Date.parse('2026-03-01T00:00:00Z') + 100 * 86_400_007;
    const filters: RunFilter[] = [
      {},
      { limit: 7 },
      { environment: 'env-1' },
      { environment: ['env-1', 'env-3'] },
      { environment: [] },
      { agent: 'agent-2' },
      { agent: 'agent-2', environment: 'env-0' },
      { status: 'failed' },
      { status: ['failed', 'timed_out', 'interrupted'] },
      { trigger: 'schedule' },
      { trigger: ['api', 'mcp'], environment: ['env-2'] },
      { since },
      { since, status: 'completed', limit: 3 },
      { agent: 'nobody' },
    ];
    for (const filter of filters) {
      expect(runs.list(filter), JSON.stringify(filter)).toEqual(expected(filter));
      expect(JSON.parse(runs.listJson(filter))).toEqual(runs.list(filter));
    }
    // Paging back with beforeId walks every run once, newest first.
    const seen: number[] = [];
    let page = runs.list({ environment: 'env-2', limit: 9 });
    while (page.length > 0) {
      expect(page).toEqual(expected({ environment: 'env-2', limit: 9, beforeId: seen.at(-1) }));
      seen.push(...page.map((r) => r.id));
      page = runs.list({ environment: 'env-2', limit: 9, beforeId: seen.at(-1) });
    }
    expect(seen).toEqual(
      rows()
        .filter((r) => r.environment_name === 'env-2')
        .map((r) => r.id),
    );
  });

  it('shows a run with its input, answer and pid after the same summary; the newest run per agent', () => {
    const runs = seeded(40);
    for (const row of rows()) {
      const { input, output, pid, events, ...summary } = runs.show(row.id);
      expect(summary).toEqual(reference(row));
      expect(Object.keys(runs.show(row.id)).slice(0, -4)).toEqual(Object.keys(reference(row)));
      expect({ input, output, pid, events }).toEqual({
        input: JSON.parse(row.input_json) as unknown,
        output: row.final_output,
        pid: row.pid,
        events: [],
      });
    }
    const newest = new Map<string, RunSummary>();
    for (const row of rows().filter((r) => r.environment_name === 'env-1'))
      if (!newest.has(row.agent_name)) newest.set(row.agent_name, reference(row));
    expect(runs.lastRunPerAgent('env-1')).toEqual(newest);
  });

  it('reads each filtered list from an index in id order (no scan and sort)', () => {
    seeded(10);
    const plan = (where: string): string =>
      (
        (db as Db).prepare(`EXPLAIN QUERY PLAN SELECT id FROM agent_runs ${where} ORDER BY id DESC LIMIT 50`).all() as {
          detail: string;
        }[]
      )
        .map((r) => r.detail)
        .join('; ');
    for (const where of [
      "WHERE environment_name IN ('env-1')",
      "WHERE agent_name = 'agent-1'",
      "WHERE agent_name = 'agent-1' AND environment_name IN ('env-1')",
      "WHERE status IN ('failed')",
      "WHERE trigger IN ('api')",
    ]) {
      const detail = plan(where);
      expect(detail, where).toMatch(/USING (COVERING )?INDEX/);
      expect(detail, where).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('answers a list asked again from what it read, until a run changes here or through another connection', () => {
    const dir = mkdtempSync(join(tmpdir(), 'station-run-list-'));
    const file = join(dir, 'station.db');
    const here = openDatabase(file);
    const other = openDatabase(file);
    try {
      const runs = new RunService(here);
      const add = (conn: Db, agent: string): void => {
        conn
          .prepare(
            `INSERT INTO agent_runs (agent_name, environment_name, input_json, status, created_at)
             VALUES (?, 'default', '{}', 'queued', ?)`,
          )
          .run(agent, Date.now());
      };
      const agents = (): string[] => runs.list({ limit: 10 }).map((r) => r.agent);
      expect(agents()).toEqual([]);
      add(here, 'a');
      expect(agents()).toEqual(['a']);
      expect(runs.listJson({ limit: 10 })).toBe(runs.listJson({ limit: 10 }));
      // Another connection (another process: `stn run`, a worker) adds, changes and removes runs.
      add(other, 'b');
      expect(agents()).toEqual(['b', 'a']);
      other.prepare("UPDATE agent_runs SET status = 'completed' WHERE agent_name = 'b'").run();
      expect(runs.list({ limit: 10 }).map((r) => r.status)).toEqual(['completed', 'queued']);
      expect(runs.list({ status: 'queued' }).map((r) => r.agent)).toEqual(['a']);
      other.prepare("DELETE FROM agent_runs WHERE agent_name = 'a'").run();
      expect(agents()).toEqual(['b']);
      // This connection changes a run inside a transaction: seen at once, and again once rolled back.
      expect(() =>
        here.transaction(() => {
          here.prepare("UPDATE agent_runs SET agent_name = 'c'").run();
          expect(agents()).toEqual(['c']);
          throw new Error('rolled back');
        })(),
      ).toThrow('rolled back');
      expect(agents()).toEqual(['b']);
    } finally {
      other.close();
      here.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
