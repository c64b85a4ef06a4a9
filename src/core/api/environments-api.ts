import type { EnvironmentDetail, EnvironmentSummary } from '../environments/environment-service.js';
import { variableStatus } from '../config/variable-status.js';
import { canSeeEnvironment } from '../security/roles.js';
import { ConfigError } from '../errors.js';
import { pullEnvironments, type PullOutcome } from '../environments/git-source.js';
import { redactUrl } from '../security/redact-url.js';
import type { ApiContext } from './context.js';

/** Environments: every one the caller may see; creating and deleting them is for admins. */
export class EnvironmentsApi {
  constructor(private readonly ctx: ApiContext) {}

  list(): EnvironmentSummary[] {
    this.ctx.authorize('read');
    return this.ctx.engine.environments.list().filter((e) => canSeeEnvironment(this.ctx.principal, e.name));
  }

  /**
   * One environment, with the variables its MCP configs use and where each value comes from (`overrides`:
   * what `--var` would give), never a value.
   */
  show(name: string, overrides: Readonly<Record<string, string>> = {}): EnvironmentDetail {
    this.ctx.authorize('read', name);
    const engine = this.ctx.engine;
    const detail = engine.environments.show(name);
    const stored = new Map<string, 'environment' | 'global'>();
    for (const s of engine.secrets.list({ environment: detail.name })) {
      if (s.scope === 'environment' || !stored.has(s.name)) stored.set(s.name, s.scope);
    }
    const variables = variableStatus(engine.environments.dir(detail.name), { env: engine.env, overrides, stored });
    return { ...detail, variables };
  }

  /** Whether it exists (a NotFoundError with the known names otherwise). */
  require(name: string): void {
    this.ctx.authorize('read', name);
    this.ctx.engine.environments.require(name);
  }

  create(name: string, options: { description?: string; template?: string } = {}): EnvironmentSummary {
    this.ctx.authorize('admin');
    const created = this.ctx.engine.environments.create(name, options);
    this.ctx.audit('environment.create', created.name);
    return created;
  }

  delete(name: string): void {
    this.ctx.authorize('admin', name);
    this.ctx.engine.environments.delete(name);
    this.ctx.audit('environment.delete', name);
  }

  /**
   * Pulls the environments folder from its Git repository (config `environments.git`, admins): fetches the ref,
   * takes the commit when every agent file and MCP config of it reads, keeps the folder as it is otherwise
   * (`rejected`, with the problems). Edits reach the next runs; MCP servers restart when their config changed.
   */
  async pullFromGit(): Promise<PullOutcome & { url: string; ref: string }> {
    this.ctx.authorize('admin');
    const engine = this.ctx.engine;
    const git = engine.config.environments.git;
    if (git === null) {
      throw new ConfigError('this home takes its environments from its own folder: environments.git is not set', {
        hints: [`Set it in ${engine.paths.config}:  environments: {git: {url: https://..., ref: main, interval: 60s}}`],
      });
    }
    const outcome = await pullEnvironments(engine.paths.environments, git);
    if (outcome.status !== 'unchanged') {
      this.ctx.audit('environment.pull', outcome.commit, { status: outcome.status, previous: outcome.previous });
    }
    return { ...outcome, url: redactUrl(git.url), ref: git.ref };
  }

  /** The environment a door uses when none is named. */
  defaultName(): string {
    return this.ctx.engine.defaultEnvironment();
  }
}
