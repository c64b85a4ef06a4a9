import { readFileSync } from 'node:fs';
import { ValidationError, errorMessage } from '../errors.js';

export interface RunInputSources {
  /** The TEXT argument: becomes `userInput`. */
  text?: string | undefined;
  /** --input: a JSON object. */
  json?: string | undefined;
  /** --input-file: a file holding a JSON object ("-" reads `stdin`). */
  file?: string | undefined;
  /** Reads the file ("-" for stdin); injected by tests. */
  readFile?: (file: string) => string;
}

/**
 * The input of a run from the command line: a JSON object from --input or --input-file, with the TEXT
 * argument as `userInput` (it wins over a `userInput` in the JSON). Errors name the flag or file.
 */
export function parseRunInput(sources: RunInputSources): Record<string, unknown> {
  if (sources.json !== undefined && sources.file !== undefined) {
    throw new ValidationError('give the input with --input or --input-file, not both', [
      { field: 'input', message: 'one source only' },
    ]);
  }
  let input: Record<string, unknown> = {};
  if (sources.json !== undefined) input = parseObject(sources.json, '--input');
  if (sources.file !== undefined) {
    const read = sources.readFile ?? ((f: string) => readFileSync(f === '-' ? 0 : f, 'utf8'));
    let text: string;
    try {
      text = read(sources.file);
    } catch (error) {
      throw new ValidationError(`cannot read the input file ${sources.file}: ${errorMessage(error)}`, [
        { field: 'input-file', message: 'the file cannot be read' },
      ]);
    }
    input = parseObject(text, sources.file === '-' ? 'stdin' : sources.file);
  }
  if (sources.text !== undefined) input = { ...input, userInput: sources.text };
  return input;
}

function parseObject(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(
      `${where} is not valid JSON: ${errorMessage(error)}`,
      [{ field: where, message: 'expected a JSON object' }],
      {
        hints: [`Example: --input '{"userInput": "hello"}'`],
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(
      `${where} must be a JSON object of input fields`,
      [{ field: where, message: 'expected a JSON object' }],
      {
        hints: [`Example: --input '{"userInput": "hello"}'`],
      },
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
