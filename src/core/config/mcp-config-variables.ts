/**
 * Values for the `{{ .NAME }}` placeholders of an environment's MCP configs: where they come from, the
 * optional `variables.schema.json` (descriptions and defaults), and saving answers to `variables.yml`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { yaml } from './yaml-lib.js';
import { ExitCode, FileFormatError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { isRecord } from './station-config.js';
import { loadVariables, parseVariables, type Variables } from './variables-file.js';
import { jsonErrorPosition } from './mcp-config-json.js';

export const VARIABLES_FILE = 'variables.yml';
export const VARIABLES_SCHEMA_FILE = 'variables.schema.json';

const HEADER =
  '# Variables for the MCP configs of this environment: {{ .NAME }} is replaced by the value of NAME.\n' +
  '# This file may hold secrets: it is never included in bundles.\n';

/** What variables.schema.json says about one variable. */
export interface VariableInfo {
  description?: string;
  default?: string;
  required: boolean;
  /** `"secret": true | false`: whether the value is masked as a secret, whatever its name and use say. */
  secret?: boolean;
}

export type VariablesSchema = Record<string, VariableInfo>;

/** Where a resolved value came from, lowest precedence first. */
export type VariableOrigin = 'default' | 'file' | 'store' | 'env' | 'override';

export interface ResolvedVariables {
  values: Record<string, string>;
  origin: Record<string, VariableOrigin>;
  /**
   * Schema defaults that were not used, by variable name, with the reason ("default path /x does not exist"):
   * a variable left without a value is then missing for that reason (listed, or asked for on a terminal).
   */
  rejectedDefaults: Record<string, string>;
}

export interface VariableSources {
  /** variables.yml of the environment. */
  file: Variables;
  /** The secret store's values for the environment (its own over global ones): win over variables.yml. */
  stored?: Readonly<Record<string, string>>;
  /** The process environment: a variable of the same name wins over variables.yml. */
  env: NodeJS.ProcessEnv;
  /** `--var NAME=VALUE`: wins over everything. */
  overrides: Readonly<Record<string, string>>;
  schema: VariablesSchema;
  /** The environment folder: a relative path default (`./x`, `../x`) is resolved from it. */
  dir?: string;
}

/**
 * Whether a schema default is a path Station checks before using it: absolute (`/srv/x`), in the home
 * (`~` or `~/x`), or relative with a leading `./` or `../`. Anything else ("info", "http://...", "3") is not.
 */
export function looksLikePath(value: string): boolean {
  return isAbsolute(value) || value === '~' || /^~[/\\]|^\.\.?[/\\]/.test(value);
}

/**
 * Why a schema default cannot be used, or undefined when it can: a path default (looksLikePath) that does not
 * exist, `~` read as the home (HOME of `env`), a relative one from the environment folder `dir`.
 */
export function rejectedDefault(value: string, env: NodeJS.ProcessEnv, dir?: string): string | undefined {
  if (!looksLikePath(value)) return undefined;
  let path = value;
  if (value === '~' || /^~[/\\]/.test(value)) path = join(env.HOME ?? homedir(), value.slice(1));
  else if (!isAbsolute(value)) {
    if (dir === undefined) return undefined;
    path = resolve(dir, value);
  }
  return existsSync(path) ? undefined : `default path ${value} does not exist`;
}

/**
 * Values of `names`: schema default, then variables.yml, then the secret store, then the process environment,
 * then overrides (later wins): `--var` > process env > secret store > variables.yml > schema default (README
 * "Secrets"). Empty values do not count as values, nor does a path default that does not exist (rejectedDefault).
 */
export function resolveVariables(names: readonly string[], sources: VariableSources): ResolvedVariables {
  const values: Record<string, string> = {};
  const origin: Record<string, VariableOrigin> = {};
  const rejectedDefaults: Record<string, string> = {};
  for (const name of names) {
    let fallback = sources.schema[name]?.default;
    const rejected = fallback === undefined ? undefined : rejectedDefault(fallback, sources.env, sources.dir);
    if (rejected !== undefined) {
      rejectedDefaults[name] = rejected;
      fallback = undefined;
    }
    const candidates: [VariableOrigin, string | undefined][] = [
      ['default', fallback],
      ['file', sources.file[name]],
      ['store', sources.stored?.[name]],
      ['env', sources.env[name]],
      ['override', sources.overrides[name]],
    ];
    for (const [from, value] of candidates) {
      if (value !== undefined && value !== '') {
        values[name] = value;
        origin[name] = from;
      }
    }
  }
  return { values, origin, rejectedDefaults };
}

/** Reads `variables.schema.json` of an environment folder, or an empty schema when there is none. */
export function loadVariablesSchema(dir: string): VariablesSchema {
  const file = join(dir, VARIABLES_SCHEMA_FILE);
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(jsonErrorPosition(file, text, error), `invalid JSON: ${(error as Error).message}`, {
      exitCode: ExitCode.CONFIG,
    });
  }
  const schema: VariablesSchema = {};
  if (!isRecord(root) || !isRecord(root.properties)) return schema;
  const required = Array.isArray(root.required) ? root.required.filter((r): r is string => typeof r === 'string') : [];
  for (const [name, prop] of Object.entries(root.properties)) {
    if (!isRecord(prop)) continue;
    const info: VariableInfo = { required: required.includes(name) };
    if (typeof prop.description === 'string') info.description = prop.description;
    if (typeof prop.secret === 'boolean') info.secret = prop.secret;
    const def = prop.default;
    if (typeof def === 'string' || typeof def === 'number' || typeof def === 'boolean') info.default = String(def);
    schema[name] = info;
  }
  return schema;
}

/** Reads variables.yml of an environment folder (missing file: no variables). */
export function loadEnvironmentVariables(dir: string): Variables {
  return loadVariables(join(dir, VARIABLES_FILE));
}

/**
 * Adds or replaces values in variables.yml, keeping its comments and other entries. The file is written
 * atomically with mode 0600 (it may hold secrets); a file that does not parse is left untouched.
 */
export function saveVariables(file: string, values: Readonly<Record<string, string>>): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  parseVariables(file, text); // refuse to rewrite a broken file: the error names its line
  const doc = yaml().parseDocument(text);
  let out: string;
  if (doc.contents === null) {
    // Only comments (or nothing): keep them and append the values.
    const head = text.trim() === '' ? HEADER : text.endsWith('\n') ? text : `${text}\n`;
    out = head + yaml().stringify(values);
  } else if (yaml().isMap(doc.contents)) {
    doc.contents.flow = false;
    for (const [name, value] of Object.entries(values)) doc.set(name, value);
    out = doc.toString();
  } else {
    throw new FileFormatError({ file }, 'expected a flat mapping of NAME: value', { exitCode: ExitCode.CONFIG });
  }
  writeFileAtomic(file, out, { mode: 0o600 });
}

/**
 * Removes entries from variables.yml, keeping its comments and other entries (written atomically, mode 0600).
 * A file that does not parse is left untouched.
 */
export function removeVariables(file: string, names: readonly string[]): void {
  const text = readFileSync(file, 'utf8');
  parseVariables(file, text);
  const doc = yaml().parseDocument(text);
  if (!yaml().isMap(doc.contents)) return;
  for (const name of names) doc.delete(name);
  // With no entry left the document prints as `{}`: keep the file's comment lines instead.
  const out =
    doc.contents.items.length > 0
      ? doc.toString()
      : text
          .split('\n')
          .filter((line) => /^\s*#/.test(line))
          .map((line) => `${line}\n`)
          .join('');
  writeFileAtomic(file, out, { mode: 0o600 });
}

/**
 * `NAME=VALUE` strings (from --var, --env-var, --header) as a map; later ones win. A string without `=`
 * or with an empty name is a usage error naming the flag.
 */
export function parseAssignments(items: readonly string[], flag: string, separator = '='): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf(separator);
    const name = at > 0 ? item.slice(0, at).trim() : '';
    if (name === '') {
      throw new UsageError(
        `${flag} expects NAME${separator}VALUE, got ${JSON.stringify(item.length > 40 ? `${item.slice(0, 40)}...` : item)}`,
        {
          hints: [`Example: ${flag} PROJECT_ROOT${separator}/srv/project`],
        },
      );
    }
    const value = item.slice(at + separator.length);
    out[name] = separator === ':' ? value.trimStart() : value;
  }
  return out;
}
