/**
 * The original Station's `config.yaml` keys (FORMATS.md: `ai_model`, `api_port`, `local_mode` ...): read as
 * Station's keys with one notice per key naming the new one, and rewritten by `stn config migrate`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { YAMLMap } from 'yaml';
import { yaml } from './yaml-lib.js';
import { ConfigError, formatPosition, type FilePosition } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';

/** Gemini's OpenAI-compatible endpoint: what the original's `ai_provider: gemini` talked to. */
export const GEMINI_OPENAI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta/openai';

/** What one key of the original becomes. */
interface OriginalKeyRule {
  key: string;
  /** Station's key (section, setting), when there is one. */
  to?: readonly [string, string];
  /**
   * The value Station's key gets; undefined: nothing to carry (the default already does it). Given the whole
   * original mapping (ai_provider looks at ai_base_url).
   */
  convert?: (value: unknown, root: Record<string, unknown>) => unknown;
  /** Why the key has no equivalent, or what to do instead. */
  note?: string;
  /** `stn config migrate` leaves it in place (it holds a secret Station will not move by itself). */
  keep?: (value: unknown) => boolean;
}

const ENV_REFERENCE = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/;

const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const port = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 65535 ? (n as number) : undefined;
};

export const ORIGINAL_KEY_RULES: readonly OriginalKeyRule[] = [
  { key: 'ai_model', to: ['model', 'name'], convert: nonEmptyString },
  { key: 'ai_base_url', to: ['model', 'base_url'], convert: nonEmptyString },
  {
    key: 'ai_provider',
    to: ['model', 'base_url'],
    // openai is Station's default endpoint; gemini is reached through Google's OpenAI-compatible one.
    convert: (value, root) =>
      String(value).trim().toLowerCase() === 'gemini' && nonEmptyString(root.ai_base_url) === undefined
        ? GEMINI_OPENAI_BASE_URL
        : undefined,
  },
  {
    key: 'ai_api_key',
    to: ['model', 'api_key_env'],
    convert: (value) => (typeof value === 'string' ? ENV_REFERENCE.exec(value.trim())?.[1] : undefined),
    note: 'Station never reads a key from config.yaml: put the key in an environment variable (OPENAI_API_KEY) and name that variable in model.api_key_env',
    keep: (value) => typeof value !== 'string' || !ENV_REFERENCE.test(value.trim()),
  },
  { key: 'api_port', to: ['server', 'port'], convert: port },
  {
    key: 'mcp_port',
    note: 'Station serves MCP on server.port at /mcp (`stn serve`) and over stdio (`stn stdio`)',
  },
  { key: 'ssh_port', note: 'Station has no SSH server; `stn ui` is its terminal UI' },
  { key: 'local_mode', note: 'Station always runs locally' },
  {
    key: 'encryption_key',
    note: "Station's database key is STATION_ENCRYPTION_KEY or keys/station.key (`stn db encrypt`), never config.yaml",
  },
  { key: 'database_url', note: "Station's database is always station.db in the Station home" },
  { key: 'admin_username', note: 'Station authorizes with API keys (`stn key create`)' },
  { key: 'debug', note: 'use --debug or STATION_DEBUG=1' },
  { key: 'workspace', note: 'Station has no workspace setting' },
  { key: 'telemetry_enabled', note: 'Station sends no telemetry; traces of runs go only to telemetry.otlp_endpoint' },
  {
    key: 'otel_endpoint',
    note: "Station's traces of runs go over OTLP/HTTP to telemetry.otlp_endpoint (an http:// URL, port 4318 for a collector)",
  },
];

/** The original's keys, as config.yaml's key check accepts them. */
export const ORIGINAL_CONFIG_KEYS: readonly string[] = ORIGINAL_KEY_RULES.map((r) => r.key);

/** One original key found in config.yaml, and what Station made of it. */
export interface OriginalKeyNotice {
  file: string;
  line?: number;
  column?: number;
  key: string;
  /** Station's key, when there is one. */
  newKey?: string;
  message: string;
}

/** A setting the original's keys give (applied only where Station's own key is absent). */
export interface OriginalSetting {
  path: readonly [string, string];
  value: unknown;
}

/**
 * The original's keys at the top of a config.yaml mapping: the settings they give (where Station's own key is
 * not set: Station's key wins) and one notice per key.
 */
export function readOriginalKeys(
  root: Record<string, unknown>,
  locate: (key: string) => FilePosition,
): { settings: OriginalSetting[]; notices: OriginalKeyNotice[] } {
  const settings: OriginalSetting[] = [];
  const notices: OriginalKeyNotice[] = [];
  for (const rule of ORIGINAL_KEY_RULES) {
    if (!Object.hasOwn(root, rule.key)) continue;
    const value = root[rule.key];
    const position = locate(rule.key);
    const where = formatPosition(position);
    const fix = 'run `stn config migrate` to rewrite the file';
    let text: string;
    if (rule.to !== undefined) {
      const newKey = rule.to.join('.');
      const converted = value === null || value === undefined ? undefined : rule.convert?.(value, root);
      const section = root[rule.to[0]];
      const setInFile = isRecord(section) && section[rule.to[1]] !== undefined && section[rule.to[1]] !== null;
      if (converted === undefined) {
        text =
          rule.note !== undefined
            ? `"${rule.key}" is the original Station's key for ${newKey}; ${rule.note} (not read)`
            : `"${rule.key}" is the original Station's key for ${newKey}; its value needs no setting in Station (not read); ${fix}`;
      } else if (setInFile) {
        text = `"${rule.key}" is the original Station's key for ${newKey}, which is also set and wins; ${fix}`;
      } else {
        settings.push({ path: rule.to, value: converted });
        text = `"${rule.key}" is the original Station's key: read as ${newKey}; ${fix}`;
      }
      notices.push(notice(position, rule.key, `${where}: ${text}`, newKey));
    } else {
      notices.push(
        notice(
          position,
          rule.key,
          `${where}: "${rule.key}" is the original Station's key; ${rule.note ?? ''} (ignored)`,
        ),
      );
    }
  }
  notices.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { settings, notices };
}

function notice(position: FilePosition, key: string, message: string, newKey?: string): OriginalKeyNotice {
  return {
    file: position.file,
    ...(position.line === undefined ? {} : { line: position.line }),
    ...(position.column === undefined ? {} : { column: position.column }),
    key,
    ...(newKey === undefined ? {} : { newKey }),
    message,
  };
}

/** What `stn config migrate` did (or, with dryRun, would do). */
export interface ConfigMigration {
  file: string;
  /** False when the file holds none of the original's keys (nothing is written). */
  changed: boolean;
  dryRun: boolean;
  /** Where the old file was copied before it was rewritten (null on a dry run or when nothing changed). */
  backup: string | null;
  /** Each original key: set as Station's key, dropped (no equivalent), or kept (a secret to move by hand). */
  changes: { key: string; action: 'renamed' | 'dropped' | 'kept'; newKey?: string; note?: string }[];
  /** The file's changes as a unified diff (`-` old lines, `+` new lines). */
  diff: string;
}

/**
 * The text of config.yaml with the original's keys replaced by Station's: comments, Station's keys and keys
 * Station does not know are kept as they are.
 */
export function migrateConfigText(file: string, text: string): { text: string; changes: ConfigMigration['changes'] } {
  const doc = yaml().parseDocument(text);
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new ConfigError(`${file}: invalid YAML: ${first?.message ?? 'parse error'}`, {
      hints: ['Fix the file first; `stn config migrate` rewrites only a readable config.yaml.'],
    });
  }
  const root = doc.toJS() as unknown;
  if (!isRecord(root) || !yaml().isMap(doc.contents)) return { text, changes: [] };
  const changes: ConfigMigration['changes'] = [];
  for (const rule of ORIGINAL_KEY_RULES) {
    if (!Object.hasOwn(root, rule.key)) continue;
    const value = root[rule.key];
    if (rule.keep?.(value) === true) {
      changes.push({ key: rule.key, action: 'kept', ...(rule.note === undefined ? {} : { note: rule.note }) });
      continue;
    }
    const converted =
      rule.to === undefined || value === null || value === undefined ? undefined : rule.convert?.(value, root);
    if (rule.to !== undefined && converted !== undefined) {
      const newKey = rule.to.join('.');
      const current = doc.getIn(rule.to);
      if (current === undefined || current === null) {
        if (!yaml().isMap(doc.get(rule.to[0], true))) doc.set(rule.to[0], doc.createNode({}));
        doc.setIn(rule.to, converted);
        changes.push({ key: rule.key, action: 'renamed', newKey });
      } else {
        const note = `${newKey} is set in the file and wins (it was already used instead)`;
        changes.push({ key: rule.key, action: 'dropped', newKey, note });
      }
    } else {
      changes.push({ key: rule.key, action: 'dropped', ...(rule.note === undefined ? {} : { note: rule.note }) });
    }
    removeKeepingComments(doc.contents, rule.key);
  }
  if (changes.every((c) => c.action === 'kept')) return { text, changes };
  // A key left with nothing in its section (`model:` of `ai_model` only) is a plain block mapping.
  for (const item of doc.contents.items) if (yaml().isMap(item.value)) item.value.flow = false;
  return { text: doc.toString(), changes };
}

/** Removes a top-level key; a comment above it moves to the key that follows (or stays at the end). */
function removeKeepingComments(map: YAMLMap, key: string): void {
  const index = map.items.findIndex((p) => yaml().isScalar(p.key) && p.key.value === key);
  const pair = map.items[index];
  if (pair === undefined) return;
  const comment = yaml().isScalar(pair.key) ? pair.key.commentBefore : undefined;
  map.items.splice(index, 1);
  if (comment === undefined || comment === null || comment === '') return;
  const next = map.items[index]?.key;
  if (yaml().isScalar(next)) next.commentBefore = next.commentBefore ? `${comment}\n${next.commentBefore}` : comment;
  else map.comment = map.comment ? `${map.comment}\n${comment}` : comment;
}

/** Rewrites config.yaml without the original's keys: a backup first, then an atomic write (mode kept). */
export function migrateConfigFile(file: string, options: { dryRun?: boolean; now?: Date } = {}): ConfigMigration {
  const dryRun = options.dryRun === true;
  if (!existsSync(file)) {
    throw new ConfigError(`no config file ${file}`, { hints: ['Run `stn init` to create one.'] });
  }
  const before = readFileSync(file, 'utf8');
  const { text: after, changes } = migrateConfigText(file, before);
  const changed = after !== before;
  let backup: string | null = null;
  if (changed && !dryRun) {
    backup = `${file}.${stamp(options.now ?? new Date())}.bak`;
    writeFileAtomic(backup, before, { mode: statSync(file).mode & 0o777 });
    writeFileAtomic(file, after);
  }
  return { file, changed, dryRun, backup, changes, diff: changed ? unifiedDiff(file, before, after) : '' };
}

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** A unified diff of two texts (whole file as one hunk with 3 lines of context around changes). */
export function unifiedDiff(file: string, before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  // Longest common subsequence table (config files are small).
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] = a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const lines: { mark: ' ' | '-' | '+'; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ mark: ' ', text: a[i] ?? '' });
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      lines.push({ mark: '+', text: b[j] ?? '' });
      j++;
    } else {
      lines.push({ mark: '-', text: a[i] ?? '' });
      i++;
    }
  }
  const keep = lines.map((l, k) => lines.slice(Math.max(0, k - 3), k + 4).some((n) => n.mark !== ' '));
  const out = [`--- ${file}`, `+++ ${file} (migrated)`];
  let gap = false;
  lines.forEach((l, k) => {
    if (keep[k] === true) {
      out.push(`${l.mark}${l.text}`);
      gap = false;
    } else if (!gap) {
      out.push('@@');
      gap = true;
    }
  });
  return out.join('\n') + '\n';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
