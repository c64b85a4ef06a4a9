/**
 * A run form from an agent's input schema (a JSON Schema object): one field per property, typed by the
 * schema, and the form's values read back into the input the run gets. The server validates the input
 * again; this only shapes the form and turns text into numbers, booleans and JSON.
 */
export interface InputField {
  name: string;
  kind: 'string' | 'number' | 'integer' | 'boolean' | 'json';
  required: boolean;
  description: string;
  default?: unknown;
  options?: string[];
}

export function inputFields(schema: Record<string, unknown>): InputField[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([name, p]) => {
    const type = Array.isArray(p.type) ? (p.type as unknown[]).find((t) => t !== 'null') : p.type;
    const kind: InputField['kind'] =
      type === 'string' || type === 'number' || type === 'integer' || type === 'boolean' ? type : 'json';
    return {
      name,
      kind,
      required: required.has(name),
      description: typeof p.description === 'string' ? p.description : '',
      ...(p.default === undefined ? {} : { default: p.default }),
      ...(Array.isArray(p.enum) ? { options: (p.enum as unknown[]).map(String) } : {}),
    };
  });
}

/** The input from the form's values; an empty optional field is left out; bad JSON or numbers name the field. */
export function readInput(
  fields: readonly InputField[],
  form: { get(name: string): unknown },
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const f of fields) {
    const raw = form.get(f.name);
    if (f.kind === 'boolean') {
      input[f.name] = raw === 'on';
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') {
      if (f.required) throw new Error(`${f.name}: a value is required`);
      continue;
    }
    if (f.kind === 'number' || f.kind === 'integer') {
      const n = Number(text);
      if (!Number.isFinite(n) || (f.kind === 'integer' && !Number.isInteger(n)))
        throw new Error(`${f.name}: expected ${f.kind === 'integer' ? 'a whole number' : 'a number'}, got "${text}"`);
      input[f.name] = n;
    } else if (f.kind === 'json') {
      try {
        input[f.name] = JSON.parse(text);
      } catch {
        throw new Error(`${f.name}: expected JSON (an object, a list, a number...), got "${text.slice(0, 40)}"`);
      }
    } else {
      input[f.name] = text;
    }
  }
  return input;
}

/** A default value as the text a field starts with (objects and lists as JSON). */
export function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
