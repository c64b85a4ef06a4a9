import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { errorMessage } from '../errors.js';
import type { RunStatus } from '../events/run-events.js';
import type { ScheduleRepo } from '../store/schedule-repo.js';
import type { ScheduledAgent } from './schedule-catalog.js';
import { firesBetween, scheduleKey } from './schedule-spec.js';

/** What became of one fire time in a pass. */
export interface FireRecord {
  environment: string;
  agent: string;
  /** The planned fire time (ms). */
  fireAt: number;
  outcome: 'fired' | 'skipped' | 'missed' | 'error';
  runId: number | null;
  error: string | null;
  /** Settles when a fired run has finished (undefined for the other outcomes). */
  done?: Promise<unknown>;
}

export interface SchedulerOptions {
  repo: ScheduleRepo;
  /** The scheduled agents as their files say now (re-read on every pass). */
  schedules: () => readonly ScheduledAgent[];
  /** Starts a normal queued run for a fire (trigger schedule, scheduledAt = fireAt); returns its id. */
  fire: (entry: ScheduledAgent, fireAt: number) => Promise<{ runId: number; done: Promise<unknown> }>;
  /** A recorded run's status and finish time, if it exists. */
  runState: (runId: number) => { status: RunStatus; createdAt: number; finishedAt: number | null } | undefined;
  now?: () => number;
  /** Who this scheduler is in lease rows (default host:pid:random). */
  owner?: string;
  /** How long a lease holds while a fire's run is being started (default 60 s). */
  leaseMs?: number;
  /** How late a fire may still start with catch_up none (default 60 s). */
  graceMs?: number;
}

/**
 * Fires agents' schedules as normal runs. A pass (`runDue`) reads the schedules from the files, counts fire
 * times from each schedule's last handled one (or from when it was first seen, changed or resumed) up to
 * now, applies the catch-up policy to the missed ones and the overlap policy against the schedule's
 * previous run, and claims each fire time in a database transaction before starting its run: two
 * schedulers on one home never fire a time twice. `start` runs a pass every `intervalMs` until `stop`.
 * The clock is injected, so a clock jump, a slow run and a restart are plain calls in tests.
 */
export class Scheduler {
  private readonly now: () => number;
  readonly owner: string;
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<FireRecord[]> | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now;
    this.owner = options.owner ?? `${hostname()}:${String(process.pid)}:${randomBytes(4).toString('hex')}`;
  }

  /** One pass: every fire due now, handled once. Passes do not overlap (a second call waits for the first). */
  async runDue(): Promise<FireRecord[]> {
    while (this.passing !== undefined) await this.passing.catch(() => undefined);
    this.passing = this.pass();
    try {
      return await this.passing;
    } finally {
      this.passing = undefined;
    }
  }

  /** Runs a pass every `intervalMs` (errors go to `onError`) until stop(). */
  start(intervalMs = 1000, onError: (error: unknown) => void = () => undefined): void {
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.runDue().then(
        () => undefined,
        (error: unknown) => onError(error),
      );
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    tick();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.passing?.catch(() => undefined);
  }

  private async pass(): Promise<FireRecord[]> {
    const records: FireRecord[] = [];
    for (const entry of this.options.schedules()) {
      if (!entry.schedule.enabled) continue;
      records.push(...(await this.passOne(entry)));
    }
    return records;
  }

  private async passOne(entry: ScheduledAgent): Promise<FireRecord[]> {
    const { repo } = this.options;
    const { environment, agent, schedule } = entry;
    const now = this.now();
    const state = repo.ensure(environment, agent, scheduleKey(schedule), now);
    if (state.paused_at !== null) return [];
    const from = Math.max(state.planned_from, state.last_fire_at ?? -Infinity);
    const keep = schedule.catchUp === 'all' ? schedule.maxCatchUp : 1_000;
    const due = firesBetween(schedule, from, now, keep).times;
    if (due.length === 0) return [];

    const prev = state.last_run_id === null ? undefined : this.options.runState(state.last_run_id);
    let active = prev !== undefined && (prev.status === 'queued' || prev.status === 'running');
    if (active && schedule.overlap === 'queue') return []; // waits for the previous run to end
    const graceMs = this.options.graceMs ?? 60_000;
    // With overlap queue, a fire that came due while the previous run went is held, not missed.
    const held = (t: number): boolean =>
      schedule.overlap === 'queue' &&
      prev !== undefined &&
      prev.finishedAt !== null &&
      t > prev.createdAt &&
      t <= prev.finishedAt;
    const onTime = (t: number): boolean => t >= now - graceMs || held(t);
    let chosen: number[];
    if (schedule.catchUp === 'all') chosen = due;
    else if (schedule.catchUp === 'latest') chosen = due.slice(-1);
    else chosen = due.filter(onTime).slice(-1);

    const records: FireRecord[] = [];
    const last = due.at(-1) as number;
    if (chosen.length === 0) {
      if (repo.claim(environment, agent, last, 'missed', this.owner, now, 0)) {
        records.push({ environment, agent, fireAt: last, outcome: 'missed', runId: null, error: null });
      }
      return records;
    }
    for (const fireAt of chosen) {
      if (active && schedule.overlap === 'skip') {
        if (repo.claim(environment, agent, fireAt, 'skipped', this.owner, now, 0)) {
          records.push({ environment, agent, fireAt, outcome: 'skipped', runId: null, error: null });
        }
        continue;
      }
      if (active && schedule.overlap === 'queue') break;
      if (!repo.claim(environment, agent, fireAt, 'fired', this.owner, now, this.options.leaseMs ?? 60_000)) break;
      try {
        const started = await this.options.fire(entry, fireAt);
        repo.recordRun(environment, agent, started.runId, null, this.now());
        records.push({
          environment,
          agent,
          fireAt,
          outcome: 'fired',
          runId: started.runId,
          error: null,
          done: started.done,
        });
      } catch (error) {
        const message = errorMessage(error);
        repo.recordRun(environment, agent, null, message, this.now());
        records.push({ environment, agent, fireAt, outcome: 'error', runId: null, error: message });
      }
      active = schedule.overlap !== 'allow';
    }
    return records;
  }
}
