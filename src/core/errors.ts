/**
 * Typed errors raised by the core. Each carries a stable machine code, the process exit code a command
 * should end with, and hints that tell the user what to do next. They are mapped to output at one
 * boundary: the base command (src/cli/base-command.ts).
 */

/** Stable, documented process exit codes (see README "Exit codes"). */
export const ExitCode = {
  OK: 0,
  /** Unexpected internal failure. */
  ERROR: 1,
  /** Bad command-line usage: unknown flag, missing argument. */
  USAGE: 2,
  /** The named environment, agent, run, server or key does not exist. */
  NOT_FOUND: 3,
  /** The thing already exists, or the operation conflicts with current state. */
  CONFLICT: 4,
  /** Invalid input: a bad name, a file that does not parse, input that fails a schema. */
  INVALID: 5,
  /** A broken or incomplete configuration file (config.yaml, variables.yml, template.json). */
  CONFIG: 6,
  /** The database cannot be opened or migrated, is locked by another process past the busy timeout, or is damaged. */
  DATABASE: 7,
  /** An MCP server failed to start, connect or answer. */
  MCP: 8,
  /** The model endpoint failed (after retries) or refused the request. */
  MODEL: 9,
  /** A run ended with status failed. */
  RUN_FAILED: 10,
  /** A run hit its timeout. */
  RUN_TIMED_OUT: 11,
  /** A run was cancelled. */
  RUN_CANCELLED: 12,
  /** A run stopped because it reached max_steps. */
  RUN_MAX_STEPS: 13,
  /** The run queue is full. */
  QUEUE_FULL: 14,
  /** Authentication or permission failure (remote server). */
  AUTH: 15,
  /** The remote server cannot be reached (`stn ui --remote`): nothing answered at the URL. */
  UNREACHABLE: 16,
  /** `stn serve` cannot listen: another process already uses the address and port. */
  PORT_IN_USE: 17,
  /** `stn audit verify`: the audit trail's hash chain is broken (a row was changed, deleted or inserted). */
  AUDIT_BROKEN: 18,
  /** `stn webhook test`: the sample delivery was not delivered (no answer, or not a 2xx). */
  DELIVERY_FAILED: 19,
  /** Interrupted by SIGINT (128 + 2), as shells expect. */
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface StationErrorOptions {
  /** What the user can do next; printed under the message. */
  hints?: readonly string[];
  /** Structured details (field errors, file positions) for --json output. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The stable JSON shape of an error (`--json` output; the HTTP API adds the request id). */
export interface ErrorJson {
  error: {
    code: string;
    message: string;
    exitCode: number;
    hints: readonly string[];
    details?: Record<string, unknown>;
  };
}

/** Base class of every error the core raises on purpose. */
export class StationError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly hints: readonly string[];
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, exitCode: ExitCodeValue, options: StationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hints = options.hints ?? [];
    this.details = options.details;
  }

  /** The stable JSON shape of an error, used by --json output and the HTTP API. */
  toJSON(): ErrorJson {
    return {
      error: {
        code: this.code,
        message: this.message,
        exitCode: this.exitCode,
        hints: this.hints,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export class UsageError extends StationError {
  constructor(message: string, options: StationErrorOptions = {}) {
    super('usage', message, ExitCode.USAGE, options);
  }
}

export class NotFoundError extends StationError {
  constructor(message: string, options: StationErrorOptions = {}) {
    super('not_found', message, ExitCode.NOT_FOUND, options);
  }
}

export class ConflictError extends StationError {
  constructor(message: string, options: StationErrorOptions = {}) {
    super('conflict', message, ExitCode.CONFLICT, options);
  }
}

/** One problem in a validated value: where it is and what was expected. */
export interface FieldIssue {
  /** Dotted path of the field (`input.schema.count`), or '' for the whole value. */
  field: string;
  message: string;
}

export class ValidationError extends StationError {
  readonly issues: readonly FieldIssue[];
  constructor(message: string, issues: readonly FieldIssue[] = [], options: StationErrorOptions = {}) {
    super('invalid', message, ExitCode.INVALID, {
      ...options,
      details: { ...options.details, issues },
    });
    this.issues = issues;
  }
}

/** A position in a file, 1-based. */
export interface FilePosition {
  file: string;
  line?: number;
  column?: number;
  /** The key or field at fault, when known. */
  key?: string;
}

export function formatPosition(pos: FilePosition): string {
  let out = pos.file;
  if (pos.line !== undefined) {
    out += `:${String(pos.line)}`;
    if (pos.column !== undefined) out += `:${String(pos.column)}`;
  }
  return out;
}

/** A file that cannot be read or parsed, with the position of the fault. */
export class FileFormatError extends StationError {
  readonly position: FilePosition;
  constructor(
    position: FilePosition,
    message: string,
    options: StationErrorOptions & { exitCode?: ExitCodeValue; code?: string } = {},
  ) {
    const where = formatPosition(position);
    const key = position.key === undefined ? '' : ` (key "${position.key}")`;
    super(options.code ?? 'file_format', `${where}${key}: ${message}`, options.exitCode ?? ExitCode.INVALID, {
      ...options,
      details: { ...options.details, ...position },
    });
    this.position = position;
  }
}

export class ConfigError extends StationError {
  constructor(message: string, options: StationErrorOptions = {}) {
    super('config', message, ExitCode.CONFIG, options);
  }
}

/**
 * The database cannot be used: it cannot be opened or migrated (code `database`), another process holds
 * its write lock past the busy timeout (`database_locked`), it is damaged (`database_corrupt`), its disk
 * is full (`database_full`), it cannot be written (`database_readonly`), or the disk failed (`database_io`).
 */
export class DatabaseError extends StationError {
  constructor(message: string, options: StationErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'database', message, ExitCode.DATABASE, options);
  }
}

export class McpError extends StationError {
  constructor(message: string, options: StationErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'mcp', message, ExitCode.MCP, options);
  }
}

export class ModelError extends StationError {
  constructor(message: string, options: StationErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'model', message, ExitCode.MODEL, options);
  }
}

export class AuthError extends StationError {
  constructor(message: string, options: StationErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'auth', message, ExitCode.AUTH, options);
  }
}

/** The address `stn serve` was asked to listen on is taken by another process (EADDRINUSE). */
export class PortInUseError extends StationError {
  readonly host: string;
  readonly port: number;
  constructor(host: string, port: number, options: StationErrorOptions = {}) {
    super('port_in_use', `port ${String(port)} on ${host} is in use`, ExitCode.PORT_IN_USE, {
      hints: ['Stop the other server, or pass --port N (or set server.port in config.yaml).'],
      ...options,
      details: { ...options.details, host, port },
    });
    this.host = host;
    this.port = port;
  }
}

/** Whether `value` is one of the documented exit codes. */
export function isExitCode(value: unknown): value is ExitCodeValue {
  return (Object.values(ExitCode) as unknown[]).includes(value);
}

export function isStationError(value: unknown): value is StationError {
  return value instanceof StationError;
}

/** Message of any thrown value, for places that must report a foreign error. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
