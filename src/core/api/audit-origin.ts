import type { AuditDoor } from '../security/audit-log.js';

/** Where a call came from, for its audit row: the door, and for a request its id and remote address. */
export interface AuditOrigin {
  door: AuditDoor;
  requestId?: string;
  remoteAddress?: string;
}

/**
 * The origin of a call made through a handle given `origin` (Application#as): its door, else `internal`.
 * The HTTP server gives each request a handle of its own (door, request id, remote address), so that every
 * audit row written while it is handled names them, whichever route or extension calls the application layer.
 */
export function auditOriginOf(origin: Partial<AuditOrigin>): AuditOrigin {
  return {
    door: origin.door ?? 'internal',
    ...(origin.requestId === undefined ? {} : { requestId: origin.requestId }),
    ...(origin.remoteAddress === undefined ? {} : { remoteAddress: origin.remoteAddress }),
  };
}
