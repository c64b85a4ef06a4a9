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

/** Applies a redactor to every string inside a JSON-like value (object keys included). */
export function redactDeep<T>(value: T, redact: Redact): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v as unknown, redact)]),
    ) as T;
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
