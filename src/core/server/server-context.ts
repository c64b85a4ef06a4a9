import type { Engine } from '../engine.js';
import type { Logger } from './logger.js';
import type { ServerMetrics } from './metrics.js';

/** What route handlers share: the engine they serve, metrics and the server's log. */
export interface ServerContext {
  engine: Engine;
  metrics: ServerMetrics;
  log: Logger;
  version: string;
  startedAt: number;
  clock: () => number;
}
