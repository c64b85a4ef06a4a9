import { Args } from '@oclif/core';
import { ValidationError } from '../core/index.js';

/**
 * A run id argument: a positive integer. Anything else is invalid input (exit 5) naming what was expected,
 * where oclif's own integer argument would end as an unexpected error (exit 1).
 */
export function runIdArg(options: { description: string }) {
  return Args.custom<number>({ parse: (input) => Promise.resolve(parseRunId(input)) })({
    description: options.description,
    required: true,
  });
}

/** A run id from the command line, or a ValidationError saying what was expected. */
export function parseRunId(input: string): number {
  const text = input.trim();
  const id = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ValidationError(`run id must be a positive integer, got ${JSON.stringify(input)}`, [
      { field: 'id', message: 'expected a positive integer (see stn runs list)' },
    ]);
  }
  return id;
}

/** A numeric id argument of another kind (a webhook, a delivery): a positive integer, else exit 5. */
export function positiveIdArg(options: { description: string; what: string; listCommand: string }) {
  return Args.custom<number>({
    parse: (input) => Promise.resolve(parsePositiveId(input, options.what, options.listCommand)),
  })({ description: options.description, required: true });
}

export function parsePositiveId(input: string, what: string, listCommand: string): number {
  const text = input.trim();
  const id = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ValidationError(`${what} id must be a positive integer, got ${JSON.stringify(input)}`, [
      { field: 'id', message: `expected a positive integer (see ${listCommand})` },
    ]);
  }
  return id;
}
