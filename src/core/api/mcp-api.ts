import type { AddServerInput, ConfigEditResult } from '../config/mcp-config-edit.js';
import type { KeyWarning } from '../config/unknown-keys.js';
import { NotFoundError, isStationError } from '../errors.js';
import type { CheckOptions, CheckReport, McpToolSummary, OfferingOptions } from '../mcp/mcp-service.js';
import type { PromptListing, ResourceListing, ResourceReadReport, ToolCallReport } from '../mcp/offerings.js';
import type { ToolCallOptions } from '../mcp/pool.js';
import { canSeeEnvironment } from '../security/roles.js';
import type { SyncOptions, SyncReport } from '../sync/sync-service.js';
import type { ApiContext } from './context.js';
import type { SyncJob, SyncJobOptions } from './sync-jobs.js';
import type { ServerView } from './views.js';

/** MCP servers and tools of environments, live checks, config edits and syncs. */
export class McpApi {
  constructor(private readonly ctx: ApiContext) {}

  private get service() {
    return this.ctx.engine.mcpServers;
  }

  /** Servers configured in an environment: what the last sync recorded (stderr tail included) and live state. */
  servers(env: string): ServerView[] {
    this.ctx.authorize('read', env);
    const live = new Map((this.ctx.shared.liveServers(env) ?? []).map((s) => [s.name, s]));
    return this.service.list(env).map((s) => {
      const status = live.get(s.name);
      return { ...s, live: status ?? null };
    });
  }

  /** Unknown keys in the environment's MCP config files (likely typos), with file:line and the key meant. */
  configWarnings(env: string): KeyWarning[] {
    this.ctx.authorize('read', env);
    return this.service.configWarnings(env);
  }

  /** Tools recorded by the last sync, by server and by a piece of the name. */
  tools(env: string, filter: { server?: string; name?: string } = {}): McpToolSummary[] {
    this.ctx.authorize('read', env);
    return this.service.tools(env, filter);
  }

  /** Starts every server (or one) now, lists its tools, pings it, and stops it. Records nothing. */
  async check(env: string, options: CheckOptions = {}): Promise<CheckReport> {
    this.ctx.authorize('run', env);
    return this.service.check(env, options);
  }

  /**
   * Calls a tool by hand (`server__tool`, or `__tool` when one server has it) with arguments checked
   * against its input schema. It may change things in the world: it needs the `run` action, and every call
   * sent to a server is audited (`mcp.call`, with its outcome; never the arguments). A tool that answers
   * with an error is a result (`result.isError`), not a throw.
   */
  async callTool(
    env: string,
    tool: string,
    args: unknown,
    options: ToolCallOptions & { vars?: Readonly<Record<string, string>> | undefined } = {},
  ): Promise<ToolCallReport> {
    this.ctx.authorize('run', env);
    const call = await this.service.prepareToolCall(env, tool, args, { vars: options.vars });
    let outcome = 'failed';
    try {
      const report = await call.send({ signal: options.signal, onProgress: options.onProgress });
      outcome = report.result.isError ? 'tool_error' : 'ok';
      return report;
    } catch (error) {
      if (isStationError(error)) outcome = error.code;
      throw error;
    } finally {
      this.ctx.audit('mcp.call', `${env}/${call.qualifiedName}`, { outcome });
    }
  }

  /** Resources and resource templates the environment's servers offer (a server without any: `unsupported`). */
  async resources(env: string, options: OfferingOptions = {}): Promise<ResourceListing> {
    this.ctx.authorize('read', env);
    return this.service.resources(env, options);
  }

  /** Prompts the environment's servers offer (a server without any: `unsupported`). */
  async prompts(env: string, options: OfferingOptions = {}): Promise<PromptListing> {
    this.ctx.authorize('read', env);
    return this.service.prompts(env, options);
  }

  /** Reads a resource. Its contents come from the world as a tool's answer would: it needs the `run` action. */
  async readResource(env: string, uri: string, options: OfferingOptions = {}): Promise<ResourceReadReport> {
    this.ctx.authorize('run', env);
    return this.service.readResource(env, uri, options);
  }

  add(env: string, input: AddServerInput): ConfigEditResult {
    this.ctx.authorize('write', env);
    const result = this.service.add(env, input);
    this.ctx.audit('mcp.add', `${env}/${input.name}`, { transport: input.url === undefined ? 'stdio' : 'http' });
    return result;
  }

  remove(env: string, name: string): ConfigEditResult {
    this.ctx.authorize('write', env);
    const result = this.service.remove(env, name);
    this.ctx.audit('mcp.remove', `${env}/${name}`);
    return result;
  }

  /** Every environment folder the caller may see (what `stn sync --all` syncs). */
  allEnvironments(): string[] {
    this.ctx.authorize('read');
    return this.service.allEnvironments().filter((e) => canSeeEnvironment(this.ctx.principal, e));
  }

  /** Syncs environments and waits for the report. A dry run changes nothing and is not audited. */
  async sync(options: SyncOptions): Promise<SyncReport> {
    for (const env of options.environments) this.ctx.authorize(options.dryRun === true ? 'read' : 'write', env);
    const report = await this.service.sync(options);
    if (options.dryRun !== true) {
      for (const env of report.environments) this.ctx.audit('sync', env.environment, { ok: env.ok });
    }
    return report;
  }

  /**
   * Starts a sync of one environment in the background (one at a time per environment: a second call
   * returns the one running). Its progress and report are read with syncJob(). A sync that lacks variables
   * fails with their list (`error.missing`); started again with `variables` answering them all, it saves
   * them the way `stn sync` saves answers typed on a terminal.
   */
  startSync(
    env: string,
    onFinish?: (job: SyncJob) => void,
    options: SyncJobOptions = {},
  ): { job: SyncJob; started: boolean } {
    this.ctx.authorize('write', env);
    this.ctx.engine.environments.require(env);
    const started = this.ctx.shared.syncJobs.start(env, (o) => this.service.sync(o), onFinish, options);
    if (started.started) this.ctx.audit('sync', env, { syncId: started.job.id });
    return started;
  }

  /** A background sync of this process: progress, then its report. */
  syncJob(id: string): SyncJob {
    const job = this.ctx.shared.syncJobs.get(id);
    if (job === undefined) {
      throw new NotFoundError(`no sync "${id.slice(0, 40)}"`, {
        hints: ['Syncs are kept in memory by the server that ran them, the last 100 only.'],
      });
    }
    this.ctx.authorize('read', job.environment);
    return job;
  }
}
