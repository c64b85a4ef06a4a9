/** JSON structured logs, one object per line, for `stn serve` (on stderr) and `stn stdio`. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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
  clock?: () => number;
}

/** Field names whose values are never written: keys, tokens, passwords, auth headers, cookies. */
const SECRET_FIELD = /(authorization|api[-_]?key|^key$|token|secret|password|passwd|cookie|credential)/i;
/** Station API keys and bearer values inside free text. */
const SECRET_TEXT = [/stn_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g, /(Bearer\s+)\S+/gi];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in LEVELS;
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

export function createJsonLogger(options: LoggerOptions = {}, base: Record<string, unknown> = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const min = LEVELS[options.level ?? 'info'];
  const clock = options.clock ?? Date.now;
  const emit = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    if (LEVELS[level] < min) return;
    const record = redact({ ts: new Date(clock()).toISOString(), level, msg, ...base, ...fields }) as Record<
      string,
      unknown
    >;
    write(JSON.stringify(record) + '\n');
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createJsonLogger(options, { ...base, ...fields }),
  };
}

/** A logger that drops everything (tests and embedding). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
