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
  return keyDigest(key).toString('hex');
}

/** The SHA-256 of a key: what is stored of it (as hex). */
function keyDigest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The prefix of a well-formed key, or undefined for anything else. */
export function keyPrefix(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

/**
 * A shell line that makes a key in Station's format without Station (for a container's Secret, imported with
 * `stn key import`): 6 random bytes as hex for the prefix, 32 as base64url for the secret.
 */
export const KEY_RECIPE = `echo "stn_$(openssl rand -hex 6)_$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')"`;

/** Least Shannon entropy, in bits, of an imported key's secret from its own characters (random ones give ~200). */
const MIN_SECRET_BITS = 128;
/** Longest run of equal or consecutive characters (aaaa, abcd, 4321) an imported key's secret may hold. */
const MAX_SEQUENCE = 7;

/**
 * Why a key given from outside (`stn key import`) cannot be stored, or undefined when it can: it must have the
 * format of a generated key (the prefix is how a request finds its row) and a secret that looks random: no
 * long runs like `aaaaaaaa` or `abcdefgh`, and at least 128 bits by the frequency of its characters.
 */
export function importedKeyProblem(key: string): string | undefined {
  const match = KEY_PATTERN.exec(key);
  if (match === null) {
    return `expected "stn_", 12 hex digits, "_" and 43 base64url characters (A-Z a-z 0-9 - _): 60 in all; got ${String(key.length)} characters${key.startsWith('stn_') ? '' : ' not starting with "stn_"'}`;
  }
  const secret = match[2] ?? '';
  let run = 1;
  let step = Number.NaN;
  for (let i = 1; i < secret.length; i++) {
    const delta = secret.charCodeAt(i) - secret.charCodeAt(i - 1);
    if (Math.abs(delta) > 1) run = 1;
    else run = delta === step ? run + 1 : 2;
    step = delta;
    if (run > MAX_SEQUENCE) {
      return `its secret part has ${String(run)} equal or consecutive characters in a row: it must be random`;
    }
  }
  const counts = new Map<string, number>();
  for (const c of secret) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= n * Math.log2(n / secret.length);
  if (bits < MIN_SECRET_BITS) {
    return `its secret part is too predictable (${String(counts.size)} different characters, about ${String(Math.floor(bits))} bits; at least ${String(MIN_SECRET_BITS)} needed): it must be random`;
  }
  return undefined;
}

/** Constant-time check of a presented key against a stored hash (its hex text, or those bytes decoded once). */
export function verifyApiKey(key: string, storedHash: string | Buffer): boolean {
  const presented = keyDigest(key);
  const stored = typeof storedHash === 'string' ? Buffer.from(storedHash, 'hex') : storedHash;
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** A key shortened for display: `stn_1a2b3c4d5e6f_…`. Never the secret. */
export function maskKey(prefix: string): string {
  return `stn_${prefix}_…`;
}
