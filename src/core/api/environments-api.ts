import type { EnvironmentDetail, EnvironmentSummary } from '../environments/environment-service.js';
import { canSeeEnvironment } from '../security/roles.js';
import type { ApiContext } from './context.js';

/** Environments: every one the caller may see; creating and deleting them is for admins. */
export class EnvironmentsApi {
  constructor(private readonly ctx: ApiContext) {}

  list(): EnvironmentSummary[] {
    this.ctx.authorize('read');
    return this.ctx.engine.environments.list().filter((e) => canSeeEnvironment(this.ctx.principal, e.name));
  }

  show(name: string): EnvironmentDetail {
    this.ctx.authorize('read', name);
    return this.ctx.engine.environments.show(name);
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

  /** The environment a door uses when none is named. */
  defaultName(): string {
    return this.ctx.engine.defaultEnvironment();
  }
}
