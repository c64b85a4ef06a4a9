import type { Engine } from '../engine.js';
import type { RunningStation, ServeOptions } from './serve.js';

export type { RunningStation, ServeOptions };

/** Starts `stn serve` on an open engine. The server code (ws, prom-client, the MCP SDK) loads only here. */
export async function serveStation(engine: Engine, options: ServeOptions = {}): Promise<RunningStation> {
  const { startStation } = await import('./serve.js');
  return startStation(engine, options);
}
