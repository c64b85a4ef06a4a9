import type { ErrorBody } from '../api/views.js';
import { ExitCode, StationError, isExitCode } from '../errors.js';

/**
 * An error a Station server answered, rebuilt from its body: the same code, message, hints, details and
 * exit code the failure has on the command line, so a remote door fails exactly as a local one.
 */
export class ApiError extends StationError {
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The server's id of the request (to find it in the server log). */
  readonly requestId: string | undefined;

  constructor(status: number, body: ErrorBody['error']) {
    super(body.code, body.message, isExitCode(body.exitCode) ? body.exitCode : ExitCode.ERROR, {
      hints: body.hints,
      ...(body.details === undefined ? {} : { details: body.details }),
    });
    this.status = status;
    this.requestId = body.requestId === '' ? undefined : body.requestId;
  }

  /** The error of an answer whose body is not a Station error (a proxy's page, an empty body). */
  static fromStatus(status: number, operation: string, url: string): ApiError {
    return new ApiError(status, {
      code: 'http',
      message: `HTTP ${String(status)} from ${operation}`,
      exitCode: ExitCode.ERROR,
      hints: [
        `The answer was not a Station error: is ${url} a Station server (stn serve), and not a proxy in front of it?`,
      ],
      requestId: '',
    });
  }
}

/** Nothing answered at the server's URL: refused, unknown host, TLS failure, connection cut. */
export class ServerUnreachableError extends StationError {
  constructor(url: string, cause: unknown) {
    super('unreachable', `cannot reach ${url}: ${reason(cause)}`, ExitCode.UNREACHABLE, {
      hints: ['Is stn serve running there? Check the URL, the port and (for https) the certificate.'],
      cause,
    });
  }
}

/** Reads an error body; undefined when it is not one. */
export function errorBodyOf(json: unknown): ErrorBody['error'] | undefined {
  const error = (json as { error?: unknown } | null | undefined)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.code !== 'string' || typeof e.message !== 'string') return undefined;
  return {
    code: e.code,
    message: e.message,
    exitCode: typeof e.exitCode === 'number' ? e.exitCode : ExitCode.ERROR,
    hints: Array.isArray(e.hints) ? e.hints.filter((h): h is string => typeof h === 'string') : [],
    ...(typeof e.details === 'object' && e.details !== null ? { details: e.details as Record<string, unknown> } : {}),
    requestId: typeof e.requestId === 'string' ? e.requestId : '',
  };
}

/** What went wrong under a failed fetch (undici puts the system error in `cause`). */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
