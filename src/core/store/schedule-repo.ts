import type { StoreDb } from './store-db.js';

/** A row of schedule_state. */
export interface ScheduleStateRow {
  environment: string;
  agent: string;
  schedule_key: string;
  planned_from: number;
  last_fire_at: number | null;
  last_outcome: 'fired' | 'skipped' | 'missed' | 'error' | null;
  last_run_id: number | null;
  last_error: string | null;
  paused_at: number | null;
  paused_by: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  updated_at: number;
}

/** SQL for schedule_state. Every write is one IMMEDIATE transaction. */
export class ScheduleRepo {
  constructor(private readonly db: StoreDb) {}

  get(environment: string, agent: string): ScheduleStateRow | undefined {
    return this.db
      .prepare('SELECT * FROM schedule_state WHERE environment = ? AND agent = ?')
      .get(environment, agent) as ScheduleStateRow | undefined;
  }

  all(): ScheduleStateRow[] {
    return this.db.prepare('SELECT * FROM schedule_state').all() as ScheduleStateRow[];
  }

  /**
   * The row of a schedule, made when first seen (fire times counted from `now`); a changed schedule
   * (`key`: cron, time zone, enabled) is planned again from `now`.
   */
  ensure(environment: string, agent: string, key: string, now: number): ScheduleStateRow {
    const row = this.get(environment, agent);
    if (row !== undefined && row.schedule_key === key) return row;
    this.db
      .transaction(() => {
        const current = this.get(environment, agent);
        if (current === undefined) {
          this.db
            .prepare(
              'INSERT INTO schedule_state (environment, agent, schedule_key, planned_from, updated_at) VALUES (?, ?, ?, ?, ?)',
            )
            .run(environment, agent, key, now, now);
        } else if (current.schedule_key !== key) {
          this.db
            .prepare(
              'UPDATE schedule_state SET schedule_key = ?, planned_from = ?, updated_at = ? WHERE environment = ? AND agent = ?',
            )
            .run(key, now, now, environment, agent);
        }
      })
      .immediate();
    return this.get(environment, agent) as ScheduleStateRow;
  }

  /**
   * Claims a fire time for `owner`, in one transaction: refused when that time (or a later one) was
   * handled already, or when another scheduler holds the schedule's lease. `outcome` fired takes the lease
   * for `leaseMs` (released by `recordRun`); skipped and missed only mark the time handled.
   */
  claim(
    environment: string,
    agent: string,
    fireAt: number,
    outcome: 'fired' | 'skipped' | 'missed',
    owner: string,
    now: number,
    leaseMs: number,
  ): boolean {
    return this.db
      .transaction(() => {
        const row = this.get(environment, agent);
        if (row === undefined) return false;
        if (row.last_fire_at !== null && row.last_fire_at >= fireAt) return false;
        if (row.lease_owner !== null && row.lease_owner !== owner && (row.lease_until ?? 0) > now) return false;
        const lease = outcome === 'fired';
        this.db
          .prepare(
            `UPDATE schedule_state SET last_fire_at = ?, last_outcome = ?, last_error = NULL, lease_owner = ?, lease_until = ?,
                    updated_at = ? WHERE environment = ? AND agent = ?`,
          )
          .run(fireAt, outcome, lease ? owner : null, lease ? now + leaseMs : null, now, environment, agent);
        return true;
      })
      .immediate();
  }

  /** After a claimed fire: its run (or the error that kept it from starting); the lease is released. */
  recordRun(environment: string, agent: string, runId: number | null, error: string | null, now: number): void {
    this.db
      .prepare(
        `UPDATE schedule_state SET last_run_id = COALESCE(?, last_run_id), last_outcome = ?, last_error = ?,
                lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE environment = ? AND agent = ?`,
      )
      .run(runId, error === null ? 'fired' : 'error', error, now, environment, agent);
  }

  /** Pauses (who, when) or resumes; resuming plans again from `now` (fires missed while paused are not caught up). */
  setPaused(environment: string, agent: string, paused: { by: string } | null, now: number): void {
    if (paused === null) {
      this.db
        .prepare(
          'UPDATE schedule_state SET paused_at = NULL, paused_by = NULL, planned_from = ?, updated_at = ? WHERE environment = ? AND agent = ?',
        )
        .run(now, now, environment, agent);
    } else {
      this.db
        .prepare(
          'UPDATE schedule_state SET paused_at = ?, paused_by = ?, updated_at = ? WHERE environment = ? AND agent = ?',
        )
        .run(now, paused.by, now, environment, agent);
    }
  }
}
