import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of a delivery: `sha256=` + hex HMAC-SHA256 of `timestamp + "." + body` under the webhook's
 * secret. `timestamp` is the X-Station-Timestamp header (Unix seconds); a receiver recomputes it over the raw
 * body and compares in constant time (see verifySignature and the README).
 */
export function signDelivery(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Whether `signature` (the X-Station-Signature header) signs this timestamp and body with `secret`. */
export function verifySignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signDelivery(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
