import { readFileSync } from 'node:fs';
import { Application } from '../api/application.js';
import { RETENTION_PRINCIPAL, type RetentionPassReport } from '../api/retention-api.js';
import { SCHEDULER_PRINCIPAL, createScheduler } from '../api/schedules-api.js';
import { scheduleRetention, type RetentionScheduleOptions } from '../maintenance/retention-schedule.js';
import type { Engine } from '../engine.js';
import { ConfigError, errorMessage } from '../errors.js';
import { writeServerRecord } from '../runner/server-record.js';
import { pullEnvironments } from '../environments/git-source.js';
import { redactUrl } from '../security/redact-url.js';
import { createLogger, type LogFormat, type LogLevel, type Logger } from './logger.js';
import { logRunEvents } from '../runner/run-log.js';
import { mcpHttpExtension } from '../mcp-server/http-endpoint.js';
import { apiExtension, LivePools } from './api-extension.js';
import type { ServerMetrics } from './metrics.js';
import { StationServer, type ServerExtension, type TlsOptions } from './station-server.js';
import { WEB_DIR } from '../config/package-assets.js';
import { webExtension } from './web-extension.js';
import { wsExtension } from './ws-extension.js';
import { WsHub } from './ws-hub.js';

export interface ServeOptions {
  /** Address to bind; default config `server.host` (127.0.0.1). */
  host?: string | undefined;
  port?: number | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  logLevel?: LogLevel | undefined;
  /** JSON lines (the default) or text lines for a terminal. */
  logFormat?: LogFormat | undefined;
  /** Where log lines go; default stderr. */
  writeLog?: (line: string) => void;
  /** Milliseconds running runs get to finish on shutdown before they are cancelled. */
  graceMs?: number | undefined;
  /** When the retention pass runs (default: a minute after start, then every hour). */
  retention?: Omit<RetentionScheduleOptions, 'onError'> | undefined;
}

export interface RunningStation {
  url: string;
  host: string;
  port: number;
  server: StationServer;
  log: Logger;
  /** Stops accepting, closes WebSocket and MCP sessions, drains or cancels runs. Idempotent. */
  close(): Promise<void>;
}

/**
 * `stn serve`: the HTTP API, the WebSocket, MCP over HTTP and the operations endpoints over one
 * engine. Loaded with a dynamic import (see launch.ts) so that quick commands never load it.
 */
export async function startStation(engine: Engine, options: ServeOptions = {}): Promise<RunningStation> {
  const log = createLogger({
    level: options.logLevel ?? 'info',
    format: options.logFormat ?? 'json',
    ...(options.writeLog === undefined ? {} : { write: options.writeLog }),
  });
  // The runner's log: a line per run start and end (model and tool calls at debug), with run id and environment.
  const stopRunLog = logRunEvents(engine.events, log);
  const tls = readTls(options);
  const runner = await engine.runner();
  let onMcpFailure: (environment: string, server: string) => void = () => undefined;
  const pools = new LivePools(engine, log, (env, name) => onMcpFailure(env, name));
  // One application layer for every door of this process; the servers route shows the live pools' state.
  const app = new Application(engine, { liveServers: (env) => pools.get(env)?.status() });
  // Runs of every process on this home (a `stn agent run` in another terminal too); ours straight from the bus.
  const feed = app.runFeed({
    onError: (error) => log.warn('event store poll failed', { error: errorMessage(error) }),
    onRecovered: () => log.info('event store poll works again'),
  });
  const hub = new WsHub({ events: feed, runs: engine.runs, log });
  const extensions: ServerExtension[] = [
    apiExtension(pools),
    wsExtension(hub),
    mcpHttpExtension(app, log),
    webExtension(WEB_DIR),
  ];
  const server = new StationServer({
    engine,
    app,
    logger: log,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(tls === undefined ? {} : { tls }),
    queueSize: () => runner.queuedCount,
    mcpServerStates: () => pools.serverStates(),
    extensions,
  });
  const metrics = server.metrics;
  onMcpFailure = (environment, server) => metrics.mcpConnectionErrors.inc({ environment, server });
  const stopMetrics = observeRuns(engine, metrics);
  const address = await server.listen();
  if (tls === undefined && !isLoopback(address.host)) {
    log.warn('listening on a non-loopback address without TLS: keys travel in clear text', {
      host: address.host,
      hint: 'Use --tls-cert/--tls-key, or keep 127.0.0.1 behind an SSH tunnel or a TLS proxy.',
    });
  }
  feed.start();
  void pools.start();
  // Tells `stn agent run --detach` on this home that runs queued for this process will be taken.
  const removeRecord = writeServerRecord(engine.paths.run, address.url);
  runner.watchAddressed();
  // Runs no process has claimed (retries of interrupted runs; on PostgreSQL every run: the servers share one queue,
  // and a run submitted to any of them runs on one with a free worker).
  runner.joinSharedQueue();
  // Agents' schedules fire here, as runs of this process's queue (a lease keeps two serves from firing twice).
  const scheduler = createScheduler(engine, () => app.as(SCHEDULER_PRINCIPAL, { door: 'scheduler' }));
  scheduler.start(1000, (error) => log.warn('scheduler pass failed', { error: errorMessage(error) }));
  // Webhook deliveries of every process on this home (queued in the database) are sent from here.
  engine.webhooks.startWorker({
    onError: (error) => log.warn('webhook worker failed', { error: errorMessage(error) }),
    onAttempt: (a) => {
      const fields = {
        delivery: a.delivery,
        webhook: a.webhook,
        host: a.host,
        event: a.event,
        attempt: a.attempt,
        status: a.statusCode,
        ms: a.durationMs,
        ...(a.error === null ? {} : { error: a.error }),
        ...(a.retryInMs === undefined ? {} : { retryInMs: a.retryInMs }),
      };
      if (a.outcome === 'delivered') log.info('webhook delivered', fields);
      else log.warn(`webhook delivery ${a.outcome}`, fields);
    },
  });
  const stopSweeping = sweepInterruptedRuns(engine, log);
  const stopPulling = pullEnvironmentsPeriodically(engine, log);
  // Finished runs beyond runner.retention pruned, and the store checkpointed and vacuumed, every hour.
  const retention = scheduleRetention(
    async () => logRetention(log, await app.as(RETENTION_PRINCIPAL, { door: 'internal' }).retention.applyPolicy()),
    { ...options.retention, onError: (error) => log.warn('retention pass failed', { error: errorMessage(error) }) },
  );
  let closing: Promise<void> | undefined;
  return {
    ...address,
    server,
    log,
    close: () => {
      closing ??= (async () => {
        log.info('shutting down', { graceMs: options.graceMs ?? 10_000 });
        const graceMs = options.graceMs ?? 10_000;
        await scheduler.stop();
        await retention.stop();
        stopSweeping();
        await stopPulling();
        feed.stop();
        removeRecord();
        await server.close(graceMs, () => runner.shutdown({ graceMs }));
        await engine.webhooks.stopWorker();
        stopMetrics();
        stopRunLog();
      })();
      return closing;
    },
  };
}

function readTls(options: ServeOptions): TlsOptions | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined) {
    throw new ConfigError('TLS needs both --tls-cert and --tls-key', {
      hints: ['Give the PEM certificate (chain) with --tls-cert and its private key with --tls-key.'],
    });
  }
  return { cert: readPem(options.tlsCert, 'certificate'), key: readPem(options.tlsKey, 'private key') };
}

function readPem(file: string, what: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (error) {
    throw new ConfigError(`cannot read the TLS ${what} ${file}: ${errorMessage(error)}`, {
      hints: ['Check the path and its permissions.'],
    });
  }
  if (!data.toString('utf8').includes('-----BEGIN ')) {
    throw new ConfigError(`${file} is not a PEM file (expected a "-----BEGIN ..." block for the TLS ${what})`);
  }
  return data;
}

/** Feeds run and tool durations and failures from the event bus into the metrics. */
function observeRuns(engine: Engine, metrics: ServerMetrics): () => void {
  // The environment of each run in progress (tool events do not repeat it).
  const environments = new Map<number, string>();
  return engine.events.subscribe((event) => {
    if (event.type === 'run.queued' || event.type === 'run.started') {
      environments.set(event.runId, event.data.environment);
    } else if (event.type === 'run.finished') {
      environments.delete(event.runId);
      metrics.agentExecutionDuration.observe({ status: event.data.status }, event.data.durationMs / 1000);
      if (event.data.status === 'failed' || event.data.status === 'timed_out' || event.data.status === 'interrupted') {
        metrics.agentExecutionErrors.inc({ reason: event.data.error?.code ?? event.data.status });
      }
    } else if (event.type === 'tool.finished') {
      metrics.mcpRequestDuration.observe(
        { environment: environments.get(event.runId) ?? 'unknown', server: event.data.server ?? 'unknown' },
        event.data.durationMs / 1000,
      );
    }
  });
}

/** A pass that removed or gave back something is logged at info, others at debug. */
function logRetention(log: Logger, pass: RetentionPassReport): void {
  const { pruned, compaction } = pass;
  const fields = {
    runs: pruned?.runs ?? 0,
    events: pruned?.events ?? 0,
    batches: pruned?.batches ?? 0,
    checkpointed: compaction.checkpointed,
    vacuum: compaction.vacuum,
    ...(compaction.bytesAfter === null ? {} : { bytes: compaction.bytesAfter, freeBytes: compaction.freeBytesAfter }),
  };
  if (fields.runs > 0 || compaction.vacuum === 'full') log.info('retention pass', fields);
  else log.debug('retention pass', fields);
}

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.') || host === 'localhost';
}

/**
 * On a store several servers share: every third of the run lease, runs whose server stopped renewing their lease
 * (killed, lost its host) are marked interrupted, with their webhooks queued. Nothing on SQLite, where opening the
 * home does it by pid. Returns the stop.
 */
function sweepInterruptedRuns(engine: Engine, log: Logger): () => void {
  if (engine.store.kind !== 'postgres') return () => undefined;
  const timer = setInterval(
    () => {
      try {
        const ids = engine.runs.markInterrupted();
        if (ids.length === 0) return;
        log.warn('runs of a server that stopped marked interrupted', { runs: ids });
        engine.webhooks.runsFinishedElsewhere(ids);
      } catch (error) {
        log.warn('sweep of interrupted runs failed', { error: errorMessage(error) });
      }
    },
    Math.max(100, Math.floor((engine.config.runner.leaseSeconds * 1000) / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * environments.git: pulls the environments folder now and every `interval` (each server on its own), logging what
 * changed; a broken commit is reported and not taken, a failed fetch is reported, and neither stops the server.
 */
function pullEnvironmentsPeriodically(engine: Engine, log: Logger): () => Promise<void> {
  const git = engine.config.environments.git;
  if (git === null) return () => Promise.resolve();
  const source = { url: redactUrl(git.url), ref: git.ref };
  let pulling: Promise<void> = Promise.resolve();
  let busy = false;
  /** The broken commit last reported (reported once, not at every pull). */
  let rejected = '';
  const pull = (): void => {
    if (busy) return;
    busy = true;
    pulling = pullEnvironments(engine.paths.environments, git)
      .then(
        (outcome) => {
          if (outcome.status === 'updated') {
            log.info('environments pulled', { ...source, commit: outcome.commit, previous: outcome.previous });
          } else if (outcome.status === 'rejected' && outcome.commit !== rejected) {
            log.warn('environments commit not taken: files do not read', {
              ...source,
              commit: outcome.commit,
              keptAt: outcome.previous,
              problems: outcome.problems,
            });
          }
          rejected = outcome.status === 'rejected' ? outcome.commit : '';
        },
        (error: unknown) => log.warn('environments pull failed', { ...source, error: errorMessage(error) }),
      )
      .finally(() => (busy = false));
  };
  pull();
  const timer = setInterval(pull, git.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await pulling;
  };
}
