import { NotFoundError } from '../errors.js';
import type { RunStatus } from '../events/run-events.js';
import { ScheduleCatalog, type ScheduledAgent } from '../scheduler/schedule-catalog.js';
import { nextFires, scheduleKey, type CatchUpPolicy, type OverlapPolicy } from '../scheduler/schedule-spec.js';
import { Scheduler, type FireRecord } from '../scheduler/scheduler.js';
import type { Engine } from '../engine.js';
import { canSeeEnvironment, type Principal } from '../security/roles.js';
import { ScheduleRepo } from '../store/schedule-repo.js';
import type { ApiContext } from './context.js';
import type { StationApi } from './application.js';
import { RunsApi } from './runs-api.js';

/** One schedule in `stn schedule list --json`, REST and MCP (a stable shape). */
export interface ScheduleView {
  environment: string;
  agent: string;
  cron: string;
  timezone: string | null;
  enabled: boolean;
  overlap: OverlapPolicy;
  catchUp: CatchUpPolicy;
  variables: Record<string, unknown>;
  paused: boolean;
  pausedAt: string | null;
  pausedBy: string | null;
  /** The next three fire times (ISO), none when disabled or paused. */
  next: string[];
  /** The last fire time handled (ISO), and what became of it. */
  lastFireAt: string | null;
  lastOutcome: 'fired' | 'skipped' | 'missed' | 'error' | null;
  lastRunId: number | null;
  lastStatus: RunStatus | null;
  lastError: string | null;
}

/** Who the scheduler is in the audit trail and on its runs. */
export const SCHEDULER_PRINCIPAL: Principal = {
  keyId: 0,
  name: 'scheduler',
  prefix: 'local',
  role: 'admin',
  environments: '*',
};

const catalogs = new WeakMap<Engine, ScheduleCatalog>();

/**
 * The catalog of scheduled agents on an engine's home, one per engine: it keeps each file's schedule until the
 * file changes, so listing the schedules again (the TUI after a fire time, every scheduler pass) parses only
 * what was edited.
 */
export function scheduleCatalog(engine: Engine): ScheduleCatalog {
  let catalog = catalogs.get(engine);
  if (catalog === undefined) {
    catalog = new ScheduleCatalog(
      () => engine.environments.list().map((e) => e.name),
      (env) => engine.agents.dir(env),
    );
    catalogs.set(engine, catalog);
  }
  return catalog;
}

/**
 * The scheduler of a process (`stn serve`, `stn schedule run-due`): fires through the application layer as
 * the `scheduler` principal through the scheduler door, so each fire is a normal queued run, audited as
 * run.start, recorded with trigger `schedule` and its fire time.
 */
export function createScheduler(
  engine: Engine,
  schedulerApi: () => StationApi,
  options: { now?: () => number; owner?: string; graceMs?: number } = {},
): Scheduler {
  const catalog = scheduleCatalog(engine);
  const runs = schedulerApi().runs;
  return new Scheduler({
    repo: new ScheduleRepo(engine.db),
    schedules: () => catalog.list(),
    fire: async (entry, fireAt) => {
      const started = await runs.start(entry.environment, entry.agent, entry.schedule.variables, {
        scheduledAt: fireAt,
      });
      return { runId: started.runId, done: started.done };
    },
    runState: (id) => {
      const run = engine.runs.find(id);
      if (run === undefined) return undefined;
      return {
        status: run.status,
        createdAt: Date.parse(run.createdAt),
        finishedAt: run.finishedAt === null ? null : Date.parse(run.finishedAt),
      };
    },
    ...options,
  });
}

/** Schedules: list and show (with next and last fire), pause and resume (recorded, never in the file), run now, run what is due. */
export class SchedulesApi {
  private readonly repo: ScheduleRepo;

  constructor(
    private readonly ctx: ApiContext,
    private readonly schedulerApi: () => StationApi,
  ) {
    this.repo = new ScheduleRepo(ctx.engine.db);
  }

  /** Every schedule of the environments the caller may see (of one environment, when given). */
  list(environment?: string): ScheduleView[] {
    if (environment !== undefined) this.ctx.authorize('read', environment);
    else this.ctx.authorize('read');
    return this.scheduled(environment)
      .filter((s) =>
        environment === undefined
          ? canSeeEnvironment(this.ctx.principal, s.environment)
          : s.environment === environment,
      )
      .map((s) => this.view(s));
  }

  show(environment: string, agent: string): ScheduleView {
    this.ctx.authorize('read', environment);
    return this.view(this.require(environment, agent));
  }

  /** Stops a schedule firing until resumed; recorded in the database (who, when), the file is not touched. */
  pause(environment: string, agent: string): ScheduleView {
    this.ctx.authorize('run', environment);
    const entry = this.require(environment, agent);
    const now = Date.now();
    this.repo.ensure(environment, entry.agent, scheduleKey(entry.schedule), now);
    this.repo.setPaused(environment, entry.agent, { by: this.ctx.principal.name }, now);
    this.ctx.audit('schedule.pause', `${environment}/${entry.agent}`, { environment, agent: entry.agent });
    return this.view(entry);
  }

  /** Fires again from now on (fires missed while paused are not caught up). */
  resume(environment: string, agent: string): ScheduleView {
    this.ctx.authorize('run', environment);
    const entry = this.require(environment, agent);
    const now = Date.now();
    this.repo.ensure(environment, entry.agent, scheduleKey(entry.schedule), now);
    this.repo.setPaused(environment, entry.agent, null, now);
    this.ctx.audit('schedule.resume', `${environment}/${entry.agent}`, { environment, agent: entry.agent });
    return this.view(entry);
  }

  /** Starts the schedule's run now, with its variables (the trigger is the caller's door); not a fire. */
  async run(environment: string, agent: string): Promise<{ runId: number; done: Promise<unknown> }> {
    const entry = this.require(environment, agent);
    const started = await new RunsApi(this.ctx).start(environment, entry.agent, entry.schedule.variables);
    this.ctx.audit('schedule.run', `${environment}/${entry.agent}`, {
      environment,
      agent: entry.agent,
      runId: started.runId,
    });
    return { runId: started.runId, done: started.done };
  }

  /** One scheduler pass on this process (`stn schedule run-due`): what is due fires; the records say what became of each fire time. */
  async runDue(options: { now?: () => number } = {}): Promise<FireRecord[]> {
    this.ctx.authorize('run');
    return createScheduler(this.ctx.engine, this.schedulerApi, options).runDue();
  }

  /** The scheduled agents of one environment (only its files are looked at), or of all. */
  private scheduled(environment?: string): ScheduledAgent[] {
    return scheduleCatalog(this.ctx.engine).list(environment);
  }

  private require(environment: string, agent: string): ScheduledAgent {
    this.ctx.engine.environments.require(environment);
    const all = this.scheduled(environment);
    const found = all.find((s) => s.agent === agent);
    if (found === undefined) {
      throw new NotFoundError(`agent "${agent}" in environment "${environment}" has no schedule`, {
        hints: [
          all.length > 0
            ? `Scheduled agents there: ${all.map((s) => s.agent).join(', ')}.`
            : 'Add a schedule: block (cron: "0 9 * * *") to an agent file; see `stn schedule list`.',
        ],
      });
    }
    return found;
  }

  private view(entry: ScheduledAgent): ScheduleView {
    const state = this.repo.get(entry.environment, entry.agent);
    const paused = state?.paused_at !== null && state?.paused_at !== undefined;
    const s = entry.schedule;
    const from = Math.max(Date.now(), state?.last_fire_at ?? -Infinity);
    const last =
      state?.last_run_id === null || state === undefined ? undefined : this.ctx.engine.runs.find(state.last_run_id);
    return {
      environment: entry.environment,
      agent: entry.agent,
      cron: s.cron,
      timezone: s.timezone ?? null,
      enabled: s.enabled,
      overlap: s.overlap,
      catchUp: s.catchUp,
      variables: s.variables,
      paused,
      pausedAt: iso(state?.paused_at ?? null),
      pausedBy: state?.paused_by ?? null,
      next: !s.enabled || paused ? [] : nextFires(s, from, 3).map((t) => new Date(t).toISOString()),
      lastFireAt: iso(state?.last_fire_at ?? null),
      lastOutcome: state?.last_outcome ?? null,
      lastRunId: state?.last_run_id ?? null,
      lastStatus: last?.status ?? null,
      lastError: state?.last_error ?? null,
    };
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
