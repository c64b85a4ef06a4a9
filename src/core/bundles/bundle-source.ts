/**
 * Getting a bundle into a staging folder, whatever SOURCE is: a `.tar.gz` file, a folder, an `https://`
 * URL (plain `http://` only to this machine: 127.0.0.1, ::1, localhost) or the name of a first-party
 * bundle shipped in the package's `bundles/` folder. Every path goes through the same layout checks.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BUNDLES_DIR } from '../config/package-assets.js';
import { NotFoundError, UsageError } from '../errors.js';
import { classifyPath } from './bundle-layout.js';
import { REGISTRY_REF, downloadEntry, fetchBytes, resolveRef, type RegistryHit } from './bundle-registry.js';
import {
  DEFAULT_LIMITS,
  UnsafeBundleError,
  extractArchive,
  type ExtractLimits,
  type ExtractResult,
} from './safe-extract.js';

export type SourceKind = 'archive' | 'folder' | 'url' | 'first-party' | 'registry';

/** Registries to resolve `NAME[@VERSION]` in (config.yaml bundles.registries; folders relative to `base`). */
export interface RegistrySources {
  list: readonly string[];
  base: string;
}

export interface StagedFiles extends ExtractResult {
  kind: SourceKind;
  /** The staging folder (inside the environments folder, so the final rename stays on one file system). */
  dir: string;
  /** The registry entry it came from (kind 'registry'). */
  registry?: RegistryHit;
}

const FIRST_PARTY = /^[a-z0-9][a-z0-9-]*$/;

/** Names of the first-party bundles shipped with Station. */
export function firstPartyBundles(dir = BUNDLES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && FIRST_PARTY.test(d.name))
    .map((d) => d.name)
    .sort();
}

export function newStagingDir(environments: string): string {
  mkdirSync(environments, { recursive: true });
  return join(environments, `.staging-${randomBytes(6).toString('hex')}`);
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '[::1]' || host === 'localhost';
}

/** Stages SOURCE into a new staging folder under `environments`. */
export async function stageSource(
  source: string,
  environments: string,
  options: { limits?: ExtractLimits; firstPartyDir?: string; registries?: RegistrySources } = {},
): Promise<StagedFiles> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const staging = newStagingDir(environments);
  if (/^https?:\/\//i.test(source)) {
    const url = new URL(source);
    if (url.protocol !== 'https:' && !isLoopback(url.hostname)) {
      throw new UsageError(`refusing ${url.protocol}// for ${url.host}: bundles are downloaded over https only`, {
        hints: ['Plain http is accepted only from this machine (127.0.0.1, ::1, localhost).'],
      });
    }
    const file = `${staging}.download`;
    try {
      writeFileSync(file, await fetchBytes(url, limits.maxBytes), { mode: 0o600 });
      return { kind: 'url', dir: staging, ...(await extractArchive(file, staging, limits)) };
    } finally {
      rmSync(file, { force: true });
    }
  }
  if (existsSync(source)) {
    const st = statSync(source);
    if (st.isDirectory()) return { kind: 'folder', dir: staging, ...copyFolder(source, staging, limits) };
    return { kind: 'archive', dir: staging, ...(await extractArchive(source, staging, limits)) };
  }
  const dir = options.firstPartyDir ?? BUNDLES_DIR;
  if (FIRST_PARTY.test(source) && existsSync(join(dir, source))) {
    return { kind: 'first-party', dir: staging, ...copyFolder(join(dir, source), staging, limits) };
  }
  if (options.registries !== undefined && REGISTRY_REF.test(source)) {
    const hit = await resolveRef(options.registries.list, options.registries.base, source);
    // Checked in memory: bytes whose sha256 differs from the index are never written.
    const bytes = await downloadEntry(hit, limits);
    const file = `${staging}.download`;
    try {
      writeFileSync(file, bytes, { mode: 0o600 });
      return { kind: 'registry', dir: staging, registry: hit, ...(await extractArchive(file, staging, limits)) };
    } finally {
      rmSync(file, { force: true });
    }
  }
  const known = firstPartyBundles(dir);
  throw new NotFoundError(`no bundle "${source}": not a file, a folder, a URL or a first-party bundle`, {
    hints: [
      known.length > 0 ? `First-party bundles: ${known.join(', ')}.` : 'No first-party bundles are installed.',
      'Give a .tar.gz path, a folder, or an https:// URL.',
    ],
  });
}

/** Copies a bundle folder into `staging` with the archive's checks: no links, no devices, the layout only. */
export function copyFolder(source: string, staging: string, limits: ExtractLimits = DEFAULT_LIMITS): ExtractResult {
  const files: string[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const plan: { from: string; to: string }[] = [];
  let bytes = 0;
  let count = 0;
  const walk = (rel: string): void => {
    for (const d of readdirSync(join(source, rel), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = rel === '' ? d.name : `${rel}/${d.name}`;
      const full = join(source, path);
      const st = lstatSync(full);
      if (++count > limits.maxEntries)
        throw new UnsafeBundleError(`folder has more than ${String(limits.maxEntries)} entries`);
      if (st.isSymbolicLink())
        throw new UnsafeBundleError(`"${path}" is a symbolic link; bundles may hold only files and folders`, path);
      if (!st.isFile() && !st.isDirectory())
        throw new UnsafeBundleError(`"${path}" is not a regular file or folder`, path);
      if (st.isFile() && st.nlink > 1) throw new UnsafeBundleError(`"${path}" is a hard link`, path);
      const verdict = classifyPath(path, st.isDirectory());
      if (verdict.kind === 'refuse') throw new UnsafeBundleError(`"${path}": ${verdict.reason}`, path);
      if (verdict.kind === 'skip') skipped.push({ path: verdict.path, reason: verdict.reason });
      else if (verdict.kind === 'dir') walk(path);
      else {
        bytes += st.size;
        if (bytes > limits.maxBytes)
          throw new UnsafeBundleError(`folder holds more than ${String(limits.maxBytes)} bytes`);
        files.push(path);
        plan.push({ from: full, to: join(staging, path) });
      }
    }
  };
  if (basename(source).startsWith('.staging-')) throw new UsageError('cannot install from a staging folder');
  walk('');
  mkdirSync(staging, { mode: 0o700 });
  try {
    for (const p of plan) {
      mkdirSync(join(p.to, '..'), { recursive: true });
      copyFileSync(p.from, p.to);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { files: files.sort(), skipped };
}
