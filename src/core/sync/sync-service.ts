/**
 * `stn sync`: render an environment's MCP configs, start its servers, discover their tools, record
 * servers and tools (dropping what is no longer configured), index the agents and check that every tool
 * they name exists. Nothing is written with `dryRun`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { StationPaths } from '../config/home.js';
import {
  loadMcpConfig,
  mcpConfigWarnings,
  readMcpServerTemplates,
  serverConfigHash,
  type LoadedMcpConfig,
  type McpServerConfig,
} from '../config/mcp-config.js';
import { isSecretVariable, MissingVariablesError, type MissingVariable } from '../config/template-render.js';
import { saveVariableAnswers } from '../config/variable-answers.js';
import type { SecretStore } from '../security/secret-service.js';
import type { EnvironmentService } from '../environments/environment-service.js';
import { validateEnvironmentName } from '../environments/names.js';
import { ConflictError, McpError, NotFoundError, StationError, ValidationError } from '../errors.js';
import { reviewServers, serversHash, type ServerReview } from '../bundles/server-review.js';
import { TrustStore } from '../bundles/trust-store.js';
import type { ProcessGuard } from '../mcp/process-guard.js';
import type { PoolEvent, ServerStatus } from '../mcp/server-connection.js';
import { startMcpPool } from '../mcp/start-pool.js';
import { resolveToolReference, type KnownTool } from '../mcp/tool-names.js';
import type { StoreDb } from '../store/store-db.js';
import { EnvironmentRepo } from '../store/environment-repo.js';
import { McpRepo, type ToolRecord } from '../store/mcp-repo.js';
import {
  computePlan,
  emptyPlan,
  toolSchemaHash,
  type CurrentServer,
  type RecordedServer,
  type SyncPlan,
} from './sync-plan.js';

/** The agents service as sync uses it (implemented by the agents issue: engine.agents). */
export interface AgentCatalog {
  /** Reads the environment's agent files into the database. */
  index(environment: string): AgentIndexResult | Promise<AgentIndexResult>;
  /** The indexed agents with the tool references their files name. */
  list(environment: string): readonly { name: string; tools: readonly string[] }[];
}

/** What indexing an environment's agents did (the agents service's IndexResult). */
export interface AgentIndexResult {
  added: string[];
  updated: string[];
  removed: string[];
  errors: { file: string; message: string }[];
}

export interface SyncServerReport {
  name: string;
  file: string;
  transport: 'stdio' | 'http' | 'sse';
  status: 'ready' | 'failed' | 'disabled';
  tools: number;
  ms: number;
  change: 'added' | 'changed' | 'unchanged';
  error?: string;
  stderrTail?: string;
}

export interface AgentToolCheck {
  agent: string;
  tool: string;
  /** ok: resolves to one tool; missing / ambiguous: an error; unavailable: its server failed to start this time. */
  status: 'ok' | 'missing' | 'ambiguous' | 'unavailable';
  resolved?: string;
  choices?: string[];
}

export interface SyncEnvironmentReport {
  environment: string;
  dryRun: boolean;
  servers: SyncServerReport[];
  plan: SyncPlan;
  agents: {
    /** The agents index result; null when indexing did not run (dry run, or no agents service). */
    indexed: AgentIndexResult | null;
    checks: AgentToolCheck[];
  };
  /** Names of variables asked for and saved to variables.yml. */
  variablesSaved: string[];
  /** Names of secret-looking variables asked for and saved to the secret store (scoped to the environment). */
  secretsStored: string[];
  problems: string[];
  warnings: string[];
  ok: boolean;
  durationMs: number;
}

export interface SyncReport {
  dryRun: boolean;
  ok: boolean;
  environments: SyncEnvironmentReport[];
}

export type SyncEvent =
  | { type: 'environment-start'; environment: string; servers: number }
  | ({ environment: string } & PoolEvent)
  | { type: 'environment-done'; environment: string; ok: boolean };

export interface SyncOptions {
  /** Environments to sync (names). */
  environments: readonly string[];
  dryRun?: boolean;
  /** Agents naming tools that do not exist are warnings instead of errors. */
  allowMissing?: boolean;
  /** `--var NAME=VALUE`. */
  overrides?: Readonly<Record<string, string>>;
  /**
   * `--save`: the `overrides` are saved as answers to the sync's questions are (saveVariableAnswers: secrets to
   * the secret store, the rest to variables.yml), once they render every config; not in a dry run.
   */
  saveOverrides?: boolean;
  /**
   * Asks the user for variables that have no value (only given on a terminal). Returns the answers, which
   * are saved (not in a dry run: see saveVariableAnswers): secrets to the secret store, the rest to
   * variables.yml; undefined means the user gave up.
   */
  askVariables?: (
    environment: string,
    missing: readonly MissingVariable[],
  ) => Promise<Record<string, string> | undefined>;
  onEvent?: (event: SyncEvent) => void;
  /**
   * Servers of an environment installed from a bundle that changed since they were approved are approved
   * again without asking (`--yes`).
   */
  approved?: boolean;
  /** Asks the user to approve changed servers (only on a terminal); without it or `approved` the sync refuses. */
  approveServers?: (environment: string, servers: readonly ServerReview[]) => Promise<boolean>;
}

export interface SyncDeps {
  paths: StationPaths;
  db: StoreDb;
  environments: EnvironmentService;
  env: NodeJS.ProcessEnv;
  /** The agents service; absent until the agents issue provides it. */
  agents?: AgentCatalog | undefined;
  clientInfo?: { name: string; version: string };
  /** Shared process hooks (see McpPoolOptions.guard). */
  guard?: ProcessGuard;
  /** Largest answer of a stdio server that sets no `max_result_bytes` (runner.max_mcp_result_bytes). */
  maxResultBytes?: number;
  /** The secret store: values for templates, and where secret answers go. */
  secretStore?: SecretStore;
}

const STDERR_KEEP = 2000;

export class SyncService {
  private readonly repo: McpRepo;
  private readonly envRepo: EnvironmentRepo;

  constructor(private readonly deps: SyncDeps) {
    this.repo = new McpRepo(deps.db);
    this.envRepo = new EnvironmentRepo(deps.db);
  }

  /** Names of every environment folder (read from disk only, so a dry run writes nothing). */
  allEnvironments(): string[] {
    const dir = this.deps.paths.environments;
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && isEnvironmentName(d.name))
      .map((d) => d.name)
      .sort();
  }

  async sync(options: SyncOptions): Promise<SyncReport> {
    const reports: SyncEnvironmentReport[] = [];
    for (const name of options.environments) reports.push(await this.syncOne(name, options));
    return { dryRun: options.dryRun === true, ok: reports.every((r) => r.ok), environments: reports };
  }

  private async syncOne(name: string, options: SyncOptions): Promise<SyncEnvironmentReport> {
    const t0 = performance.now();
    const dryRun = options.dryRun === true;
    validateEnvironmentName(name);
    // A dry run must not even add the environment's row: check the folder instead.
    const envRow = dryRun ? this.envRepo.byName(name) : this.deps.environments.require(name);
    if (dryRun && !this.deps.environments.exists(name)) {
      throw new NotFoundError(`environment "${name}" does not exist`, { hints: ['List them with: stn env list'] });
    }
    const dir = this.deps.environments.dir(name);
    await this.checkTrust(name, dir, options, dryRun);
    const { config, saved, stored, notSaved = [] } = await this.loadConfig(name, dir, options, dryRun);
    const report: SyncEnvironmentReport = {
      environment: name,
      dryRun,
      servers: [],
      plan: emptyPlan(),
      agents: { indexed: null, checks: [] },
      variablesSaved: saved,
      secretsStored: stored,
      problems: [],
      // Typos in template.json first: a server that then fails to start is likely explained by one.
      warnings: [
        ...mcpConfigWarnings(dir).map((w) => w.message),
        ...notSaved.map((n) => `--save: ${n} is used by no MCP config of "${name}"; not saved there`),
      ],
      ok: true,
      durationMs: 0,
    };
    const enabled = config.servers.filter((s) => !s.disabled);
    options.onEvent?.({ type: 'environment-start', environment: name, servers: enabled.length });

    const pool = await startMcpPool(enabled, {
      secrets: config.secrets,
      guard: this.deps.guard,
      clientInfo: this.deps.clientInfo,
      maxResultBytes: this.deps.maxResultBytes,
      onEvent: (event) => options.onEvent?.({ environment: name, ...event }),
    });
    try {
      const statuses = new Map(pool.status().map((s) => [s.name, s]));
      const discovered = pool.tools();
      const recorded = envRow === undefined ? [] : this.recorded(envRow.id);
      const current: CurrentServer[] = config.servers.map((s) => {
        const status = statuses.get(s.name);
        const state = s.disabled ? 'disabled' : status?.state === 'ready' ? 'ready' : 'failed';
        const tools = new Map(
          discovered
            .filter((t) => t.server === s.name)
            .map((t) => [t.name, toolSchemaHash(t.description, t.inputSchema)]),
        );
        return { name: s.name, configHash: serverConfigHash(s), status: state, tools };
      });
      report.plan = computePlan(recorded, current);
      report.servers = config.servers.map((s) => serverReport(s, statuses.get(s.name), report.plan));
      for (const s of report.servers) {
        if (s.status === 'failed') report.problems.push(`MCP server "${s.name}" failed: ${s.error ?? 'unknown error'}`);
      }

      if (!dryRun && envRow !== undefined) {
        this.record(envRow.id, config, current, statuses, discovered);
      }

      // Agents: index them (the agents service), then check each tool they name.
      const agents = this.deps.agents;
      if (agents === undefined) {
        report.warnings.push('agents were not indexed or checked: this build has no agents service yet');
      } else {
        if (!dryRun) report.agents.indexed = await agents.index(name);
        // A dry run must not index (that writes): read the agent files as they are instead.
        const list = dryRun ? await readAgentFiles(join(dir, 'agents'), report.warnings) : agents.list(name);
        const known: KnownTool[] = discovered.map((t) => ({ server: t.server, name: t.name }));
        const failedServers = new Set(current.filter((c) => c.status === 'failed').map((c) => c.name));
        const keptTools: KnownTool[] = recorded
          .filter((r) => failedServers.has(r.name))
          .flatMap((r) => [...r.tools.keys()].map((tool) => ({ server: r.name, name: tool })));
        for (const agent of list) {
          for (const tool of agent.tools) {
            const check = checkTool(agent.name, tool, known, keptTools);
            report.agents.checks.push(check);
            if (check.status === 'missing' || check.status === 'ambiguous') {
              const text =
                check.status === 'missing'
                  ? `agent "${agent.name}" uses tool "${tool}", which no server of "${name}" provides`
                  : `agent "${agent.name}" uses tool "${tool}", which is ambiguous (several servers provide it): name one of ${(check.choices ?? []).join(', ')}`;
              (options.allowMissing === true ? report.warnings : report.problems).push(text);
            }
          }
        }
        if (!dryRun && envRow !== undefined) this.linkAgentTools(envRow.id);
      }
    } finally {
      await pool.close();
    }
    report.ok = report.problems.length === 0;
    report.durationMs = Math.round(performance.now() - t0);
    options.onEvent?.({ type: 'environment-done', environment: name, ok: report.ok });
    return report;
  }

  /**
   * An environment installed from a bundle runs only the servers a user approved: when what its configs
   * would start no longer hashes to the approved hash, ask again (or take `approved`), else refuse.
   */
  private async checkTrust(name: string, dir: string, options: SyncOptions, dryRun: boolean): Promise<void> {
    const trust = new TrustStore(this.deps.paths.trust);
    const record = trust.get(name);
    if (record === undefined) return;
    const templates = readMcpServerTemplates(dir);
    const hash = serversHash(dir, templates);
    if (hash === record.hash) return;
    const servers = reviewServers(dir, templates);
    const approved =
      options.approved === true ||
      (options.approveServers !== undefined && (await options.approveServers(name, servers)));
    if (approved) {
      if (!dryRun) trust.record(name, hash, record.source);
      return;
    }
    throw new ConflictError(
      `the MCP servers of "${name}" changed since they were approved (installed from ${record.source}); nothing was started`,
      {
        details: { servers },
        hints: [
          'Review them with: stn mcp list --env ' + name,
          `Approve them with: stn sync ${name} --yes (or run stn sync on a terminal to be asked).`,
        ],
      },
    );
  }

  /**
   * Renders the configs; on a terminal, asks for missing variables once and saves the answers; with
   * `saveOverrides`, saves the --var values too.
   */
  private async loadConfig(
    name: string,
    dir: string,
    options: SyncOptions,
    dryRun: boolean,
  ): Promise<{ config: LoadedMcpConfig; saved: string[]; stored: string[]; notSaved?: string[] }> {
    const overrides = options.overrides ?? {};
    const secrets = this.deps.secretStore?.valuesFor(name) ?? {};
    const loaded = await this.renderConfig(name, dir, options, dryRun, overrides, secrets);
    if (options.saveOverrides !== true || dryRun || Object.keys(overrides).length === 0) return loaded;
    // --save: the --var values this environment's configs use, each a secret or not by the rule the questions
    // use (isSecretVariable). One they do not use is not saved here (with --all, another environment may).
    const used = new Set(loaded.config.files.flatMap((f) => f.variables));
    const unused = Object.keys(overrides).filter((n) => !used.has(n));
    const given = Object.keys(overrides)
      .filter((n) => used.has(n))
      .map((n) => ({
        name: n,
        uses: [],
        secret: isSecretVariable(n, loaded.config.schema),
      }));
    const result = saveVariableAnswers(dir, given, overrides, { environment: name, store: this.deps.secretStore });
    return {
      config: loaded.config,
      saved: [...new Set([...loaded.saved, ...result.saved])],
      stored: [...new Set([...loaded.stored, ...result.stored])],
      notSaved: unused,
    };
  }

  private async renderConfig(
    name: string,
    dir: string,
    options: SyncOptions,
    dryRun: boolean,
    overrides: Readonly<Record<string, string>>,
    secrets: Readonly<Record<string, string>>,
  ): Promise<{ config: LoadedMcpConfig; saved: string[]; stored: string[] }> {
    try {
      return { config: loadMcpConfig(dir, { env: this.deps.env, overrides, stored: secrets }), saved: [], stored: [] };
    } catch (error) {
      if (!(error instanceof MissingVariablesError) || options.askVariables === undefined) throw error;
      const answers = await options.askVariables(name, error.missing);
      if (answers === undefined) throw error;
      const config = loadMcpConfig(dir, {
        env: this.deps.env,
        overrides: { ...answers, ...overrides },
        stored: secrets,
      });
      // Saved only once the answers render every config: a sync that still lacks a value saves nothing.
      const result = dryRun
        ? { saved: [], stored: [] }
        : saveVariableAnswers(dir, error.missing, answers, { environment: name, store: this.deps.secretStore });
      return { config, ...result };
    }
  }

  private recorded(environmentId: number): RecordedServer[] {
    const tools = this.repo.tools(environmentId);
    return this.repo.servers(environmentId).map((s) => ({
      name: s.name,
      configHash: s.config_hash,
      tools: new Map(tools.filter((t) => t.server_id === s.id).map((t) => [t.name, t.schema_hash])),
    }));
  }

  /** One transaction: servers upserted, tools made exact for servers that answered, gone servers deleted. */
  private record(
    environmentId: number,
    config: LoadedMcpConfig,
    current: readonly CurrentServer[],
    statuses: ReadonlyMap<string, ServerStatus>,
    discovered: readonly { server: string; name: string; description: string; inputSchema: Record<string, unknown> }[],
  ): void {
    const now = Date.now();
    const names = new Set(config.servers.map((s) => s.name));
    const write = this.deps.db.transaction(() => {
      for (const old of this.repo.servers(environmentId)) {
        if (!names.has(old.name)) this.repo.deleteServer(environmentId, old.name);
      }
      for (const s of config.servers) {
        const cur = current.find((c) => c.name === s.name);
        const status = statuses.get(s.name);
        const template = config.templates.get(s.name) ?? s;
        const id = this.repo.upsertServer(
          environmentId,
          {
            name: s.name,
            configFile: basename(s.file),
            transport: status?.transport ?? s.transport,
            command: template.transport === 'stdio' ? template.command : null,
            args: template.transport === 'stdio' ? template.args : [],
            url: template.transport === 'stdio' ? null : template.url,
            configHash: cur?.configHash ?? serverConfigHash(s),
            status: cur?.status ?? 'failed',
            lastError: status?.error ?? null,
            stderrTail: status === undefined || status.stderrTail === '' ? null : status.stderrTail.slice(-STDERR_KEEP),
          },
          now,
        );
        if (cur?.status === 'failed') continue; // keep the tools recorded last time
        const tools: ToolRecord[] = discovered
          .filter((t) => t.server === s.name)
          .map((t) => ({
            name: t.name,
            description: t.description,
            inputSchemaJson: JSON.stringify(t.inputSchema),
            schemaHash: toolSchemaHash(t.description, t.inputSchema),
          }));
        this.repo.setTools(id, tools, now);
      }
    });
    write.immediate();
  }

  /** Points each agent tool reference at the tool it resolves to (NULL when it resolves to none). */
  private linkAgentTools(environmentId: number): void {
    const tools = this.repo.tools(environmentId);
    const known = tools.map((t) => ({ server: t.server_name, name: t.name }));
    const link = this.deps.db.transaction(() => {
      for (const ref of this.repo.agentToolRefs(environmentId)) {
        const r = resolveToolReference(ref.toolName, known);
        const id = r.ok ? (tools.find((t) => t.server_name === r.server && t.name === r.tool)?.id ?? null) : null;
        if (id !== ref.mcpToolId) this.repo.linkAgentTool(ref.agentId, ref.toolName, id);
      }
    });
    link.immediate();
  }
}

/** The error a failed sync ends with (after its report is printed), or undefined when it succeeded. */
export function syncFailure(report: SyncReport): StationError | undefined {
  if (report.ok) return undefined;
  const problems = report.environments.flatMap((e) =>
    e.problems.map((p) => (report.environments.length > 1 ? `${e.environment}: ${p}` : p)),
  );
  const serverFailed = report.environments.some((e) => e.servers.some((s) => s.status === 'failed'));
  const message = `sync ${report.dryRun ? '(dry run) ' : ''}found ${String(problems.length)} problem${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}`;
  const details = { report };
  if (serverFailed) {
    return new McpError(message, {
      code: 'sync_failed',
      details,
      hints: [
        'See why with: stn mcp check',
        'Servers that answered were recorded; a failed server keeps the tools of its last good sync.',
      ],
    });
  }
  return new ValidationError(message, [], {
    details,
    hints: [
      'Fix the tool names in the agent files (see `stn mcp tools`), or pass --allow-missing to make these warnings.',
    ],
  });
}

function serverReport(s: McpServerConfig, status: ServerStatus | undefined, plan: SyncPlan): SyncServerReport {
  const change = plan.serversAdded.includes(s.name)
    ? 'added'
    : plan.serversChanged.includes(s.name)
      ? 'changed'
      : 'unchanged';
  const base = { name: s.name, file: basename(s.file), transport: status?.transport ?? s.transport, change } as const;
  if (s.disabled) return { ...base, status: 'disabled', tools: 0, ms: 0 };
  if (status === undefined || status.state !== 'ready') {
    return {
      ...base,
      status: 'failed',
      tools: 0,
      ms: status?.startMs ?? 0,
      error: status?.error ?? 'not started',
      ...(status === undefined || status.stderrTail === '' ? {} : { stderrTail: status.stderrTail }),
    };
  }
  return { ...base, status: 'ready', tools: status.toolCount, ms: status.startMs };
}

function checkTool(
  agent: string,
  tool: string,
  live: readonly KnownTool[],
  kept: readonly KnownTool[],
): AgentToolCheck {
  const r = resolveToolReference(tool, [...live, ...kept]);
  if (r.ok) {
    const unavailable = !live.some((t) => t.server === r.server && t.name === r.tool);
    return { agent, tool, status: unavailable ? 'unavailable' : 'ok', resolved: r.qualified };
  }
  return { agent, tool, status: r.reason, ...(r.choices.length > 0 ? { choices: r.choices } : {}) };
}

function isEnvironmentName(name: string): boolean {
  try {
    validateEnvironmentName(name);
    return true;
  } catch (error) {
    if (error instanceof ValidationError) return false;
    throw error;
  }
}

/** Agent names and tool references read straight from the files (no index write); unreadable files become warnings. */
async function readAgentFiles(dir: string, warnings: string[]): Promise<{ name: string; tools: readonly string[] }[]> {
  const [{ listPromptFiles }, { parseAgentFile }] = await Promise.all([
    import('../agents/agent-files.js'),
    import('../prompt/parse.js'),
  ]);
  const out: { name: string; tools: readonly string[] }[] = [];
  for (const f of listPromptFiles(dir)) {
    const path = join(dir, f.fileName);
    try {
      const agent = parseAgentFile(path, readFileSync(path, 'utf8'));
      out.push({ name: agent.name, tools: agent.tools });
    } catch (error) {
      if (!(error instanceof StationError)) throw error;
      warnings.push(`agent file not readable: ${error.message}`);
    }
  }
  return out;
}
