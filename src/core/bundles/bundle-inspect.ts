/**
 * `stn bundle inspect` and `stn bundle publish`: a bundle read through the same safe staging as install
 * (so a hostile archive is refused the same way), described, and the staging folder removed. Nothing is
 * installed; publish then copies the archive into a registry folder.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readMcpServerTemplates } from '../config/mcp-config.js';
import { loadVariablesSchema } from '../config/mcp-config-variables.js';
import { UsageError } from '../errors.js';
import { parseAgentFile } from '../prompt/parse.js';
import { bundleNeeds, defaultName, localizeNpx } from './bundle-install.js';
import { readBundleInfo, type BundleShape } from './bundle-manifest.js';
import { publishToFolder, type PublishResult, type RegistryHit } from './bundle-registry.js';
import { stageSource, type RegistrySources, type SourceKind } from './bundle-source.js';
import type { ExtractLimits } from './safe-extract.js';
import { reviewServers, serversHash, type ServerReview } from './server-review.js';

export interface InspectedAgent {
  name: string;
  file: string;
  description: string;
  tools: string[];
}

export interface InspectedVariable {
  name: string;
  description: string | null;
  default: string | null;
  secret: boolean;
  /** `file:line` of each use in the MCP configs. */
  uses: string[];
}

/** What a bundle holds, read without installing it. */
export interface BundleInspection {
  source: string;
  kind: SourceKind;
  shape: BundleShape;
  name: string | null;
  version: string | null;
  description: string | null;
  /** The environment it installs as when none is named (the manifest's name, else the source's file name). */
  environment: string;
  author: string | null;
  stationVersion: string | null;
  /** The registry entry (SOURCE was NAME[@VERSION]), else null. */
  registry: RegistryHit | null;
  servers: ServerReview[];
  /** The hash an approval of these servers carries (REST/MCP `approve`). */
  configHash: string;
  agents: InspectedAgent[];
  variables: InspectedVariable[];
  files: string[];
  skipped: { path: string; reason: string }[];
}

export interface InspectOptions {
  registries?: RegistrySources;
  limits?: ExtractLimits;
  firstPartyDir?: string;
}

/** Stages SOURCE in a folder under `workDir`, calls `read` on it, and removes it whatever happens. */
async function withStaged<T>(
  source: string,
  workDir: string,
  options: InspectOptions,
  read: (dir: string, staged: Awaited<ReturnType<typeof stageSource>>) => T,
): Promise<T> {
  const staged = await stageSource(source, workDir, {
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.firstPartyDir === undefined ? {} : { firstPartyDir: options.firstPartyDir }),
    ...(options.registries === undefined ? {} : { registries: options.registries }),
  });
  try {
    return read(staged.dir, staged);
  } finally {
    rmSync(staged.dir, { recursive: true, force: true });
  }
}

export async function inspectBundle(
  source: string,
  workDir: string,
  options: InspectOptions = {},
): Promise<BundleInspection> {
  return withStaged(source, workDir, options, (dir, staged) => {
    // As install does, so that configHash is the one install asks to approve.
    if (staged.kind === 'first-party') localizeNpx(dir);
    const info = readBundleInfo(dir);
    const templates = readMcpServerTemplates(dir);
    const schema = loadVariablesSchema(dir);
    const agents: InspectedAgent[] = [];
    const agentsDir = join(dir, 'agents');
    if (existsSync(agentsDir)) {
      for (const f of readdirSync(agentsDir).sort()) {
        if (!f.endsWith('.prompt')) continue;
        const a = parseAgentFile(join(agentsDir, f), readFileSync(join(agentsDir, f), 'utf8'));
        agents.push({ name: a.name, file: `agents/${f}`, description: a.description, tools: [...a.tools] });
      }
    }
    const variables = bundleNeeds(dir, info).map((m): InspectedVariable => ({
      name: m.name,
      description: m.description ?? null,
      default: schema[m.name]?.default ?? info.variables[m.name]?.default ?? null,
      secret: m.secret,
      uses: m.uses.map((u) => `${u.file}:${String(u.line)}`),
    }));
    return {
      source,
      kind: staged.kind,
      shape: info.shape,
      name: info.name ?? null,
      version: info.version ?? null,
      description: info.description ?? null,
      environment: defaultName(source, info),
      author: info.author ?? null,
      stationVersion: info.stationVersion ?? null,
      registry: staged.registry ?? null,
      servers: reviewServers(dir, templates),
      configHash: serversHash(dir, templates),
      agents,
      variables: variables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      files: staged.files,
      skipped: staged.skipped,
    };
  });
}

export interface PublishOptions {
  /** Overrides of the manifest's fields (required when the archive has no manifest). */
  name?: string;
  version?: string;
  description?: string;
  tags?: readonly string[];
  limits?: ExtractLimits;
  now?: Date;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/i;

/** Checks FILE as install would (safe layout), then adds it to the registry folder `to`. */
export async function publishBundle(
  file: string,
  to: string,
  workDir: string,
  options: PublishOptions = {},
): Promise<PublishResult> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UsageError(`${file} is not a file: publish takes a .tar.gz (make one with stn bundle create)`);
  }
  const info = await withStaged(file, workDir, options.limits === undefined ? {} : { limits: options.limits }, (dir) =>
    readBundleInfo(dir),
  );
  const name = options.name ?? info.name;
  const version = options.version ?? info.version;
  if (name === undefined || !NAME.test(name)) {
    throw new UsageError(`the bundle has no usable name${name === undefined ? '' : ` ("${name}")`}: give --name`, {
      hints: ['Names are letters, digits, ".", "_" and "-".'],
    });
  }
  if (version === undefined || !/^[A-Za-z0-9][A-Za-z0-9.+-]*$/.test(version)) {
    throw new UsageError(`the bundle has no usable version: give --bundle-version (e.g. 1.0.0)`);
  }
  return publishToFolder(
    to,
    readFileSync(file),
    {
      name,
      version,
      description: options.description ?? info.description ?? '',
      author: info.author ?? '',
      tags: [...(options.tags ?? [])],
      stationVersion: info.stationVersion ?? null,
    },
    options.now,
  );
}
