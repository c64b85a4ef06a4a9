import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditDoor } from '../security/audit-log.js';

/** Where a call came from, for its audit row: the door, and for a request its id and remote address. */
export interface AuditOrigin {
  door: AuditDoor;
  requestId?: string;
  remoteAddress?: string;
}

const current = new AsyncLocalStorage<Partial<AuditOrigin>>();

/**
 * Runs `fn` with the origin of one request (the HTTP server wraps each request: request id, remote
 * address), so that every audit row written while it is handled names them, whichever route or extension
 * calls the application layer.
 */
export function withAuditOrigin<T>(origin: Partial<AuditOrigin>, fn: () => T): T {
  return current.run({ ...current.getStore(), ...origin }, fn);
}

/** The origin of the call in progress: what the caller's handle says, then the request's, else `internal`. */
export function currentAuditOrigin(explicit: Partial<AuditOrigin>): AuditOrigin {
  const store = current.getStore() ?? {};
  const requestId = explicit.requestId ?? store.requestId;
  const remoteAddress = explicit.remoteAddress ?? store.remoteAddress;
  return {
    door: explicit.door ?? store.door ?? 'internal',
    ...(requestId === undefined ? {} : { requestId }),
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
  };
}
