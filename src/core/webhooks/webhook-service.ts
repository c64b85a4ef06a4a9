/**
 * Webhooks: run outcomes POSTed to other systems. A webhook (URL, filters, format) is a row of `webhooks`; its
 * signing secret is kept in the secret store (`station.webhook.<id>`, encrypted, re-encrypted on key rotation),
 * shown once when it is made. When a run finishes, a delivery is queued in the database for every webhook that
 * wants it (so a restart keeps it); a worker sends due deliveries, one attempt at a time per delivery (claimed
 * in a transaction, so two processes on one home never send the same attempt), with a timeout, retrying
 * timeouts, connection errors, 429 and 5xx with exponential backoff and jitter (or the receiver's Retry-After)
 * up to `webhooks.max_attempts`, then marking it failed. Queuing never blocks a run: it happens after the
 * run's end is recorded, off the event's path.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { StationConfig } from '../config/station-config.js';
import type { EnvironmentService } from '../environments/environment-service.js';
import { ConflictError, errorMessage, NotFoundError, ValidationError } from '../errors.js';
import type { RunEventOf } from '../events/run-events.js';
import { backoffDelay, sleep } from '../model/backoff.js';
import type { RunService, RunSummary } from '../runner/run-service.js';
import type { SecretService } from '../security/secret-service.js';
import type { StoreDb } from '../store/store-db.js';
import {
  WebhookRepo,
  type AttemptRow,
  type DeliveryRow,
  type DeliveryStatus,
  type WebhookRow,
} from '../store/webhook-repo.js';
import { parseWebhookEvents, TEST_EVENT, wantsFinished } from './webhook-events.js';
import { jsonPayload, sampleRun, slackPayload } from './webhook-payload.js';
import { isPrivateAddress, type Resolver } from './safe-target.js';
import { sendDelivery, type DeliveryResponse } from './webhook-sender.js';

export type WebhookFormat = 'json' | 'slack';
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['json', 'slack'];

/** One webhook in `stn webhook list --json` and GET /api/v1/webhooks (a stable shape): never its secret. */
export interface WebhookInfo {
  id: number;
  url: string;
  /** Only runs of this environment; null: every environment. */
  environment: string | null;
  /** Only runs of this agent; null: every agent. */
  agent: string | null;
  events: string[];
  format: WebhookFormat;
  createdAt: string;
}

/** A webhook just made, with its signing secret: the only time the secret is shown. */
export interface AddedWebhook {
  webhook: WebhookInfo;
  secret: string;
}

export interface AddWebhookInput {
  url: string;
  environment?: string | undefined;
  agent?: string | undefined;
  events?: readonly string[] | undefined;
  format?: string | undefined;
}

/** One attempt of a delivery. */
export interface AttemptInfo {
  attempt: number;
  at: string;
  durationMs: number;
  /** The receiver's HTTP status; null when none came back (timeout, connection error, refused target). */
  statusCode: number | null;
  error: string | null;
  /** The wait before the next attempt, when one was planned. */
  retryInMs: number | null;
}

/** One delivery in `stn webhook deliveries --json` and GET /api/v1/webhooks/deliveries. */
export interface DeliveryInfo {
  id: number;
  webhook: number;
  url: string;
  event: string;
  runId: number | null;
  status: DeliveryStatus;
  /** Attempts made, over the delivery's life (redeliveries included). */
  attempts: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number | null;
  /** When the next attempt is due (pending deliveries only). */
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attemptLog: AttemptInfo[];
}

export interface DeliveryFilter {
  failed?: boolean | undefined;
  webhook?: number | undefined;
  limit?: number | undefined;
}

/** One attempt, as the worker reports it for logs: the URL's host only (a path may hold a token). */
export interface AttemptReport {
  delivery: number;
  webhook: number;
  host: string;
  event: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  outcome: 'delivered' | 'retrying' | 'failed';
  retryInMs?: number;
}

/** Timing of deliveries; tests shorten it. */
export interface WebhookTuning {
  /** Wait before the first retry (doubled for each next one, jittered). Default 5 s. */
  retryBaseMs?: number;
  /** Longest wait between attempts (a receiver's Retry-After may ask for up to an hour). Default 10 min. */
  retryMaxMs?: number;
  /** How often the worker looks for deliveries queued by other processes. Default 1 s. */
  pollMs?: number;
  /** How long a process without a worker (a CLI `stn agent run`) keeps sending its deliveries when it ends. Default 5 s. */
  flushMs?: number;
}

export interface WebhookServiceDeps {
  db: StoreDb;
  config: StationConfig;
  secrets: Pick<SecretService, 'setInternal' | 'internalValue' | 'removeInternal'>;
  environments: Pick<EnvironmentService, 'require'>;
  runs: Pick<RunService, 'find' | 'events'>;
  tuning?: WebhookTuning;
  clock?: () => number;
  random?: () => number;
  resolve?: Resolver;
}

/** The longest Retry-After honoured. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;
/** Deliveries sent at the same time by one worker. */
const CONCURRENCY = 4;
const SECRET_PREFIX = 'station.webhook.';

export function webhookSecretName(id: number): string {
  return `${SECRET_PREFIX}${String(id)}`;
}

export class WebhookService {
  private readonly repo: WebhookRepo;
  private readonly clock: () => number;
  /** Deliveries this process queued (sent by flush() when it ends without a worker). */
  private readonly queuedHere = new Set<number>();
  /** Queuings scheduled off the event's path and not yet done. */
  private readonly pendingQueues = new Set<Promise<void>>();
  private readonly inFlight = new Map<number, { promise: Promise<void>; abort: AbortController }>();
  private worker:
    | {
        timer: NodeJS.Timeout | undefined;
        busy: boolean;
        again: boolean;
        onError: (e: unknown) => void;
        onAttempt: (attempt: AttemptReport) => void;
      }
    | undefined;

  constructor(private readonly deps: WebhookServiceDeps) {
    this.repo = new WebhookRepo(deps.db);
    this.clock = deps.clock ?? Date.now;
  }

  /** Makes a webhook and its signing secret (returned once). The URL must be http(s), without credentials. */
  add(input: AddWebhookInput): AddedWebhook {
    const url = validateWebhookUrl(input.url, this.deps.config.webhooks.allowPrivate);
    const format = input.format ?? 'json';
    if (!(WEBHOOK_FORMATS as readonly string[]).includes(format)) {
      throw new ValidationError(`unknown webhook format "${format}"`, [
        { field: 'format', message: `expected one of: ${WEBHOOK_FORMATS.join(', ')}` },
      ]);
    }
    const events = parseWebhookEvents(input.events);
    if (input.environment !== undefined) this.deps.environments.require(input.environment);
    const agent = input.agent === undefined || input.agent.trim() === '' ? null : input.agent.trim();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const now = this.clock();
    const id = this.deps.db
      .transaction(() =>
        this.repo.insert(
          { url, environment: input.environment ?? null, agent, events, format: format as WebhookFormat },
          now,
        ),
      )
      .immediate();
    try {
      this.deps.secrets.setInternal(webhookSecretName(id), secret, now);
    } catch (error) {
      this.repo.remove(id);
      throw error;
    }
    return { webhook: this.get(id), secret };
  }

  list(): WebhookInfo[] {
    return this.repo.list().map(infoOf);
  }

  get(id: number): WebhookInfo {
    const row = this.repo.get(id);
    if (row === undefined) {
      throw new NotFoundError(`no webhook with id ${String(id)}`, { hints: ['List them with: stn webhook list'] });
    }
    return infoOf(row);
  }

  /** Removes a webhook, its queued and past deliveries, and its secret. */
  remove(id: number): WebhookInfo {
    const info = this.get(id);
    for (const [deliveryId, flight] of this.inFlight) {
      if (this.repo.getDelivery(deliveryId)?.webhook_id === id) flight.abort.abort();
    }
    this.deps.db.transaction(() => this.repo.remove(id)).immediate();
    this.deps.secrets.removeInternal(webhookSecretName(id));
    return info;
  }

  /** Sends a sample delivery now (one attempt, no retry) and gives how it went; it is listed with the others. */
  async test(id: number): Promise<DeliveryInfo> {
    const hook = this.requireRow(id);
    const now = this.clock();
    const { run, data } = sampleRun(now);
    const body = this.body(hook, TEST_EVENT, run, data, now, true);
    const deliveryId = this.deps.db
      .transaction(() =>
        this.repo.enqueue({ webhookId: id, event: TEST_EVENT, runId: null, body }, now, this.leaseUntil(now)),
      )
      .immediate();
    const row = this.repo.getDelivery(deliveryId);
    if (row === undefined) throw new Error(`delivery ${String(deliveryId)} vanished`);
    await this.attempt(row, { retry: false });
    return this.delivery(deliveryId);
  }

  /** Deliveries, newest first (default the last 50). */
  deliveries(filter: DeliveryFilter = {}): DeliveryInfo[] {
    if (filter.webhook !== undefined) this.requireRow(filter.webhook);
    const rows = this.repo.deliveries({
      ...(filter.failed === undefined ? {} : { failed: filter.failed }),
      ...(filter.webhook === undefined ? {} : { webhookId: filter.webhook }),
      limit: Math.max(1, Math.floor(filter.limit ?? 50)),
    });
    const attempts = this.repo.attempts(rows.map((r) => r.id));
    return rows.map((r) => deliveryOf(r, attempts));
  }

  delivery(id: number): DeliveryInfo {
    const row = this.repo.getDelivery(id);
    if (row === undefined) {
      throw new NotFoundError(`no webhook delivery with id ${String(id)}`, {
        hints: ['List them with: stn webhook deliveries'],
      });
    }
    return deliveryOf(row, this.repo.attempts([id]));
  }

  /** Queues a delivery again (same id and body, a fresh budget of attempts), due now. */
  redeliver(id: number): DeliveryInfo {
    const info = this.delivery(id);
    if (info.status === 'sending') {
      throw new ConflictError(`delivery ${String(id)} is being sent right now`, {
        hints: [`See how it went with: stn webhook deliveries`],
      });
    }
    const now = this.clock();
    this.deps.db.transaction(() => this.repo.requeue(id, now)).immediate();
    this.queuedHere.add(id);
    this.wake();
    return this.delivery(id);
  }

  /**
   * Called for each run.finished of this process's bus: queues the deliveries of the webhooks that want it,
   * off the event's path (the run's end is already recorded; a slow or locked database never holds the run).
   */
  runFinished(event: RunEventOf<'run.finished'>): void {
    const pending = new Promise<void>((resolve) => {
      setImmediate(() => {
        try {
          this.queueFinished(event);
        } catch (error) {
          this.worker?.onError(error);
        } finally {
          resolve();
        }
      });
    });
    this.pendingQueues.add(pending);
    void pending.then(() => this.pendingQueues.delete(pending));
  }

  /** Queues deliveries for runs whose run.finished was written by someone else (runs marked interrupted). */
  runsFinishedElsewhere(runIds: readonly number[]): void {
    for (const runId of runIds) {
      const finished = this.deps.runs.events(runId).find((e) => e.type === 'run.finished');
      if (finished?.type === 'run.finished') this.queueFinished(finished);
    }
  }

  /** Queues a delivery of a finished run for each webhook that wants it (once per webhook and run). */
  queueFinished(event: RunEventOf<'run.finished'>): number[] {
    const hooks = this.repo.list().filter((h) => wantsFinished(eventsOf(h), event.data.status));
    if (hooks.length === 0) return [];
    const run = this.deps.runs.find(event.runId);
    if (run === undefined) return [];
    const matching = hooks.filter(
      (h) =>
        (h.environment === null || h.environment === run.environment) && (h.agent === null || h.agent === run.agent),
    );
    if (matching.length === 0) return [];
    const now = this.clock();
    const ids = this.deps.db
      .transaction(() =>
        matching
          .filter((h) => !this.repo.hasDelivery(h.id, run.id, event.type))
          .map((h) =>
            this.repo.enqueue(
              { webhookId: h.id, event: event.type, runId: run.id, body: this.body(h, event.type, run, event, now) },
              now,
            ),
          ),
      )
      .immediate();
    for (const id of ids) this.queuedHere.add(id);
    this.wake();
    return ids;
  }

  /**
   * Starts the delivery worker (`stn serve`): due deliveries of every process on this home are sent as they
   * come due; it looks for new ones every `pollMs`. Errors (a locked database) go to `onError` and it goes on.
   */
  startWorker(
    options: { onError?: (error: unknown) => void; onAttempt?: (attempt: AttemptReport) => void } = {},
  ): void {
    if (this.worker !== undefined) return;
    this.worker = {
      timer: undefined,
      busy: false,
      again: false,
      onError: options.onError ?? (() => undefined),
      onAttempt: options.onAttempt ?? (() => undefined),
    };
    this.schedule(0);
  }

  /** Stops the worker: attempts in flight are abandoned (not counted) and their deliveries queued again. */
  async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    clearTimeout(worker.timer);
    for (const flight of this.inFlight.values()) flight.abort.abort();
    await Promise.all([...this.inFlight.values()].map((f) => f.promise));
  }

  get workerRunning(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Sends the deliveries due now (of `ids` when given), up to CONCURRENCY at a time; returns how many attempts
   * were made. An attempt never outlasts `deadline`.
   */
  async runDue(options: { ids?: readonly number[]; deadline?: number } = {}): Promise<number> {
    let made = 0;
    for (;;) {
      const now = this.clock();
      if (options.deadline !== undefined && options.deadline - now < 100) return made;
      const ids =
        options.ids === undefined || options.ids.length > 0 ? this.repo.due(now, CONCURRENCY, options.ids) : [];
      const free = ids.filter((id) => !this.inFlight.has(id));
      if (free.length === 0) return made;
      const rows = free
        .map((id) => this.repo.claim(id, now, this.leaseUntil(now)))
        .filter((r): r is DeliveryRow => r !== undefined);
      if (rows.length === 0) return made;
      made += rows.length;
      await Promise.all(rows.map((row) => this.attempt(row, { retry: true, deadline: options.deadline })));
    }
  }

  /**
   * What a process without a worker does as it ends (`stn agent run`): the deliveries it queued are sent for
   * up to `flushMs` (default 5 s): the first attempt, and retries that come due within that time. Whatever is
   * left stays queued for the next `stn serve` on this home.
   */
  async flush(budgetMs = this.deps.tuning?.flushMs ?? 5000): Promise<void> {
    await Promise.all([...this.pendingQueues]);
    if (this.worker !== undefined || this.queuedHere.size === 0) return;
    const deadline = this.clock() + budgetMs;
    const ids = [...this.queuedHere];
    for (;;) {
      await this.runDue({ ids, deadline });
      const next = this.repo.nextDue(ids);
      if (next === undefined || next >= deadline) return;
      await sleep(Math.max(0, next - this.clock()));
    }
  }

  /** One attempt of a claimed delivery, recorded with its outcome; never throws. */
  private async attempt(row: DeliveryRow, options: { retry: boolean; deadline?: number | undefined }): Promise<void> {
    const abort = new AbortController();
    const promise = (async () => {
      const config = this.deps.config.webhooks;
      const attempt = this.repo.nextAttempt(row.id);
      const started = this.clock();
      const timeoutMs = Math.max(
        1,
        Math.min(config.timeoutSeconds * 1000, options.deadline === undefined ? Infinity : options.deadline - started),
      );
      let secret: string | undefined;
      let response: DeliveryResponse;
      try {
        secret = this.deps.secrets.internalValue(webhookSecretName(row.webhook_id));
      } catch (error) {
        secret = undefined;
        void errorMessage(error);
      }
      if (secret === undefined) {
        response = { statusCode: null, error: 'the signing secret of this webhook cannot be read', retryable: false };
      } else {
        response = await sendDelivery({
          url: row.url,
          body: row.body,
          event: row.event,
          deliveryId: row.id,
          secret,
          timestamp: Math.floor(started / 1000),
          timeoutMs,
          allowPrivate: config.allowPrivate,
          signal: abort.signal,
          ...(this.deps.resolve === undefined ? {} : { resolve: this.deps.resolve }),
        });
      }
      if (abort.signal.aborted) {
        // Stopped (shutdown, or the webhook was removed): this attempt does not count.
        this.repo.release(row.id);
        return;
      }
      const finished = this.clock();
      const ok = response.statusCode !== null && response.error === null;
      const round = row.attempts + 1;
      const retryAt =
        ok || !response.retryable || !options.retry || round >= config.maxAttempts
          ? null
          : finished + this.retryDelay(round, response.retryAfterMs);
      this.repo.recordAttempt(row.id, attempt, {
        startedAt: started,
        durationMs: Math.max(0, finished - started),
        statusCode: response.statusCode,
        error: response.error,
        ok,
        retryAt,
      });
      this.worker?.onAttempt({
        delivery: row.id,
        webhook: row.webhook_id,
        host: hostOf(row.url),
        event: row.event,
        attempt,
        statusCode: response.statusCode,
        error: response.error,
        durationMs: Math.max(0, finished - started),
        outcome: ok ? 'delivered' : retryAt === null ? 'failed' : 'retrying',
        ...(retryAt === null ? {} : { retryInMs: retryAt - finished }),
      });
    })()
      .catch((error: unknown) => this.worker?.onError(error))
      .finally(() => this.inFlight.delete(row.id));
    this.inFlight.set(row.id, { promise, abort });
    return promise;
  }

  private retryDelay(round: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(MAX_RETRY_AFTER_MS, retryAfterMs);
    const tuning = this.deps.tuning ?? {};
    return backoffDelay(round, {
      baseMs: tuning.retryBaseMs ?? 5000,
      maxMs: tuning.retryMaxMs ?? 10 * 60 * 1000,
      jitter: 0.5,
      ...(this.deps.random === undefined ? {} : { random: this.deps.random }),
    });
  }

  /** A claim lasts the attempt's timeout and a margin: a process that dies mid-attempt leaves it to others then. */
  private leaseUntil(now: number): number {
    return now + this.deps.config.webhooks.timeoutSeconds * 1000 + 30_000;
  }

  private body(
    hook: WebhookRow,
    event: string,
    run: RunSummary,
    data: RunEventOf<'run.finished'>,
    now: number,
    test = false,
  ): string {
    return JSON.stringify(
      hook.format === 'slack'
        ? slackPayload(run, this.deps.config.server.publicUrl, test)
        : jsonPayload(event, hook.id, run, data, now, test),
    );
  }

  private requireRow(id: number): WebhookRow {
    this.get(id);
    const row = this.repo.get(id);
    if (row === undefined) throw new Error(`webhook ${String(id)} vanished`);
    return row;
  }

  private wake(): void {
    const worker = this.worker;
    if (worker === undefined) return;
    if (worker.busy) worker.again = true;
    else this.schedule(0);
  }

  private schedule(delayMs: number): void {
    const worker = this.worker;
    if (worker === undefined) return;
    clearTimeout(worker.timer);
    worker.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined || worker.busy) return;
    worker.busy = true;
    worker.again = false;
    try {
      await this.runDue();
    } catch (error) {
      worker.onError(error);
    } finally {
      worker.busy = false;
    }
    if (this.worker !== worker) return;
    const pollMs = this.deps.tuning?.pollMs ?? 1000;
    let delay = pollMs;
    try {
      const next = this.repo.nextDue();
      if (next !== undefined) delay = Math.min(pollMs, Math.max(0, next - this.clock()));
    } catch (error) {
      worker.onError(error);
    }
    // wake() may have set `again` while the attempts ran.
    this.schedule(wokenWhileBusy(worker) ? 0 : delay);
  }
}

/** A webhook URL checked: http or https, a host, no user or password in it (secrets go in the secret store). */
export function validateWebhookUrl(text: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ValidationError(`invalid webhook URL ${JSON.stringify(text)}`, [
      { field: 'url', message: 'expected an http:// or https:// URL' },
    ]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError(`invalid webhook URL ${JSON.stringify(text)}: only http and https are supported`, [
      { field: 'url', message: 'expected an http:// or https:// URL' },
    ]);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ValidationError('a webhook URL may not hold a user name or password', [
      { field: 'url', message: 'expected no user:password@ part' },
    ]);
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
    throw new ValidationError(
      `webhook URL ${url.origin} points at a loopback, link-local or private address`,
      [{ field: 'url', message: 'expected a public address' }],
      {
        hints: [
          'To allow it (a receiver on this machine or network), set in config.yaml:  webhooks:\n    allow_private: true',
        ],
      },
    );
  }
  return url.toString();
}

function wokenWhileBusy(worker: { again: boolean }): boolean {
  return worker.again;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

function eventsOf(row: WebhookRow): string[] {
  return JSON.parse(row.events_json) as string[];
}

function infoOf(row: WebhookRow): WebhookInfo {
  return {
    id: row.id,
    url: row.url,
    environment: row.environment,
    agent: row.agent,
    events: eventsOf(row),
    format: row.format,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function deliveryOf(row: DeliveryRow, attempts: readonly AttemptRow[]): DeliveryInfo {
  const log = attempts
    .filter((a) => a.delivery_id === row.id)
    .map((a) => ({
      attempt: a.attempt,
      at: new Date(a.started_at).toISOString(),
      durationMs: a.duration_ms,
      statusCode: a.status_code,
      error: a.error,
      retryInMs: a.retry_in_ms,
    }));
  return {
    id: row.id,
    webhook: row.webhook_id,
    url: row.url,
    event: row.event,
    runId: row.run_id,
    status: row.status,
    attempts: log.length,
    statusCode: row.last_status_code,
    error: row.last_error,
    durationMs: row.last_duration_ms,
    nextAttemptAt: row.status === 'pending' ? new Date(row.next_attempt_at).toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(),
    deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at).toISOString(),
    attemptLog: log,
  };
}
