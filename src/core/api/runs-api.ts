import { closeNames } from '../agents/close-names.js';
import { NotFoundError } from '../errors.js';
import type { RunEventListener } from '../events/event-bus.js';
import type { RunTrigger } from '../events/run-events.js';
import type { AuditDoor } from '../security/audit-log.js';
import type { RunResult } from '../runner/run-errors.js';
import { runQueuedHere, type WorkerOptions } from '../runner/detached-worker.js';
import { liveServer } from '../runner/server-record.js';
import { importOriginalRuns, type OriginalImportResult } from '../store/original-import.js';
import { followRun, type FollowOptions, type RunFollow } from '../runner/run-follower.js';
import type { CancelOutcome, RunDetail, RunSummary } from '../runner/run-service.js';
import type { EventPage, EventPageQuery } from '../store/run-repo.js';
import { canSeeEnvironment, type Principal } from '../security/roles.js';
import { auditOriginOf } from './audit-origin.js';
import type { ApiContext } from './context.js';
import { callerName } from './principal.js';
import type { RunQuery } from './views.js';

export interface StartRunOptions {
  /** Overrides the agent's and the configured model. */
  model?: string | undefined;
  /** Overrides the configured run timeout. */
  timeoutMs?: number | undefined;
  /** Receives every event of this run, from run.queued on. */
  onEvent?: RunEventListener | undefined;
  /** The fire time of a scheduled run (the scheduler's door only). */
  scheduledAt?: number | undefined;
}

export interface DetachOptions {
  model?: string | undefined;
  timeoutMs?: number | undefined;
  /** Starts a worker process for the run (called only when no `stn serve` runs on the home). */
  startWorker: () => { pid: number; abandon(): void };
}

/** A run queued by `detach`: who will execute it. */
export interface DetachedRun {
  id: number;
  status: 'queued';
  worker: { kind: 'serve'; pid: number; url: string } | { kind: 'worker'; pid: number };
}

/** A run accepted by the queue of this process. */
export interface StartedRun {
  runId: number;
  /** Settles when the run has finished and is recorded; never rejects. */
  done: Promise<RunResult>;
  /** Stops it (queued or running); false when it has finished already. Not audited: the starter stops its own run. */
  stop(reason: string): boolean;
}

/** Runs: list, read, page through events, start, cancel. Runs of environments the caller may not see do not exist for it. */
export class RunsApi {
  constructor(private readonly ctx: ApiContext) {}

  private get service() {
    return this.ctx.engine.runs;
  }

  /** Newest first; several statuses mean any of them. Only runs of environments the caller may see. */
  list(query: RunQuery = {}): RunSummary[] {
    return JSON.parse(this.listJson(query)) as RunSummary[];
  }

  /** The same list as `list`, as JSON text (the REST door sends it as is: no objects made, no second serialisation). */
  listJson(query: RunQuery = {}): string {
    const { principal } = this.ctx;
    if (query.environment !== undefined) this.ctx.authorize('read', query.environment);
    else this.ctx.authorize('read');
    const everywhere = principal.role === 'admin' || principal.environments === '*';
    return this.service.listJson({
      environment: query.environment ?? (everywhere ? undefined : principal.environments),
      agent: query.agent,
      status: query.status,
      trigger: query.trigger as readonly RunTrigger[] | undefined,
      beforeId: query.before,
      since: query.since,
      limit: query.limit ?? 50,
    });
  }

  /**
   * Throws a NotFoundError (with "did you mean") when the query names an environment or an agent that
   * neither exists nor has runs; an agent or environment deleted since its runs is fine. For doors that
   * want to tell "no such name" from "no runs" (call it when a list comes back empty).
   */
  checkNames(query: Pick<RunQuery, 'environment' | 'agent'>): void {
    const repo = this.service.repo;
    const env = query.environment;
    if (env !== undefined && !repo.hasRunsOf({ environment: env })) {
      const known = this.visibleEnvironments();
      if (!known.includes(env)) {
        const names = [...new Set([...known, ...repo.environmentNames()])];
        throw new NotFoundError(`environment "${env}" does not exist and has no runs`, {
          hints: [didYouMean(env, names, 'Known environments: ', 'stn env list')],
        });
      }
    }
    const agent = query.agent;
    if (agent === undefined || repo.hasRunsOf({ agent, environment: env })) return;
    const envs = env === undefined ? this.visibleEnvironments() : [env];
    const current = envs.flatMap((e) => this.ctx.engine.agents.list(e).map((a) => a.name));
    if (current.includes(agent)) return;
    const names = [...new Set([...current, ...repo.agentNames(env)])];
    const where = env === undefined ? '' : ` in environment "${env}"`;
    throw new NotFoundError(`agent "${agent}" does not exist${where} and has no runs`, {
      hints: [didYouMean(agent, names, 'Agents: ', `stn agent list${env === undefined ? '' : ` --env ${env}`}`)],
    });
  }

  private visibleEnvironments(): string[] {
    return this.ctx.engine.environments
      .list()
      .map((e) => e.name)
      .filter((name) => canSeeEnvironment(this.ctx.principal, name));
  }

  /**
   * Adds the run history of the original Station's database `file` (read-only) to this home's runs, in one
   * transaction (admins). Runs imported by an earlier call are skipped; see importOriginalRuns.
   */
  importOriginal(file: string): OriginalImportResult {
    this.ctx.authorize('admin');
    const result = importOriginalRuns(this.ctx.engine.db, file);
    this.ctx.audit('run.import', file, { total: result.total, imported: result.imported, skipped: result.skipped });
    return result;
  }

  get(id: number): RunSummary {
    const run = this.service.get(id);
    this.ctx.authorize('read', run.environment);
    return run;
  }

  /** A run with its input, output and every event. */
  show(id: number): RunDetail {
    this.get(id);
    return this.service.show(id);
  }

  /** A page of a run's events (tail, before or after a seq) with hasOlder, hasNewer and lastSeq. */
  events(id: number, query: EventPageQuery): EventPage {
    this.get(id);
    return this.service.eventPage(id, query);
  }

  /**
   * Follows a run from any process: its recorded events first, then new ones as they are stored, until
   * its run.finished (a run whose process died is settled as interrupted). Stopping never cancels the run.
   */
  follow(id: number, options: FollowOptions): RunFollow {
    this.get(id);
    return followRun(
      {
        eventPage: (query) => this.service.eventPage(id, query),
        settleOrphans: () => this.service.markInterrupted(),
      },
      options,
    );
  }

  /** Queues a run on this process's runner (input checked against the agent's schema first). */
  async start(
    env: string,
    agent: string,
    input: Record<string, unknown>,
    options: StartRunOptions = {},
  ): Promise<StartedRun> {
    this.ctx.authorize('run', env);
    const runner = await this.ctx.engine.runner();
    const handle = await runner.submit(
      {
        agent,
        environment: env,
        input,
        model: options.model,
        timeoutMs: options.timeoutMs,
        trigger: this.trigger(),
        scheduledAt: options.scheduledAt,
      },
      options.onEvent === undefined ? {} : { onEvent: options.onEvent },
    );
    this.ctx.audit('run.start', String(handle.runId), { environment: env, agent });
    return { runId: handle.runId, done: handle.done, stop: (reason) => runner.cancel(handle.runId, reason) };
  }

  /**
   * Queues a run for another process and returns at once (`stn agent run --detach`): the input is checked
   * and the prompt rendered here, then the run is recorded as queued for the home's running `stn serve`
   * (its queue takes it within half a second) or, when none runs, for a worker process the door starts
   * with `startWorker` (it returns the worker's pid). Follow it with `follow`.
   */
  async detach(
    env: string,
    agent: string,
    input: Record<string, unknown>,
    options: DetachOptions,
  ): Promise<DetachedRun> {
    this.ctx.authorize('run', env);
    const runner = await this.ctx.engine.runner();
    const server = liveServer(this.ctx.engine.paths.run);
    let worker: ReturnType<DetachOptions['startWorker']> | undefined;
    const pid = (): number => {
      if (server !== undefined) return server.pid;
      worker = options.startWorker();
      return worker.pid;
    };
    let runId: number;
    try {
      runId = await runner.enqueueFor(pid, {
        agent,
        environment: env,
        input,
        model: options.model,
        timeoutMs: options.timeoutMs,
        trigger: this.trigger(),
      });
    } catch (error) {
      worker?.abandon();
      throw error;
    }
    this.ctx.audit('run.start', String(runId), { environment: env, agent });
    return {
      id: runId,
      status: 'queued',
      worker:
        server === undefined
          ? { kind: 'worker', pid: worker?.pid ?? NaN }
          : { kind: 'serve', pid: server.pid, url: server.url },
    };
  }

  /**
   * Executes the runs queued for this process (the detached worker's side of `detach`) until none is
   * left; returns their ids.
   */
  async runQueuedHere(options: WorkerOptions = {}): Promise<number[]> {
    return runQueuedHere(await this.ctx.engine.runner(), options);
  }

  /** What a run started through this handle records as its trigger: the door it came through. */
  private trigger(): RunTrigger {
    return triggerOf(auditOriginOf(this.ctx.origin).door);
  }

  /**
   * Cancels a queued or running run, here or in the process that runs it. The run's error then says
   * who cancelled it through which door (see cancelReason).
   */
  cancel(id: number, door: CancelDoor): CancelOutcome {
    const run = this.service.get(id);
    this.ctx.authorize('run', run.environment);
    const outcome = this.service.cancel(id, cancelReason(door, this.ctx.principal));
    this.ctx.audit('run.cancel', String(id), { environment: run.environment, agent: run.agent });
    return outcome;
  }
}

/** The trigger a run started through a door records: people at a terminal start runs by hand. */
export function triggerOf(door: AuditDoor): RunTrigger {
  switch (door) {
    case 'cli':
    case 'tui':
    case 'internal':
      return 'manual';
    case 'rest':
    case 'ws':
      return 'api';
    case 'mcp-http':
    case 'mcp-stdio':
      return 'mcp';
    case 'scheduler':
      return 'schedule';
  }
}

/** The door a cancel comes through: `remote-tui` is `stn ui --remote`, `web` the web UI (both over REST). */
export type CancelDoor = 'cli' | 'tui' | 'remote-tui' | 'web' | 'rest' | 'mcp';

/** The reason recorded on a cancelled run: which door, and who (`local:ann`, or `key "ci"`). */
export function cancelReason(door: CancelDoor, principal: Principal): string {
  const who = callerName(principal);
  switch (door) {
    case 'cli':
      return `cancelled with \`stn runs cancel\` by ${who}`;
    case 'tui':
      return `cancelled from the TUI by ${who}`;
    case 'remote-tui':
      return `cancelled from the remote TUI over REST by ${who}`;
    case 'web':
      return `cancelled from the web UI by ${who}`;
    case 'rest':
      return `cancelled over REST by ${who}`;
    case 'mcp':
      return `cancelled over MCP by ${who}`;
  }
}

/** "Did you mean ...?" when a close name exists, else the names there are (or where to see them). */
function didYouMean(wanted: string, names: readonly string[], listLabel: string, listCommand: string): string {
  const close = closeNames(wanted, names);
  if (close.length > 0) return `Did you mean: ${close.map((n) => `"${n}"`).join(', ')}?`;
  return names.length > 0 && names.length <= 10 ? `${listLabel}${names.join(', ')}.` : `See them: ${listCommand}`;
}
