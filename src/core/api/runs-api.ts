import type { RunEventListener } from '../events/event-bus.js';
import type { RunResult } from '../runner/run-errors.js';
import type { CancelOutcome, EventPage, EventPageQuery, RunDetail, RunSummary } from '../runner/run-service.js';
import type { Principal } from '../security/roles.js';
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

/** The door a cancel comes through: `remote-tui` is `stn ui --remote` (over REST). */
export type CancelDoor = 'cli' | 'tui' | 'remote-tui' | 'rest' | 'mcp';

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
    case 'rest':
      return `cancelled over REST by ${who}`;
    case 'mcp':
      return `cancelled over MCP by ${who}`;
  }
}
