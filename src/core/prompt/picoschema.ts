/**
 * Picoschema -> JSON Schema, synchronously, with the exact rules of Google's dotprompt 1.x (`picoschema()`
 * in the `dotprompt` package, which is asynchronous). Parsing an agent file must stay synchronous and must
 * not load the renderer, so the conversion is done here; test/core/prompt/dotprompt-spec.test.ts checks it
 * against the spec suite and against the package's own converter.
 *
 *   name: string, the description      required string with a description
 *   name?: integer                      optional (type becomes [integer, null])
 *   tags(array): string                 arrays; name(object): {...} nested objects
 *   color(enum): [red, green]           enums; (*): string  typed additional properties
 * A value that already looks like JSON Schema (`type: object` or `properties:`) is returned unchanged.
 */
import type { JsonSchemaObject } from './types.js';

const SCALAR_TYPES = ['any', 'boolean', 'integer', 'null', 'number', 'string'];
const WILDCARD = '(*)';

export interface PicoschemaOptions {
  /** Resolves a named type (a shared schema). Station agents have none, so names are errors by default. */
  resolve?: (name: string) => JsonSchemaObject | undefined;
}

/** A Picoschema that cannot be converted; `path` is the list of YAML keys leading to the fault. */
export class PicoschemaError extends Error {
  constructor(
    readonly path: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'PicoschemaError';
  }
}

/** True when `schema` is written as JSON Schema rather than Picoschema. */
export function isJsonSchema(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  const type = schema.type;
  return (
    (typeof type === 'string' && [...SCALAR_TYPES, 'object', 'array'].includes(type)) ||
    typeof schema.properties === 'object'
  );
}

/** Converts a schema in either dialect to JSON Schema; `null` for an empty schema. */
export function picoschemaToJsonSchema(schema: unknown, options: PicoschemaOptions = {}): JsonSchemaObject | null {
  if (schema === undefined || schema === null || schema === '' || schema === false || schema === 0) return null;
  if (typeof schema === 'string') {
    const [type, description] = extractDescription(schema);
    const base = SCALAR_TYPES.includes(type) ? { type } : resolveNamed(type, [], options);
    return description === undefined ? base : { ...base, description };
  }
  if (isObject(schema)) {
    const type = schema.type;
    if (typeof type === 'string' && [...SCALAR_TYPES, 'object', 'array'].includes(type)) return schema;
    if (typeof schema.properties === 'object') return { ...schema, type: 'object' };
  }
  return parsePico(schema, [], options);
}

function parsePico(value: unknown, path: readonly string[], options: PicoschemaOptions): JsonSchemaObject {
  if (typeof value === 'string') {
    const [type, description] = extractDescription(value);
    if (!SCALAR_TYPES.includes(type)) {
      const resolved = resolveNamed(type, path, options);
      return description === undefined ? resolved : { ...resolved, description };
    }
    if (type === 'any') return description === undefined ? {} : { description };
    return description === undefined ? { type } : { type, description };
  }
  if (!isObject(value)) {
    throw new PicoschemaError(
      path,
      value === null || value === undefined
        ? 'a field needs a type, e.g. "string" or "integer, a description"'
        : `Picoschema is made of objects and strings, got ${JSON.stringify(value)}`,
    );
  }
  const properties: Record<string, JsonSchemaObject> = {};
  const required: string[] = [];
  let additionalProperties: JsonSchemaObject | false = false;
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    if (key === WILDCARD) {
      additionalProperties = parsePico(child, childPath, options);
      continue;
    }
    const [name = '', typeInfo] = key.split('(');
    const optional = name.endsWith('?');
    const property = optional ? name.slice(0, -1) : name;
    if (!optional) required.push(property);
    if (typeInfo === undefined || typeInfo === '') {
      const prop = { ...parsePico(child, childPath, options) };
      if (optional && typeof prop.type === 'string') prop.type = [prop.type, 'null'];
      properties[property] = prop;
      continue;
    }
    const [type, description] = extractDescription(typeInfo.substring(0, typeInfo.length - 1));
    let prop: JsonSchemaObject;
    if (type === 'array') {
      prop = { type: optional ? ['array', 'null'] : 'array', items: parsePico(child, childPath, options) };
    } else if (type === 'object') {
      prop = parsePico(child, childPath, options);
      if (optional) prop.type = [prop.type, 'null'];
    } else if (type === 'enum') {
      if (!Array.isArray(child))
        throw new PicoschemaError(childPath, 'an enum needs a list of values, e.g. [red, green]');
      const values = (child as unknown[]).slice();
      if (optional && !values.includes(null)) values.push(null);
      prop = { enum: values };
    } else {
      throw new PicoschemaError(childPath, `parenthetical types must be object, array or enum, got "${type}"`);
    }
    if (description !== undefined) prop.description = description;
    properties[property] = prop;
  }
  const schema: JsonSchemaObject = { type: 'object', properties };
  if (required.length > 0) schema.required = required;
  schema.additionalProperties = additionalProperties;
  return schema;
}

function resolveNamed(name: string, path: readonly string[], options: PicoschemaOptions): JsonSchemaObject {
  const resolved = options.resolve?.(name);
  if (resolved === undefined) {
    throw new PicoschemaError(
      path,
      `unknown type "${name}": use any, boolean, integer, null, number or string (or name(object), name(array), name(enum))`,
    );
  }
  return resolved;
}

function extractDescription(input: string): [string, string | undefined] {
  if (!input.includes(',')) return [input, undefined];
  const match = /(.*?), *(.*)$/.exec(input);
  if (match === null) return [input, undefined];
  const description = match[2];
  return [match[1] ?? input, description === undefined || description === '' ? undefined : description];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
