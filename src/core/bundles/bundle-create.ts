/**
 * `stn bundle create`: an environment as a deterministic `.tar.gz` — agents, MCP config files, the
 * variables schema and README when present, and a generated manifest.json (variables the configs need,
 * the tools lock from the last sync). Never variables.yml, the secret store or any value.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverMcpConfigs } from '../config/mcp-config.js';
import { VARIABLES_SCHEMA_FILE, loadVariablesSchema } from '../config/mcp-config-variables.js';
import { isSecretVariable } from '../config/template-render.js';
import type { Engine } from '../engine.js';
import { readPackageVersion } from '../server/version.js';
import { McpRepo } from '../store/mcp-repo.js';
import {
  BUNDLE_FORMAT,
  MANIFEST_FILE,
  readBundleInfo,
  stableJson,
  type BundleManifest,
  type BundleVariable,
} from './bundle-manifest.js';
import { tarGz, type TarEntry } from './tar-writer.js';

export interface CreateBundleOptions {
  version?: string;
  description?: string;
  author?: string;
}

export interface CreatedBundle {
  manifest: BundleManifest;
  /** Paths in the archive, in order. */
  files: string[];
  bytes: Buffer;
}

export function createBundle(engine: Engine, environment: string, options: CreateBundleOptions = {}): CreatedBundle {
  const row = engine.environments.require(environment);
  const dir = engine.environments.dir(environment);
  const configs = discoverMcpConfigs(dir);
  const schema = loadVariablesSchema(dir);

  const variables: Record<string, BundleVariable> = {};
  for (const name of [...new Set(configs.flatMap((c) => c.variables))].sort()) {
    const info = schema[name];
    variables[name] = {
      ...(info?.description === undefined ? {} : { description: info.description }),
      ...(info?.default === undefined ? {} : { default: info.default }),
      secret: isSecretVariable(name, schema),
      required: true,
    };
  }

  const repo = new McpRepo(engine.db);
  const tools: Record<string, Record<string, string>> = {};
  for (const s of repo.servers(row.id)) tools[s.name] = {};
  for (const t of repo.tools(row.id)) (tools[t.server_name] ??= {})[t.name] = t.schema_hash;

  const agents: Record<string, string[]> = {};
  for (const a of engine.agents.list(environment)) agents[a.name] = [...a.tools];

  const detail = engine.environments.show(environment);
  // An environment installed from a bundle keeps that bundle's manifest: its fields are the defaults.
  const previous = readBundleInfo(dir);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    name: environment,
    version: options.version ?? previous.version ?? '0.1.0',
    description: options.description ?? (detail.description === '' ? (previous.description ?? '') : detail.description),
    author: options.author ?? previous.author ?? '',
    stationVersion: readPackageVersion(),
    variables,
    tools,
    agents,
  };

  const files = new Map<string, Buffer>();
  files.set(MANIFEST_FILE, Buffer.from(stableJson(manifest)));
  for (const c of configs) files.set(c.file.slice(dir.length + 1), readFileSync(c.file));
  for (const extra of [VARIABLES_SCHEMA_FILE, 'README.md']) {
    if (existsSync(join(dir, extra))) files.set(extra, readFileSync(join(dir, extra)));
  }
  const agentsDir = join(dir, 'agents');
  if (existsSync(agentsDir)) {
    for (const d of readdirSync(agentsDir, { withFileTypes: true })) {
      if (d.isFile() && d.name.endsWith('.prompt'))
        files.set(`agents/${d.name}`, readFileSync(join(agentsDir, d.name)));
    }
  }
  const paths = [...files.keys()].sort();
  const entries: TarEntry[] = [];
  if (paths.some((p) => p.startsWith('agents/'))) entries.push({ path: 'agents/', type: '5' });
  for (const p of paths) entries.push({ path: p, data: files.get(p) ?? Buffer.alloc(0) });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { manifest, files: entries.map((e) => e.path), bytes: tarGz(entries) };
}
