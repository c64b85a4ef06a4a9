/**
 * The form a sync from the TUI opens when the environment's MCP configs need variables nothing gives:
 * one required field per variable (secret ones masked), in the run form's state (form-state.ts).
 */
import type { MissingVariableView } from '../client/station-client.js';
import type { FormState } from './form-state.js';

export function formFromVariables(
  missing: readonly MissingVariableView[],
  defaults: Readonly<Record<string, string>> = {},
): FormState {
  return {
    fields: missing.map((m) => ({
      name: m.name,
      type: 'string',
      required: true,
      description: [m.description, `used in ${m.uses.map((u) => `${u.file}:${String(u.line)}`).join(', ')}`]
        .filter((x) => x !== undefined && x !== '')
        .join(' · '),
      choices: null,
      value: defaults[m.name] ?? '',
      error: null,
      secret: m.secret,
    })),
    focus: 0,
    submitting: false,
    error: null,
  };
}

/** The answers, or the fields left empty (every variable needs a value). */
export function variableAnswers(
  state: FormState,
): { ok: true; answers: Record<string, string> } | { ok: false; fieldErrors: Record<string, string> } {
  const answers: Record<string, string> = {};
  const fieldErrors: Record<string, string> = {};
  for (const f of state.fields) {
    if (f.value === '') fieldErrors[f.name] = 'a value is required (esc cancels)';
    else answers[f.name] = f.value;
  }
  return Object.keys(fieldErrors).length > 0 ? { ok: false, fieldErrors } : { ok: true, answers };
}
