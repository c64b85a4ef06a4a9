import type { SqlValue, StoreDb } from './store-db.js';

/** A row of `webhooks`. */
export interface WebhookRow {
  id: number;
  url: string;
  environment: string | null;
  agent: string | null;
  events_json: string;
  format: 'json' | 'slack';
  created_at: number;
}

export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed';

/** A row of `webhook_deliveries`, with its webhook's URL (null once the webhook is gone). */
export interface DeliveryRow {
  id: number;
  webhook_id: number;
  url: string;
  event: string;
  run_id: number | null;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

/** A row of `webhook_attempts`. */
export interface AttemptRow {
  delivery_id: number;
  attempt: number;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  retry_in_ms: number | null;
}

export interface NewWebhook {
  url: string;
  environment: string | null;
  agent: string | null;
  events: readonly string[];
  format: 'json' | 'slack';
}

/** How one attempt ended, as recorded. */
export interface AttemptOutcome {
  startedAt: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  /** Delivered (2xx). */
  ok: boolean;
  /** When to try again; null: no retry (delivered, or given up). */
  retryAt: number | null;
}

const DELIVERY_COLUMNS = `d.id, d.webhook_id, w.url, d.event, d.run_id, d.body, d.status, d.attempts, d.next_attempt_at,
  d.lease_until, d.last_status_code, d.last_error, d.last_duration_ms, d.created_at, d.updated_at, d.delivered_at`;

/** SQL for webhooks, their queued deliveries and the attempts of each. */
export class WebhookRepo {
  constructor(private readonly db: StoreDb) {}

  insert(hook: NewWebhook, now: number): number {
    const result = this.db
      .prepare(
        'INSERT INTO webhooks (url, environment, agent, events_json, format, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      )
      .get(hook.url, hook.environment, hook.agent, JSON.stringify(hook.events), hook.format, now) as { id: number };
    return result.id;
  }

  list(): WebhookRow[] {
    return this.db.prepare('SELECT * FROM webhooks ORDER BY id').all() as WebhookRow[];
  }

  get(id: number): WebhookRow | undefined {
    return this.db.prepare('SELECT * FROM webhooks WHERE id = ?').get(id) as WebhookRow | undefined;
  }

  /** Removes a webhook with its deliveries and their attempts (cascade). */
  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM webhooks WHERE id = ?').run(id).changes > 0;
  }

  /** Queues one delivery, due at once; with `claimedUntil`, already taken by the caller (sent at once). */
  enqueue(
    delivery: { webhookId: number; event: string; runId: number | null; body: string },
    now: number,
    claimedUntil?: number,
  ): number {
    const result = this.db
      .prepare(
        `INSERT INTO webhook_deliveries
           (webhook_id, event, run_id, body, status, lease_until, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(
        delivery.webhookId,
        delivery.event,
        delivery.runId,
        delivery.body,
        claimedUntil === undefined ? 'pending' : 'sending',
        claimedUntil ?? null,
        now,
        now,
        now,
      ) as { id: number };
    return result.id;
  }

  /** Gives back a claimed delivery without counting an attempt (its sender stopped). */
  release(id: number): void {
    this.db
      .prepare(
        `UPDATE webhook_deliveries SET status = 'pending', lease_until = NULL WHERE id = ? AND status = 'sending'`,
      )
      .run(id);
  }

  /** Whether this run already has a delivery of this event for this webhook (a run.finished is queued once). */
  hasDelivery(webhookId: number, runId: number, event: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM webhook_deliveries WHERE webhook_id = ? AND run_id = ? AND event = ? LIMIT 1')
        .get(webhookId, runId, event) !== undefined
    );
  }

  getDelivery(id: number): DeliveryRow | undefined {
    return this.db
      .prepare(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?`,
      )
      .get(id) as DeliveryRow | undefined;
  }

  /** Deliveries, newest first; only failed ones with `failed`; of one webhook with `webhookId`. */
  deliveries(filter: { failed?: boolean; webhookId?: number; limit: number }): DeliveryRow[] {
    const where: string[] = [];
    const args: SqlValue[] = [];
    if (filter.failed === true) where.push("d.status = 'failed'");
    if (filter.webhookId !== undefined) {
      where.push('d.webhook_id = ?');
      args.push(filter.webhookId);
    }
    return this.db
      .prepare(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY d.id DESC LIMIT ?`,
      )
      .all(...args, filter.limit) as DeliveryRow[];
  }

  attempts(deliveryIds: readonly number[]): AttemptRow[] {
    if (deliveryIds.length === 0) return [];
    return this.db
      .prepare(
        `SELECT delivery_id, attempt, started_at, duration_ms, status_code, error, retry_in_ms FROM webhook_attempts
         WHERE delivery_id IN (${deliveryIds.map(() => '?').join(',')}) ORDER BY delivery_id, attempt`,
      )
      .all(...deliveryIds) as AttemptRow[];
  }

  /** Ids of deliveries due at `now`: pending and due, or left `sending` by a process whose lease ran out. */
  due(now: number, limit: number, ids?: readonly number[]): number[] {
    const only = ids === undefined ? '' : `AND id IN (${ids.map(() => '?').join(',')})`;
    return (
      this.db
        .prepare(
          `SELECT id FROM webhook_deliveries
           WHERE ((status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until < ?)) ${only}
           ORDER BY next_attempt_at, id LIMIT ?`,
        )
        .all(now, now, ...(ids ?? []), limit) as { id: number }[]
    ).map((r) => r.id);
  }

  /** The earliest time a pending delivery (of `ids`, when given) is due, if any. */
  nextDue(ids?: readonly number[]): number | undefined {
    const only = ids === undefined ? '' : `AND id IN (${ids.map(() => '?').join(',')})`;
    const row = this.db
      .prepare(`SELECT MIN(next_attempt_at) AS t FROM webhook_deliveries WHERE status = 'pending' ${only}`)
      .get(...(ids ?? [])) as { t: number | null };
    return row.t ?? undefined;
  }

  /**
   * Takes a due delivery for one attempt (status `sending` until `leaseUntil`), in one transaction: of two
   * processes on one home, one gets it. Returns the row when taken.
   */
  claim(id: number, now: number, leaseUntil: number): DeliveryRow | undefined {
    return this.db
      .transaction(() => {
        const changed = this.db
          .prepare(
            `UPDATE webhook_deliveries SET status = 'sending', lease_until = ?, updated_at = ?
             WHERE id = ? AND ((status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until < ?))`,
          )
          .run(leaseUntil, now, id, now, now).changes;
        return changed > 0 ? this.getDelivery(id) : undefined;
      })
      .immediate();
  }

  /**
   * Records attempt number `attempt` (counted over the delivery's life) and moves the delivery on: delivered,
   * pending again (retryAt), or failed. `attempts` of the row counts the tries since it was last queued.
   */
  recordAttempt(id: number, attempt: number, outcome: AttemptOutcome): void {
    const status: DeliveryStatus = outcome.ok ? 'delivered' : outcome.retryAt === null ? 'failed' : 'pending';
    const now = outcome.startedAt + outcome.durationMs;
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, retry_in_ms)
             SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = ?)`,
          )
          .run(
            id,
            attempt,
            outcome.startedAt,
            outcome.durationMs,
            outcome.statusCode,
            outcome.error,
            outcome.retryAt === null ? null : Math.max(0, outcome.retryAt - now),
            id,
          );
        this.db
          .prepare(
            `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL,
               last_status_code = ?, last_error = ?, last_duration_ms = ?, updated_at = ?, delivered_at = ?
             WHERE id = ?`,
          )
          .run(
            status,
            outcome.retryAt ?? now,
            outcome.statusCode,
            outcome.error,
            outcome.durationMs,
            now,
            outcome.ok ? now : null,
            id,
          );
      })
      .immediate();
  }

  /** Queues a delivery again, due now, with a fresh budget of attempts (its earlier attempts stay listed). */
  requeue(id: number, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL,
             updated_at = ?, delivered_at = NULL WHERE id = ? AND status != 'sending'`,
        )
        .run(now, now, id).changes > 0
    );
  }

  /** The attempt number the next try of a delivery gets (attempts so far + 1). */
  nextAttempt(id: number): number {
    const row = this.db.prepare('SELECT MAX(attempt) AS n FROM webhook_attempts WHERE delivery_id = ?').get(id) as {
      n: number | null;
    };
    return (row.n ?? 0) + 1;
  }
}
