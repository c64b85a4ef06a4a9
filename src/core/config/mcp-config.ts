/**
 * MCP server configs of an environment: every top-level `*.json` in its folder that has an `mcpServers`
 * (or `servers`) object. Reading gives the servers as written (placeholders kept: for listing and
 * editing) and rendered (values filled in: for starting them).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { ExitCode, StationError, type StationErrorOptions } from '../errors.js';
import { secretLabel, type Secret } from '../mcp/redactor.js';
import { redactUrl } from '../security/redact-url.js';
import { jsonErrorPosition } from './mcp-config-json.js';
import {
  loadEnvironmentVariables,
  loadVariablesSchema,
  resolveVariables,
  VARIABLES_SCHEMA_FILE,
  type ResolvedVariables,
  type VariablesSchema,
} from './mcp-config-variables.js';
import { isRecord } from './station-config.js';
import {
  MissingCollector,
  MissingVariablesError,
  findPlaceholders,
  isSecretName,
  placeholderNames,
  renderJsonTemplate,
  templateSkeleton,
} from './template-render.js';
import { checkKeys, closestKey, unknownKeyWarning, type KeySpec, type KeyWarning } from './unknown-keys.js';
import { YamlSource } from './yaml-source.js';

/** Connect timeout of a server that sets no `timeout_ms`: start, initialize and list tools. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const MAX_TIMEOUT_MS = 3_600_000;
/** Largest `max_result_bytes` accepted: 1 GiB (a JavaScript string cannot hold much more). */
const MAX_RESULT_BYTES = 1024 * 1024 * 1024;
const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** `stdio`: a child process; `http`: streamable HTTP, falling back to SSE for old servers; `sse`: SSE only. */
export type McpTransportKind = 'stdio' | 'http' | 'sse';

interface ServerConfigBase {
  name: string;
  /** Absolute path of the config file that defines the server. */
  file: string;
  /** Connect timeout: start, initialize and list tools. */
  timeoutMs: number;
  /**
   * Tool-call timeout of this server (`call_timeout_ms`): a call with no answer and no progress for this
   * long fails. Absent: config.yaml's runner.tool_timeout_seconds applies.
   */
  callTimeoutMs?: number;
  /**
   * Largest answer of this server (`max_result_bytes`: one JSON-RPC message, stdio servers): a larger tool
   * result fails the call at once. Absent: config.yaml's runner.max_mcp_result_bytes applies.
   */
  maxResultBytes?: number;
  disabled: boolean;
  /**
   * Unknown keys of its entry (likely typos, e.g. `agrs`), as `file:line:col: unknown key ...` messages; named
   * again if the server fails to start. Absent when there are none.
   */
  warnings?: string[];
}

export interface StdioServerConfig extends ServerConfigBase {
  transport: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Working folder; relative paths are taken from the environment folder, which is also the default. */
  cwd: string;
}

export interface HttpServerConfig extends ServerConfigBase {
  transport: 'http' | 'sse';
  url: string;
  headers: Record<string, string>;
}

export type McpServerConfig = StdioServerConfig | HttpServerConfig;

/** One config file as written. */
export interface McpConfigFile {
  file: string;
  name?: string;
  description?: string;
  /** The key that holds the servers. */
  key: 'mcpServers' | 'servers';
  text: string;
  /** Variables the file uses. */
  variables: string[];
}

/** A problem in a config file, with its position when known. */
export interface ConfigIssue {
  file: string;
  line?: number;
  column?: number;
  key?: string;
  message: string;
}

/** A config file that does not describe servers correctly (every problem found, not just the first). */
export class McpConfigError extends StationError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], options: StationErrorOptions = {}) {
    const first = issues[0];
    const where = first === undefined ? '' : formatIssue(first);
    const more =
      issues.length > 1 ? ` (and ${String(issues.length - 1)} more problem${issues.length > 2 ? 's' : ''})` : '';
    super('mcp_config', `${where}${more}`, ExitCode.CONFIG, {
      hints: ['Fix the MCP config file; see README "MCP servers and sync" for the format.'],
      ...options,
      details: { ...options.details, issues },
    });
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file;
  if (issue.line !== undefined)
    where += `:${String(issue.line)}${issue.column === undefined ? '' : `:${String(issue.column)}`}`;
  return `${where}${issue.key === undefined ? '' : ` (key "${issue.key}")`}: ${issue.message}`;
}

/** A value of a rendered config that output must not show. */
export interface SecretValue extends Secret {
  /**
   * A secret, masked as `[secret:...]` everywhere, run records included: a literal header value, a
   * secret-named literal `env` value, a URL password or secret-named query parameter, or the value of a
   * variable that is named like a secret, used in a header, or used in `env` (there when it looks like a
   * secret: 8 characters or more, not a number or true/false), unless variables.schema.json says otherwise
   * (`"secret": true | false`). Otherwise a plain variable, masked as `{{ .NAME }}` in MCP errors and
   * stderr tails only.
   */
  secret: boolean;
}

/** The servers of an environment, rendered and ready to start. */
export interface LoadedMcpConfig {
  dir: string;
  files: McpConfigFile[];
  servers: McpServerConfig[];
  /** The same servers as written (placeholders kept), by name: what the database and listings show. */
  templates: Map<string, McpServerConfig>;
  variables: ResolvedVariables;
  schema: VariablesSchema;
  /** Values masked in MCP errors and stderr tails; those marked `secret` are masked in run records too. */
  secrets: SecretValue[];
}

/** The keys of a server entry Station reads. */
const SERVER_KEYS: KeySpec = {
  keys: Object.fromEntries(
    [
      'command',
      'args',
      'env',
      'cwd',
      'url',
      'serverUrl',
      'headers',
      'type',
      'transport',
      'timeout_ms',
      'timeoutMs',
      'timeout',
      'call_timeout_ms',
      'callTimeoutMs',
      'max_result_bytes',
      'maxResultBytes',
      'disabled',
    ].map((k) => [k, null]),
  ),
  // Other MCP clients' keys that real configs carry (Cline, Roo Code, Windsurf); Station has no use for them.
  ignored: ['autoApprove', 'alwaysAllow', 'disabledTools', 'description', 'watchPaths', 'transportType'],
  label: (path) => `in server "${path.at(-1) ?? ''}"`,
};

/** The keys of a config file: open at the top (other tools' settings), every server entry checked. */
const CONFIG_FILE_KEYS: KeySpec = {
  open: true,
  keys: {
    name: null,
    description: null,
    mcpServers: { keys: {}, each: SERVER_KEYS },
    servers: { keys: {}, each: SERVER_KEYS },
  },
};

/**
 * Unknown keys in the MCP config files of an environment folder (likely typos: `agrs` for `args`), and a
 * misspelt `mcpServers` that keeps a file from being read as a config at all. A config that does not load
 * reports its own errors; its warnings are then left out.
 */
export function mcpConfigWarnings(dir: string): KeyWarning[] {
  const warnings: KeyWarning[] = [];
  let files: McpConfigFile[];
  try {
    files = discoverMcpConfigs(dir, warnings);
  } catch (error) {
    if (error instanceof StationError) return warnings;
    throw error;
  }
  for (const f of files) {
    const root = JSON.parse(templateSkeleton(f.text)) as unknown;
    warnings.push(...checkKeys(root, CONFIG_FILE_KEYS, keyLocator(f.file, f.text)));
  }
  return warnings;
}

/**
 * A JSON file with no `mcpServers` but a key close to it that holds servers (`mcpServer`, `mcp_servers`): the
 * file is not read as a config, so say why.
 */
function misspeltServersKey(file: string, text: string, root: Record<string, unknown>): KeyWarning | undefined {
  for (const [key, value] of Object.entries(root)) {
    if (!isRecord(value)) continue;
    const entries = Object.values(value);
    const holdsServers =
      entries.length > 0 && entries.every((e) => isRecord(e) && ['command', 'url', 'args'].some((k) => k in e));
    const meant = holdsServers ? closestKey(key, ['mcpServers', 'servers']) : undefined;
    if (meant === undefined) continue;
    return unknownKeyWarning(keyLocator(file, text)([key]), [key], '', meant, 'the file is not read as an MCP config');
  }
  return undefined;
}

/** Where a key path is written in a JSON text (its position, else the file alone). */
function keyLocator(
  file: string,
  text: string,
): (path: readonly string[]) => { file: string; line?: number; column?: number } {
  let source: YamlSource | null | undefined;
  return (path) => {
    if (source === undefined) {
      try {
        source = YamlSource.parse(file, templateSkeleton(text));
      } catch (error) {
        // Some valid JSON is not YAML (e.g. duplicate keys): the warning then names the file only.
        if (!(error instanceof StationError)) throw error;
        source = null;
      }
    }
    if (source === null) return { file };
    const { line, column } = source.keyPositionOf(path);
    return { file, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }) };
  };
}

/**
 * The MCP config files of an environment folder, sorted by name (template.json first). A JSON file that is
 * no config because of a misspelt `mcpServers` adds a warning to `warnings`.
 */
export function discoverMcpConfigs(dir: string, warnings?: KeyWarning[]): McpConfigFile[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.json') && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort((a, b) => (a === 'template.json' ? -1 : b === 'template.json' ? 1 : a.localeCompare(b)));
  const out: McpConfigFile[] = [];
  const issues: ConfigIssue[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    let root: unknown;
    try {
      root = JSON.parse(templateSkeleton(text));
    } catch (error) {
      // A broken JSON file is an error only when it looks like an MCP config.
      if (/"(mcpServers|servers)"\s*:/.test(text)) {
        issues.push({ ...jsonErrorPosition(file, text, error), message: `invalid JSON: ${(error as Error).message}` });
      }
      continue;
    }
    if (!isRecord(root)) continue;
    const key = isRecord(root.mcpServers) ? 'mcpServers' : isRecord(root.servers) ? 'servers' : undefined;
    if (key === undefined) {
      const stray = warnings === undefined ? undefined : misspeltServersKey(file, text, root);
      if (stray !== undefined) warnings?.push(stray);
      if (root.mcpServers !== undefined) {
        issues.push({
          ...positionIn(file, text, ['mcpServers']),
          key: 'mcpServers',
          message: 'expected an object of servers by name',
        });
      }
      continue;
    }
    out.push({
      file,
      key,
      text,
      variables: [...new Set(findPlaceholders(text).map((p) => p.name))],
      ...(typeof root.name === 'string' ? { name: root.name } : {}),
      ...(typeof root.description === 'string' ? { description: root.description } : {}),
    });
  }
  if (issues.length > 0) throw new McpConfigError(issues);
  return out;
}

/** The servers as written (placeholders kept); bad entries are errors naming the file, line and key. */
export function readMcpServerTemplates(dir: string, files = discoverMcpConfigs(dir)): McpServerConfig[] {
  const issues: ConfigIssue[] = [];
  const servers: McpServerConfig[] = [];
  for (const f of files) {
    const root = JSON.parse(templateSkeleton(f.text)) as Record<string, unknown>;
    servers.push(...parseServers(f, root[f.key] as Record<string, unknown>, dir, true, issues));
  }
  checkDuplicates(servers, files, issues);
  if (issues.length > 0) throw new McpConfigError(issues);
  return servers;
}

export interface LoadMcpConfigOptions {
  /** The process environment (a variable of the same name wins over variables.yml). */
  env?: NodeJS.ProcessEnv;
  /** `--var NAME=VALUE` values: win over everything. */
  overrides?: Readonly<Record<string, string>>;
  /**
   * The secret store's values for this environment (its own over global ones): between the process environment
   * and variables.yml. Every one of them is a secret for masking, used by the configs or not.
   */
  stored?: Readonly<Record<string, string>>;
}

/**
 * Reads, renders and validates every MCP config of an environment folder. Variables that no source
 * gives a value throw one MissingVariablesError listing all of them with the files that use them.
 */
export function loadMcpConfig(dir: string, options: LoadMcpConfigOptions = {}): LoadedMcpConfig {
  const files = discoverMcpConfigs(dir);
  const templates = readMcpServerTemplates(dir, files);
  const schema = loadVariablesSchema(dir);
  const names = [...new Set(files.flatMap((f) => f.variables))];
  const variables = resolveVariables(names, {
    file: loadEnvironmentVariables(dir),
    stored: options.stored ?? {},
    env: options.env ?? process.env,
    overrides: options.overrides ?? {},
    schema,
    dir,
  });
  const missing = new MissingCollector();
  const rendered = files.map((f) => ({ f, text: renderJsonTemplate(f.text, variables.values, f.file, missing) }));
  if (missing.size > 0) {
    const list = missing.list(schema, variables.rejectedDefaults);
    throw new MissingVariablesError(list, {
      hints: [
        ...list.flatMap((m) => (m.description === undefined ? [] : [`${m.name}: ${m.description}`])),
        ...(list.some((m) => m.reason !== undefined)
          ? [
              `A default of ${join(dir, VARIABLES_SCHEMA_FILE)} that is a path (/x, ~/x, ./x, ../x) is used only when it exists: create it, or give the variable a value.`,
            ]
          : []),
        `Set them in ${join(dir, 'variables.yml')} (secrets with: stn secret set NAME), export them in the environment, or pass --var NAME=VALUE.`,
        'On a terminal, `stn sync` asks for them: secrets go to the secret store, other answers to variables.yml.',
      ],
    });
  }
  const issues: ConfigIssue[] = [];
  const servers: McpServerConfig[] = [];
  for (const { f, text } of rendered) {
    let root: unknown;
    try {
      root = JSON.parse(text);
    } catch (error) {
      // Only a value put outside a JSON string can break the file: say which.
      issues.push({
        file: f.file,
        message: `does not parse once variables are filled in (${(error as Error).message}); put placeholders inside JSON strings`,
      });
      continue;
    }
    servers.push(
      ...parseServers(f, (root as Record<string, unknown>)[f.key] as Record<string, unknown>, dir, false, issues),
    );
  }
  if (issues.length > 0) throw new McpConfigError(issues);
  return {
    dir,
    files,
    servers,
    templates: new Map(templates.map((t) => [t.name, t])),
    variables,
    schema,
    secrets: secretsOf(variables, schema, servers, templates, options.stored ?? {}),
  };
}

/** A stable hash of a rendered server config: a changed hash means the server changed since the last sync. */
export function serverConfigHash(server: McpServerConfig): string {
  const { file: _file, warnings: _warnings, ...rest } = server;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 32);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  const text = JSON.stringify(value) as string | undefined;
  return text ?? 'null';
}

/**
 * Which of these variables are secrets, by the one rule masking and `stn sync` use: what variables.schema.json
 * says (`"secret": true | false`), else a secret-looking name (isSecretName), a use in a header or under a
 * secret-named `env` key, or a use in `env` with a secret-looking value (8 characters or more, not a number or
 * a flag). `stn secret import` moves these out of variables.yml.
 */
export function secretVariableNames(
  values: Readonly<Record<string, string>>,
  schema: VariablesSchema,
  templates: readonly McpServerConfig[],
): Set<string> {
  // Where each variable is used: in a header or under a secret-named env key (a secret), or in env.
  const sensitive = new Set<string>();
  const inEnv = new Set<string>();
  for (const t of templates) {
    for (const [key, value] of Object.entries(t.transport === 'stdio' ? t.env : t.headers)) {
      for (const name of placeholderNames(value)) {
        if (t.transport !== 'stdio' || isSecretName(key)) sensitive.add(name);
        else inEnv.add(name);
      }
    }
  }
  const out = new Set<string>();
  for (const [name, value] of Object.entries(values)) {
    const secret =
      schema[name]?.secret ?? (isSecretName(name) || sensitive.has(name) || (inEnv.has(name) && looksSecret(value)));
    if (secret) out.add(name);
  }
  return out;
}

function secretsOf(
  variables: ResolvedVariables,
  schema: VariablesSchema,
  servers: readonly McpServerConfig[],
  templates: readonly McpServerConfig[],
  stored: Readonly<Record<string, string>>,
): SecretValue[] {
  const out: SecretValue[] = [];
  const written = new Map(templates.map((t) => [t.name, t]));
  const secretNames = secretVariableNames(variables.values, schema, templates);
  for (const [name, value] of Object.entries(variables.values)) {
    // A value from the secret store is a secret whatever the rule says.
    const secret = variables.origin[name] === 'store' || secretNames.has(name);
    out.push({ value, label: secret ? secretLabel(name) : `{{ .${name} }}`, secret });
  }
  for (const [name, value] of Object.entries(stored)) {
    if (value !== '' && variables.values[name] !== value) out.push({ value, label: secretLabel(name), secret: true });
  }
  const literal = (value: string, label: string): void => {
    out.push({ value, label: secretLabel(label), secret: true });
  };
  for (const s of servers) {
    const t = written.get(s.name);
    const asWritten: Record<string, string> = t === undefined ? {} : t.transport === 'stdio' ? t.env : t.headers;
    // A value written with placeholders is masked through its variables (named in their labels).
    const isLiteral = (key: string): boolean => placeholderNames(asWritten[key] ?? '').length === 0;
    if (s.transport === 'stdio') {
      for (const [key, value] of Object.entries(s.env)) {
        if (isSecretName(key) && isLiteral(key)) literal(value, `${s.name}.env.${key}`);
      }
      continue;
    }
    for (const [key, value] of Object.entries(s.headers)) {
      if (isLiteral(key)) literal(value, `${s.name}.headers.${key}`);
    }
    const url = new URL(s.url);
    if (url.password !== '') {
      literal(safeDecode(url.password), `${s.name}.url.password`);
      literal(url.password, `${s.name}.url.password`);
    }
    for (const [key, value] of url.searchParams) {
      if (isSecretName(key)) literal(value, `${s.name}.url.${key}`);
    }
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A value in `env` worth masking when nothing else says it is a secret: not short, not a number or a flag. */
function looksSecret(value: string): boolean {
  return value.length >= 8 && !/^[-+]?\d+(\.\d+)?$/.test(value) && !/^(true|false|yes|no|on|off)$/i.test(value);
}

function parseServers(
  f: McpConfigFile,
  entries: Record<string, unknown>,
  dir: string,
  template: boolean,
  issues: ConfigIssue[],
): McpServerConfig[] {
  const out: McpServerConfig[] = [];
  const at = (path: (string | number)[], message: string): void => {
    issues.push({ ...positionIn(f.file, f.text, [f.key, ...path]), key: [f.key, ...path].join('.'), message });
  };
  for (const [name, raw] of Object.entries(entries)) {
    if (!SERVER_NAME.test(name)) {
      at(
        [name],
        `invalid server name ${JSON.stringify(name)}: use 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit`,
      );
      continue;
    }
    if (!isRecord(raw)) {
      at([name], 'expected an object with "command" (stdio) or "url" (HTTP)');
      continue;
    }
    const before = issues.length;
    const warnings = checkKeys(raw, SERVER_KEYS, keyLocator(f.file, f.text), [f.key, name]);
    const str = (key: string): string | undefined => {
      const v = raw[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string') {
        at([name, key], `expected a string, got ${JSON.stringify(v)}`);
        return undefined;
      }
      return v;
    };
    const map = (key: string): Record<string, string> => {
      const v = raw[key];
      if (v === undefined || v === null) return {};
      if (!isRecord(v)) {
        at([name, key], 'expected an object of NAME: "value" strings');
        return {};
      }
      const m: Record<string, string> = {};
      for (const [k, val] of Object.entries(v)) {
        if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') m[k] = String(val);
        else at([name, key, k], `expected a string, got ${JSON.stringify(val)}`);
      }
      return m;
    };
    /** A timeout in milliseconds under the first of these keys that is set. */
    const millis = (keys: readonly string[]): number | undefined => {
      const key = keys.find((k) => raw[k] !== undefined);
      if (key === undefined) return undefined;
      const t = raw[key];
      if (typeof t === 'number' && Number.isInteger(t) && t > 0 && t <= MAX_TIMEOUT_MS) return t;
      // A placeholder reads as null in a template: it is checked once rendered.
      if (!(template && t === null))
        at(
          [name, key],
          `expected milliseconds, a whole number from 1 to ${String(MAX_TIMEOUT_MS)}, got ${JSON.stringify(t)}`,
        );
      return undefined;
    };
    /** A size in bytes under the first of these keys that is set. */
    const bytes = (keys: readonly string[]): number | undefined => {
      const key = keys.find((k) => raw[k] !== undefined);
      if (key === undefined) return undefined;
      const n = raw[key];
      if (typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= MAX_RESULT_BYTES) return n;
      if (!(template && n === null))
        at(
          [name, key],
          `expected bytes, a whole number from 1 to ${String(MAX_RESULT_BYTES)}, got ${JSON.stringify(n)}`,
        );
      return undefined;
    };
    const timeoutMs = millis(['timeout_ms', 'timeoutMs', 'timeout']) ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const callTimeoutMs = millis(['call_timeout_ms', 'callTimeoutMs']);
    const maxResultBytes = bytes(['max_result_bytes', 'maxResultBytes']);
    const disabled = raw.disabled === true;
    const type = str('type') ?? str('transport');
    const command = str('command');
    const url = str('url') ?? str('serverUrl');
    const base = {
      name,
      file: f.file,
      timeoutMs,
      ...(callTimeoutMs === undefined ? {} : { callTimeoutMs }),
      ...(maxResultBytes === undefined ? {} : { maxResultBytes }),
      disabled,
      ...(warnings.length === 0 ? {} : { warnings: warnings.map((w) => w.message) }),
    };
    if (command !== undefined && url !== undefined) {
      at([name], 'has both "command" and "url": a server is either a child process (command) or a URL');
      continue;
    }
    if (command !== undefined) {
      if (type !== undefined && type !== 'stdio')
        at([name, 'type'], `"type": "${type}" does not fit a server with a "command" (expected "stdio")`);
      if (command.trim() === '') at([name, 'command'], 'expected a command to run, got an empty string');
      const args = raw.args ?? [];
      if (!Array.isArray(args)) at([name, 'args'], 'expected an array of strings');
      const argList: string[] = [];
      if (Array.isArray(args)) {
        args.forEach((a: unknown, i) => {
          if (typeof a === 'string') argList.push(a);
          else if (typeof a === 'number') argList.push(String(a));
          else at([name, 'args', i], `expected a string, got ${JSON.stringify(a)}`);
        });
      }
      const env = map('env');
      const cwd = str('cwd');
      if (issues.length > before) continue;
      out.push({
        ...base,
        transport: 'stdio',
        command,
        args: argList,
        env,
        cwd: cwd === undefined || cwd === '' ? dir : isAbsolute(cwd) ? cwd : resolve(dir, cwd),
      });
    } else if (url !== undefined) {
      let transport: 'http' | 'sse' = 'http';
      if (type === 'sse') transport = 'sse';
      else if (type !== undefined && !['http', 'streamable-http', 'streamableHttp', 'streamable_http'].includes(type)) {
        at([name, 'type'], `unknown transport "${type}" for a URL server: expected "http" (streamable HTTP) or "sse"`);
      }
      const hasPlaceholder = findPlaceholders(url).length > 0;
      if (!(template && hasPlaceholder)) {
        let parsed: URL | undefined;
        try {
          parsed = new URL(url);
        } catch {
          parsed = undefined;
        }
        if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
          at(
            [name, 'url'],
            `expected an http:// or https:// URL, got ${JSON.stringify(template ? url : redactUrl(url))}`,
          );
        }
      }
      const headers = map('headers');
      if (issues.length > before) continue;
      out.push({ ...base, transport, url, headers });
    } else {
      const meant = warnings.find((w) => w.suggestion === 'command' || w.suggestion === 'url');
      const typo =
        meant === undefined
          ? ''
          : `; found "${meant.key.split('.').at(-1) ?? ''}": did you mean "${meant.suggestion ?? ''}"?`;
      at([name], `expected "command" (a stdio server) or "url" (an HTTP server)${typo}`);
    }
  }
  return out;
}

function checkDuplicates(
  servers: readonly McpServerConfig[],
  files: readonly McpConfigFile[],
  issues: ConfigIssue[],
): void {
  const seen = new Map<string, McpServerConfig>();
  for (const s of servers) {
    const first = seen.get(s.name);
    if (first === undefined) {
      seen.set(s.name, s);
      continue;
    }
    const f = files.find((x) => x.file === s.file);
    issues.push({
      ...(f === undefined ? { file: s.file } : positionIn(f.file, f.text, [f.key, s.name])),
      key: s.name,
      message: `server "${s.name}" is also defined in ${basename(first.file)}: server names must be unique in an environment`,
    });
  }
}

/** Line and column of a key path in a JSON text (read with the YAML parser, which keeps positions). */
function positionIn(file: string, text: string, path: (string | number)[]): Omit<ConfigIssue, 'message'> {
  try {
    const pos = YamlSource.parse(file, templateSkeleton(text)).positionOf(path);
    return {
      file,
      ...(pos.line === undefined ? {} : { line: pos.line }),
      ...(pos.column === undefined ? {} : { column: pos.column }),
    };
  } catch (error) {
    // Some valid JSON is not YAML (e.g. duplicate keys): the error then names the file only.
    if (error instanceof StationError) return { file };
    throw error;
  }
}
