/**
 * Masks secret values (variables.yml values, header values, secret-looking env values) in any text that
 * could reach a user: error messages, stderr tails, JSON output.
 */

/** Values shorter than this are not masked: they would mangle ordinary text and hide nothing. */
export const MIN_REDACTED_LENGTH = 4;

export interface Secret {
  value: string;
  label: string;
}

export type Redact = (text: string) => string;

/** A function that replaces every occurrence of each secret by its label (longest values first). */
export function makeRedactor(secrets: readonly Secret[]): Redact {
  const list = secrets
    .filter((s) => s.value.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.value.length - a.value.length);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const s of list) {
      if (out.includes(s.value)) out = out.split(s.value).join(s.label);
      // The same value as it appears inside JSON text (quotes and backslashes escaped).
      const escaped = JSON.stringify(s.value).slice(1, -1);
      if (escaped !== s.value && out.includes(escaped)) out = out.split(escaped).join(s.label);
    }
    return out;
  };
}

/** Applies a redactor to every string inside a JSON-like value. */
export function redactDeep<T>(value: T, redact: Redact): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v as unknown, redact)])) as T;
  }
  return value;
}
