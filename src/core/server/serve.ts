import { readFileSync } from 'node:fs';
import type { Engine } from '../engine.js';
import { ConfigError, errorMessage } from '../errors.js';
import { createJsonLogger, type LogLevel, type Logger } from './logger.js';
import { StationServer, type ServerExtension, type TlsOptions } from './station-server.js';

export interface ServeOptions {
  /** Address to bind; default config `server.host` (127.0.0.1). */
  host?: string | undefined;
  port?: number | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  logLevel?: LogLevel | undefined;
  /** Where JSON log lines go; default stderr. */
  writeLog?: (line: string) => void;
  /** Milliseconds running runs get to finish on shutdown before they are cancelled. */
  graceMs?: number | undefined;
}

export interface RunningStation {
  url: string;
  host: string;
  port: number;
  server: StationServer;
  log: Logger;
  /** Stops accepting, closes WebSocket and MCP sessions, drains or cancels runs. Idempotent. */
  close(): Promise<void>;
}

/**
 * `stn serve`: the HTTP API, the WebSocket, MCP over HTTP and the operations endpoints over one
 * engine. Loaded with a dynamic import (see launch.ts) so that quick commands never load it.
 */
export async function startStation(engine: Engine, options: ServeOptions = {}): Promise<RunningStation> {
  const log = createJsonLogger({ level: options.logLevel ?? 'info', ...(options.writeLog === undefined ? {} : { write: options.writeLog }) });
  const tls = readTls(options);
  const extensions: ServerExtension[] = [];
  const server = new StationServer({
    engine,
    logger: log,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(tls === undefined ? {} : { tls }),
    extensions,
  });
  const address = await server.listen();
  let closing: Promise<void> | undefined;
  return {
    ...address,
    server,
    log,
    close: () => {
      closing ??= (async () => {
        log.info('shutting down', { graceMs: options.graceMs ?? 10_000 });
        await server.close(options.graceMs ?? 10_000);
      })();
      return closing;
    },
  };
}

function readTls(options: ServeOptions): TlsOptions | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined) {
    throw new ConfigError('TLS needs both --tls-cert and --tls-key', {
      hints: ['Give the PEM certificate (chain) with --tls-cert and its private key with --tls-key.'],
    });
  }
  return { cert: readPem(options.tlsCert, 'certificate'), key: readPem(options.tlsKey, 'private key') };
}

function readPem(file: string, what: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (error) {
    throw new ConfigError(`cannot read the TLS ${what} ${file}: ${errorMessage(error)}`, { hints: ['Check the path and its permissions.'] });
  }
  if (!data.toString('utf8').includes('-----BEGIN ')) {
    throw new ConfigError(`${file} is not a PEM file (expected a "-----BEGIN ..." block for the TLS ${what})`);
  }
  return data;
}
