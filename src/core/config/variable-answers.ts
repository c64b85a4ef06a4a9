/**
 * Answers to the variables a sync found missing: the one place they are saved, whoever asked for them
 * (`stn sync` on a terminal, the TUI's form locally, or the REST sync request of the remote TUI), and
 * the shape a missing variable has on the wire (name, description, secret flag, where it is used; never
 * a value).
 */
import { basename, join } from 'node:path';
import { VARIABLES_FILE, saveVariables } from './mcp-config-variables.js';
import type { MissingVariable } from './template-render.js';

/** A missing variable as the API answers it: where it is used by file name and line, never a value. */
export interface MissingVariableView {
  name: string;
  description?: string;
  secret: boolean;
  uses: { file: string; line: number }[];
}

export function missingVariableView(m: MissingVariable): MissingVariableView {
  return {
    name: m.name,
    ...(m.description === undefined ? {} : { description: m.description }),
    secret: m.secret,
    uses: m.uses.map((u) => ({ file: basename(u.file), line: u.line })),
  };
}

/**
 * Saves the answers to the missing variables of the environment folder `dir` and returns the names
 * saved. Empty answers are not saved. Every door reaches this through the core sync (askVariables), so
 * where an answer goes (variables.yml today; secret ones may go to a secret store) is decided here only.
 */
export function saveVariableAnswers(
  dir: string,
  missing: readonly MissingVariable[],
  answers: Readonly<Record<string, string>>,
): string[] {
  const values: Record<string, string> = {};
  for (const m of missing) {
    const value = answers[m.name];
    if (value !== undefined && value !== '') values[m.name] = value;
  }
  const names = Object.keys(values);
  if (names.length > 0) saveVariables(join(dir, VARIABLES_FILE), values);
  return names;
}

/**
 * The answers given up front (the REST sync request's `variables`) for the missing ones, or undefined
 * when one of them has no non-empty answer: then nothing is saved and the sync reports them all.
 */
export function answersFor(
  missing: readonly MissingVariable[],
  given: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  const answers: Record<string, string> = {};
  for (const m of missing) {
    const value = given[m.name];
    if (value === undefined || value === '') return undefined;
    answers[m.name] = value;
  }
  return answers;
}
