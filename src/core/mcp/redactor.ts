/**
 * Masks secret values (the model API key, variables.yml values, header values, secret-looking env values)
 * in any text that could reach a user: error messages, stderr tails, run events, JSON output.
 */

/** Values shorter than this are not masked: they would mangle ordinary text and hide nothing. */
export const MIN_REDACTED_LENGTH = 4;

export interface Secret {
  value: string;
  /** What replaces the value: `[secret:NAME]` (see secretLabel), or `{{ .NAME }}` for a plain variable. */
  label: string;
}

export type Redact = (text: string) => string;

/** The label of a secret, naming what was masked: a variable, `server.headers.Name`, ... */
export function secretLabel(name: string): string {
  return `[secret:${name}]`;
}

/**
 * A function that replaces every occurrence of each secret by its label (longest values first), also
 * where the value appears escaped inside JSON text or percent-encoded in a URL.
 */
export function makeRedactor(secrets: readonly Secret[]): Redact {
  const forms: { text: string; label: string }[] = [];
  const seen = new Set<string>();
  const add = (text: string, label: string): void => {
    if (text.length < MIN_REDACTED_LENGTH || seen.has(text)) return;
    seen.add(text);
    forms.push({ text, label });
  };
  for (const s of [...secrets].sort((a, b) => b.value.length - a.value.length)) {
    add(s.value, s.label);
    add(JSON.stringify(s.value).slice(1, -1), s.label);
    add(encodeURIComponent(s.value), s.label);
  }
  if (forms.length === 0) return (text) => text;
  // One pass with the longest form first at each position, so that a label is never scanned again.
  forms.sort((a, b) => b.text.length - a.text.length);
  const labels = new Map(forms.map((f) => [f.text, f.label]));
  const pattern = new RegExp(forms.map((f) => escapeRegExp(f.text)).join('|'), 'g');
  // Most texts hold no secret: a plain search for each form is much faster than the regex over large text.
  return (text) =>
    forms.some((f) => text.includes(f.text)) ? text.replace(pattern, (match) => labels.get(match) ?? match) : text;
}

/**
 * Applies a redactor to every string inside a JSON-like value (object keys included). Copy on write: what
 * holds no secret is given back as it is (the same object), and a value with one is copied along the path
 * to it, never changed in place. A run records a dozen such values a step; most hold no secret.
 */
export function redactDeep<T>(value: T, redact: Redact): T {
  return masked(value, redact) as T;
}

function masked(value: unknown, redact: Redact): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = masked(item, redact);
      if (copy === undefined && next !== item) copy = value.slice(0, i);
      copy?.push(next);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = record[key];
    const nextKey = redact(key);
    const next = masked(item, redact);
    if (copy === undefined && (nextKey !== key || next !== item)) {
      copy = {};
      for (const earlier of keys.slice(0, i)) define(copy, earlier, record[earlier]);
    }
    if (copy !== undefined) define(copy, nextKey, next);
  }
  return copy ?? value;
}

/** An own property, even for a key such as `__proto__` (which an assignment would take as the prototype). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
