/**
 * Go-template placeholders in MCP config files. Only the form `{{ .NAME }}` is substituted (spaces inside
 * the braces optional); anything else in braces, such as Handlebars `{{name}}`, is left as it is.
 * A placeholder with no value is an error naming every missing variable and where it is used: a config
 * is never rendered with an empty string in its place.
 */
import { ExitCode, StationError, type StationErrorOptions } from '../errors.js';

const PLACEHOLDER = /\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** One `{{ .NAME }}` in a text: the name, its offset, 1-based line and column, and whether it sits inside a JSON string. */
export interface Placeholder {
  name: string;
  index: number;
  length: number;
  line: number;
  column: number;
  inString: boolean;
}

/** Every placeholder of a text, in order. `inString` is worked out by a JSON-aware scan of the text. */
export function findPlaceholders(text: string): Placeholder[] {
  const found: Placeholder[] = [];
  const strings = jsonStringRanges(text);
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const index = match.index;
    for (; scanned < index; scanned++) {
      if (text.charCodeAt(scanned) === 10) {
        line++;
        lineStart = scanned + 1;
      }
    }
    found.push({
      name: match[1] ?? '',
      index,
      length: match[0].length,
      line,
      column: index - lineStart + 1,
      inString: strings.some(([start, end]) => index > start && index < end),
    });
  }
  return found;
}

/** Names of the placeholders of a text, each once, in order of first use. */
export function placeholderNames(text: string): string[] {
  return [...new Set(findPlaceholders(text).map((p) => p.name))];
}

/** Where a missing variable is used. */
export interface VariableUse {
  file: string;
  line: number;
  column: number;
}

export interface MissingVariable {
  name: string;
  uses: VariableUse[];
  description?: string;
  secret: boolean;
  /** Why a value that would have been used was not: "default path /x does not exist" (a schema default). */
  reason?: string;
}

/** Variables that templates use but no source gives a value for, all of them at once. */
export class MissingVariablesError extends StationError {
  readonly missing: readonly MissingVariable[];
  constructor(missing: readonly MissingVariable[], options: StationErrorOptions = {}) {
    const list = missing.map(
      (m) =>
        `${m.name} (${m.uses.map((u) => `${u.file}:${String(u.line)}`).join(', ')}${m.reason === undefined ? '' : `; ${m.reason}`})`,
    );
    super(
      'missing_variables',
      `${missing.length === 1 ? 'a variable has' : `${String(missing.length)} variables have`} no value: ${list.join('; ')}`,
      ExitCode.CONFIG,
      {
        ...options,
        details: {
          ...options.details,
          missing: missing.map((m) => ({
            name: m.name,
            secret: m.secret,
            uses: m.uses,
            ...(m.description === undefined ? {} : { description: m.description }),
            ...(m.reason === undefined ? {} : { reason: m.reason }),
          })),
        },
      },
    );
    this.missing = missing;
  }
}

/** Collects the uses of names that have no value across several files. */
export class MissingCollector {
  private readonly byName = new Map<string, MissingVariable>();

  add(name: string, use: VariableUse): void {
    const entry = this.byName.get(name);
    if (entry === undefined) this.byName.set(name, { name, uses: [use], secret: isSecretName(name) });
    else entry.uses.push(use);
  }

  get size(): number {
    return this.byName.size;
  }

  /**
   * The missing variables, described and marked secret as the schema says (isSecretVariable), with the reason
   * a default was not used when `reasons` has one.
   */
  list(
    schema: Readonly<Record<string, VariableDeclaration>> = {},
    reasons: Readonly<Record<string, string>> = {},
  ): MissingVariable[] {
    return [...this.byName.values()].map((m) => {
      const description = schema[m.name]?.description;
      const secret = isSecretVariable(m.name, schema);
      const reason = reasons[m.name];
      return {
        ...m,
        secret,
        ...(description === undefined ? {} : { description }),
        ...(reason === undefined ? {} : { reason }),
      };
    });
  }
}

/**
 * Renders a JSON config text. A placeholder inside a JSON string gets the value escaped for a JSON string
 * (quotes and backslashes cannot break the file); one outside a string (`"port": {{ .PORT }}`) gets the
 * raw value. Names without a value (undefined or empty) are added to `missing` and the text is not
 * usable; the caller throws once every file has been seen.
 */
export function renderJsonTemplate(
  text: string,
  values: Readonly<Record<string, string | undefined>>,
  file: string,
  missing: MissingCollector,
): string {
  let out = '';
  let last = 0;
  for (const p of findPlaceholders(text)) {
    const value = values[p.name];
    out += text.slice(last, p.index);
    if (value === undefined || value === '') {
      missing.add(p.name, { file, line: p.line, column: p.column });
    } else {
      out += p.inString ? JSON.stringify(value).slice(1, -1) : value;
    }
    last = p.index + p.length;
  }
  return out + text.slice(last);
}

/**
 * The text with every placeholder kept as written when inside a string and replaced by `null` when not,
 * so that the structure of a template can be read without any value (for listing and editing).
 */
export function templateSkeleton(text: string): string {
  let out = '';
  let last = 0;
  for (const p of findPlaceholders(text)) {
    out += text.slice(last, p.index) + (p.inString ? text.slice(p.index, p.index + p.length) : 'null');
    last = p.index + p.length;
  }
  return out + text.slice(last);
}

/** Names that look like secrets (*TOKEN, *KEY, *SECRET, *PASSWORD, ...): prompted without echo, always redacted. */
export function isSecretName(name: string): boolean {
  return (
    /(TOKEN|KEY|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIALS?|AUTH)$/i.test(name) || /PASSWORD|SECRET/i.test(name)
  );
}

/** What variables.schema.json says of a variable (the part secrecy and questions need). */
export interface VariableDeclaration {
  description?: string;
  secret?: boolean;
}

/**
 * Whether a variable is asked for without echo and kept in the secret store: variables.schema.json's
 * `"secret"` when it says, else what another declaration says (a bundle manifest), else a secret-looking name.
 */
export function isSecretVariable(
  name: string,
  schema: Readonly<Record<string, VariableDeclaration>>,
  declared?: boolean,
): boolean {
  return schema[name]?.secret ?? declared ?? isSecretName(name);
}

/** [start, end] offsets of the quotes of every JSON string literal in a text (a lenient scan). */
function jsonStringRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (start < 0) {
      if (ch === 34) start = i;
    } else if (ch === 92) {
      i++;
    } else if (ch === 34) {
      ranges.push([start, i]);
      start = -1;
    } else if (ch === 10) {
      // JSON strings cannot span lines: an unterminated one ends here.
      start = -1;
    }
  }
  return ranges;
}
