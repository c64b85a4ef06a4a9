import { randomUUID } from 'node:crypto';
import { answersFor, missingVariableView, type MissingVariableView } from '../config/variable-answers.js';
import { MissingVariablesError } from '../config/template-render.js';
import { errorMessage, isStationError } from '../errors.js';
import type { SyncEvent, SyncOptions, SyncReport } from '../sync/sync-service.js';

export interface SyncJob {
  id: string;
  environment: string;
  status: 'running' | 'completed' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  /** Progress lines, oldest first (the last PROGRESS_KEEP), each with its time. */
  progress: (SyncProgressLine & { ts: string })[];
  report: SyncReport | null;
  error: SyncJobError | null;
}

/** Why a sync could not run; `missing_variables` lists the variables to answer (never values). */
export interface SyncJobError {
  code: string;
  message: string;
  /** With code `missing_variables`: ask for these, then start the sync again with their values. */
  missing?: MissingVariableView[];
}

export interface SyncJobOptions {
  /**
   * Values for variables the configs need and nothing gives (the sync request's `variables`): used, and
   * saved like answers on a terminal, only when they answer every missing one.
   */
  variables?: Readonly<Record<string, string>>;
}

const JOBS_KEEP = 100;
const PROGRESS_KEEP = 200;

/**
 * Syncs started through the API: each runs in the background; its progress and report are kept in
 * memory (the last JOBS_KEEP jobs) for GET /api/v1/syncs/{id}. One sync per environment at a time.
 */
export class SyncJobs {
  private readonly jobs = new Map<string, SyncJob>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Starts a sync of one environment with `sync`, or returns the one already running for it. */
  start(
    environment: string,
    sync: (options: SyncOptions) => Promise<SyncReport>,
    onFinish?: (job: SyncJob) => void,
    options: SyncJobOptions = {},
  ): { job: SyncJob; started: boolean } {
    const running = [...this.jobs.values()].find((j) => j.environment === environment && j.status === 'running');
    if (running !== undefined) return { job: running, started: false };
    const job: SyncJob = {
      id: randomUUID(),
      environment,
      status: 'running',
      startedAt: new Date(this.clock()).toISOString(),
      finishedAt: null,
      progress: [],
      report: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    this.prune();
    const progress = syncProgress();
    const onEvent = (event: SyncEvent): void => {
      const line = progress(event);
      if (line === undefined) return;
      job.progress.push({ ts: new Date(this.clock()).toISOString(), ...line });
      if (job.progress.length > PROGRESS_KEEP) job.progress.shift();
    };
    const given = options.variables;
    const askVariables =
      given === undefined
        ? undefined
        : (_env: string, missing: Parameters<typeof answersFor>[0]) => Promise.resolve(answersFor(missing, given));
    void sync({ environments: [environment], onEvent, ...(askVariables === undefined ? {} : { askVariables }) })
      .then((report) => {
        job.report = report;
        job.status = report.ok ? 'completed' : 'failed';
      })
      .catch((error: unknown) => {
        job.status = 'failed';
        job.error = {
          code: isStationError(error) ? error.code : 'internal',
          message: errorMessage(error),
          ...(error instanceof MissingVariablesError ? { missing: error.missing.map(missingVariableView) } : {}),
        };
      })
      .finally(() => {
        job.finishedAt = new Date(this.clock()).toISOString();
        onFinish?.(job);
      });
    return { job, started: true };
  }

  get(id: string): SyncJob | undefined {
    return this.jobs.get(id);
  }

  private prune(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= JOBS_KEEP) break;
      if (job.status !== 'running') this.jobs.delete(id);
    }
  }
}

/** A line of sync progress with the servers done so far out of the total. */
export interface SyncProgressLine {
  message: string;
  done: number;
  total: number;
}

/**
 * Turns sync events into progress lines ("starting 3 servers", "fs ready: 14 tools"), counting the
 * servers done. One per sync: it keeps the counts.
 */
export function syncProgress(): (event: SyncEvent) => SyncProgressLine | undefined {
  let total = 0;
  let done = 0;
  return (event) => {
    switch (event.type) {
      case 'environment-start':
        total = event.servers;
        return { message: `starting ${String(total)} server${total === 1 ? '' : 's'}`, done, total };
      case 'server-starting':
        return { message: `starting ${event.server}`, done, total };
      case 'server-ready':
        done++;
        return { message: `${event.server} ready: ${String(event.toolCount)} tools`, done, total };
      case 'server-failed':
        done++;
        return { message: `${event.server} failed: ${event.error}`, done, total };
      default:
        return undefined;
    }
  };
}
