import { isDeepStrictEqual } from 'node:util';
import { yaml } from '../config/yaml-lib.js';
import { FIELD_PATHS, firstOf, isPlainObject, nameFromFileName, schemasOf } from './parse.js';
import type { AgentConfig, AgentDefinition } from './types.js';

type Path = readonly string[];

/**
 * The canonical `.prompt` text of an agent: its frontmatter (unknown keys kept, in their order) with the
 * agent's fields written where the file already keeps them (else at the canonical place), then the body.
 * `parseAgentFile(file, serializeAgent(a))` equals `a` for every parsed agent.
 */
export function serializeAgent(agent: AgentDefinition): string {
  const fm = structuredClone(agent.frontmatter);

  writeField(fm, FIELD_PATHS.name, agent.name, agent.name !== nameFromFileName(agent.fileName));
  writeField(fm, FIELD_PATHS.description, agent.description, agent.description !== '');
  writeField(fm, FIELD_PATHS.tags, agent.tags, agent.tags.length > 0);
  writeField(fm, FIELD_PATHS.tools, agent.tools, agent.tools.length > 0);
  writeOptional(fm, FIELD_PATHS.model, agent.model);
  writeOptional(fm, FIELD_PATHS.maxSteps, agent.maxSteps);
  writeConfig(fm, agent);
  writeSchemas(fm, agent);

  const body = agent.template.trim();
  const keys = Object.keys(fm).length;
  if (keys === 0 && !body.startsWith('---')) return body === '' ? '' : `${body}\n`;
  const frontmatter = keys === 0 ? '{}\n' : yaml().stringify(fm, { lineWidth: 0 });
  return `---\n${frontmatter}---\n${body === '' ? '' : `${body}\n`}`;
}

/** Sets a field where the file has it; adds it at the first (canonical) path when `add` is true. */
function writeField(fm: Record<string, unknown>, paths: readonly Path[], value: unknown, add: boolean): void {
  const found = firstOf(fm, paths);
  if (found !== undefined) setPath(fm, found.path, value);
  else if (add && paths[0] !== undefined) setPath(fm, paths[0], value);
}

/** Like writeField; `undefined` removes the field from every place it could be read from. */
function writeOptional(fm: Record<string, unknown>, paths: readonly Path[], value: unknown): void {
  if (value !== undefined) {
    writeField(fm, paths, value, true);
    return;
  }
  for (const path of paths) deletePath(fm, path);
}

/** The `config:` block of a file for an agent's config (`maxTokens` is `max_tokens` in files). */
export function configToFrontmatter(agentConfig: AgentConfig): Record<string, unknown> {
  const { temperature, maxTokens, ...rest } = agentConfig;
  const config: Record<string, unknown> = { ...rest };
  if (temperature !== undefined) config.temperature = temperature;
  if (maxTokens !== undefined) config.max_tokens = maxTokens;
  return config;
}

function writeConfig(fm: Record<string, unknown>, agent: AgentDefinition): void {
  const config = configToFrontmatter(agent.config);
  const existing = fm.config;
  if (isPlainObject(existing)) {
    // Keep the file's key order: known keys first in their old places, new ones after.
    const ordered: Record<string, unknown> = {};
    for (const key of Object.keys(existing)) if (key in config) ordered[key] = config[key];
    fm.config = { ...ordered, ...config };
  } else if (Object.keys(config).length > 0) {
    fm.config = config;
  }
}

function writeSchemas(fm: Record<string, unknown>, agent: AgentDefinition): void {
  const current = schemasOf(fm, agent.fileName);
  if (!isDeepStrictEqual(current.inputSchema, agent.inputSchema)) {
    const input = isPlainObject(fm.input) ? { ...fm.input } : {};
    input.schema = agent.inputSchema;
    fm.input = input;
  }
  if (current.outputFormat !== agent.outputFormat || !isDeepStrictEqual(current.outputSchema, agent.outputSchema)) {
    const output = isPlainObject(fm.output) ? { ...fm.output } : {};
    if (agent.outputFormat === undefined) delete output.format;
    else output.format = agent.outputFormat;
    if (agent.outputSchema === undefined) delete output.schema;
    else output.schema = agent.outputSchema;
    if (Object.keys(output).length > 0) fm.output = output;
    else delete fm.output;
  }
}

function setPath(root: Record<string, unknown>, path: Path, value: unknown): void {
  let node = root;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (isPlainObject(next)) node = next;
    else {
      const made: Record<string, unknown> = {};
      node[key] = made;
      node = made;
    }
  });
}

function deletePath(root: Record<string, unknown>, path: Path): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node)) return;
    node = node[key];
  }
  const last = path.at(-1);
  if (isPlainObject(node) && last !== undefined) Reflect.deleteProperty(node, last);
}
