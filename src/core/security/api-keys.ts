import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `stn_<12 hex prefix>_<43 chars of base64url secret>`: 256 random bits, so a plain
 * SHA-256 of the whole key is a safe stored hash (no salt or slow hash needed for random keys).
 * The prefix identifies the key in listings and logs; the secret is shown once, at creation.
 */
const KEY_PATTERN = /^stn_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(random: (n: number) => Buffer = randomBytes): GeneratedKey {
  const prefix = random(6).toString('hex');
  const secret = random(32).toString('base64url');
  const key = `stn_${prefix}_${secret}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The prefix of a well-formed key, or undefined for anything else. */
export function keyPrefix(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

/** Constant-time check of a presented key against a stored hash (its hex text, or those bytes decoded once). */
export function verifyApiKey(key: string, storedHash: string | Buffer): boolean {
  const presented = createHash('sha256').update(key, 'utf8').digest();
  const stored = typeof storedHash === 'string' ? Buffer.from(storedHash, 'hex') : storedHash;
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** A key shortened for display: `stn_1a2b3c4d5e6f_…`. Never the secret. */
export function maskKey(prefix: string): string {
  return `stn_${prefix}_…`;
}
