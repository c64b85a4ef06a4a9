/**
 * `manifest.json` of a bundle: the one Station writes (`format: "station-bundle/1"`), and what is read
 * from the shapes users already have (the original's environment tarball without a manifest, the older
 * template bundle with `required_variables` and `variables.schema.json`, the newer layout with
 * `{bundle: {...}, required_variables: [...]}`), all normalized to BundleInfo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord } from '../config/station-config.js';
import { FileFormatError, ExitCode } from '../errors.js';

export const BUNDLE_FORMAT = 'station-bundle/1';
export const MANIFEST_FILE = 'manifest.json';

export interface BundleVariable {
  description?: string;
  default?: string;
  secret: boolean;
  required: boolean;
}

/** Station's manifest.json (keys in this order; written with sorted map keys, so it is deterministic). */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  name: string;
  version: string;
  description: string;
  author: string;
  stationVersion: string;
  /** Variables the MCP configs need (`{{ .NAME }}`), never a value other than a schema default. */
  variables: Record<string, BundleVariable>;
  /** Tools lock: per server, tool name -> hash of its description and input schema at the last sync. */
  tools: Record<string, Record<string, string>>;
  /** Per agent, the tool references its file names. */
  agents: Record<string, string[]>;
}

export type BundleShape = 'station' | 'template' | 'environment';

/** What any bundle says about itself, normalized. */
export interface BundleInfo {
  shape: BundleShape;
  name?: string;
  version?: string;
  description?: string;
  author?: string;
  /** The Station version it was made with (`stationVersion`, the original's `station_version`). */
  stationVersion?: string;
  variables: Record<string, BundleVariable>;
  tools?: Record<string, Record<string, string>>;
  agents?: Record<string, string[]>;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function variableOf(raw: unknown): BundleVariable {
  const v = isRecord(raw) ? raw : {};
  const def = v.default;
  const description = str(v.description);
  return {
    ...(description === undefined ? {} : { description }),
    ...(typeof def === 'string' || typeof def === 'number' || typeof def === 'boolean' ? { default: String(def) } : {}),
    secret: v.secret === true,
    required: v.required !== false,
  };
}

function stringMap(value: unknown): Record<string, Record<string, string>> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, Record<string, string>> = {};
  for (const [server, tools] of Object.entries(value)) {
    if (!isRecord(tools)) continue;
    out[server] = Object.fromEntries(
      Object.entries(tools).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  }
  return out;
}

/** Reads manifest.json of an unpacked bundle folder (none: the original's plain environment tarball). */
export function readBundleInfo(dir: string): BundleInfo {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return { shape: 'environment', variables: {} };
  const text = readFileSync(file, 'utf8');
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError({ file: MANIFEST_FILE }, `invalid JSON: ${(error as Error).message}`, {
      exitCode: ExitCode.INVALID,
    });
  }
  if (!isRecord(root)) {
    throw new FileFormatError({ file: MANIFEST_FILE }, 'expected a JSON object', { exitCode: ExitCode.INVALID });
  }
  // The newer layout nests the bundle's fields under `bundle`.
  const meta = isRecord(root.bundle) ? root.bundle : root;
  const variables: Record<string, BundleVariable> = {};
  const declared = root.format === BUNDLE_FORMAT ? root.variables : root.required_variables;
  if (isRecord(declared)) {
    for (const [name, raw] of Object.entries(declared)) variables[name] = variableOf(raw);
  } else if (Array.isArray(declared)) {
    for (const raw of declared) {
      if (typeof raw === 'string') variables[raw] = { secret: false, required: true };
      else if (isRecord(raw) && typeof raw.name === 'string') variables[raw.name] = variableOf(raw);
    }
  }
  const agents = isRecord(root.agents)
    ? Object.fromEntries(
        Object.entries(root.agents).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [],
        ]),
      )
    : undefined;
  const tools = root.format === BUNDLE_FORMAT ? stringMap(root.tools) : undefined;
  const info: BundleInfo = { shape: root.format === BUNDLE_FORMAT ? 'station' : 'template', variables };
  const name = str(meta.name);
  const version = str(meta.version);
  const description = str(meta.description);
  const author = str(meta.author);
  if (name !== undefined) info.name = name;
  if (version !== undefined) info.version = version;
  if (description !== undefined) info.description = description;
  if (author !== undefined) info.author = author;
  const stationVersion = str(meta.stationVersion) ?? str(meta.station_version);
  if (stationVersion !== undefined) info.stationVersion = stationVersion;
  if (tools !== undefined) info.tools = tools;
  if (agents !== undefined && root.format === BUNDLE_FORMAT) info.agents = agents;
  return info;
}

/** JSON with object keys sorted at every level and a final newline: the same value, the same bytes. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (isRecord(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort(v[k])]),
      );
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}
