import type { StationApi } from '../api/application.js';
import type { Principal } from '../security/roles.js';
import type { Logger } from './logger.js';
import type { ServerMetrics } from './metrics.js';

/** What route handlers share: the operations of the application layer, metrics and the server's log. */
export interface ServerContext {
  /** The operations of a request's caller (each authorizes, calls the service and audits). */
  api(principal: Principal): StationApi;
  metrics: ServerMetrics;
  log: Logger;
  version: string;
  startedAt: number;
  clock: () => number;
}
