import { createBundle, type CreateBundleOptions, type CreatedBundle } from '../bundles/bundle-create.js';
import { installBundle, type InstallOptions, type InstallResult } from '../bundles/bundle-install.js';
import { firstPartyBundles } from '../bundles/bundle-source.js';
import type { ApiContext } from './context.js';

/**
 * Bundles, for admins: an environment packed as a deterministic archive, and a bundle installed from a
 * file, a folder, a URL or a first-party name (trust gate, variables, sync and tools-lock check included).
 * Every door calls these; the questions (approve the servers, the variables) are callbacks the door gives.
 */
export class BundlesApi {
  constructor(private readonly ctx: ApiContext) {}

  /** The archive of an environment (audited as bundle.create). */
  create(environment: string, options: CreateBundleOptions = {}): CreatedBundle {
    this.ctx.authorize('admin', environment);
    const created = createBundle(this.ctx.engine, environment, options);
    this.ctx.audit('bundle.create', environment, { files: created.files.length });
    return created;
  }

  /** Installs a bundle (audited as bundle.install with the source and whether it replaced one). */
  async install(source: string, options: InstallOptions = {}): Promise<InstallResult> {
    this.ctx.authorize('admin', options.environment);
    const result = await installBundle(
      {
        engine: this.ctx.engine,
        sync: async (o) => {
          const report = await this.ctx.engine.mcpServers.sync(o);
          this.ctx.audit('sync', o.environments.join(','), { ok: report.ok });
          return report;
        },
      },
      source,
      options,
    );
    this.ctx.audit('bundle.install', result.environment, {
      source,
      configHash: result.configHash,
      replaced: result.backup !== null,
    });
    return result;
  }

  /** Names of the bundles shipped with Station (installable by name, offline). */
  firstParty(): string[] {
    this.ctx.authorize('read');
    return firstPartyBundles();
  }
}
