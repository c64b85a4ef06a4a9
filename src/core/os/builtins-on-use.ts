/**
 * Node built-ins that take milliseconds to load and that most commands never use, loaded on their first use
 * instead of by every start that loads the core: node:child_process (with net and dgram, ~5 ms) is needed only
 * to start MCP servers, run git or ask `ps`; node:worker_threads (~5 ms) only by the PostgreSQL store.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function childProcess(): typeof import('node:child_process') {
  return require('node:child_process') as typeof import('node:child_process');
}

export function workerThreads(): typeof import('node:worker_threads') {
  return require('node:worker_threads') as typeof import('node:worker_threads');
}
