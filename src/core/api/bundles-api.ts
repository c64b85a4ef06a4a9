import { createBundle, type CreateBundleOptions, type CreatedBundle } from '../bundles/bundle-create.js';
import { inspectBundle, publishBundle, type BundleInspection, type PublishOptions } from '../bundles/bundle-inspect.js';
import { installBundle, type InstallOptions, type InstallResult } from '../bundles/bundle-install.js';
import { searchRegistries, type PublishResult, type SearchResult } from '../bundles/bundle-registry.js';
import { firstPartyBundles, type RegistrySources } from '../bundles/bundle-source.js';
import type { ApiContext } from './context.js';

/**
 * Bundles, for admins: an environment packed as a deterministic archive, and a bundle installed from a
 * file, a folder, a URL, a first-party name or a registry (`NAME[@VERSION]`, config.yaml bundles.registries;
 * trust gate, variables, sync and tools-lock check included). Every door calls these; the questions (approve
 * the servers, the variables) are callbacks the door gives, or an approval hash (REST, MCP).
 */
export class BundlesApi {
  constructor(private readonly ctx: ApiContext) {}

  /** The registries of config.yaml (folders relative to the Station home). */
  private registries(): RegistrySources {
    return { list: this.ctx.engine.config.bundles.registries, base: this.ctx.engine.paths.home };
  }

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
      { registries: this.registries(), ...options },
    );
    this.ctx.audit('bundle.install', result.environment, {
      source,
      configHash: result.configHash,
      replaced: result.backup !== null,
      ...(result.registry === null
        ? {}
        : { registry: result.registry.registry, version: result.registry.version, sha256: result.registry.sha256 }),
    });
    return result;
  }

  /** Bundles in the configured registries whose name, description or tags hold `text`. */
  async search(text = ''): Promise<SearchResult> {
    this.ctx.authorize('read');
    const { list, base } = this.registries();
    return searchRegistries(list, base, text);
  }

  /** What SOURCE holds (manifest, servers, agents, variables), read through the install's checks; nothing installed. */
  async inspect(source: string): Promise<BundleInspection> {
    this.ctx.authorize('admin');
    return inspectBundle(source, this.ctx.engine.paths.environments, { registries: this.registries() });
  }

  /** Adds an archive to a static registry folder (audited as bundle.publish). */
  async publish(file: string, to: string, options: PublishOptions = {}): Promise<PublishResult> {
    this.ctx.authorize('admin');
    const result = await publishBundle(file, to, this.ctx.engine.paths.environments, options);
    this.ctx.audit('bundle.publish', `${result.entry.name}@${result.entry.version}`, {
      registry: result.index,
      sha256: result.entry.sha256,
      replaced: result.replaced,
    });
    return result;
  }

  /** Names of the bundles shipped with Station (installable by name, offline). */
  firstParty(): string[] {
    this.ctx.authorize('read');
    return firstPartyBundles();
  }
}
