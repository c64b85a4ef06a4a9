import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { ModelError, errorMessage } from '../errors.js';
import { StreamIdleError } from './stream-limits.js';
import type { Redact } from '../mcp/redactor.js';

/** Where the failing request went; safe to show (never the key). */
export interface ModelTarget {
  baseUrl: string;
  model: string;
  apiKeyVariable: string;
  attempts: number;
}

type SdkError = APIError<number | undefined, Headers | undefined, object | undefined>;

/** HTTP status of an SDK error, or null for connection failures. */
export function errorStatus(error: unknown): number | null {
  return error instanceof APIError && typeof error.status === 'number' ? error.status : null;
}

/** 429, 5xx and connection failures are worth another try; other 4xx are not. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof APIError) {
    if (error instanceof APIConnectionError) return true;
    const status = errorStatus(error);
    return status === null || status === 429 || status >= 500;
  }
  // Anything else thrown while reading the response (a dropped stream) is a connection failure.
  return true;
}

/** Milliseconds the server asked us to wait (Retry-After / retry-after-ms), if any. */
export function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof APIError)) return undefined;
  const headers: Headers | undefined = (error as SdkError).headers;
  if (headers === undefined) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const header = headers.get('retry-after');
  if (header === null) return undefined;
  const seconds = Number.parseFloat(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Sampling parameters a run may send without, or under another name, when a model refuses them. */
const ADJUSTABLE = new Set(['max_tokens', 'max_completion_tokens', 'temperature', 'top_p']);

/**
 * A 400 that names a parameter the model does not support, as OpenAI's reasoning models answer
 * (`{"error": {"message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use
 * 'max_completion_tokens' instead.", "param": "max_tokens", "code": "unsupported_parameter"}}`, or code
 * `unsupported_value` for a temperature other than the default): the parameter, and the name to use instead.
 */
export function unsupportedParameter(
  error: unknown,
): { parameter: string; replacement: string | null; message: string } | undefined {
  if (!(error instanceof APIError) || errorStatus(error) !== 400) return undefined;
  const body = (error as SdkError).error as { message?: unknown; param?: unknown; code?: unknown } | undefined;
  const message = apiMessage(error as SdkError);
  const named = /^Unsupported (?:parameter|value): '([a-z_]+)'/i.exec(message)?.[1];
  const parameter = typeof body?.param === 'string' && body.param !== '' ? body.param : named;
  const unsupported =
    body?.code === 'unsupported_parameter' || body?.code === 'unsupported_value' || named !== undefined;
  if (parameter === undefined || !unsupported || !ADJUSTABLE.has(parameter)) return undefined;
  const instead = /Use '([a-z_]+)' instead/i.exec(message)?.[1];
  const replacement = instead !== undefined && ADJUSTABLE.has(instead) && instead !== parameter ? instead : null;
  return { parameter, replacement, message };
}

/** The endpoint's own message, without the SDK's "400 " prefix. */
function apiMessage(error: SdkError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body !== undefined && typeof body.message === 'string' && body.message !== '') return body.message;
  return error.message.replace(/^\d{3}\s+/, '');
}

/**
 * Turns whatever the SDK threw into a ModelError that says what failed and what to do. `redact` masks the
 * API key wherever the endpoint's answer echoes it; an HTTP error is not kept as the cause (its body and
 * headers are the endpoint's, unmasked).
 */
export function toModelError(error: unknown, target: ModelTarget, redact: Redact = (text) => text): ModelError {
  const details = {
    baseUrl: redact(target.baseUrl),
    model: target.model,
    attempts: target.attempts,
    status: errorStatus(error),
  };
  const where = `${details.baseUrl} (model ${target.model})`;
  const tries = target.attempts > 1 ? ` after ${String(target.attempts)} attempts` : '';
  const make = (code: string, message: string, hints: string[], cause?: unknown): ModelError =>
    new ModelError(redact(message), { code, details, hints, ...(cause === undefined ? {} : { cause }) });
  if (error instanceof APIConnectionTimeoutError) {
    return make(
      'model_timeout',
      `the model endpoint ${where} did not answer in time${tries}`,
      ['Check that the endpoint is up and not overloaded, or give the run a longer --timeout.'],
      error,
    );
  }
  if (error instanceof StreamIdleError) {
    return make(
      'model_idle_timeout',
      `the model endpoint ${where} stalled${tries}: ${error.message}`,
      ['Check that the endpoint is up and not overloaded, or raise model.idle_timeout_seconds in config.yaml.'],
      error,
    );
  }
  if (error instanceof APIConnectionError || !(error instanceof APIError)) {
    const cause =
      error instanceof APIConnectionError && error.cause !== undefined
        ? errorMessage(error.cause)
        : errorMessage(error);
    return make(
      'model_connection',
      `cannot reach the model endpoint ${where}${tries}: ${cause}`,
      ['Check model.base_url in config.yaml (or OPENAI_BASE_URL) and that the server is running.'],
      error,
    );
  }
  const sdkError = error as SdkError;
  const status = sdkError.status ?? 0;
  const message = apiMessage(sdkError);
  if (status === 401 || status === 403) {
    return make('model_auth', `the model endpoint ${where} refused the API key (${String(status)}): ${message}`, [
      `Set a valid key in $${target.apiKeyVariable} (config.yaml model.api_key_env names the variable).`,
    ]);
  }
  if (status === 404) {
    return make('model_not_found', `the model endpoint ${where} answered 404: ${message}`, [
      "Check the model name (--model, the agent's model:, config.yaml model.name) and the base URL (it usually ends in /v1).",
    ]);
  }
  if (status === 429) {
    return make('model_rate_limited', `the model endpoint ${where} is rate limiting requests${tries}: ${message}`, [
      'Wait and run again, or lower runner.workers in config.yaml.',
    ]);
  }
  if (status >= 500) {
    return make('model_server_error', `the model endpoint ${where} failed with ${String(status)}${tries}: ${message}`, [
      'The provider had a problem; try again later.',
    ]);
  }
  return make('model_bad_request', `the model endpoint ${where} rejected the request (${String(status)}): ${message}`, [
    'The endpoint may not support a feature the agent uses (tools, JSON output); check the model and agent settings.',
  ]);
}
