/**
 * Typos in files whose keys Station reads (`template.json` server entries, `config.yaml`, agent frontmatter):
 * a key Station does not know is a warning naming the file, the line and the key, with the known key it most
 * likely meant. Warnings, never errors: the key may belong to another tool or to a newer version.
 */
import { formatPosition, type FilePosition } from '../errors.js';

/** One unknown key, found at its position in a file. */
export interface KeyWarning {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path of the unknown key, e.g. `mcpServers.fs.agrs`. */
  key: string;
  /** The known key it most likely meant. */
  suggestion?: string;
  /** The whole warning, position first: `…/template.json:6:7: unknown key "agrs" in server "fs" (ignored); did you mean "args"?` */
  message: string;
}

/** The keys a mapping may hold. */
export interface KeySpec {
  /** Known keys; a nested spec checks the keys of that value too (null: its value is not checked). */
  readonly keys: Readonly<Record<string, KeySpec | null>>;
  /**
   * Open: keys Station does not know are welcome (other tools', extensions); only a near miss of a known key
   * warns. Closed (the default): every unknown key warns.
   */
  readonly open?: boolean;
  /** Keys accepted without a word though Station does not use them (other tools', the original Station's). */
  readonly ignored?: readonly string[];
  /** How messages name this mapping (`in server "fs"`); default `under "<parent key>"`, nothing at the top. */
  readonly label?: (path: readonly string[]) => string;
  /** A mapping of names (servers by name): every value is checked with this spec, and any name is fine. */
  readonly each?: KeySpec;
}

/** Where a key is written in the file (the key, not its value). */
export type KeyLocator = (path: readonly string[]) => FilePosition;

/** Unknown keys of `value` (a parsed mapping) and of its nested mappings that `spec` describes. */
export function checkKeys(
  value: unknown,
  spec: KeySpec,
  locate: KeyLocator,
  path: readonly string[] = [],
): KeyWarning[] {
  if (!isMapping(value)) return [];
  const each = spec.each;
  if (each !== undefined) return Object.entries(value).flatMap(([k, v]) => checkKeys(v, each, locate, [...path, k]));
  const out: KeyWarning[] = [];
  const known = Object.keys(spec.keys);
  for (const [key, child] of Object.entries(value)) {
    const nested = Object.hasOwn(spec.keys, key) ? spec.keys[key] : undefined;
    if (nested !== undefined) {
      if (nested !== null) out.push(...checkKeys(child, nested, locate, [...path, key]));
      continue;
    }
    if (spec.ignored?.includes(key) === true) continue;
    // dotprompt's extension keys (`myext.setting`) are namespaced: never a typo of a known key.
    if (spec.open === true && key.includes('.')) continue;
    const suggestion = closestKey(key, known, { loose: spec.open !== true });
    if (spec.open === true && suggestion === undefined) continue;
    const where = spec.label?.(path) ?? (path.length === 0 ? '' : `under "${path.join('.')}"`);
    out.push(unknownKeyWarning(locate([...path, key]), [...path, key], where, suggestion));
  }
  return out;
}

/**
 * The one way an unknown key is reported: `file:line:col: unknown key "agrs" in server "fs" (ignored); did you
 * mean "args"?`. `where` names the mapping (empty at the top level).
 */
export function unknownKeyWarning(
  position: FilePosition,
  path: readonly string[],
  where: string,
  suggestion?: string,
  note = 'ignored',
): KeyWarning {
  const key = path.at(-1) ?? '';
  const place = where === '' ? '' : ` ${where}`;
  const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
  return {
    file: position.file,
    ...(position.line === undefined ? {} : { line: position.line }),
    ...(position.column === undefined ? {} : { column: position.column }),
    key: path.join('.'),
    ...(suggestion === undefined ? {} : { suggestion }),
    message: `${formatPosition(position)}: unknown key "${key}"${place} (${note})${hint}`,
  };
}

/**
 * The known key `key` is most likely a typo of: the same once case, `_` and `-` are ignored (`maxSteps` for
 * `max_steps`), else one or two letters off (one for short keys; a swap of two neighbours counts one).
 * `loose` also accepts a known key that starts with `key` or is contained in it (4 letters or more).
 */
export function closestKey(
  key: string,
  known: readonly string[],
  options: { loose?: boolean } = {},
): string | undefined {
  const k = squash(key);
  if (k.length < 3) return undefined;
  const limit = k.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const n = squash(name);
    let distance = n === k ? 0 : osaDistance(k, n);
    if (distance > limit && options.loose === true) {
      const [short, long] = k.length <= n.length ? [k, n] : [n, k];
      if (short.length >= 4 && long.includes(short)) distance = limit;
    }
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function squash(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/** Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment). */
export function osaDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
