/**
 * Checks a caller's input against an agent's input schema (and a tool call's arguments against the tool's
 * input schema) with ajv. ajv is loaded on first use (it is not needed to list or parse agents).
 */
import type { Ajv, ErrorObject } from 'ajv';
import { newAjv as loadAjv } from '../json-schema/load-ajv.js';
import { ValidationError, type FieldIssue } from '../errors.js';
import { getPath, isPlainObject } from './parse.js';
import { templateVariables } from './template-ast.js';
import type { AgentDefinition, JsonSchemaObject } from './types.js';

function newAjv(): Ajv {
  return loadAjv({ allErrors: true, strict: false, logger: false, validateFormats: false });
}

export type Validator = ReturnType<Ajv['compile']>;

/**
 * Compiled validators by schema text. Compiling costs milliseconds, and a server or a run queue validates
 * the same few agents again and again: the runner keeps one of these for its lifetime. Bounded, oldest
 * dropped first; one Ajv per compile, so that schemas with the same `$id` never clash.
 */
export class InputValidatorCache {
  private readonly compiled = new Map<string, Validator>();

  constructor(private readonly max = 256) {}

  get(schema: JsonSchemaObject): Validator {
    const key = JSON.stringify(schema);
    const hit = this.compiled.get(key);
    if (hit !== undefined) return hit;
    const validate = newAjv().compile(forAjv(schema));
    if (this.compiled.size >= this.max) {
      const oldest = this.compiled.keys().next().value;
      if (oldest !== undefined) this.compiled.delete(oldest);
    }
    this.compiled.set(key, validate);
    return validate;
  }
}

/** A schema as ajv should see it: a `$schema` naming another draft is dropped (the keywords are the same). */
function forAjv(schema: JsonSchemaObject): JsonSchemaObject {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/**
 * Returns the input with the frontmatter's `input.default` values filled in, or throws a ValidationError
 * naming each bad field and what was expected. `userInput` (a string) is always accepted.
 */
export function validateAgentInput(
  agent: AgentDefinition,
  input: Record<string, unknown>,
  validators: InputValidatorCache = new InputValidatorCache(1),
): Record<string, unknown> {
  const defaults = getPath(agent.frontmatter, ['input', 'default']);
  const value: Record<string, unknown> = { ...(isPlainObject(defaults) ? structuredClone(defaults) : {}), ...input };
  let validate: Validator;
  try {
    validate = validators.get(agent.inputSchema);
  } catch (error) {
    throw new ValidationError(
      `agent "${agent.name}" has an input schema that cannot be used: ${(error as Error).message}`,
      [{ field: 'input.schema', message: (error as Error).message }],
    );
  }
  // Variables the template reads but the schema does not declare (`{{TASK}}` in files of the original
  // Station) are accepted as given and rendered; other undeclared inputs are refused by the schema.
  const extra = templateOnlyInputs(agent, value);
  const checked = Object.fromEntries(Object.entries(value).filter(([key]) => !extra.has(key)));
  const issues = issuesAgainstSchema(validate, checked, agent.inputSchema, 'agent');
  if (issues.length === 0) return value;
  const list = issues.map((i) => (i.field === '' ? i.message : `${i.field}: ${i.message}`)).join('; ');
  throw new ValidationError(`input for agent "${agent.name}" is invalid: ${list}`, issues, {
    hints: [`See the inputs it takes: stn agent show "${agent.name}"`],
  });
}

/** Keys of `value` that the template reads and the input schema does not declare. */
function templateOnlyInputs(agent: AgentDefinition, value: Record<string, unknown>): Set<string> {
  const properties = isPlainObject(agent.inputSchema.properties) ? agent.inputSchema.properties : {};
  const undeclared = Object.keys(value).filter((key) => !Object.hasOwn(properties, key));
  if (undeclared.length === 0) return new Set();
  const read = new Set(templateVariables(agent.template));
  return new Set(undeclared.filter((key) => read.has(key)));
}

/** Problems in a JSON Schema itself (e.g. `type: strin`), as messages; empty when ajv accepts it. */
export function schemaProblems(schema: JsonSchemaObject): string[] {
  const ajv = newAjv();
  try {
    ajv.compile(forAjv(schema));
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

/** Whose schema a value is checked against: named in the message about a field the schema does not declare. */
export type SchemaOwner = 'agent' | 'tool';

const UNDECLARED: Record<SchemaOwner, { field: string; list: string }> = {
  agent: { field: 'is not an input of this agent', list: 'inputs' },
  tool: { field: 'is not an argument of this tool', list: 'arguments' },
};

/**
 * Checks a value with a compiled validator (InputValidatorCache.get): each problem names its field
 * (`repo`, `filters.depth`) and what was expected; empty when the value conforms.
 */
export function issuesAgainstSchema(
  validate: Validator,
  value: unknown,
  schema: JsonSchemaObject,
  owner: SchemaOwner,
): FieldIssue[] {
  if (validate(value)) return [];
  return describeErrors(validate.errors ?? [], value, schema, owner);
}

function describeErrors(
  errors: readonly ErrorObject[],
  data: unknown,
  schema: JsonSchemaObject,
  owner: SchemaOwner,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const add = (field: string, message: string): void => {
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ field, message });
  };
  for (const error of errors) {
    const base = pointerToPath(error.instancePath);
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required': {
        const field = join(base, String(params.missingProperty));
        const description = propertyDescription(schema, field);
        add(field, `is required${description === undefined ? '' : ` (${description})`}`);
        break;
      }
      case 'type':
        add(base, `expected ${formatTypes(params.type)}, got ${describeValue(valueAt(data, base))}`);
        break;
      case 'enum':
        add(
          base,
          `expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(valueAt(data, base))}`,
        );
        break;
      case 'additionalProperties': {
        const field = join(base, String(params.additionalProperty));
        const known = Object.keys(propertiesAt(schema, base));
        const words = UNDECLARED[owner];
        add(field, `${words.field}${known.length > 0 ? ` (${words.list}: ${known.join(', ')})` : ''}`);
        break;
      }
      default:
        add(base, error.message ?? `fails ${error.keyword}`);
    }
  }
  return issues;
}

function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

function valueAt(data: unknown, path: string): unknown {
  let node = data;
  for (const key of path === '' ? [] : path.split('.')) {
    if (Array.isArray(node)) node = node[Number(key)] as unknown;
    else if (isPlainObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

function propertiesAt(schema: JsonSchemaObject, path: string): Record<string, unknown> {
  let node: unknown = schema;
  for (const key of path === '' ? [] : path.split('.')) {
    if (!isPlainObject(node)) return {};
    const props: unknown = node.properties;
    node = isPlainObject(props) ? props[key] : isPlainObject(node.items) ? node.items : undefined;
  }
  return isPlainObject(node) && isPlainObject(node.properties) ? node.properties : {};
}

function propertyDescription(schema: JsonSchemaObject, field: string): string | undefined {
  const parts = field.split('.');
  const last = parts.pop() ?? '';
  const prop = propertiesAt(schema, parts.join('.'))[last];
  const description = isPlainObject(prop) ? prop.description : undefined;
  return typeof description === 'string' ? description : undefined;
}

function formatTypes(type: unknown): string {
  const list = Array.isArray(type) ? type : String(type).split(',');
  const names = list.map(String).filter((t) => t !== 'null');
  const text = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}` : (names[0] ?? 'null');
  return list.includes('null') && names.length > 0 ? `${text} (or nothing)` : text;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Turns `--var name=value` strings into input values by the agent's schema: numbers, booleans, and JSON
 * for objects and arrays; anything that does not convert stays a string (validation then names it).
 */
export function coerceInputValues(agent: AgentDefinition, values: Record<string, string>): Record<string, unknown> {
  const properties = isPlainObject(agent.inputSchema.properties) ? agent.inputSchema.properties : {};
  const out: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(values)) {
    const prop = properties[key];
    const declared = isPlainObject(prop) ? prop.type : undefined;
    const types = (Array.isArray(declared) ? declared : [declared]).filter((t): t is string => typeof t === 'string');
    out[key] = coerce(text, types);
  }
  return out;
}

function coerce(text: string, types: readonly string[]): unknown {
  if (types.length === 0 || types.includes('string')) return text;
  if ((types.includes('number') || types.includes('integer')) && text.trim() !== '' && Number.isFinite(Number(text)))
    return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.includes('null') && text === 'null') return null;
  if (types.includes('object') || types.includes('array')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
