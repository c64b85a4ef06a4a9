import type { AuditFilters, AuditRecord, AuditVerifyReport } from '../security/audit-log.js';
import type { Action } from '../security/roles.js';
import type { ApiContext } from './context.js';

/** The audit trail: admins only (reading it is not itself audited; a refused attempt is). */
export class AuditApi {
  constructor(private readonly ctx: ApiContext) {}

  /** Newest first; `before` pages on (the last id of the previous page). */
  list(filters: AuditFilters = {}): AuditRecord[] {
    this.ctx.authorize('admin');
    return this.ctx.engine.audit.list(filters);
  }

  /** Walks the hash chain; names the first changed, deleted or inserted row. */
  verify(): AuditVerifyReport {
    this.ctx.authorize('admin');
    return this.ctx.engine.audit.verify();
  }

  /** Records `stn init` (the home is made before an engine can open it, so the command reports it here). */
  initialized(home: string, details: { created: readonly string[]; rewritten: readonly string[] }): void {
    this.ctx.authorize('admin');
    this.ctx.audit('init', home, { created: details.created, rewritten: details.rewritten });
  }

  /** Records `stn restore` (the home is restored before an engine can open it, so the command reports it here). */
  restored(
    home: string,
    details: { file: string; createdAt: string; interrupted: readonly number[]; aside: string | null },
  ): void {
    this.ctx.authorize('admin');
    this.ctx.audit('backup.restore', home, { ...details });
  }

  /** Records a request whose API key was refused (the server calls this on an `anonymous` handle). */
  authFailed(target: string, error: unknown): void {
    this.ctx.authFailed(target, error);
  }

  /** Records a refusal made before the application layer was reached (a route's own role check). */
  denied(action: Action, target: string, error: unknown): void {
    this.ctx.denied(action, target, error);
  }
}
