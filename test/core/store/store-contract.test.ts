// The store's contract, one suite run on both engines: SQLite (a file) and PostgreSQL (a schema of its own on the
// local server). Repositories, gap-free event seqs, paging, orphan marking, the audit chain, schedule leases, the
// webhook queue, and writers in several processes at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestSchemaVersion, schemaVersion } from '../../../src/core/store/database.js';
import { EnvironmentRepo } from '../../../src/core/store/environment-repo.js';
import { AgentRepo } from '../../../src/core/store/agent-repo.js';
import { KeyRepo } from '../../../src/core/store/key-repo.js';
import { SecretRepo } from '../../../src/core/store/secret-repo.js';
import { McpRepo } from '../../../src/core/store/mcp-repo.js';
import { RunRepo, UNCLAIMED_SQL, isUnclaimed, type StoredEvent } from '../../../src/core/store/run-repo.js';
import { ScheduleRepo } from '../../../src/core/store/schedule-repo.js';
import { WebhookRepo } from '../../../src/core/store/webhook-repo.js';
import { AuditLog } from '../../../src/core/security/audit-log.js';
import { runStoreWriter, STORE_ENGINES, type TestStore } from '../../helpers/stores.js';
import { writeUnlessLocked } from '../../../src/core/store/lock-waits.js';
import { isDatabaseLocked } from '../../../src/core/store/sqlite-errors.js';
import { STORE_WRITER_LOCK } from '../../../src/core/store/postgres/pg-sync-db.js';

function event(runId: number, seq: number, type = 'tool.finished'): StoredEvent {
  return {
    runId,
    seq,
    type: type as StoredEvent['type'],
    ts: 1_700_000_000_000 + seq,
    dataJson: JSON.stringify({ seq }),
  };
}

const progress = { steps: 1, toolCalls: 2, tokens: { input: 10, output: 5, total: 15 } };

describe.each(STORE_ENGINES)('store contract on $name', (engine) => {
  let store: TestStore;
  beforeEach(() => {
    store = engine.open();
  });
  afterEach(() => {
    store.close();
  });

  function newRun(repo: RunRepo, overrides: Partial<{ agent: string; environment: string; now: number }> = {}): number {
    return repo.insertQueued({
      agentName: overrides.agent ?? 'hello',
      environmentName: overrides.environment ?? 'default',
      input: { task: 'x' },
      model: 'm',
      pid: 4242,
      now: overrides.now ?? 1_700_000_000_123,
    });
  }

  it('is migrated to the latest schema, and opening again applies nothing', () => {
    expect(schemaVersion(store.db)).toBe(latestSchemaVersion());
    const other = store.connect();
    expect(schemaVersion(other)).toBe(latestSchemaVersion());
    const count = other.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number };
    expect(count.n).toBe(engine.name === 'sqlite' ? latestSchemaVersion() : latestSchemaVersion() - 7);
  });

  it('keeps environments, agents, tools, keys and secrets', () => {
    const envs = new EnvironmentRepo(store.db);
    const env = envs.insert('staging', 'the staging one', 5);
    expect(envs.byName('staging')).toMatchObject({ id: env.id, name: 'staging', description: 'the staging one' });
    const agents = new AgentRepo(store.db);
    const agent = (name: string) => ({
      name,
      fileName: `${name}.prompt`,
      description: 'd',
      model: null,
      maxSteps: 3,
      tags: ['a'],
      inputSchema: null,
      outputSchema: null,
      contentHash: 'h',
      stamp: 1,
      tools: [],
    });
    const id = agents.insert(env.id, agent('Zed'));
    agents.insert(env.id, agent('alpha'));
    expect(agents.summaries(env.id).map((a) => a.name)).toEqual(['alpha', 'Zed']);
    expect(agents.byName(env.id, 'Zed')).toMatchObject({ id, max_steps: 3 });
    agents.setTools(id, ['fs_read', 'fs_read', 'fs_write'], () => null);
    expect(agents.toolsByAgent(env.id).get(id)).toEqual(['fs_read', 'fs_write']);

    const mcp = new McpRepo(store.db);
    const serverId = mcp.upsertServer(
      env.id,
      {
        name: 'fs',
        configFile: 'template.json',
        transport: 'stdio',
        command: 'npx',
        args: ['-y', 'x'],
        url: null,
        configHash: 'c',
        status: 'ok',
        lastError: null,
        stderrTail: null,
      },
      10,
    );
    const again = mcp.upsertServer(
      env.id,
      {
        name: 'fs',
        configFile: 't',
        transport: 'stdio',
        command: 'n',
        args: [],
        url: null,
        configHash: 'd',
        status: 'ok',
        lastError: null,
        stderrTail: null,
      },
      11,
    );
    expect(again).toBe(serverId);
    expect(mcp.servers(env.id)).toMatchObject([{ id: serverId, config_hash: 'd', command: 'n' }]);

    const keys = new KeyRepo(store.db);
    const key = keys.insertKey({
      name: 'ci',
      prefix: 'stn_abc',
      keyHash: 'hash',
      role: 'viewer',
      environments: ['staging'],
      userId: null,
      expiresAt: null,
    });
    expect(keys.byPrefix('stn_abc')).toMatchObject({ id: key.id, role: 'viewer' });
    expect(keys.revoke(key.id, 99)).toBe(true);

    const secrets = new SecretRepo(store.db);
    const sealed = { ciphertext: Buffer.from([0, 1, 2, 255]), nonce: Buffer.alloc(12, 9) };
    expect(secrets.put(env.id, 'TOKEN', sealed, 7)).toBe(true);
    const row = secrets.rows(['staging'])[0] as unknown as { ciphertext: Buffer; nonce: Buffer; name: string };
    expect(row.name).toBe('TOKEN');
    expect(Buffer.isBuffer(row.ciphertext)).toBe(true);
    expect([...row.ciphertext]).toEqual([0, 1, 2, 255]);
    expect(secrets.put(null, 'GLOBAL', sealed, 7)).toBe(true);
    expect(secrets.find(null, 'GLOBAL')).toBeDefined();
  });

  it('records a run step by step, and reads its summary as the same JSON on both engines', () => {
    const repo = new RunRepo(store.db);
    const id = newRun(repo);
    expect(repo.markRunning(id, 1_700_000_000_456, 4242)).toBe(true);
    expect(repo.markRunning(id, 1_700_000_000_457, 4242)).toBe(false);
    repo.appendBatch([event(id, 1, 'run.started'), event(id, 2)], { runId: id, progress });
    repo.appendBatch([event(id, 3)]);
    repo.finishWithEvents(
      id,
      {
        ...progress,
        status: 'failed',
        stopReason: 'error',
        output: null,
        error: JSON.stringify({ code: 'model_error', message: 'boom' }),
        finishedAt: 1_700_000_001_789,
        durationMs: 1333,
      },
      [event(id, 4, 'run.finished')],
    );
    expect(repo.lastSeq(id)).toBe(4);
    const summary = JSON.parse(repo.summaryJson(id) ?? 'null') as Record<string, unknown>;
    expect(summary).toEqual({
      id,
      agent: 'hello',
      environment: 'default',
      status: 'failed',
      stopReason: 'error',
      trigger: 'manual',
      scheduledAt: null,
      model: 'm',
      steps: 1,
      toolCalls: 2,
      tokens: { input: 10, output: 5, total: 15 },
      error: { code: 'model_error', message: 'boom' },
      createdAt: '2023-11-14T22:13:20.123Z',
      startedAt: '2023-11-14T22:13:20.456Z',
      finishedAt: '2023-11-14T22:13:21.789Z',
      durationMs: 1333,
    });
    // Text that is not {code, message} is shown whole.
    store.db.prepare('UPDATE agent_runs SET error = ? WHERE id = ?').run('plain words', id);
    expect((JSON.parse(repo.summaryJson(id) ?? 'null') as { error: unknown }).error).toEqual({
      code: 'error',
      message: 'plain words',
    });
    const detail = repo.detail(id);
    expect(detail?.pid).toBe(4242);
    expect(JSON.parse(detail?.input_json ?? '{}')).toEqual({ task: 'x' });
  });

  it('refuses a second event with the same seq, and keeps the first', () => {
    const repo = new RunRepo(store.db);
    const id = newRun(repo);
    repo.appendBatch([event(id, 1)]);
    expect(() => repo.appendBatch([event(id, 2), event(id, 1)], { runId: id, progress })).toThrow();
    // The failed batch wrote nothing, not even its first event or the counters.
    expect(repo.events(id).map((e) => e.seq)).toEqual([1]);
    expect(repo.get(id)?.steps).toBe(0);
  });

  it('pages runs (newest first, filtered) and events (after and before a seq)', () => {
    const repo = new RunRepo(store.db);
    const ids = Array.from({ length: 7 }, (_, i) => newRun(repo, { environment: i % 2 === 0 ? 'default' : 'prod' }));
    const first = JSON.parse(repo.listSummariesJson({ limit: 3 })) as { id: number }[];
    expect(first.map((r) => r.id)).toEqual(ids.slice(4).reverse());
    const next = JSON.parse(repo.listSummariesJson({ limit: 3, beforeId: first[2]?.id })) as { id: number }[];
    expect(next.map((r) => r.id)).toEqual(ids.slice(1, 4).reverse());
    const prod = JSON.parse(repo.listSummariesJson({ environment: ['prod'] })) as { environment: string }[];
    expect(prod).toHaveLength(3);
    expect(prod.every((r) => r.environment === 'prod')).toBe(true);
    expect(JSON.parse(repo.listSummariesJson({ environment: [] }))).toEqual([]);
    expect(JSON.parse(repo.listSummariesJson({ agent: 'nobody' }))).toEqual([]);
    expect(repo.list({ status: ['queued'], limit: 100 })).toHaveLength(7);
    expect(repo.lastPerAgent('prod').map((t) => (JSON.parse(t) as { id: number }).id)).toEqual([ids[5]]);

    const run = ids[0] ?? 0;
    repo.appendBatch(Array.from({ length: 20 }, (_, i) => event(run, i + 1)));
    expect(repo.events(run, { afterSeq: 15 }).map((e) => e.seq)).toEqual([16, 17, 18, 19, 20]);
    expect(repo.events(run, { afterSeq: 2, limit: 3 }).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(repo.eventsBefore(run, 10, 4).map((e) => e.seq)).toEqual([6, 7, 8, 9]);
    const first3 = repo.events(run, { limit: 1 })[0];
    expect(first3).toMatchObject({ runId: run, seq: 1, type: 'tool.finished', data: { seq: 1 } });
    expect(first3?.ts).toBe('2023-11-14T22:13:20.001Z');
    expect(repo.countByStatus()).toEqual([{ status: 'queued', count: 7 }]);
  });

  it('says which runs are unclaimed the same way in SQL and in code, and claims only those', () => {
    const repo = new RunRepo(store.db);
    const owned = newRun(repo);
    const queued = [0, 1, 2].map(() =>
      repo.insertQueued({ agentName: 'hello', environmentName: 'default', input: {}, model: 'm', pid: null, now: 1 }),
    );
    const released = newRun(repo);
    expect(repo.release(released, 4242)).toBe(true);
    const unclaimed = [...queued, released];
    const bySql = (
      store.db.prepare(`SELECT id FROM agent_runs WHERE ${UNCLAIMED_SQL} ORDER BY id`).all() as {
        id: number;
      }[]
    ).map((r) => r.id);
    expect(bySql).toEqual(unclaimed);
    expect(
      repo
        .unfinished()
        .filter(isUnclaimed)
        .map((r) => r.id),
    ).toEqual(unclaimed);
    expect(isUnclaimed(repo.get(owned)!)).toBe(false);
    expect(repo.hasUnclaimed()).toBe(true);
    expect(repo.unclaimedCount()).toBe(4);
    expect(repo.claimOne(owned, 99, 2)).toBe(false);
    expect(repo.claimOne(released, 99, 2)).toBe(true);
    expect(repo.claimQueued(10, 99, 2)).toEqual(queued);
    expect(repo.hasUnclaimed()).toBe(false);
    expect(repo.unclaimedCount()).toBe(0);
    expect(repo.unfinished().filter(isUnclaimed)).toEqual([]);
  });

  it('marks orphaned runs interrupted, each with a run.finished event after its last', () => {
    const repo = new RunRepo(store.db);
    const orphan = newRun(repo);
    const alive = newRun(repo);
    repo.markRunning(orphan, 1_700_000_000_500, 4242);
    repo.appendBatch([event(orphan, 1), event(orphan, 2)]);
    const changed = repo.finishOrphans((row) => row.id === orphan, {
      status: 'interrupted',
      stopReason: 'interrupted',
      error: () => ({ code: 'interrupted', message: 'gone' }),
    });
    expect(changed).toEqual([orphan]);
    expect(repo.get(orphan)?.status).toBe('interrupted');
    expect(repo.get(alive)?.status).toBe('queued');
    expect(repo.events(orphan).map((e) => [e.seq, e.type])).toEqual([
      [1, 'tool.finished'],
      [2, 'tool.finished'],
      [3, 'run.finished'],
    ]);
  });

  it('counts the retries before a run along its retry_of chain in one query', () => {
    const repo = new RunRepo(store.db);
    const first = newRun(repo);
    const interrupt = {
      status: 'interrupted',
      stopReason: 'interrupted',
      error: () => ({ code: 'x', message: 'y' }),
    } as const;
    const chain = [first];
    for (let i = 0; i < 3; i += 1) {
      repo.finishOrphans((row) => row.id === chain.at(-1), interrupt);
      chain.push(repo.queueRetry(repo.get(chain.at(-1)!)!, 1_700_000_000_200)!);
    }
    expect(chain.map((id) => repo.retriesBefore(repo.get(id)!))).toEqual([0, 1, 2, 3]);
    // A link to a run that is gone counts, and ends the chain.
    const last = repo.get(chain[3]!)!;
    expect(repo.retriesBefore({ ...last, retry_of: 999_999 })).toBe(1);
    // A chain that loops (no run is written so) ends after 101 links.
    store.db.prepare('UPDATE agent_runs SET retry_of = ? WHERE id = ?').run(chain[3]!, first);
    expect(repo.retriesBefore(repo.get(first)!)).toBe(101);
  });

  it('queues the retries a run allows in the transaction that marks it interrupted', () => {
    const repo = new RunRepo(store.db);
    const [a, b, c] = [newRun(repo), newRun(repo), newRun(repo)];
    const outcome = {
      status: 'interrupted',
      stopReason: 'interrupted',
      error: () => ({ code: 'interrupted', message: 'gone' }),
      retries: (row: { id: number }) => (row.id === c ? 0 : 1),
    } as const;
    // Ending b fails: nothing of the call is kept, neither a's end nor its retry.
    const failing = {
      ...outcome,
      error: (row: { id: number }) => {
        if (row.id === b) throw new Error('boom');
        return { code: 'interrupted', message: 'gone' };
      },
    };
    expect(() => repo.finishOrphans((row) => row.id === a || row.id === b, failing)).toThrow('boom');
    expect(repo.get(a)?.status).toBe('queued');
    expect(repo.list({ limit: 100 })).toHaveLength(3);

    expect(repo.finishOrphans((row) => [a, b, c].includes(row.id), outcome)).toEqual([a, b, c]);
    const retries = repo.list({ limit: 100 }).filter((r) => r.retry_of !== null);
    expect(retries.map((r) => [r.retry_of, r.status, r.pid])).toEqual([
      [b, 'queued', null],
      [a, 'queued', null],
    ]);
    // Used up: interrupting a retry queues no other.
    const retryOfA = retries[1]!.id;
    expect(repo.claimOne(retryOfA, 4242, 1)).toBe(true);
    expect(repo.finishOrphans((row) => row.id === retryOfA, outcome)).toEqual([retryOfA]);
    expect(repo.list({ limit: 100 })).toHaveLength(5);

    // A retry that cannot be queued (here: no run.queued, and an input that does not parse) is undone alone
    // when the caller says what to do with it: the run is ended all the same.
    const d = newRun(repo);
    const refused: number[] = [];
    store.db.prepare('UPDATE agent_runs SET input_json = ? WHERE id = ?').run('not json', d);
    expect(
      repo.finishOrphans((row) => row.id === d, { ...outcome, retryFailed: (row) => refused.push(row.id) }),
    ).toEqual([d]);
    expect(refused).toEqual([d]);
    expect(repo.get(d)?.status).toBe('interrupted');
    expect(repo.list({ limit: 100 })).toHaveLength(6);
  });

  it('keeps one audit chain across connections, and verify finds a changed row', () => {
    const a = new AuditLog(store.db);
    const b = new AuditLog(store.connect());
    for (let i = 0; i < 6; i++)
      (i % 2 === 0 ? a : b).record({ actor: 'cli', door: 'cli', action: `x.${String(i)}`, target: 't' });
    expect(a.verify()).toMatchObject({ ok: true, rows: 6 });
    store.db.prepare("UPDATE audit_log SET target = 'changed' WHERE action = 'x.3'").run();
    expect(b.verify().ok).toBe(false);
    expect(a.list({ action: 'x.*', limit: 2 }).map((r) => r.action)).toEqual(['x.5', 'x.4']);
  });

  it('lets one scheduler at a time hold a schedule, and fires each time once', () => {
    const repo = new ScheduleRepo(store.db);
    const other = new ScheduleRepo(store.connect());
    repo.ensure('default', 'nightly', 'cron:0 * * * *', 1000);
    expect(repo.claim('default', 'nightly', 5000, 'fired', 'server-a', 5001, 60_000)).toBe(true);
    // The same fire time is handled; a later one waits for the lease.
    expect(other.claim('default', 'nightly', 5000, 'fired', 'server-b', 5002, 60_000)).toBe(false);
    expect(other.claim('default', 'nightly', 9000, 'fired', 'server-b', 9001, 60_000)).toBe(false);
    // A lease that ran out (its server died) is taken over.
    expect(other.claim('default', 'nightly', 9000, 'fired', 'server-b', 70_000, 60_000)).toBe(true);
    other.recordRun('default', 'nightly', 12, null, 70_001);
    expect(repo.get('default', 'nightly')).toMatchObject({ last_run_id: 12, lease_owner: null, last_fire_at: 9000 });
  });

  it('delivers each queued webhook once, whichever connection claims it', () => {
    const repo = new WebhookRepo(store.db);
    const other = new WebhookRepo(store.connect());
    const hook = repo.insert(
      { url: 'https://example.com/h', environment: null, agent: null, events: ['run.finished'], format: 'json' },
      1,
    );
    const runs = new RunRepo(store.db);
    const run = newRun(runs);
    const delivery = repo.enqueue({ webhookId: hook, event: 'run.finished', runId: run, body: '{}' }, 100);
    expect(repo.hasDelivery(hook, run, 'run.finished')).toBe(true);
    expect(repo.due(100, 10)).toEqual([delivery]);
    expect(repo.claim(delivery, 100, 5000)).toMatchObject({ id: delivery, status: 'sending' });
    expect(other.claim(delivery, 101, 5000)).toBeUndefined();
    // Its lease runs out: another process takes it over.
    expect(other.claim(delivery, 6000, 11_000)).toMatchObject({ id: delivery });
  });

  it('gives up a write that must not wait while another connection holds the writer lock, and says so', () => {
    const holder = store.connect();
    if (engine.name === 'postgres') {
      holder.exec('BEGIN');
      holder.prepare('SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))').get(STORE_WRITER_LOCK);
    } else holder.exec('BEGIN IMMEDIATE');
    try {
      const envs = new EnvironmentRepo(store.db);
      const outcome = writeUnlessLocked(store.db, () => store.db.transaction(() => envs.insert('x')).immediate(), 0);
      expect(outcome.written).toBe(false);
      expect(isDatabaseLocked(outcome.written ? undefined : outcome.error)).toBe(true);
    } finally {
      holder.exec('ROLLBACK');
    }
    // The connection's own wait is as before: the same write goes through once the lock is free.
    expect(writeUnlessLocked(store.db, () => new EnvironmentRepo(store.db).insert('x').name, 0)).toEqual({
      written: true,
      value: 'x',
    });
  });

  it('keeps every run gap-free and the audit chain whole with writers in three processes', async () => {
    const runIds = await Promise.all([1, 2, 3].map((n) => runStoreWriter(store.location, `w${String(n)}`)));
    const repo = new RunRepo(store.db);
    for (const id of runIds) {
      expect(repo.events(id).map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(repo.get(id)?.status).toBe('completed');
    }
    expect(new AuditLog(store.db).verify()).toMatchObject({ ok: true, rows: 3 * 20 });
  }, 60_000);
});
