/**
 * Station's log lines, on stderr: one JSON object per line (`ts`, `level`, `msg` and fields such as `requestId`,
 * `runId`, `environment`) for machines, or a line of text for a person at a terminal. Every command, `stn serve`
 * and `stn stdio` log through it; values that look like secrets are redacted in both forms.
 */

import { UsageError } from '../errors.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
export const LOG_LEVELS = Object.keys(LEVELS) as readonly LogLevel[];

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line (e.g. the request id). */
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** Where lines go; default process.stderr. */
  write?: (line: string) => void;
  level?: LogLevel;
  /** `json` (the default): one JSON object per line; `text`: `12:00:01.250 INFO  msg key=value ...`. */
  format?: LogFormat;
  clock?: () => number;
}

/** Field names whose values are never written: keys, tokens, passwords, auth headers, cookies. */
const SECRET_FIELD = /(authorization|api[-_]?key|^key$|token|secret|password|passwd|cookie|credential)/i;
/** Station API keys and bearer values inside free text (not a label already put there: `[secret:NAME]`). */
const SECRET_TEXT = [/stn_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g, /(Bearer\s+)(?!\[secret:|\[redacted\])\S+/gi];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in LEVELS;
}

export function isLogFormat(value: unknown): value is LogFormat {
  return value === 'text' || value === 'json';
}

/** Whether a line at `level` passes the least level `min`. */
export function logLevelAllows(min: LogLevel, level: LogLevel): boolean {
  return LEVELS[level] >= LEVELS[min];
}

/** Replaces secrets in a value before it is logged: by field name, and key-shaped text anywhere. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_TEXT)
    out = out.replace(pattern, (_m, bearer?: string) =>
      typeof bearer === 'string' ? `${bearer}[redacted]` : '[redacted]',
    );
  return out;
}

/** A logger writing JSON lines, or text lines with `format: 'text'`. */
export function createLogger(options: LoggerOptions = {}, base: Record<string, unknown> = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const min = LEVELS[options.level ?? 'info'];
  const clock = options.clock ?? Date.now;
  const text = options.format === 'text';
  const emit = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    if (LEVELS[level] < min) return;
    const record = redact({ ts: new Date(clock()).toISOString(), level, msg, ...base, ...fields }) as Record<
      string,
      unknown
    >;
    write((text ? textLine(record) : JSON.stringify(record)) + '\n');
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** A logger writing JSON lines (whatever `options.format` says). */
export function createJsonLogger(options: LoggerOptions = {}, base: Record<string, unknown> = {}): Logger {
  return createLogger({ ...options, format: 'json' }, base);
}

/** `12:00:01.250 WARN  msg key=value key="two words"`: a redacted record as one line of text. */
function textLine(record: Record<string, unknown>): string {
  const { ts, level, msg, ...fields } = record;
  const time = typeof ts === 'string' ? ts.slice(11, 23) : '';
  const parts = [time, String(level).toUpperCase().padEnd(5), String(msg)];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}=${/^[^\s"=]+$/.test(shown) ? shown : JSON.stringify(shown)}`);
  }
  return parts.join(' ');
}

/** A logger that drops everything (tests and embedding). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

export interface LogSettings {
  format: LogFormat;
  level: LogLevel;
}

/**
 * How a process logs: the flags (`--log-format`, `--log-level`) win, then STATION_LOG_FORMAT and STATION_LOG_LEVEL,
 * then text on a terminal and JSON lines when stderr is a file or a pipe, at `defaultLevel`. A bad value in the
 * environment is an error naming the variable.
 */
export function resolveLogSettings(input: {
  format?: string | undefined;
  level?: string | undefined;
  env?: NodeJS.ProcessEnv;
  stderrIsTTY: boolean;
  defaultLevel?: LogLevel;
}): LogSettings {
  const env = input.env ?? process.env;
  const format = input.format ?? nonEmpty(env.STATION_LOG_FORMAT);
  const level = input.level ?? nonEmpty(env.STATION_LOG_LEVEL);
  if (format !== undefined && !isLogFormat(format)) throw badSetting('format', format, LOG_FORMATS, input.format);
  if (level !== undefined && !isLogLevel(level)) throw badSetting('level', level, LOG_LEVELS, input.level);
  return {
    format: format ?? (input.stderrIsTTY ? 'text' : 'json'),
    level: level ?? input.defaultLevel ?? 'info',
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim().toLowerCase();
}

function badSetting(what: 'format' | 'level', value: string, allowed: readonly string[], flag: string | undefined) {
  const source = flag === undefined ? `STATION_LOG_${what.toUpperCase()}` : `--log-${what}`;
  return new UsageError(`${source} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, {
    hints: [`Set ${source} to one of: ${allowed.join(', ')} (or leave it unset).`],
  });
}
