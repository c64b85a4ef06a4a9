import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Readable, Writable } from 'node:stream';
import { Application } from '../api/application.js';
import type { Engine } from '../engine.js';
import { errorMessage } from '../errors.js';
import { logRunEvents } from '../runner/run-log.js';
import { createLogger, type LogFormat, type LogLevel } from '../server/logger.js';
import { readPackageVersion } from '../server/version.js';
import { createStationMcpServer } from './station-mcp-server.js';

export interface StdioOptions {
  /** The environment whose agents are offered as tools (and the default of every tool). */
  environment: string;
  logLevel?: LogLevel | undefined;
  /** JSON lines (the default) or text lines for a terminal. */
  logFormat?: LogFormat | undefined;
  stdin?: Readable;
  stdout?: Writable;
  /** Where JSON log lines go; default stderr (stdout carries nothing but MCP messages). */
  writeLog?: (line: string) => void;
}

export interface StdioSession {
  /** Settles when the client goes away (stdin ends) or close() was called. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * `stn stdio`: Station as an MCP server on stdin/stdout, for whoever runs the process (audited as
 * actor `stdio`, owner `local:<os user>`, door mcp-stdio). Logs go to stderr only.
 */
export async function startStdioServer(engine: Engine, options: StdioOptions): Promise<StdioSession> {
  const log = createLogger({
    level: options.logLevel ?? 'info',
    format: options.logFormat ?? 'json',
    ...(options.writeLog === undefined ? {} : { write: options.writeLog }),
  });
  const api = new Application(engine).local('mcp-stdio');
  api.environments.require(options.environment);
  const server = createStationMcpServer(api, { environment: options.environment, version: readPackageVersion() });
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  // The runs its clients start: a line per start and end, with run id and environment.
  const stopRunLog = logRunEvents(engine.events, log);
  server.server.onclose = () => {
    stopRunLog();
    log.info('mcp stdio session closed');
    resolveClosed();
  };
  server.server.onerror = (error) => log.warn('mcp stdio error', { error: errorMessage(error) });
  await server.connect(transport);
  const close = async (): Promise<void> => {
    await server.close();
    resolveClosed();
  };
  const onEnd = (): void => void close();
  stdin.once('end', onEnd);
  stdin.once('close', onEnd);
  log.info('mcp stdio session started', { environment: options.environment });
  return { closed, close };
}
