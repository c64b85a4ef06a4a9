import type { Engine } from '../engine.js';
import type { StdioOptions, StdioSession } from './stdio.js';

export type { StdioOptions, StdioSession };

/** Starts `stn stdio` on an open engine; the MCP SDK loads only here. */
export async function serveStdio(engine: Engine, options: StdioOptions): Promise<StdioSession> {
  const { startStdioServer } = await import('./stdio.js');
  return startStdioServer(engine, options);
}
