import { ConflictError, NotFoundError, ValidationError, errorMessage } from '../errors.js';
import {
  RUN_STATUSES,
  RUN_TRIGGERS,
  isFinalStatus,
  type EventError,
  type RunEvent,
  type RunStatus,
  type RunTrigger,
  type TokenCounts,
} from '../events/run-events.js';
import { DataVersion } from '../store/data-version.js';
import { dialectOf, type StoreDb } from '../store/store-db.js';
import { writeUnlessLocked } from '../store/lock-waits.js';
import {
  RunRepo,
  isUnclaimed,
  type EventPage,
  type EventPageQuery,
  type RunFilter,
  type RunRow,
} from '../store/run-repo.js';
import { isOrphanedRun, systemProcessProbe, type ProcessProbe } from './process-liveness.js';

/** One run in `stn runs list --json` (a stable shape). */
export interface RunSummary {
  id: number;
  agent: string;
  environment: string;
  status: RunStatus;
  stopReason: string | null;
  /** What started it (see RUN_TRIGGERS). */
  trigger: RunTrigger;
  /** The fire time a scheduled run was planned for (ISO), else null. */
  scheduledAt: string | null;
  model: string | null;
  steps: number;
  toolCalls: number;
  tokens: TokenCounts;
  error: EventError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

/** One run with its input, answer and full trace (`stn runs show --json`). */
export interface RunDetail extends RunSummary {
  input: Record<string, unknown>;
  output: string | null;
  pid: number | null;
  events: RunEvent[];
}

export interface CancelOutcome {
  /** `cancelled`: done here; `requested`: the process running it was asked and will stop it shortly. */
  outcome: 'cancelled' | 'requested';
  run: RunSummary;
}

/** The part of a live runner the service needs (the runner of this process, if one was made). */
export interface LiveRunner {
  cancel(runId: number, message?: string): boolean;
}

/** How many list answers (one per filter) are kept while the database does not change. */
const MAX_KEPT_LISTS = 32;

/** Reading and cancelling recorded runs; light (no model or MCP code), so quick commands stay quick. */
export class RunService {
  readonly repo: RunRepo;
  private readonly dataVersion: DataVersion;
  /** List answers by filter, good while the database's stamp is `listsStamp` (a list polled often is read once). */
  private readonly lists = new Map<string, string>();
  private listsStamp = '';

  constructor(
    private readonly db: StoreDb,
    private readonly liveRunner: () => LiveRunner | undefined = () => undefined,
    private readonly probe: ProcessProbe = systemProcessProbe({ sharedStore: dialectOf(db) === 'postgres' }),
    leaseMs?: number,
    /**
     * How many retries an interrupted run's agent allows (`retry_on_interrupt`); runs marked interrupted here
     * are queued again while their chain has fewer. Default: none.
     */
    private readonly retriesAllowed: (run: RunRow) => number = () => 0,
  ) {
    this.repo = new RunRepo(db, leaseMs);
    this.dataVersion = new DataVersion(db);
  }

  /**
   * On a shared store: renews the leases of this process's unfinished runs (a timer calls it every third of the
   * lease while the process runs any). Nothing to do on SQLite.
   */
  renewLeases(now = Date.now()): number {
    if (!this.repo.sharedStore) return 0;
    return this.repo.renewLeases(this.repo.hostName, this.probe.pid, now);
  }

  list(filter: RunFilter = {}): RunSummary[] {
    return JSON.parse(this.listJson(filter)) as RunSummary[];
  }

  /** The same list as `list`, as JSON text (what the REST door sends as is). */
  listJson(filter: RunFilter = {}): string {
    const statuses: readonly RunStatus[] =
      filter.status === undefined ? [] : typeof filter.status === 'string' ? [filter.status] : filter.status;
    const bad = statuses.filter((s) => !RUN_STATUSES.includes(s));
    if (bad.length > 0) {
      throw new ValidationError(`unknown run status ${bad.map((b) => `"${b}"`).join(', ')}`, [
        { field: 'status', message: `expected one of: ${RUN_STATUSES.join(', ')}` },
      ]);
    }
    const triggers: readonly string[] =
      filter.trigger === undefined ? [] : typeof filter.trigger === 'string' ? [filter.trigger] : filter.trigger;
    const unknown = triggers.filter((t) => !(RUN_TRIGGERS as readonly string[]).includes(t));
    if (unknown.length > 0) {
      throw new ValidationError(`unknown run trigger ${unknown.map((t) => `"${t}"`).join(', ')}`, [
        { field: 'trigger', message: `expected one of: ${RUN_TRIGGERS.join(', ')}` },
      ]);
    }
    // The stamp is read before the list: a change committed in between moves it, so the list is read again next time.
    const stamp = this.dataVersion.stamp();
    if (stamp === undefined) return this.repo.listSummariesJson(filter);
    if (stamp !== this.listsStamp || this.lists.size >= MAX_KEPT_LISTS) {
      this.lists.clear();
      this.listsStamp = stamp;
    }
    const key = JSON.stringify(filter);
    let json = this.lists.get(key);
    if (json === undefined) {
      json = this.repo.listSummariesJson(filter);
      this.lists.set(key, json);
    }
    return json;
  }

  /** How many runs there are of each status, all environments (statuses with none are left out). */
  countByStatus(): { status: RunStatus; count: number }[] {
    return this.repo.countByStatus();
  }

  /** The newest run of each agent of an environment, by agent name. */
  lastRunPerAgent(environment: string): Map<string, RunSummary> {
    const runs = this.repo.lastPerAgent(environment).map((json) => JSON.parse(json) as RunSummary);
    return new Map(runs.map((run) => [run.agent, run]));
  }

  /** A page of a run's events (see RunRepo.eventPage); NotFoundError when there is no such run. */
  eventPage(id: number, query: EventPageQuery): EventPage {
    this.require(id);
    return this.repo.eventPage(id, query);
  }

  get(id: number): RunSummary {
    const run = this.find(id);
    if (run === undefined) throw notFound(id);
    return run;
  }

  /** The run, or undefined when there is none with this id. */
  find(id: number): RunSummary | undefined {
    const json = this.repo.summaryJson(id);
    return json === undefined ? undefined : (JSON.parse(json) as RunSummary);
  }

  show(id: number): RunDetail {
    const row = this.repo.detail(id);
    if (row === undefined) throw notFound(id);
    return {
      ...(JSON.parse(row.summary) as RunSummary),
      input: JSON.parse(row.input_json) as Record<string, unknown>,
      output: row.final_output,
      pid: row.pid,
      events: this.repo.events(id),
    };
  }

  events(id: number, afterSeq = 0): RunEvent[] {
    return this.repo.events(id, { afterSeq });
  }

  /**
   * Cancels a queued or running run: directly when this process runs it or when the process that did
   * is gone; otherwise by asking that process (through the database), which stops it within a second.
   */
  cancel(id: number, message: string): CancelOutcome {
    const row = this.require(id);
    if (isFinalStatus(row.status)) {
      throw new ConflictError(`run ${String(id)} has already finished (${row.status})`, {
        hints: [`See it with: stn runs show ${String(id)}`],
      });
    }
    if (this.liveRunner()?.cancel(id, message) === true) return { outcome: 'cancelled', run: this.get(id) };
    // In the shared queue, claimed by no server: ended here, unless a server claims it first (then it is asked).
    if (isUnclaimed(row) && this.repo.sharedStore) {
      const ended = this.repo.finishOrphans((r) => r.id === id && isUnclaimed(r), {
        status: 'cancelled',
        stopReason: 'cancelled',
        error: () => ({ code: 'cancelled', message }),
      });
      if (ended.length > 0) return { outcome: 'cancelled', run: this.get(id) };
    }
    if (isOrphanedRun(row, this.probe)) {
      this.repo.finishOrphans((r) => r.id === id, {
        status: 'cancelled',
        stopReason: 'cancelled',
        error: () => ({ code: 'cancelled', message }),
      });
      return { outcome: 'cancelled', run: this.get(id) };
    }
    this.repo.requestCancel(id, message);
    return { outcome: 'requested', run: this.get(id) };
  }

  /**
   * Marks runs left queued or running by processes that died as `interrupted`. Called when the engine
   * opens the database; writes only when there is such a run, and leaves them for the next open when
   * another process holds the write lock (opening must not fail a read command). Returns their ids.
   */
  markInterrupted(): number[] {
    const isOrphan = (row: RunRow): boolean => isOrphanedRun(row, this.probe);
    if (!this.repo.unfinished().some(isOrphan)) return [];
    const outcome = writeUnlessLocked(this.db, () =>
      this.repo.finishOrphans(isOrphan, {
        status: 'interrupted',
        stopReason: 'interrupted',
        error: (row) => ({
          code: 'interrupted',
          message:
            row.lease_until === null
              ? `the process running it (pid ${String(row.pid ?? '?')}) ended before the run finished`
              : `the server running it (${row.host ?? '?'}, pid ${String(row.pid ?? '?')}) stopped before the run finished: its lease ran out`,
        }),
        // A retry of each run whose agent allows one more, in the same transaction.
        retries: this.retriesAllowed,
        // A store that refuses the retry: the run stays interrupted, as recorded.
        retryFailed: (row, error) => {
          process.emitWarning(`run ${String(row.id)} not retried: ${errorMessage(error)}`);
        },
      }),
    );
    return outcome.written ? outcome.value : [];
  }

  private require(id: number): RunRow {
    const row = this.repo.get(id);
    if (row === undefined) throw notFound(id);
    return row;
  }
}

function notFound(id: number): NotFoundError {
  return new NotFoundError(`run ${String(id)} does not exist`, { hints: ['List runs with: stn runs list'] });
}
