/** Output helpers shared by commands: colour that respects NO_COLOR and TTYs, tables, durations. */

export interface Stream {
  isTTY?: boolean;
  write(chunk: string): boolean;
}

/** Colour is used only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorEnabled(stream: Stream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;
export type StyleName = keyof typeof CODES;

export function makeStyle(enabled: boolean): Record<StyleName, (text: string) => string> {
  const entries = Object.entries(CODES).map(([name, [open, close]]) => [
    name,
    (text: string) => (enabled ? `\u001b[${String(open)}m${text}\u001b[${String(close)}m` : text),
  ]);
  return Object.fromEntries(entries) as Record<StyleName, (text: string) => string>;
}

/**
 * An error as a person reads it on stderr: `Error: message`, a line per hint (after an arrow), and the stack when asked for.
 */
export function errorText(
  error: { message: string; hints: readonly string[] },
  style: Record<StyleName, (text: string) => string>,
  stack?: string,
): string {
  const lines = [`${style.red(style.bold('Error:'))} ${error.message}`];
  for (const hint of error.hints) lines.push(`  ${style.dim('→')} ${hint}`);
  if (stack !== undefined) lines.push('', style.dim(stack));
  return lines.join('\n') + '\n';
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

export interface Column<T> {
  header: string;
  get: (row: T) => string;
  align?: 'left' | 'right';
}

/** A plain, aligned text table: a header row, then one row per item; no borders, easy to grep. */
export function formatTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  style?: (h: string) => string,
): string {
  const cells = rows.map((row) => columns.map((c) => c.get(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => visibleLength(r[i] ?? ''))));
  const pad = (text: string, i: number): string => {
    const width = widths[i] ?? 0;
    const fill = ' '.repeat(Math.max(0, width - visibleLength(text)));
    return columns[i]?.align === 'right' ? fill + text : text + fill;
  };
  const header = columns
    .map((c, i) => pad(c.header, i))
    .join('  ')
    .trimEnd();
  const lines = [style === undefined ? header : style(header)];
  for (const row of cells)
    lines.push(
      row
        .map((cell, i) => pad(cell, i))
        .join('  ')
        .trimEnd(),
    );
  return lines.join('\n');
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${String(Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${String(minutes)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** Relative age of an ISO time, for tables ("3m ago"). */
export function formatAge(iso: string | null, now = Date.now()): string {
  if (iso === null) return '-';
  const ms = now - Date.parse(iso);
  if (ms < 60_000) return `${String(Math.max(0, Math.round(ms / 1000)))}s ago`;
  if (ms < 3_600_000) return `${String(Math.round(ms / 60_000))}m ago`;
  if (ms < 86_400_000) return `${String(Math.round(ms / 3_600_000))}h ago`;
  return `${String(Math.round(ms / 86_400_000))}d ago`;
}

/** A size for people: bytes, KiB, MiB or GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${String(n)} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
