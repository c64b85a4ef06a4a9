import type { Engine } from '../engine.js';
import { isStationError } from '../errors.js';
import type { ServerStatus } from '../mcp/server-connection.js';
import type { AuditOutcome } from '../security/audit-log.js';
import { authorize, type Action, type Principal } from '../security/roles.js';
import { auditOriginOf, type AuditOrigin } from './audit-origin.js';
import { osUser } from './principal.js';
import type { WsTicketBook } from './ws-tickets.js';
import type { SyncJobs } from './sync-jobs.js';

/**
 * What an operation writes to the audit log. One name per action, whichever door it came through (CLI,
 * TUI, REST, MCP): the audit rows of the same change differ only in their actor and door. A denied
 * attempt is recorded as `access.<read|run|write|admin>` with outcome denied.
 */
export type AuditAction =
  | 'init'
  | 'environment.create'
  | 'environment.delete'
  | 'environment.pull'
  | 'agent.create'
  | 'agent.update'
  | 'agent.delete'
  | 'agent.import'
  | 'mcp.add'
  | 'mcp.remove'
  | 'mcp.call'
  | 'sync'
  | 'run.start'
  | 'run.cancel'
  | 'run.import'
  | 'run.prune'
  | 'key.create'
  | 'key.revoke'
  | 'key.rotate'
  | 'key.import'
  | 'secret.set'
  | 'secret.remove'
  | 'secret.import'
  | 'secret.rotate-key'
  | 'bundle.create'
  | 'bundle.install'
  | 'auth.failed'
  | 'schedule.pause'
  | 'schedule.resume'
  | 'schedule.run'
  | 'webhook.add'
  | 'webhook.remove'
  | 'webhook.test'
  | 'webhook.redeliver'
  | 'bundle.publish'
  | 'backup.create'
  | 'backup.restore'
  | `access.${Action}`;

/** Errors already written to the audit log as denied (so that the server does not record them twice). */
const auditedDenials = new WeakSet<object>();

/** Whether a denial was audited by the application layer already. */
export function denialAudited(error: unknown): boolean {
  return typeof error === 'object' && error !== null && auditedDenials.has(error);
}

/** Shared by the operations of one principal: the engine, the caller, and the two steps around a call. */
export class ApiContext {
  constructor(
    readonly engine: Engine,
    readonly principal: Principal,
    readonly shared: SharedState,
    /** The door this handle serves (cli, tui, rest, mcp-stdio...); a request's id and address join it. */
    readonly origin: Partial<AuditOrigin> = {},
  ) {}

  /**
   * Throws a forbidden AuthError unless the principal may take `action` (in `environment`); a refusal is
   * audited (outcome denied, with the reason).
   */
  authorize(action: Action, environment?: string): void {
    try {
      authorize(this.principal, action, environment);
    } catch (error) {
      this.denied(action, environment ?? '', error);
      throw error;
    }
  }

  /** Records a refused attempt (once per error). */
  denied(action: Action, target: string, error: unknown): void {
    if (denialAudited(error)) return;
    if (typeof error === 'object' && error !== null) auditedDenials.add(error);
    const reason = error instanceof Error ? error.message : String(error);
    const details = isStationError(error) ? { code: error.code } : {};
    this.write(`access.${action}`, target, details, 'denied', reason);
  }

  /**
   * Records a request refused before it had a principal (missing, unknown, revoked or expired API key): the
   * actor is `anonymous`, the reason says why (a key is named only by its masked prefix), never the key.
   */
  authFailed(target: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    const details = isStationError(error) ? { code: error.code } : {};
    this.write('auth.failed', target, details, 'denied', reason);
  }

  /** One audit row for a change: who, through which door, from where, what, on which target. Never a secret value. */
  audit(action: AuditAction, target: string, details: Record<string, unknown> = {}): void {
    this.write(action, target, details, 'allowed', null);
  }

  private write(
    action: AuditAction,
    target: string,
    details: Record<string, unknown>,
    outcome: AuditOutcome,
    reason: string | null,
  ): void {
    const origin = auditOriginOf(this.origin);
    const local = this.principal.prefix === 'local';
    const stdio = local && origin.door === 'mcp-stdio';
    this.engine.audit.record({
      actor: stdio ? 'stdio' : this.principal.name,
      owner: stdio ? `local:${osUser(this.engine.env)}` : local ? null : (this.principal.owner ?? null),
      door: origin.door,
      action,
      target,
      outcome,
      reason,
      requestId: origin.requestId ?? null,
      remoteAddress: origin.remoteAddress ?? null,
      details,
    });
  }
}

/** State one process keeps across principals: background syncs, and where live MCP state comes from. */
export interface SharedState {
  readonly syncJobs: SyncJobs;
  /** Single-use WebSocket tickets for browsers, good on this server only. */
  readonly wsTickets: WsTicketBook;
  /** The live state of an environment's servers in this process, when it keeps a pool running. */
  liveServers(environment: string): readonly ServerStatus[] | undefined;
}
