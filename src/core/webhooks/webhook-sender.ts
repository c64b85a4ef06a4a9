import type { IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import { errorMessage } from '../errors.js';
import { resolveTarget, UnsafeTargetError, type Resolver } from './safe-target.js';
import { signDelivery } from './signature.js';

/** What one POST needs. */
export interface DeliveryRequest {
  url: string;
  body: string;
  event: string;
  deliveryId: number;
  secret: string;
  /** Unix seconds, the X-Station-Timestamp header. */
  timestamp: number;
  timeoutMs: number;
  allowPrivate: boolean;
  resolve?: Resolver;
  signal?: AbortSignal;
}

/** How one POST ended. */
export interface DeliveryResponse {
  /** The HTTP status, when one came back. */
  statusCode: number | null;
  /** What went wrong (no answer, a refused target, an error status), null on 2xx. */
  error: string | null;
  /** Whether a later attempt may succeed: timeouts, connection errors, 429 and 5xx. */
  retryable: boolean;
  /** Milliseconds the receiver asked to wait (Retry-After), if it did. */
  retryAfterMs?: number;
}

/** How much of a receiver's answer is read (and thrown away) before the connection is closed. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** The User-Agent of deliveries. */
export const WEBHOOK_USER_AGENT = 'Station-Webhook/1';

/**
 * One delivery attempt: the host resolved and checked (no private address unless allowed), a POST to the
 * address that was checked (so a second DNS answer cannot redirect it), signed, bounded by `timeoutMs` for
 * the whole exchange. Redirects are not followed. Never throws: the outcome says what happened.
 */
export async function sendDelivery(req: DeliveryRequest): Promise<DeliveryResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch (error) {
    return { statusCode: null, error: `bad URL: ${errorMessage(error)}`, retryable: false };
  }
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal === undefined ? timeout : AbortSignal.any([timeout, req.signal]);
  let target;
  try {
    target = await resolveTarget(url.hostname, {
      allowPrivate: req.allowPrivate,
      ...(req.resolve === undefined ? {} : { resolve: req.resolve }),
    });
  } catch (error) {
    if (error instanceof UnsafeTargetError) return { statusCode: null, error: error.message, retryable: false };
    return { statusCode: null, error: `cannot resolve ${url.hostname}: ${errorMessage(error)}`, retryable: true };
  }
  const timestamp = String(req.timestamp);
  const headers = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(req.body)),
    'User-Agent': WEBHOOK_USER_AGENT,
    'X-Station-Event': req.event,
    'X-Station-Delivery': String(req.deliveryId),
    'X-Station-Timestamp': timestamp,
    'X-Station-Signature': signDelivery(req.secret, timestamp, req.body),
  };
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all === true) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else {
      callback(null, target.address, target.family);
    }
  };
  // http and https (with tls) are loaded by the first delivery, not by every command that loads the core.
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise<DeliveryResponse>((resolve) => {
    let settled = false;
    const finish = (outcome: DeliveryResponse): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const req2 = request(url, { method: 'POST', headers, lookup, signal }, (res: IncomingMessage) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      const done = (): void => finish(classify(res));
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req2.on('error', (error) => {
      const timedOut = timeout.aborted;
      finish({
        statusCode: null,
        error: timedOut
          ? `no answer within ${String(req.timeoutMs)} ms`
          : req.signal?.aborted === true
            ? 'stopped: Station is shutting down'
            : `connection failed: ${errorMessage(error)}`,
        retryable: true,
      });
    });
    req2.end(req.body);
  });
}

function classify(res: IncomingMessage): DeliveryResponse {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return { statusCode: status, error: null, retryable: false };
  const retryable = status === 429 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(res.headers['retry-after']) : undefined;
  const redirect = status >= 300 && status < 400 ? ' (redirects are not followed: use the final URL)' : '';
  return {
    statusCode: status,
    error: `HTTP ${String(status)}${res.statusMessage === undefined || res.statusMessage === '' ? '' : ` ${res.statusMessage}`}${redirect}`,
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number.parseFloat(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
