/**
 * `stn mcp add` and `stn mcp remove`: put a server into an environment's template.json (or another
 * config file) and take it out. The file is rewritten atomically, and only after the result has been
 * checked to be a valid config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConflictError, ExitCode, FileFormatError, NotFoundError, ValidationError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { discoverMcpConfigs, readMcpServerTemplates, type McpConfigFile } from './mcp-config.js';
import { jsonErrorPosition } from './mcp-config-json.js';
import { isRecord } from './station-config.js';

export const DEFAULT_CONFIG_FILE = 'template.json';

export interface AddServerInput {
  name: string;
  /** A stdio server: the command and its arguments. */
  command?: string;
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** An HTTP server. */
  url?: string;
  headers?: Readonly<Record<string, string>>;
  /** `sse` for old servers that only speak HTTP+SSE (default: streamable HTTP with SSE fallback). */
  transport?: 'http' | 'sse';
  timeoutMs?: number;
  /** Config file name in the environment folder (default template.json). */
  file?: string;
  /** Replace a server of the same name. */
  replace?: boolean;
}

export interface ConfigEditResult {
  name: string;
  file: string;
  replaced: boolean;
}

/** Adds (or with `replace`, replaces) a server in a config file of the environment folder `dir`. */
export function addServerToConfig(dir: string, input: AddServerInput): ConfigEditResult {
  const hasCommand = input.command !== undefined && input.command !== '';
  const hasUrl = input.url !== undefined && input.url !== '';
  if (hasCommand === hasUrl) {
    throw new ValidationError('a server needs either a command (stdio) or a URL (HTTP), not both', [
      { field: hasCommand ? 'url' : 'command', message: 'give a command to run (after --) or --url, one of the two' },
    ]);
  }
  const existing = readMcpServerTemplates(dir);
  const clash = existing.find((s) => s.name === input.name);
  if (clash !== undefined && input.replace !== true) {
    throw new ConflictError(`server "${input.name}" already exists in ${basename(clash.file)}`, {
      hints: ['Pick another name, pass --force to replace it, or remove it first: stn mcp remove ' + input.name],
    });
  }
  const fileName = clash !== undefined ? basename(clash.file) : (input.file ?? DEFAULT_CONFIG_FILE);
  if (basename(fileName) !== fileName || !fileName.endsWith('.json')) {
    throw new ValidationError(`invalid config file name "${fileName}"`, [
      { field: 'file', message: 'expected a file name ending in .json, in the environment folder' },
    ]);
  }
  const file = join(dir, fileName);
  const root = readEditable(file);
  const key = isRecord(root.servers) && !isRecord(root.mcpServers) ? 'servers' : 'mcpServers';
  const servers = isRecord(root[key]) ? root[key] : {};
  root[key] = servers;
  const entry: Record<string, unknown> = {};
  if (hasCommand) {
    entry.command = input.command;
    entry.args = [...(input.args ?? [])];
    if (input.env !== undefined && Object.keys(input.env).length > 0) entry.env = { ...input.env };
    if (input.cwd !== undefined) entry.cwd = input.cwd;
  } else {
    entry.url = input.url;
    if (input.transport === 'sse') entry.type = 'sse';
    if (input.headers !== undefined && Object.keys(input.headers).length > 0) entry.headers = { ...input.headers };
  }
  if (input.timeoutMs !== undefined) entry.timeout_ms = input.timeoutMs;
  servers[input.name] = entry;
  writeChecked(dir, file, root);
  return { name: input.name, file: fileName, replaced: clash !== undefined };
}

/** Removes a server from whichever config file defines it. */
export function removeServerFromConfig(dir: string, name: string): ConfigEditResult {
  const existing = readMcpServerTemplates(dir);
  const server = existing.find((s) => s.name === name);
  if (server === undefined) {
    throw new NotFoundError(`no MCP server "${name}" in ${dir}`, {
      hints: [
        existing.length > 0
          ? `Servers: ${existing.map((s) => s.name).join(', ')}.`
          : 'This environment has no MCP servers.',
      ],
    });
  }
  const root = readEditable(server.file);
  for (const key of ['mcpServers', 'servers'] as const) {
    const servers = root[key];
    if (isRecord(servers) && name in servers) Reflect.deleteProperty(servers, name);
  }
  writeChecked(dir, server.file, root);
  return { name, file: basename(server.file), replaced: false };
}

/** A config file's JSON as an object, refusing files that only parse once rendered (bare placeholders). */
function readEditable(file: string): Record<string, unknown> {
  if (!existsSync(file)) return { mcpServers: {} };
  const text = readFileSync(file, 'utf8');
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(
      jsonErrorPosition(file, text, error),
      `cannot edit: not valid JSON as written (${(error as Error).message}); edit it by hand (placeholders must be inside strings)`,
      { exitCode: ExitCode.CONFIG },
    );
  }
  if (!isRecord(root))
    throw new FileFormatError({ file }, 'cannot edit: expected a JSON object', { exitCode: ExitCode.CONFIG });
  return root;
}

/** Writes the new content only if the environment's configs are still valid with it. */
function writeChecked(dir: string, file: string, root: Record<string, unknown>): void {
  const text = JSON.stringify(root, null, 2) + '\n';
  const files = discoverMcpConfigs(dir).filter((f) => f.file !== file);
  const key = isRecord(root.servers) && !isRecord(root.mcpServers) ? 'servers' : 'mcpServers';
  const candidate: McpConfigFile = { file, key, text, variables: [] };
  readMcpServerTemplates(dir, [candidate, ...files]);
  writeFileAtomic(file, text);
}
