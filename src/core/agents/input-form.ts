/**
 * A run form from an agent's input schema (a JSON Schema object): one field per property, typed by the
 * schema, and the text typed in each field read back into the input the run gets. The web UI's form and the
 * TUI's share it; the core validates the input against the schema again, this only shapes the form and turns
 * text into numbers, booleans and JSON. Pure (no imports), so that the web bundle can use it.
 */

/** How a field's text is read: as text, a number, a whole number, yes/no, or JSON (objects, lists, any). */
export type InputKind = 'string' | 'number' | 'integer' | 'boolean' | 'json';

/** The parts of an input schema a form reads. */
export interface InputSchemaShape {
  properties?: Record<string, unknown>;
  required?: unknown;
}

export interface InputField {
  name: string;
  kind: InputKind;
  required: boolean;
  description: string;
  /** The schema's default, as it is (fieldText gives the text a field starts with). */
  default?: unknown;
  /** The schema's enum, as texts (strings as they are, other values as JSON). */
  options?: string[];
}

/** The kind of a property's type (the first that is not null of a list); untyped and object/array are JSON. */
export function inputKind(type: unknown): InputKind {
  const t = Array.isArray(type) ? (type as unknown[]).find((x) => x !== 'null') : type;
  return t === 'string' || t === 'number' || t === 'integer' || t === 'boolean' ? t : 'json';
}

/** One field per property of the schema, in its order. */
export function inputFields(schema: InputSchemaShape): InputField[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as unknown[]) : []);
  return Object.entries(properties).map(([name, p]) => ({
    name,
    kind: inputKind(p.type),
    required: required.has(name),
    description: typeof p.description === 'string' ? p.description : '',
    ...(p.default === undefined ? {} : { default: p.default }),
    ...(Array.isArray(p.enum)
      ? { options: (p.enum as unknown[]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) }
      : {}),
  }));
}

/** A value as the text a field shows (a default: objects and lists as JSON; none as empty). */
export function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** What a field's text stands for: a value, nothing (empty and optional: left out of the input), or a problem. */
export type FieldReading = { value: unknown } | { absent: true } | { error: string };

const YES = /^(true|yes|y|1|on)$/i;
const NO = /^(false|no|n|0|off)$/i;

/** Reads the text of one field of `kind`: strings as typed, the others trimmed first. */
export function readFieldText(text: string, kind: InputKind, required: boolean): FieldReading {
  const trimmed = text.trim();
  if (trimmed === '') return required ? { error: 'a value is required' } : { absent: true };
  switch (kind) {
    case 'string':
      return { value: text };
    case 'number':
    case 'integer': {
      const n = Number(trimmed);
      if (!Number.isFinite(n) || (kind === 'integer' && !Number.isInteger(n)))
        return {
          error: `expected ${kind === 'integer' ? 'a whole number' : 'a number'}, got "${trimmed.slice(0, 40)}"`,
        };
      return { value: n };
    }
    case 'boolean':
      if (YES.test(trimmed)) return { value: true };
      if (NO.test(trimmed)) return { value: false };
      return { error: `expected yes or no (true, false), got "${trimmed.slice(0, 40)}"` };
    case 'json':
      try {
        return { value: JSON.parse(trimmed) as unknown };
      } catch {
        return { error: `expected JSON (an object, a list, a number, "text"...), got "${trimmed.slice(0, 40)}"` };
      }
  }
}

/**
 * The input from the text of each field (`textOf` gives it by name; undefined reads as empty): empty
 * optional fields are left out; a field that cannot be read is named with its problem.
 */
export function readInput(
  fields: readonly Pick<InputField, 'name' | 'kind' | 'required'>[],
  textOf: (name: string) => string | undefined,
): { ok: true; input: Record<string, unknown> } | { ok: false; fieldErrors: Record<string, string> } {
  const input: Record<string, unknown> = {};
  const fieldErrors: Record<string, string> = {};
  for (const field of fields) {
    const reading = readFieldText(textOf(field.name) ?? '', field.kind, field.required);
    if ('error' in reading) fieldErrors[field.name] = reading.error;
    else if ('value' in reading) input[field.name] = reading.value;
  }
  return Object.keys(fieldErrors).length > 0 ? { ok: false, fieldErrors } : { ok: true, input };
}
