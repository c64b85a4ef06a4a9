/**
 * The web UI's run form over the shared reading of an input schema (core/agents/input-form.ts): a checkbox
 * for yes/no fields, and the form's values read into the run's input.
 */
import { readInput, type InputField } from '../core/agents/input-form.js';

export { fieldText, inputFields, type InputField } from '../core/agents/input-form.js';

/** The input from the form's values; an empty optional field is left out; fields that cannot be read are named. */
export function readFormInput(
  fields: readonly InputField[],
  form: { get(name: string): unknown },
): Record<string, unknown> {
  const kinds = new Map(fields.map((f) => [f.name, f.kind]));
  const result = readInput(fields, (name) => {
    const raw = form.get(name);
    // A checkbox sends "on" when ticked and nothing when not: either way the field has a value.
    if (kinds.get(name) === 'boolean') return raw === 'on' ? 'true' : 'false';
    return typeof raw === 'string' ? raw : undefined;
  });
  if (!result.ok) {
    throw new Error(
      Object.entries(result.fieldErrors)
        .map(([name, problem]) => `${name}: ${problem}`)
        .join('; '),
    );
  }
  return result.input;
}
