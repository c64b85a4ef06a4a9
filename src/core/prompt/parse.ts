import { basename, isAbsolute } from 'node:path';
import { checkKeys, type KeyWarning } from '../config/unknown-keys.js';
import { YamlSource } from '../config/yaml-source.js';
import { FileFormatError } from '../errors.js';
import { splitPromptDocument } from './document.js';
import { FRONTMATTER_KEYS } from './frontmatter-keys.js';
import { readSchedule } from '../scheduler/schedule-spec.js';
import { PicoschemaError, picoschemaToJsonSchema } from './picoschema.js';
import type { AgentConfig, AgentDefinition, JsonSchemaObject } from './types.js';

type Path = readonly string[];

/**
 * Where each field may be written in the frontmatter, first match wins. The three shapes of real files
 * (hand-written, exported in Aug 2025, exported later) are all covered; see FORMATS.md.
 */
export const FIELD_PATHS = {
  name: [['metadata', 'name'], ['name']],
  description: [['metadata', 'description'], ['description']],
  tags: [['metadata', 'tags'], ['tags']],
  model: [['model']],
  maxSteps: [['max_steps'], ['metadata', 'max_steps'], ['station', 'execution_metadata', 'max_steps']],
  tools: [['tools']],
} as const satisfies Record<string, readonly Path[]>;

/** The input schema of an agent whose file declares none: just the user's text. */
export function defaultInputSchema(): JsonSchemaObject {
  return { type: 'object', properties: { userInput: { type: 'string' } } };
}

/** The agent name a file gets when its frontmatter names none. */
export function nameFromFileName(fileName: string): string {
  return fileName.endsWith('.prompt') ? fileName.slice(0, -'.prompt'.length) : fileName;
}

/**
 * Parses a `.prompt` file. Invalid YAML, or a key of the wrong type, is a FileFormatError naming the file,
 * the line and the key. Keys Station does not use are kept in `frontmatter`.
 */
export function parseAgentFile(path: string, text: string): AgentDefinition {
  return readAgentFile(path, text).agent;
}

/**
 * parseAgentFile, and the likely typos among the frontmatter keys (`max_step` for `max_steps`; see
 * FRONTMATTER_KEYS): warnings with the file, line and the key meant.
 */
export function readAgentFile(path: string, text: string): { agent: AgentDefinition; warnings: KeyWarning[] } {
  const fileName = basename(path);
  const doc = splitPromptDocument(path, text);
  const yaml = doc.hasFrontmatter
    ? YamlSource.parse(path, doc.frontmatter, { lineOffset: doc.frontmatterLine - 1 })
    : undefined;
  const raw = yaml?.value ?? null;
  if (raw !== null && !isPlainObject(raw)) {
    throw new FileFormatError(
      { file: path, line: doc.frontmatterLine },
      'the frontmatter must be a YAML mapping of keys (name: value)',
    );
  }
  const fm: Record<string, unknown> = raw ?? {};
  const fail = (keys: Path, message: string): FileFormatError =>
    yaml === undefined
      ? new FileFormatError({ file: path, key: keys.join('.') }, message)
      : yaml.errorAt(keys, message);

  for (const section of ['metadata', 'config', 'input', 'output'] as const) {
    const value = fm[section];
    if (value !== undefined && value !== null && !isPlainObject(value))
      throw fail([section], `"${section}" must be a mapping (indented key: value lines)`);
  }

  const name = firstOf(fm, FIELD_PATHS.name);
  const description = firstOf(fm, FIELD_PATHS.description);
  const tags = firstOf(fm, FIELD_PATHS.tags);
  const model = firstOf(fm, FIELD_PATHS.model);
  const maxSteps = firstOf(fm, FIELD_PATHS.maxSteps);
  const tools = firstOf(fm, FIELD_PATHS.tools);

  const agent: AgentDefinition = {
    name: name === undefined ? nameFromFileName(fileName) : nonEmptyString(name, fail, 'a non-empty name'),
    fileName,
    ...(isAbsolute(path) ? { path } : {}),
    description: description === undefined ? '' : stringValue(description, fail),
    tags: tags === undefined ? [] : stringList(tags, fail, 'tag'),
    tools: tools === undefined ? [] : stringList(tools, fail, 'tool name'),
    config: readConfig(fm.config, fail),
    inputSchema: readInputSchema(fm.input, fail),
    frontmatter: fm,
    template: doc.body,
  };
  if (model !== undefined) agent.model = nonEmptyString(model, fail, 'a model name such as gpt-4o-mini');
  if (maxSteps !== undefined) agent.maxSteps = positiveInteger(maxSteps, fail);
  const retry = readRetryOnInterrupt(fm.retry_on_interrupt, fail);
  if (retry !== undefined) agent.retryOnInterrupt = retry;
  readOutput(fm.output, fail, agent);
  const schedule = readSchedule(fm.schedule, fail);
  if (schedule !== undefined) agent.schedule = schedule;
  const warnings = yaml === undefined ? [] : checkKeys(fm, FRONTMATTER_KEYS, (keys) => yaml.keyPositionOf(keys));
  return { agent, warnings };
}

/** The schemas a frontmatter declares (input always an object schema with userInput), as parseAgentFile reads them. */
export function schemasOf(
  fm: Record<string, unknown>,
  file: string,
): Pick<AgentDefinition, 'inputSchema' | 'outputSchema' | 'outputFormat'> {
  const fail: Fail = (keys, message) => new FileFormatError({ file, key: keys.join('.') }, message);
  const out: Pick<AgentDefinition, 'inputSchema' | 'outputSchema' | 'outputFormat'> = {
    inputSchema: readInputSchema(fm.input, fail),
  };
  readOutput(fm.output, fail, out);
  return out;
}

interface Found {
  path: Path;
  value: unknown;
}
type Fail = (keys: Path, message: string) => FileFormatError;

/** The first of `paths` present in the frontmatter (a null value counts as absent). */
export function firstOf(fm: Record<string, unknown>, paths: readonly Path[]): Found | undefined {
  for (const path of paths) {
    const value = getPath(fm, path);
    if (value !== undefined && value !== null) return { path, value };
  }
  return undefined;
}

export function getPath(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function nonEmptyString(found: Found, fail: Fail, expected: string): string {
  if (typeof found.value !== 'string' || found.value.trim() === '') {
    throw fail(found.path, `expected ${expected}, got ${describe(found.value)}`);
  }
  return found.value;
}

function stringValue(found: Found, fail: Fail): string {
  if (typeof found.value !== 'string') throw fail(found.path, `expected text, got ${describe(found.value)} (quote it)`);
  return found.value;
}

function stringList(found: Found, fail: Fail, what: string): string[] {
  if (!Array.isArray(found.value)) throw fail(found.path, `expected a list of ${what}s, got ${describe(found.value)}`);
  return found.value.map((item: unknown, i) => {
    if (typeof item !== 'string' || item.trim() === '') {
      throw fail([...found.path, String(i)], `expected a ${what} (text), got ${describe(item)}`);
    }
    return item;
  });
}

/** Retries the most a run may get after interruptions: a crash loop must end. */
export const MAX_INTERRUPT_RETRIES = 10;

/** `retry_on_interrupt: true` (once), `false`, or a number of retries (1 to 10). */
function readRetryOnInterrupt(value: unknown, fail: Fail): number | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return 1;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_INTERRUPT_RETRIES) {
    return value === 0 ? undefined : value;
  }
  throw fail(
    ['retry_on_interrupt'],
    `expected true, false or a number of retries from 0 to ${String(MAX_INTERRUPT_RETRIES)}, got ${describe(value)}`,
  );
}

function positiveInteger(found: Found, fail: Fail): number {
  const v = found.value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw fail(found.path, `expected a whole number of at least 1, got ${describe(v)}`);
  }
  return v;
}

function readConfig(value: unknown, fail: Fail): AgentConfig {
  if (!isPlainObject(value)) return {};
  const { temperature, max_tokens: maxTokens, ...rest } = value;
  const config: AgentConfig = { ...rest };
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
      throw fail(
        ['config', 'temperature'],
        `expected a number of at least 0 (such as 0.7), got ${describe(temperature)}`,
      );
    }
    config.temperature = temperature;
  }
  if (maxTokens !== undefined && maxTokens !== null) {
    config.maxTokens = positiveInteger({ path: ['config', 'max_tokens'], value: maxTokens }, fail);
  }
  return config;
}

function convert(schema: unknown, at: Path, fail: Fail): JsonSchemaObject | null {
  try {
    return picoschemaToJsonSchema(schema);
  } catch (error) {
    if (error instanceof PicoschemaError) throw fail([...at, ...error.path], error.message);
    throw error;
  }
}

function readInputSchema(input: unknown, fail: Fail): JsonSchemaObject {
  const at = ['input', 'schema'];
  const converted = isPlainObject(input) ? convert(input.schema, at, fail) : null;
  if (converted === null) return defaultInputSchema();
  const type = converted.type;
  if (type !== 'object' && !(Array.isArray(type) && type.includes('object'))) {
    throw fail(
      at,
      'the input schema must describe named fields (e.g. "userInput: string" and "repo: string, the repository")',
    );
  }
  const properties = isPlainObject(converted.properties) ? converted.properties : {};
  const declared = properties.userInput;
  if (declared === undefined) {
    return { ...converted, properties: { userInput: { type: 'string' }, ...properties } };
  }
  const declaredType = isPlainObject(declared) ? declared.type : undefined;
  const allowsString =
    declaredType === undefined ||
    declaredType === 'string' ||
    (Array.isArray(declaredType) && declaredType.includes('string'));
  if (!allowsString) {
    throw fail(
      [...at, 'userInput'],
      `userInput is the user's text and must be a string, got type ${JSON.stringify(declaredType)}`,
    );
  }
  return converted;
}

function readOutput(output: unknown, fail: Fail, agent: Pick<AgentDefinition, 'outputSchema' | 'outputFormat'>): void {
  if (!isPlainObject(output)) return;
  const format = output.format;
  if (format !== undefined && format !== null) {
    if (format !== 'json' && format !== 'text')
      throw fail(['output', 'format'], `expected "json" or "text", got ${describe(format)}`);
    agent.outputFormat = format;
  }
  const schema = convert(output.schema, ['output', 'schema'], fail);
  if (schema !== null) agent.outputSchema = schema;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
