import type { ErrorBody } from '../api/views.js';
import { ExitCode, StationError, isStationError } from '../errors.js';

export interface HttpError {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** Seconds a client is told to wait when the run queue is full. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The one place where errors become HTTP answers. StationErrors keep their code, message, hints and
 * details (field errors of a ValidationError included); anything else is a 500 that hides the cause.
 */
export function toHttpError(error: unknown, requestId: string): HttpError {
  if (!isStationError(error)) {
    return {
      status: 500,
      headers: {},
      body: {
        error: {
          code: 'internal',
          message: 'internal server error',
          exitCode: ExitCode.ERROR,
          hints: [`Search the server log for request id ${requestId}.`],
          requestId,
        },
      },
    };
  }
  const status = statusOf(error);
  const headers: Record<string, string> = {};
  if (status === 401) headers['WWW-Authenticate'] = 'Bearer realm="station"';
  if (status === 429 || status === 503) {
    const retry = error.details?.retryAfterSeconds;
    headers['Retry-After'] = String(typeof retry === 'number' && retry > 0 ? Math.ceil(retry) : RETRY_AFTER_SECONDS);
  }
  const json = error.toJSON().error;
  return {
    status,
    headers,
    body: {
      error: {
        code: json.code,
        message: json.message,
        exitCode: error.exitCode,
        hints: json.hints,
        ...(json.details === undefined ? {} : { details: json.details }),
        requestId,
      },
    },
  };
}

export function statusOf(error: StationError): number {
  if (error.code === 'unauthorized') return 401;
  if (error.code === 'forbidden') return 403;
  if (error.code === 'payload_too_large') return 413;
  if (error.code === 'no_route') return 404;
  if (error.code === 'method_not_allowed') return 405;
  if (error.code === 'unsupported_media_type') return 415;
  if (error.code === 'unavailable') return 503;
  if (error.code === 'approval_required') return 409;
  if (error.code === 'missing_variables') return 422;
  switch (error.exitCode) {
    case ExitCode.USAGE:
    case ExitCode.INVALID:
      return 400;
    case ExitCode.NOT_FOUND:
      return 404;
    case ExitCode.CONFLICT:
      return 409;
    case ExitCode.AUTH:
      return 401;
    case ExitCode.QUEUE_FULL:
      return 429;
    case ExitCode.MCP:
    case ExitCode.MODEL:
      return 502;
    case ExitCode.DATABASE:
      return 503;
    default:
      return 500;
  }
}
