import type { GitSource } from '../environments/git-source.js';
import { existsSync, readFileSync } from 'node:fs';
import { ExitCode } from '../errors.js';
import { ORIGINAL_CONFIG_KEYS, readOriginalKeys } from './original-config.js';
import { checkKeys, type KeySpec, type KeyWarning } from './unknown-keys.js';
import { YamlSource } from './yaml-source.js';
import type { RetentionPolicy } from '../maintenance/retention.js';

/** Station's settings, read from `config.yaml` in the Station home. */
export interface StationConfig {
  model: {
    /** Base URL of an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LM Studio, ...). */
    baseUrl: string;
    /** Default model name; an agent's `model:` or a run's --model overrides it. */
    name: string;
    /** Name of the environment variable that holds the API key (never the key itself). */
    apiKeyEnv: string;
    /** A request that gets no streamed chunk for this long is cut and retried like a dropped stream. */
    idleTimeoutSeconds: number;
    /**
     * Model names of agent files mapped to the model to use instead (`gemini-*: gpt-4o-mini`): keys are exact
     * names or patterns with `*` (any text) and `?` (one character); an exact key wins, then the first pattern.
     */
    aliases: Record<string, string>;
    /** true: every run uses `name`, whatever the agent file says (the original Station's behaviour). */
    override: boolean;
  };
  server: {
    host: string;
    port: number;
    /** The address people reach `stn serve` at (behind a proxy, say): links in webhook messages use it. */
    publicUrl: string | null;
    /**
     * Web pages on other origins allowed to open the WebSocket (browsers send an Origin header): the
     * server's own origin is always allowed; e.g. a proxy's `https://station.example.com`.
     */
    allowedOrigins: string[];
  };
  runner: {
    workers: number;
    queueSize: number;
    runTimeoutSeconds: number;
    /** A tool call with no answer and no progress for this long fails (an MCP server's `call_timeout_ms` wins). */
    toolTimeoutSeconds: number;
    maxToolResultBytes: number;
    /** Largest answer (one JSON-RPC message) a stdio MCP server may send (a server's `max_result_bytes` wins). */
    maxMcpResultBytes: number;
    /** A model answer larger than this ends the run with stop reason `answer_too_large`. */
    maxAnswerBytes: number;
    defaultMaxSteps: number;
    /**
     * On a store several servers share (PostgreSQL): how long a run's lease holds. Its process renews it every
     * third of this; a server that dies leaves its runs to be marked interrupted by another within about this.
     */
    leaseSeconds: number;
    /**
     * How long finished runs (and their events) are kept: older than `days`, or beyond the newest `runs`, they are
     * pruned by `stn serve` every hour (and by `stn runs prune`). Null: no limit (the default: nothing is pruned).
     */
    retention: RetentionPolicy;
  };
  environment: {
    /** The environment commands use when --env is not given. */
    default: string;
  };
  database: {
    /** Milliseconds a write waits for another process's lock on station.db before it fails (exit 7). */
    busyTimeoutMs: number;
  };
  webhooks: {
    /** Whether webhooks may point at loopback, link-local and private addresses (refused by default). */
    allowPrivate: boolean;
    /** Seconds one delivery attempt may take (connect, send, answer) before it counts as a timeout. */
    timeoutSeconds: number;
    /** Attempts of one delivery (the first and the retries) before it is marked failed. */
    maxAttempts: number;
  };
  /**
   * Where runs, events, keys, secrets and the index are kept: the home's SQLite file (the default), or a
   * PostgreSQL database that several Station servers share. STATION_DATABASE_URL (a postgres:// URL) wins.
   */
  store: StoreSetting;
  /** Where the environments folder comes from: itself (null), or a Git repository each server pulls. */
  environments: { git: GitSource | null };
  telemetry: {
    /**
     * Base URL of an OpenTelemetry collector's OTLP/HTTP endpoint (`http://collector:4318`): when set, every run
     * of this process is traced there (spans posted to `<url>/v1/traces`). Null: no traces, nothing loaded.
     */
    otlpEndpoint: string | null;
    /** The `service.name` of the traces. */
    serviceName: string;
  };
  bundles: {
    /**
     * Bundle registries, searched in order: each the URL of an `index.json` (https://; plain http:// only
     * from this machine), or a folder holding one (relative to the Station home).
     */
    registries: string[];
  };
}

/** `store: sqlite`, or `store: {postgres: {url: ...}}` (the URL's `{{ .NAME }}` placeholders are filled at open). */
export type StoreSetting = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

export const DEFAULT_CONFIG: StationConfig = {
  model: {
    baseUrl: 'https://api.openai.com/v1',
    name: 'gpt-4o-mini',
    apiKeyEnv: 'OPENAI_API_KEY',
    idleTimeoutSeconds: 60,
    aliases: {},
    override: false,
  },
  server: { host: '127.0.0.1', port: 8585, publicUrl: null, allowedOrigins: [] },
  runner: {
    workers: 4,
    queueSize: 100,
    runTimeoutSeconds: 600,
    toolTimeoutSeconds: 60,
    maxToolResultBytes: 65536,
    maxMcpResultBytes: 10 * 1024 * 1024,
    maxAnswerBytes: 4 * 1024 * 1024,
    defaultMaxSteps: 10,
    leaseSeconds: 15,
    retention: { days: null, runs: null },
  },
  environment: { default: 'default' },
  database: { busyTimeoutMs: 5000 },
  environments: { git: null },
  webhooks: { allowPrivate: false, timeoutSeconds: 10, maxAttempts: 8 },
  store: { kind: 'sqlite' },
  telemetry: { otlpEndpoint: null, serviceName: 'station' },
  bundles: { registries: [] },
};

/** The commented config.yaml that `stn init` writes. Every key is optional; these are the defaults. */
export const DEFAULT_CONFIG_YAML = `# Station configuration. Every key is optional: the values shown are the defaults.

model:
  # Any OpenAI-compatible chat-completions endpoint: OpenAI, Ollama (http://127.0.0.1:11434/v1),
  # vLLM, LM Studio. OPENAI_BASE_URL in the environment overrides it.
  base_url: ${DEFAULT_CONFIG.model.baseUrl}
  # Default model; an agent's \`model:\` and \`stn agent run --model\` override it.
  name: ${DEFAULT_CONFIG.model.name}
  # Name of the environment variable holding the API key. The key itself never goes in this file.
  # OPENAI_API_KEY, when set, is used if this variable is empty.
  api_key_env: ${DEFAULT_CONFIG.model.apiKeyEnv}
  # A model request that receives nothing for this long (no answer yet, or a stream that stalls
  # mid-way) is cut and retried like a dropped connection. Raise it for a local model that takes
  # long to load or to answer its first token.
  idle_timeout_seconds: ${String(DEFAULT_CONFIG.model.idleTimeoutSeconds)}
  # Model names written in agent files, mapped to a model this endpoint serves. Keys are names or
  # patterns (* any text, ? one character); an exact name wins over a pattern. Files exported by the
  # original Station carry whatever model its exporter wrote, e.g.
  #   aliases:
  #     gemini-*: gpt-4o-mini
  #     gpt-5: gpt-4o-mini
  aliases: {}
  # true: every agent runs on \`name\` above, whatever its file says (as the original Station did).
  # \`stn agent run --model\` still wins.
  override: false

server:
  # Address \`stn serve\` binds. Keep 127.0.0.1 unless a proxy or firewall guards the port.
  host: ${DEFAULT_CONFIG.server.host}
  port: ${String(DEFAULT_CONFIG.server.port)}
  # The address people reach this server at (through a proxy, say); webhook messages link to runs there.
  # public_url: https://station.example.com
  # Other web origins whose pages may open the WebSocket (the server's own origin always may).
  # allowed_origins: [https://station.example.com]

runner:
  # Runs executed at the same time, and runs allowed to wait for a worker.
  workers: ${String(DEFAULT_CONFIG.runner.workers)}
  queue_size: ${String(DEFAULT_CONFIG.runner.queueSize)}
  # A run still going after this long is stopped with status timed_out.
  run_timeout_seconds: ${String(DEFAULT_CONFIG.runner.runTimeoutSeconds)}
  # A tool call that gets no answer and no progress notification for this long fails, and the model is
  # told so. Each progress notification starts the wait again. An MCP server's "call_timeout_ms" in
  # template.json overrides it for that server.
  tool_timeout_seconds: ${String(DEFAULT_CONFIG.runner.toolTimeoutSeconds)}
  # Tool results larger than this are cut (head and tail kept) before they reach the model.
  max_tool_result_bytes: ${String(DEFAULT_CONFIG.runner.maxToolResultBytes)}
  # Largest answer a stdio MCP server may send (10 MiB): a larger tool result is dropped as it arrives
  # and the call fails at once with "tool result larger than N bytes"; the server stays usable.
  # An MCP server's "max_result_bytes" in template.json overrides it for that server.
  max_mcp_result_bytes: ${String(DEFAULT_CONFIG.runner.maxMcpResultBytes)}
  # A model answer larger than this (4 MiB) is cut off and the run fails with stop reason answer_too_large.
  max_answer_bytes: ${String(DEFAULT_CONFIG.runner.maxAnswerBytes)}
  # Model turns allowed when an agent sets no max_steps.
  default_max_steps: ${String(DEFAULT_CONFIG.runner.defaultMaxSteps)}
  # With a PostgreSQL store shared by several servers: a server renews the lease of its runs every third of
  # this; when it dies, another marks them interrupted once the lease has run out.
  lease_seconds: ${String(DEFAULT_CONFIG.runner.leaseSeconds)}
  # Finished runs and their events are kept for ever unless a limit is set here: \`stn serve\` then prunes,
  # every hour, finished runs older than \`days\` or beyond the newest \`runs\` (either limit is enough), and
  # compacts station.db. Queued and running runs, and the audit trail, are never pruned. By hand: stn runs prune.
  # retention:
  #   days: 30
  #   runs: 100000

environment:
  # Environment used when a command is given no --env.
  default: ${DEFAULT_CONFIG.environment.default}

database:
  # How long a command waits for another process that holds the write lock on station.db before it
  # gives up with exit 7 (reads do not wait: they work while another process writes).
  busy_timeout_ms: ${String(DEFAULT_CONFIG.database.busyTimeoutMs)}

webhooks:
  # Webhooks may not point at loopback, link-local or private addresses (checked after DNS resolution,
  # at each delivery) unless this is true.
  allow_private: ${String(DEFAULT_CONFIG.webhooks.allowPrivate)}
  # One delivery attempt (connect, send, answer) may take this long before it counts as a timeout.
  timeout_seconds: ${String(DEFAULT_CONFIG.webhooks.timeoutSeconds)}
  # Attempts of one delivery (the first and the retries, with growing waits) before it is marked failed.
  max_attempts: ${String(DEFAULT_CONFIG.webhooks.maxAttempts)}
# Where runs, events, keys and secrets are kept: the SQLite file station.db in this folder, or a
# PostgreSQL database that several \`stn serve\` processes share (see "Running several servers" in the README):
#   store:
#     postgres:
#       url: postgres://station:{{ .STATION_PG_PASSWORD }}@db.internal:5432/station
# {{ .NAME }} is read from the process environment (the secret store lives in the database itself).
# STATION_DATABASE_URL, when set, wins over this setting.
store: sqlite

# OpenTelemetry traces of runs (a span per run, model call and tool call), posted over OTLP/HTTP (JSON) to
# a collector's base URL, e.g. http://127.0.0.1:4318 (spans go to /v1/traces). Off when unset.
# telemetry:
#   otlp_endpoint: http://127.0.0.1:4318
#   service_name: station

bundles:
  # Registries \`stn bundle search\` and \`stn bundle install NAME[@VERSION]\` look in, in order: the URL of
  # an index.json (https://), or a folder holding one (\`stn bundle publish FILE --to DIR\` makes one).
  registries: []
`;

type Kind = 'string' | 'port' | 'positive' | 'boolean' | 'url' | 'aliases' | 'origins';

/** Where each setting lives in the YAML file, and what it must be. */
const FIELDS: readonly { path: readonly [string, string]; kind: Kind; set: (c: StationConfig, v: never) => void }[] = [
  { path: ['model', 'base_url'], kind: 'string', set: (c, v: string) => (c.model.baseUrl = v) },
  { path: ['model', 'name'], kind: 'string', set: (c, v: string) => (c.model.name = v) },
  { path: ['model', 'api_key_env'], kind: 'string', set: (c, v: string) => (c.model.apiKeyEnv = v) },
  {
    path: ['model', 'idle_timeout_seconds'],
    kind: 'positive',
    set: (c, v: number) => (c.model.idleTimeoutSeconds = v),
  },
  {
    path: ['model', 'aliases'],
    kind: 'aliases',
    set: (c, v: Record<string, string>) => (c.model.aliases = Object.fromEntries(Object.entries(v))),
  },
  { path: ['model', 'override'], kind: 'boolean', set: (c, v: boolean) => (c.model.override = v) },
  { path: ['server', 'host'], kind: 'string', set: (c, v: string) => (c.server.host = v) },
  { path: ['server', 'port'], kind: 'port', set: (c, v: number) => (c.server.port = v) },
  { path: ['server', 'public_url'], kind: 'url', set: (c, v: string) => (c.server.publicUrl = v.replace(/\/+$/, '')) },
  {
    path: ['server', 'allowed_origins'],
    kind: 'origins',
    set: (c, v: string[]) => (c.server.allowedOrigins = v.map((o) => o.trim().replace(/\/+$/, '').toLowerCase())),
  },
  { path: ['runner', 'workers'], kind: 'positive', set: (c, v: number) => (c.runner.workers = v) },
  { path: ['runner', 'queue_size'], kind: 'positive', set: (c, v: number) => (c.runner.queueSize = v) },
  {
    path: ['runner', 'run_timeout_seconds'],
    kind: 'positive',
    set: (c, v: number) => (c.runner.runTimeoutSeconds = v),
  },
  {
    path: ['runner', 'tool_timeout_seconds'],
    kind: 'positive',
    set: (c, v: number) => (c.runner.toolTimeoutSeconds = v),
  },
  {
    path: ['runner', 'max_tool_result_bytes'],
    kind: 'positive',
    set: (c, v: number) => (c.runner.maxToolResultBytes = v),
  },
  {
    path: ['runner', 'max_mcp_result_bytes'],
    kind: 'positive',
    set: (c, v: number) => (c.runner.maxMcpResultBytes = v),
  },
  { path: ['runner', 'max_answer_bytes'], kind: 'positive', set: (c, v: number) => (c.runner.maxAnswerBytes = v) },
  { path: ['runner', 'default_max_steps'], kind: 'positive', set: (c, v: number) => (c.runner.defaultMaxSteps = v) },
  { path: ['runner', 'lease_seconds'], kind: 'positive', set: (c, v: number) => (c.runner.leaseSeconds = v) },
  { path: ['environment', 'default'], kind: 'string', set: (c, v: string) => (c.environment.default = v) },
  { path: ['database', 'busy_timeout_ms'], kind: 'positive', set: (c, v: number) => (c.database.busyTimeoutMs = v) },
  { path: ['webhooks', 'allow_private'], kind: 'boolean', set: (c, v: boolean) => (c.webhooks.allowPrivate = v) },
  {
    path: ['webhooks', 'timeout_seconds'],
    kind: 'positive',
    set: (c, v: number) => (c.webhooks.timeoutSeconds = v),
  },
  { path: ['webhooks', 'max_attempts'], kind: 'positive', set: (c, v: number) => (c.webhooks.maxAttempts = v) },
  {
    path: ['telemetry', 'otlp_endpoint'],
    kind: 'url',
    set: (c, v: string) => (c.telemetry.otlpEndpoint = v.trim().replace(/\/+$/, '')),
  },
  { path: ['telemetry', 'service_name'], kind: 'string', set: (c, v: string) => (c.telemetry.serviceName = v.trim()) },
];

const EXPECTED: Record<Kind, string> = {
  string: 'a non-empty string',
  port: 'a port number from 0 to 65535',
  positive: 'a whole number greater than 0',
  boolean: 'true or false',
  url: 'an http:// or https:// URL',
  aliases: 'a mapping of model names (or patterns such as gemini-*) to model names',
  origins: 'a list of web origins such as https://station.example.com (scheme, host and port; no path)',
};

/** scheme://host[:port], what a browser sends in Origin (a trailing slash is forgiven). */
const ORIGIN = /^https?:\/\/[^\s/?#]+\/?$/i;

function fits(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value.trim() !== '';
    case 'port':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535;
    case 'positive':
      return Number.isInteger(value) && (value as number) > 0;
    case 'boolean':
      return typeof value === 'boolean';
    case 'url':
      return typeof value === 'string' && /^https?:\/\/[^\s/]+/.test(value.trim());
    case 'origins':
      return Array.isArray(value) && value.every((o) => typeof o === 'string' && ORIGIN.test(o.trim()));
    case 'aliases':
      return (
        isRecord(value) &&
        Object.entries(value).every(([k, v]) => k.trim() !== '' && typeof v === 'string' && v.trim() !== '')
      );
  }
}

function cloneDefaults(): StationConfig {
  return structuredClone(DEFAULT_CONFIG);
}

/** Every key config.yaml may hold: the sections and settings of FIELDS (closed), and the original's keys. */
export function configKeySpec(): KeySpec {
  const sections: Record<string, { keys: Record<string, null> }> = {};
  for (const { path } of FIELDS) (sections[path[0]] ??= { keys: {} }).keys[path[1]] = null;
  sections.bundles = { keys: { registries: null } };
  const keys: Record<string, KeySpec | null> = sections;
  keys.runner = { keys: { ...sections.runner?.keys, retention: { keys: { days: null, runs: null } } } };
  keys.store = { keys: { sqlite: null, postgres: { keys: { url: null } } } };
  keys.environments = { keys: { git: { keys: { url: null, ref: null, interval: null } } } };
  return { keys, ignored: ORIGINAL_CONFIG_KEYS };
}

/** Parses config.yaml text; errors name the file, line, column and key. */
export function parseStationConfig(file: string, text: string): StationConfig {
  return readStationConfig(file, text).config;
}

/** parseStationConfig, and the keys it does not know (typos: `runer:` for `runner:`) as warnings. */
export function readStationConfig(file: string, text: string): { config: StationConfig; warnings: KeyWarning[] } {
  const source = YamlSource.parse(file, text, { exitCode: ExitCode.CONFIG });
  const config = cloneDefaults();
  const root = source.value;
  if (root === null || root === undefined) return { config, warnings: [] };
  if (!isRecord(root)) throw source.errorAt([], 'expected a mapping of settings (model, server, runner)');
  for (const section of [
    'model',
    'server',
    'runner',
    'environment',
    'database',
    'webhooks',
    'telemetry',
    'bundles',
  ] as const) {
    const value = root[section];
    if (value !== undefined && value !== null && !isRecord(value)) {
      throw source.errorAt([section], `expected "${section}" to be a mapping`);
    }
  }
  // The original Station's keys (ai_model, api_port ...) first: Station's own keys, read next, win.
  const original = readOriginalKeys(root, (key) => source.keyPositionOf([key]));
  for (const setting of original.settings) {
    const field = FIELDS.find((f) => f.path[0] === setting.path[0] && f.path[1] === setting.path[1]);
    if (field !== undefined && fits(field.kind, setting.value)) field.set(config, setting.value as never);
  }
  for (const field of FIELDS) {
    const [section, key] = field.path;
    const sectionValue = root[section];
    if (!isRecord(sectionValue)) continue;
    const value = sectionValue[key];
    if (value === undefined || value === null) continue;
    if (!fits(field.kind, value)) {
      throw source.errorAt(field.path, `expected ${EXPECTED[field.kind]}, got ${JSON.stringify(value)}`);
    }
    field.set(config, value as never);
  }
  const retention = isRecord(root.runner) ? root.runner.retention : undefined;
  if (retention !== undefined && retention !== null) config.runner.retention = readRetention(source, retention);
  if (root.store !== undefined && root.store !== null) config.store = readStore(source, root.store);
  if (root.environments !== undefined && root.environments !== null) {
    config.environments.git = readEnvironmentsGit(source, root.environments);
  }
  const bundles = root.bundles;
  const registries = isRecord(bundles) ? bundles.registries : undefined;
  if (registries !== undefined && registries !== null) {
    if (!Array.isArray(registries)) {
      throw source.errorAt(['bundles', 'registries'], 'expected a list of index URLs or folders');
    }
    registries.forEach((r, i) => {
      if (typeof r !== 'string' || r.trim() === '') {
        throw source.errorAt(
          ['bundles', 'registries', i],
          `expected an index URL or a folder, got ${JSON.stringify(r)}`,
        );
      }
      config.bundles.registries.push(r.trim());
    });
  }
  return {
    config,
    warnings: [...original.notices, ...checkKeys(root, configKeySpec(), (path) => source.keyPositionOf(path))],
  };
}

const RETENTION_EXPECTED =
  'expected a mapping with `days: N` (days finished runs are kept) and/or `runs: N` (runs kept)';

/** `runner.retention: {days: 30, runs: 100000}`: either or both, each a whole number greater than 0. */
function readRetention(source: YamlSource, value: unknown): RetentionPolicy {
  const path = ['runner', 'retention'];
  if (!isRecord(value)) {
    const hint = typeof value === 'string' || typeof value === 'number' ? ' (e.g. retention: {days: 30})' : '';
    throw source.errorAt(path, `${RETENTION_EXPECTED}, got ${JSON.stringify(value)}${hint}`);
  }
  const policy: RetentionPolicy = { days: null, runs: null };
  for (const key of ['days', 'runs'] as const) {
    const limit = value[key];
    if (limit === undefined || limit === null) continue;
    if (!Number.isInteger(limit) || (limit as number) <= 0) {
      const what = key === 'days' ? 'days finished runs are kept' : 'runs kept (the newest)';
      throw source.errorAt(
        [...path, key],
        `expected a whole number greater than 0 (${what}), got ${JSON.stringify(limit)}`,
      );
    }
    policy[key] = limit as number;
  }
  // `retention: {day: 30}` (a typo) must not read as "keep everything".
  if (value.days === undefined && value.runs === undefined) {
    throw source.errorAt(path, `${RETENTION_EXPECTED}, got ${JSON.stringify(value)}`);
  }
  return policy;
}

const STORE_EXPECTED = 'expected `sqlite` or a mapping `postgres: {url: postgres://...}`';

function readStore(source: YamlSource, value: unknown): StoreSetting {
  if (value === 'sqlite') return { kind: 'sqlite' };
  if (value === 'postgres' || value === 'postgresql') {
    throw source.errorAt(['store'], `${STORE_EXPECTED}: PostgreSQL needs its URL (store: {postgres: {url: ...}})`);
  }
  if (!isRecord(value)) throw source.errorAt(['store'], `${STORE_EXPECTED}, got ${JSON.stringify(value)}`);
  const names = Object.keys(value);
  if (names.length === 1 && names[0] === 'sqlite') return { kind: 'sqlite' };
  const postgres = value.postgres;
  if (names.length !== 1 || !isRecord(postgres)) {
    throw source.errorAt(['store'], `${STORE_EXPECTED}, got ${JSON.stringify(value)}`);
  }
  const url = postgres.url;
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\/\S+$/.test(url.trim())) {
    throw source.errorAt(
      ['store', 'postgres', 'url'],
      `expected a postgres:// URL (postgres://USER:PASSWORD@HOST:5432/DATABASE), got ${JSON.stringify(url ?? null)}`,
    );
  }
  return { kind: 'postgres', url: url.trim() };
}

/** `environments: {git: {url, ref, interval}}`: ref defaults to main, interval (30s, 5m, or seconds) to 60 s. */
function readEnvironmentsGit(source: YamlSource, value: unknown): GitSource | null {
  if (!isRecord(value)) throw source.errorAt(['environments'], 'expected a mapping `git: {url, ref, interval}`');
  const git = value.git;
  if (git === undefined || git === null) return null;
  if (!isRecord(git)) throw source.errorAt(['environments', 'git'], 'expected a mapping with url, ref and interval');
  const { url, ref, interval } = git;
  if (typeof url !== 'string' || url.trim() === '') {
    throw source.errorAt(
      ['environments', 'git', 'url'],
      `expected the repository's URL (https://, ssh://, git@host:path or a path), got ${JSON.stringify(url ?? null)}`,
    );
  }
  if (ref !== undefined && ref !== null && (typeof ref !== 'string' || ref.trim() === '' || ref.startsWith('-'))) {
    throw source.errorAt(
      ['environments', 'git', 'ref'],
      `expected a branch, tag or commit, got ${JSON.stringify(ref)}`,
    );
  }
  const seconds = interval === undefined || interval === null ? 60 : intervalSeconds(interval);
  if (seconds === undefined) {
    throw source.errorAt(
      ['environments', 'git', 'interval'],
      `expected a duration such as 30s, 5m or 1h (at least 1s), got ${JSON.stringify(interval)}`,
    );
  }
  return { url: url.trim(), ref: typeof ref === 'string' ? ref.trim() : 'main', intervalMs: seconds * 1000 };
}

function intervalSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = typeof value === 'string' ? /^\s*(\d+)\s*(s|m|h)?\s*$/.exec(value) : null;
  if (match === null) return undefined;
  const n = Number(match[1]) * (match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1);
  return n > 0 ? n : undefined;
}

/** Reads config.yaml, or the defaults when the file does not exist. */
export function loadStationConfig(file: string): StationConfig {
  return readStationConfigFile(file).config;
}

/** loadStationConfig with the warnings of readStationConfig. */
export function readStationConfigFile(file: string): { config: StationConfig; warnings: KeyWarning[] } {
  if (!existsSync(file)) return { config: cloneDefaults(), warnings: [] };
  return readStationConfig(file, readFileSync(file, 'utf8'));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
