import type { Logger } from './logger.js';
import type { ServerMetrics } from './metrics.js';

/**
 * What route handlers share: metrics and the server's log (the operations of the application layer come
 * with each request: RequestContext#api).
 */
export interface ServerContext {
  metrics: ServerMetrics;
  log: Logger;
  version: string;
  startedAt: number;
  clock: () => number;
}
