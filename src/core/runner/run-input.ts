import { readFileSync } from 'node:fs';
import { ValidationError, errorMessage } from '../errors.js';

export interface RunInputSources {
  /** The TEXT argument: becomes `userInput`. */
  text?: string | undefined;
  /** --input: a JSON object, or @FILE to read one from a file. */
  json?: string | undefined;
  /** --input-file: a file holding a JSON object ("-" reads `stdin`). */
  file?: string | undefined;
  /** --var NAME=VALUE pairs, applied over the JSON object. */
  vars?: readonly string[] | undefined;
  /** Converts --var values (strings) by the agent's input schema; called only when vars are given. */
  coerce?: (values: Record<string, string>) => Record<string, unknown>;
  /** Reads the file ("-" for stdin); injected by tests. */
  readFile?: (file: string) => string;
}

/**
 * The input of a run from the command line, the same for every command that takes one: a JSON object from
 * --input (or --input @FILE) or --input-file, then the --var NAME=VALUE fields over it, then the TEXT argument
 * as `userInput`. Giving TEXT and a `userInput` in --input/--var is an error rather than a silent pick.
 * Errors name the flag or file.
 */
export function parseRunInput(sources: RunInputSources): Record<string, unknown> {
  if (sources.json !== undefined && sources.file !== undefined) {
    throw new ValidationError('give the input with --input or --input-file, not both', [
      { field: 'input', message: 'one source only' },
    ]);
  }
  const read = sources.readFile ?? ((f: string) => readFileSync(f === '-' ? 0 : f, 'utf8'));
  let input: Record<string, unknown> = {};
  let from: string | undefined;
  const flag = { field: 'input', noun: 'input fields', example: '{"userInput": "hello"}', read };
  if (sources.json !== undefined) {
    input = parseJsonObjectFlag(sources.json, { ...flag, flag: '--input' });
    from = '--input';
  }
  if (sources.file !== undefined) {
    const where = sources.file === '-' ? 'stdin' : sources.file;
    input = parseObject(readFlagFile(sources.file, { ...flag, field: 'input-file' }), where, {
      ...flag,
      field: 'input-file',
      flag: '--input-file',
    });
    from = '--input-file';
  }
  const vars = parseVars(sources.vars ?? []);
  if (Object.keys(vars).length > 0) {
    input = { ...input, ...(sources.coerce ? sources.coerce(vars) : vars) };
    if ('userInput' in vars) from = '--var userInput=…';
  }
  if (sources.text !== undefined) {
    if (from !== undefined && 'userInput' in input) {
      throw new ValidationError(
        `the TEXT argument and the userInput of ${from} both give the user input: give it once`,
        [{ field: 'userInput', message: `given twice: by the TEXT argument and by ${from}` }],
        { hints: [`Drop the TEXT argument, or remove userInput from ${from}.`] },
      );
    }
    input = { ...input, userInput: sources.text };
  }
  return input;
}

/** NAME=VALUE pairs (from repeated --var flags); the value may contain "=". */
export function parseVars(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new ValidationError(
        `--var needs NAME=VALUE, got "${pair}"`,
        [{ field: 'var', message: 'expected NAME=VALUE' }],
        { hints: ['Example: --var path=src --var depth=2'] },
      );
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** How a `JSON|@FILE` flag names itself in errors. */
export interface JsonObjectFlag {
  /** The flag, e.g. `--input`. */
  flag: string;
  /** The field named in the error's issues. */
  field: string;
  /** What the object holds: "input fields", "arguments". */
  noun: string;
  /** An example value for the hint. */
  example: string;
  /** Reads a file ("-" for stdin). */
  read: (file: string) => string;
}

/**
 * A flag that takes a JSON object, or `@FILE` to read one (--input, --args): not readable, not JSON, or not
 * an object is invalid input (exit 5) naming the flag or file.
 */
export function parseJsonObjectFlag(value: string, flag: JsonObjectFlag): Record<string, unknown> {
  if (!value.startsWith('@')) return parseObject(value, flag.flag, flag);
  const file = value.slice(1);
  return parseObject(readFlagFile(file, flag), `${flag.flag} ${value}`, flag);
}

function readFlagFile(file: string, flag: Pick<JsonObjectFlag, 'field' | 'noun' | 'read'>): string {
  try {
    return flag.read(file);
  } catch (error) {
    const what = flag.noun === 'arguments' ? 'arguments' : 'input';
    throw new ValidationError(`cannot read the ${what} file ${file}: ${errorMessage(error)}`, [
      { field: flag.field, message: 'the file cannot be read' },
    ]);
  }
}

function parseObject(
  text: string,
  where: string,
  flag: Pick<JsonObjectFlag, 'field' | 'noun' | 'example' | 'flag'>,
): Record<string, unknown> {
  const hints = [`Example: ${flag.flag} '${flag.example}' (or ${flag.flag} @FILE)`];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(
      `${where} is not valid JSON: ${errorMessage(error)}`,
      [{ field: flag.field, message: 'expected a JSON object' }],
      { hints },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value;
    throw new ValidationError(
      `${where} must be a JSON object of ${flag.noun}, got ${got}`,
      [{ field: flag.field, message: 'expected a JSON object' }],
      { hints },
    );
  }
  return value as Record<string, unknown>;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration such as "90", "90s", "500ms", "10m", "1h" (a bare number is seconds), in ms. */
export function parseDuration(text: string, field = 'timeout'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  const value = match === null ? NaN : Number(match[1]) * (UNITS[match[2] ?? 's'] ?? NaN);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`${field} "${text}" is not a duration`, [
      { field, message: 'expected a duration > 0 such as 90s, 10m, 1h or 500ms' },
    ]);
  }
  return Math.round(value);
}
