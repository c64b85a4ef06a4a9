/**
 * Bundle registries: a static `index.json` (served by any web server, or in a folder) listing bundles
 * with their download URL, sha256 and size. `config.yaml` `bundles.registries` lists them; search reads
 * every one, install by `NAME[@VERSION]` downloads from the first that has it and refuses bytes whose
 * sha256 or size differ from the index (before anything is written). `publish` adds an archive to a
 * registry folder and rewrites its index.json atomically.
 *
 * The index keeps the field names of the original registry's index.json (`registry_name`, `bundles[]`
 * with `id, name, description, version, author, tags, download_url, file_size, created_at`) and adds
 * `format`, `sha256` and `station_version`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { isRecord } from '../config/station-config.js';
import { ExitCode, FileFormatError, NotFoundError, StationError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { stableJson } from './bundle-manifest.js';
import { UnsafeBundleError, type ExtractLimits } from './safe-extract.js';

export const REGISTRY_FORMAT = 'station-registry/1';
export const INDEX_FILE = 'index.json';

/** One bundle version in an index. */
export interface RegistryEntry {
  /** Stable id of the bundle (the same for all its versions); install accepts it or `name`. */
  id: string;
  name: string;
  description: string;
  version: string;
  author: string;
  tags: string[];
  /** Absolute, or relative to the index (a static registry folder uses `bundles/NAME-VERSION.tar.gz`). */
  download_url: string;
  /** Hex sha256 of the archive; install by name refuses an entry without one. */
  sha256: string | null;
  /** Bytes of the archive. */
  file_size: number | null;
  /** The Station version the bundle was made with. */
  station_version: string | null;
  created_at: string | null;
}

export interface RegistryIndex {
  format: string;
  registry_name: string;
  bundles: RegistryEntry[];
  /** Kept as found (the original's registry has them). */
  categories?: unknown;
  featured_bundles?: unknown;
}

/** A bundle found in a registry. */
export interface RegistryHit extends RegistryEntry {
  /** The registry as configured. */
  registry: string;
  registryName: string;
  /** download_url resolved against the index. */
  url: string;
}

export interface SearchResult {
  bundles: RegistryHit[];
  /** Registries that could not be read, with why (the others are still searched). */
  errors: { registry: string; message: string }[];
}

/** A registry index that cannot be used (exit 5). */
export class RegistryError extends StationError {
  constructor(message: string, hints: readonly string[] = []) {
    super('registry_error', message, ExitCode.INVALID, { hints });
  }
}

/** Bytes that do not match the registry's sha256 or size (exit 5): nothing was written. */
export class ChecksumMismatchError extends StationError {
  constructor(name: string, expected: string, actual: string) {
    super(
      'checksum_mismatch',
      `${name}: the downloaded archive's sha256 is ${actual}, the registry says ${expected}`,
      ExitCode.INVALID,
      {
        details: { expected, actual },
        hints: ['Nothing was installed. The archive was changed after it was published, or the index is stale.'],
      },
    );
  }
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '[::1]' || host === 'localhost';
}

function isUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** The URL of a registry's index.json: the URL as given, or `index.json` in the folder (relative to `base`). */
export function indexLocation(registry: string, base: string): URL {
  if (isUrl(registry)) {
    const url = new URL(registry);
    if (url.protocol !== 'https:' && !isLoopback(url.hostname)) {
      throw new UsageError(`registry ${registry}: plain http:// is accepted only from this machine; use https://`);
    }
    return url;
  }
  const path = isAbsolute(registry) ? registry : resolve(base, registry);
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, INDEX_FILE) : path;
  return pathToFileURL(file);
}

/** Reads bytes from an https/loopback-http URL or a file URL, at most `maxBytes`. */
export async function fetchBytes(url: URL, maxBytes: number): Promise<Buffer> {
  if (url.protocol === 'file:') {
    const file = fileURLToPath(url);
    if (!existsSync(file)) throw new NotFoundError(`no file ${file}`);
    if (statSync(file).size > maxBytes) throw new UnsafeBundleError(`${file} is larger than ${String(maxBytes)} bytes`);
    return readFileSync(file);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new UsageError(`refusing ${url.protocol}// for ${url.host}: bundles are downloaded over https only`);
  }
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new NotFoundError(`cannot download ${url.href}: ${(error as Error).message}`);
  }
  if (response.url !== '') {
    const final = new URL(response.url);
    if (final.protocol !== 'https:' && !isLoopback(final.hostname)) {
      throw new UsageError(`refusing a redirect to ${final.origin}: bundles are downloaded over https only`);
    }
  }
  if (!response.ok || response.body === null) {
    throw new NotFoundError(`cannot download ${url.href}: HTTP ${String(response.status)}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) throw new UnsafeBundleError(`${url.href} is larger than ${String(maxBytes)} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Parses an index.json (Station's or the original registry's); entries lacking name, version or URL are dropped. */
export function parseIndex(raw: string, where: string): RegistryIndex {
  let root: unknown;
  try {
    root = JSON.parse(raw);
  } catch (error) {
    throw new FileFormatError({ file: where }, `invalid JSON: ${(error as Error).message}`, {
      exitCode: ExitCode.INVALID,
    });
  }
  if (!isRecord(root) || !Array.isArray(root.bundles)) {
    throw new FileFormatError({ file: where }, 'expected an object with a "bundles" list', {
      exitCode: ExitCode.INVALID,
    });
  }
  const bundles: RegistryEntry[] = [];
  for (const b of root.bundles) {
    if (!isRecord(b)) continue;
    const name = text(b.name) ?? text(b.id);
    const version = text(b.version);
    const url = text(b.download_url);
    if (name === undefined || version === undefined || url === undefined) continue;
    const sha = text(b.sha256)?.toLowerCase();
    bundles.push({
      id: text(b.id) ?? name,
      name,
      description: text(b.description) ?? '',
      version,
      author: text(b.author) ?? '',
      tags: Array.isArray(b.tags) ? b.tags.filter((t): t is string => typeof t === 'string') : [],
      download_url: url,
      sha256: sha !== undefined && /^[0-9a-f]{64}$/.test(sha) ? sha : null,
      file_size: typeof b.file_size === 'number' && Number.isInteger(b.file_size) ? b.file_size : null,
      station_version: text(b.station_version) ?? null,
      created_at: text(b.created_at) ?? null,
    });
  }
  const index: RegistryIndex = {
    format: text(root.format) ?? REGISTRY_FORMAT,
    registry_name: text(root.registry_name) ?? '',
    bundles,
  };
  if (root.categories !== undefined) index.categories = root.categories;
  if (root.featured_bundles !== undefined) index.featured_bundles = root.featured_bundles;
  return index;
}

const INDEX_MAX_BYTES = 10 * 1024 * 1024;

/** Reads one registry's index; hits carry their resolved download URL. */
export async function readRegistry(registry: string, base: string): Promise<RegistryHit[]> {
  const at = indexLocation(registry, base);
  const index = parseIndex((await fetchBytes(at, INDEX_MAX_BYTES)).toString('utf8'), at.href);
  return index.bundles.map((b) => ({
    ...b,
    registry,
    registryName: index.registry_name === '' ? registry : index.registry_name,
    url: new URL(b.download_url, at).href,
  }));
}

/** Compares dotted versions numerically (1.10.0 > 1.9.0); non-numeric parts compare as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.+-]/);
  const pb = b.replace(/^v/, '').split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Bundles of every registry whose id, name, description or tags hold TEXT (all without TEXT). */
export async function searchRegistries(registries: readonly string[], base: string, query = ''): Promise<SearchResult> {
  const result: SearchResult = { bundles: [], errors: [] };
  const needle = query.trim().toLowerCase();
  for (const registry of registries) {
    let hits: RegistryHit[];
    try {
      hits = await readRegistry(registry, base);
    } catch (error) {
      result.errors.push({ registry, message: (error as Error).message });
      continue;
    }
    for (const h of hits) {
      const hay = [h.id, h.name, h.description, ...h.tags].join('\n').toLowerCase();
      if (needle === '' || hay.includes(needle)) result.bundles.push(h);
    }
  }
  result.bundles.sort((a, b) => (a.name === b.name ? compareVersions(b.version, a.version) : a.name < b.name ? -1 : 1));
  return result;
}

/** `NAME` or `NAME@VERSION` (a registry reference, not a path or URL). */
export const REGISTRY_REF = /^[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9][A-Za-z0-9.+-]*)?$/;

export function parseRef(ref: string): { name: string; version: string | undefined } {
  const at = ref.indexOf('@');
  return at < 0 ? { name: ref, version: undefined } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

/** The entry `NAME[@VERSION]` names: the first registry that has it; without VERSION, its newest version. */
export async function resolveRef(registries: readonly string[], base: string, ref: string): Promise<RegistryHit> {
  const { name, version } = parseRef(ref);
  const errors: string[] = [];
  for (const registry of registries) {
    let hits: RegistryHit[];
    try {
      hits = await readRegistry(registry, base);
    } catch (error) {
      errors.push(`${registry}: ${(error as Error).message}`);
      continue;
    }
    const named = hits.filter((h) => h.id === name || h.name === name);
    if (named.length === 0) continue;
    const pick =
      version === undefined
        ? named.sort((a, b) => compareVersions(b.version, a.version))[0]
        : named.find((h) => h.version === version || h.version === version.replace(/^v/, ''));
    if (pick !== undefined) return pick;
    throw new NotFoundError(`registry ${registry} has ${name}, but not version ${version ?? ''}`, {
      hints: [`Versions: ${named.map((h) => h.version).join(', ')}.`, `See them with: stn bundle search ${name}`],
    });
  }
  throw new NotFoundError(`no bundle "${ref}": not a file, a folder, a URL, a first-party bundle or in a registry`, {
    hints: [
      registries.length === 0
        ? 'No registries are configured: add index URLs or folders to bundles.registries in config.yaml.'
        : `Searched: ${registries.join(', ')}. Find names with: stn bundle search`,
      ...errors.map((e) => `Unreadable registry ${e}`),
      'Give a .tar.gz path, a folder, or an https:// URL.',
    ],
  });
}

/** Downloads a registry entry's archive, checking its size and sha256 in memory before returning it. */
export async function downloadEntry(hit: RegistryHit, limits: ExtractLimits): Promise<Buffer> {
  if (hit.sha256 === null) {
    throw new RegistryError(`${hit.name}@${hit.version} in ${hit.registry} has no sha256: it cannot be verified`, [
      'Nothing was installed. Ask the registry to publish a sha256 (stn bundle publish writes one),',
      `or, if you trust it, install it from its URL: stn bundle install ${hit.url}`,
    ]);
  }
  const bytes = await fetchBytes(new URL(hit.url), limits.maxBytes);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== hit.sha256) throw new ChecksumMismatchError(`${hit.name}@${hit.version}`, hit.sha256, actual);
  if (hit.file_size !== null && hit.file_size !== bytes.length) {
    throw new RegistryError(
      `${hit.name}@${hit.version}: ${String(bytes.length)} bytes downloaded, the registry says ${String(hit.file_size)}`,
      ['Nothing was installed.'],
    );
  }
  return bytes;
}

/** What publish writes for one archive. */
export interface PublishEntry {
  name: string;
  version: string;
  description: string;
  author: string;
  tags: string[];
  stationVersion: string | null;
}

export interface PublishResult {
  index: string;
  archive: string;
  entry: RegistryEntry;
  /** An entry of the same id and version was replaced. */
  replaced: boolean;
}

/**
 * Adds an archive to a static registry folder: `DIR/bundles/NAME-VERSION.tar.gz` and its entry in
 * `DIR/index.json` (both written atomically; an entry of the same id and version is replaced).
 */
export function publishToFolder(
  dir: string,
  bytes: Buffer,
  entry: PublishEntry,
  now: Date = new Date(),
): PublishResult {
  if (isUrl(dir))
    throw new UsageError('publish writes a registry folder; give --to a folder (serve it with any web server)');
  const indexFile = join(dir, INDEX_FILE);
  let index: RegistryIndex = { format: REGISTRY_FORMAT, registry_name: '', bundles: [] };
  if (existsSync(indexFile)) index = parseIndex(readFileSync(indexFile, 'utf8'), indexFile);
  const file = `${entry.name}-${entry.version}.tar.gz`;
  const archive = join(dir, 'bundles', file);
  mkdirSync(join(dir, 'bundles'), { recursive: true });
  const record: RegistryEntry = {
    id: entry.name,
    name: entry.name,
    description: entry.description,
    version: entry.version,
    author: entry.author,
    tags: [...entry.tags].sort(),
    download_url: `bundles/${file}`,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    file_size: bytes.length,
    station_version: entry.stationVersion,
    created_at: now.toISOString(),
  };
  const at = index.bundles.findIndex((b) => b.id === record.id && b.version === record.version);
  const replaced = at >= 0;
  // A republished version without tags keeps the tags it had.
  if (replaced && record.tags.length === 0) record.tags = [...(index.bundles[at]?.tags ?? [])];
  if (replaced) index.bundles[at] = record;
  else index.bundles.push(record);
  index.bundles.sort((a, b) => (a.id === b.id ? compareVersions(a.version, b.version) : a.id < b.id ? -1 : 1));
  index.format = REGISTRY_FORMAT;
  writeFileAtomic(archive, bytes, { mode: 0o644 });
  writeFileAtomic(indexFile, stableJson(index), { mode: 0o644 });
  return { index: indexFile, archive, entry: record, replaced };
}
