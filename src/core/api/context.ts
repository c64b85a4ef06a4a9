import type { Engine } from '../engine.js';
import type { ServerStatus } from '../mcp/server-connection.js';
import { authorize, type Action, type Principal } from '../security/roles.js';
import type { SyncJobs } from './sync-jobs.js';

/**
 * What an operation writes to the audit log. One name per action, whichever door it came through (CLI,
 * TUI, REST, MCP): the audit rows of the same change differ only in their actor.
 */
export type AuditAction =
  | 'environment.create'
  | 'environment.delete'
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
  | 'key.create'
  | 'key.revoke'
  | 'secret.set'
  | 'secret.remove'
  | 'secret.import'
  | 'secret.rotate-key'
  | 'bundle.create'
  | 'bundle.install';

/** Shared by the operations of one principal: the engine, the caller, and the two steps around a call. */
export class ApiContext {
  constructor(
    readonly engine: Engine,
    readonly principal: Principal,
    readonly shared: SharedState,
  ) {}

  /** Throws a forbidden AuthError unless the principal may take `action` (in `environment`). */
  authorize(action: Action, environment?: string): void {
    authorize(this.principal, action, environment);
  }

  audit(action: AuditAction, target: string, details: Record<string, unknown> = {}): void {
    this.engine.keys.audit(this.principal.name, action, target, details);
  }
}

/** State one process keeps across principals: background syncs, and where live MCP state comes from. */
export interface SharedState {
  readonly syncJobs: SyncJobs;
  /** The live state of an environment's servers in this process, when it keeps a pool running. */
  liveServers(environment: string): readonly ServerStatus[] | undefined;
}
