import type { RunEventListener } from '../events/event-bus.js';
import type { RunResult } from '../runner/run-errors.js';
import { followRun, type FollowOptions, type RunFollow } from '../runner/run-follower.js';
import type { CancelOutcome, EventPage, EventPageQuery, RunDetail, RunSummary } from '../runner/run-service.js';
import type { ApiContext } from './context.js';
import type { RunQuery } from './views.js';

export interface StartRunOptions {
  /** Overrides the agent's and the configured model. */
  model?: string | undefined;
  /** Overrides the configured run timeout. */
  timeoutMs?: number | undefined;
  /** Receives every event of this run, from run.queued on. */
  onEvent?: RunEventListener | undefined;
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
    const { principal } = this.ctx;
    if (query.environment !== undefined) this.ctx.authorize('read', query.environment);
    else this.ctx.authorize('read');
    const everywhere = principal.role === 'admin' || principal.environments === '*';
    return this.service.list({
      environment: query.environment ?? (everywhere ? undefined : principal.environments),
      agent: query.agent,
      status: query.status,
      limit: query.limit ?? 50,
    });
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
      { agent, environment: env, input, model: options.model, timeoutMs: options.timeoutMs },
      options.onEvent === undefined ? {} : { onEvent: options.onEvent },
    );
    this.ctx.audit('run.start', String(handle.runId), { environment: env, agent });
    return { runId: handle.runId, done: handle.done, stop: (reason) => runner.cancel(handle.runId, reason) };
  }

  /** Cancels a queued or running run, here or in the process that runs it. */
  cancel(id: number, reason = `cancelled by ${this.ctx.principal.name}`): CancelOutcome {
    const run = this.service.get(id);
    this.ctx.authorize('run', run.environment);
    const outcome = this.service.cancel(id, reason);
    this.ctx.audit('run.cancel', String(id), { environment: run.environment, agent: run.agent });
    return outcome;
  }
}
