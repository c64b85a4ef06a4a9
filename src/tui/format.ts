/** Text helpers for fixed-width terminal cells: fit, one-line previews, durations, ages, counts. */

/** Columns a character takes: 2 for East Asian wide and emoji, 0 for combining marks, else 1. */
export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x300) return cp < 0x20 ? 0 : 1;
  if (cp >= 0x300 && cp <= 0x36f) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export function stringWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Text safe to put on one terminal line: escape sequences removed, control characters (newlines too) as spaces. */
export function clean(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, ' ');
}

/** Cuts text to `width` columns (with … when cut) and pads it to exactly that width. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const cut = truncate(text, width);
  const fill = ' '.repeat(Math.max(0, width - stringWidth(cut)));
  return align === 'right' ? fill + cut : cut + fill;
}

/** Cuts text to at most `width` columns, ending with … when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const flat = clean(text);
  if (stringWidth(flat) <= width) return flat;
  let out = '';
  let used = 0;
  for (const ch of flat) {
    const w = stringWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return out + '…';
}

/** A compact one-line rendering of any value: strings as they are, the rest as JSON. */
export function preview(value: unknown, width = 200): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return truncate(value, width);
  let json: string;
  try {
    json = typeof value === 'function' || typeof value === 'symbol' ? typeof value : JSON.stringify(value);
  } catch {
    json = '[unserializable]';
  }
  return truncate(json, width);
}

/** Pretty JSON split into lines (strings that hold JSON are parsed first, so results read well). */
export function prettyLines(value: unknown): string[] {
  let v = value;
  if (typeof value === 'string') {
    const t = value.trim();
    const looksJson = (t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'));
    if (!looksJson) return value.split('\n').map(clean);
    try {
      v = JSON.parse(t) as unknown;
    } catch {
      return value.split('\n').map(clean);
    }
  }
  return ((JSON.stringify(v, null, 2) as string | undefined) ?? 'undefined').split('\n').map(clean);
}

/** "1 tool call", "2 tool calls". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${String(n)} ${n === 1 ? one : many}`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${String(Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${String(minutes)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

export function formatAgo(iso: string | null, now: number): string {
  if (iso === null) return '-';
  const ms = Math.max(0, now - Date.parse(iso));
  if (ms < 60_000) return `${String(Math.round(ms / 1000))}s ago`;
  if (ms < 3_600_000) return `${String(Math.round(ms / 60_000))}m ago`;
  if (ms < 86_400_000) return `${String(Math.round(ms / 3_600_000))}h ago`;
  return `${String(Math.round(ms / 86_400_000))}d ago`;
}

export function formatCount(n: number | null): string {
  if (n === null) return '-';
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/**
 * Text as lines of at most `width` columns: each of its lines (escapes and control characters removed)
 * broken at spaces where it can, mid-word where a word is longer than a line. Nothing is cut.
 */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    let rest = clean(raw).trimEnd();
    if (rest === '') {
      out.push('');
      continue;
    }
    while (stringWidth(rest) > w) {
      let used = 0;
      let cut = 0;
      let lastSpace = -1;
      for (const ch of rest) {
        const cw = charWidth(ch);
        if (used + cw > w) break;
        if (ch === ' ') lastSpace = cut;
        used += cw;
        cut += ch.length;
      }
      const at = lastSpace > 0 ? lastSpace : Math.max(1, cut);
      out.push(rest.slice(0, at).trimEnd());
      rest = rest.slice(at).replace(/^ +/, '');
    }
    out.push(rest);
  }
  return out;
}

/** A local date and time to the minute ("2026-12-06 01:20"), for wide lists. */
export function formatDateTime(iso: string | null): string {
  if (iso === null) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${String(d.getFullYear())}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
