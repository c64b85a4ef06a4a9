import {
  policyCriteria,
  pruneRuns,
  type PruneCriteria,
  type PruneReport,
  type RetentionPolicy,
} from '../maintenance/retention.js';
import type { Principal } from '../security/roles.js';
import { compactStore, type CompactionResult } from '../store/store-compaction.js';
import type { ApiContext } from './context.js';

/** The caller `stn serve`'s hourly retention pass acts as (audited as `retention`, door internal). */
export const RETENTION_PRINCIPAL: Principal = {
  keyId: 0,
  name: 'retention',
  prefix: 'local',
  role: 'admin',
  environments: '*',
};

export interface PruneRequest extends PruneCriteria {
  /** Count what would go; remove nothing. */
  dryRun?: boolean | undefined;
}

/** One pass of the configured policy: what it pruned (null: no policy set) and the compaction after it. */
export interface RetentionPassReport {
  policy: RetentionPolicy;
  pruned: PruneReport | null;
  compaction: CompactionResult;
}

/**
 * Retention (admins): pruning finished runs and their events by hand (`stn runs prune`, POST /runs/prune) or by
 * the configured policy (`runner.retention`, applied by `stn serve` every hour), and compacting the store.
 */
export class RetentionApi {
  constructor(private readonly ctx: ApiContext) {}

  /** `runner.retention` of config.yaml. */
  policy(): RetentionPolicy {
    this.ctx.authorize('admin');
    return { ...this.ctx.engine.config.runner.retention };
  }

  /**
   * Prunes finished runs finished before `before` or beyond the newest `keep` runs (either is enough), in
   * batches, then compacts the store; with no limit given, the configured policy's. Audited (`run.prune`)
   * unless a dry run.
   */
  async prune(request: PruneRequest): Promise<PruneReport> {
    this.ctx.authorize('admin');
    let criteria: PruneCriteria = { before: request.before, keep: request.keep };
    if (request.before === undefined && request.keep === undefined) {
      criteria = policyCriteria(this.ctx.engine.config.runner.retention, Date.now()) ?? {};
    }
    const report = await pruneRuns(this.ctx.engine.db, criteria, { dryRun: request.dryRun });
    if (!report.dryRun) this.audit(report);
    return report;
  }

  /**
   * Applies the configured policy (when one is set), then checkpoints and vacuums the store whatever was pruned:
   * what `stn serve` does every hour. Audited only when runs were removed.
   */
  async applyPolicy(): Promise<RetentionPassReport> {
    this.ctx.authorize('admin');
    const { engine } = this.ctx;
    const policy = { ...engine.config.runner.retention };
    const criteria = policyCriteria(policy, Date.now());
    const pruned = criteria === undefined ? null : await pruneRuns(engine.db, criteria, { compact: false });
    if (pruned !== null && pruned.runs > 0) this.audit(pruned);
    return { policy, pruned, compaction: compactStore(engine.db) };
  }

  private audit(report: PruneReport): void {
    this.ctx.audit('run.prune', 'runs', {
      before: report.before,
      keep: report.keep,
      runs: report.runs,
      events: report.events,
    });
  }
}
