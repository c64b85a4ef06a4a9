import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import { RunPruneRepo, type PruneWhere } from '../store/run-prune-repo.js';
import { compactStore, type CompactionOptions, type CompactionResult } from '../store/store-compaction.js';
import type { StoreDb } from '../store/store-db.js';

/** `runner.retention` in config.yaml: how long finished runs are kept, and how many runs; null: no limit. */
export interface RetentionPolicy {
  /** Finished runs older than this many days are pruned. */
  days: number | null;
  /** Only the newest this many runs are kept (older finished runs are pruned). */
  runs: number | null;
}

export const NO_RETENTION: RetentionPolicy = { days: null, runs: null };

/** Runs removed per transaction, and the pause between two (when writers of other processes get the lock). */
export const DEFAULT_PRUNE_BATCH = 500;
export const DEFAULT_PRUNE_PAUSE_MS = 10;

const DAY_MS = 86_400_000;

/** Which runs to prune: finished ones outside either limit (a run is kept only while within every limit given). */
export interface PruneCriteria {
  /** Finished before this time (ms since the epoch). */
  before?: number | undefined;
  /** Beyond the newest this many runs. */
  keep?: number | undefined;
}

export interface PruneOptions {
  /** Count what would go; remove nothing. */
  dryRun?: boolean | undefined;
  /** Checkpoint and vacuum the store afterwards (compactStore); default true when something was removed. */
  compact?: boolean | undefined;
  batchSize?: number | undefined;
  pauseMs?: number | undefined;
  compaction?: CompactionOptions | undefined;
  /** After each batch (progress). */
  onBatch?: ((batch: { runs: number; events: number; totalRuns: number }) => void) | undefined;
}

/** What a prune did (or, dry, would do). */
export interface PruneReport {
  dryRun: boolean;
  /** The limits applied: the cut-off time (ISO) and the count of newest runs kept; null when not given. */
  before: string | null;
  keep: number | null;
  /** Runs, events and finished webhook deliveries removed (dry: that would be removed; deliveries not counted). */
  runs: number;
  events: number;
  deliveries: number;
  /** Transactions it took (0 on a dry run). */
  batches: number;
  /** The checkpoint and vacuum after it; null when not done (dry run, or told not to). */
  compaction: CompactionResult | null;
}

/** The criteria a retention policy means at `now`; undefined when it sets no limit. */
export function policyCriteria(policy: RetentionPolicy, now: number): PruneCriteria | undefined {
  if (policy.days === null && policy.runs === null) return undefined;
  return {
    ...(policy.days === null ? {} : { before: now - policy.days * DAY_MS }),
    ...(policy.runs === null ? {} : { keep: policy.runs }),
  };
}

/**
 * Removes finished runs (completed, failed, cancelled, timed out, interrupted) selected by `criteria`, oldest
 * first, with their events, in transactions of `batchSize` runs; between two it yields to the event loop and
 * pauses, so that this process's requests and other processes' writers are never held up for more than a batch.
 * Queued and running runs are never removed, nor audit rows. Then, unless told not to, the store is compacted
 * (compactStore: a checkpoint, and a vacuum when much of the file is free; nothing on PostgreSQL).
 */
export async function pruneRuns(
  db: StoreDb,
  criteria: PruneCriteria,
  options: PruneOptions = {},
): Promise<PruneReport> {
  const repo = new RunPruneRepo(db);
  const where = whereOf(repo, criteria);
  const report: PruneReport = {
    dryRun: options.dryRun === true,
    before: criteria.before === undefined ? null : new Date(criteria.before).toISOString(),
    keep: criteria.keep ?? null,
    runs: 0,
    events: 0,
    deliveries: 0,
    batches: 0,
    compaction: null,
  };
  if (report.dryRun) {
    const counted = where === undefined ? { runs: 0, events: 0 } : repo.count(where);
    return { ...report, runs: counted.runs, events: counted.events };
  }
  const batchSize = options.batchSize ?? DEFAULT_PRUNE_BATCH;
  const pauseMs = options.pauseMs ?? DEFAULT_PRUNE_PAUSE_MS;
  while (where !== undefined) {
    const batch = repo.pruneBatch(where, batchSize);
    if (batch.runs === 0) break;
    report.batches++;
    report.runs += batch.runs;
    report.events += batch.events;
    report.deliveries += batch.deliveries;
    options.onBatch?.({ runs: batch.runs, events: batch.events, totalRuns: report.runs });
    if (batch.runs < batchSize) break;
    await sleep(pauseMs);
  }
  if (options.compact ?? report.runs > 0) report.compaction = compactStore(db, options.compaction);
  return report;
}

/** The criteria as the store's terms: `keep` becomes the id below which runs are beyond it (none: no limit). */
function whereOf(repo: RunPruneRepo, criteria: PruneCriteria): PruneWhere | undefined {
  if (criteria.before === undefined && criteria.keep === undefined) {
    throw new UsageError('nothing to prune by: give a date (before) or a count of runs to keep', {
      hints: ['stn runs prune --before 30d', 'stn runs prune --keep 1000', 'Or set runner.retention in config.yaml.'],
    });
  }
  if (criteria.before !== undefined && !Number.isFinite(criteria.before)) {
    throw new UsageError(`the cut-off time must be a time in ms since the epoch, got ${String(criteria.before)}`);
  }
  if (criteria.keep !== undefined && (!Number.isInteger(criteria.keep) || criteria.keep < 0)) {
    throw new UsageError(`runs to keep must be a whole number >= 0, got ${String(criteria.keep)}`);
  }
  const floor = criteria.keep === undefined ? undefined : keepFloorOf(repo, criteria.keep);
  // Fewer runs than `keep`, and no date: nothing is beyond the limit.
  if (criteria.before === undefined && floor === undefined) return undefined;
  return { finishedBefore: criteria.before, idBelow: floor };
}

/** keep 0: every finished run is beyond it (an id below any). */
function keepFloorOf(repo: RunPruneRepo, keep: number): number | undefined {
  if (keep === 0) return Number.MAX_SAFE_INTEGER;
  return repo.keepFloor(keep);
}
