/**
 * Answers to the variables a sync found missing: the one place they are saved, whoever asked for them
 * (`stn sync` on a terminal, the TUI's form locally, or the REST sync request of the remote TUI), and
 * the shape a missing variable has on the wire (name, description, secret flag, where it is used; never
 * a value).
 */
import { basename, join } from 'node:path';
import type { SecretStore } from '../security/secret-service.js';
import { VARIABLES_FILE, saveVariables } from './mcp-config-variables.js';
import type { MissingVariable } from './template-render.js';

/** A missing variable as the API answers it: where it is used by file name and line, never a value. */
export interface MissingVariableView {
  name: string;
  description?: string;
  secret: boolean;
  uses: { file: string; line: number }[];
  /** Why a default was not used: "default path /x does not exist". */
  reason?: string;
}

export function missingVariableView(m: MissingVariable): MissingVariableView {
  return {
    name: m.name,
    ...(m.description === undefined ? {} : { description: m.description }),
    secret: m.secret,
    uses: m.uses.map((u) => ({ file: basename(u.file), line: u.line })),
    ...(m.reason === undefined ? {} : { reason: m.reason }),
  };
}

/**
 * Saves the answers to the missing variables of the environment folder `dir`. Every door reaches this
 * through the core sync (askVariables): the CLI on a terminal, the TUI's form, the REST sync request. A
 * secret (what the question hid: MissingVariable.secret, see isSecretVariable) goes to the secret store,
 * scoped to the environment; the rest to variables.yml.
 * Without a store every answer goes to variables.yml. Empty answers are not saved.
 */
export function saveVariableAnswers(
  dir: string,
  missing: readonly MissingVariable[],
  answers: Readonly<Record<string, string>>,
  target: { environment: string; store?: SecretStore | undefined },
): { saved: string[]; stored: string[] } {
  const store = target.store;
  const given = missing.flatMap((m) => {
    const value = answers[m.name];
    return value === undefined || value === ''
      ? []
      : [{ name: m.name, value, secret: store !== undefined && m.secret }];
  });
  const stored = given.filter((a) => a.secret);
  const saved = given.filter((a) => !a.secret);
  for (const a of stored) store?.set(a.name, a.value, { environment: target.environment });
  if (saved.length > 0)
    saveVariables(join(dir, VARIABLES_FILE), Object.fromEntries(saved.map((a) => [a.name, a.value])));
  return { saved: saved.map((a) => a.name), stored: stored.map((a) => a.name) };
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
