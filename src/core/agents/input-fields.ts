import { ValidationError } from '../errors.js';

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*\??$/;
const TYPES = ['string', 'number', 'integer', 'boolean', 'any'];

/**
 * Reads an input field given on the command line, `name[?][:type[:description]]`, as a Picoschema entry:
 * `repo:string:the repository` -> ["repo", "string, the repository"], `depth?:integer` -> ["depth?", "integer"].
 */
export function parseInputFieldSpec(spec: string): [string, string] {
  const [rawName = '', rawType, ...rest] = spec.split(':');
  const name = rawName.trim();
  const type = (rawType ?? 'string').trim() || 'string';
  const description = rest.join(':').trim();
  if (!FIELD.test(name)) {
    throw new ValidationError(
      `invalid input field ${JSON.stringify(spec)}: the name must be letters, digits or "_" (a trailing "?" makes it optional)`,
      [{ field: 'input', message: `bad field name ${JSON.stringify(name)}` }],
    );
  }
  if (!TYPES.includes(type)) {
    throw new ValidationError(
      `invalid input field ${JSON.stringify(spec)}: type "${type}" is not one of ${TYPES.join(', ')}`,
      [{ field: 'input', message: `bad type ${JSON.stringify(type)}` }],
    );
  }
  return [name, description === '' ? type : `${type}, ${description}`];
}
