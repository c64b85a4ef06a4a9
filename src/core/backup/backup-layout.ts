/**
 * Which paths a Station backup may hold, checked for every entry before anything is unpacked (with the
 * guards bundles use: no absolute paths, `..`, links or devices): the manifest, the store (station.db, or
 * store/<table>.jsonl), config.yaml, bundle-trust.json and the environments folder. Never keys/.
 */
import { normalizeEntryPath, type LayoutVerdict } from '../bundles/bundle-layout.js';
import type { ArchiveLayout, ExtractLimits } from '../bundles/safe-extract.js';
import { BackupArchiveError, DATABASE_ENTRY, MANIFEST_FILE, TABLES_DIR } from './manifest.js';

/** Files of the home a backup copies besides the store (when they exist). */
export const HOME_FILES = ['config.yaml', 'bundle-trust.json'] as const;
export const ENVIRONMENTS_DIR = 'environments';

const TOP_FILES = new Set<string>([MANIFEST_FILE, DATABASE_ENTRY, ...HOME_FILES]);
const TABLE_FILE = new RegExp(`^${TABLES_DIR}/[a-z_][a-z0-9_]*\\.jsonl$`);

export function classifyBackupPath(raw: string, isDir: boolean): LayoutVerdict {
  const path = normalizeEntryPath(raw);
  if (typeof path !== 'string') return path;
  const top = path.split('/')[0] ?? '';
  if (isDir) {
    if (path === '' || path === TABLES_DIR || top === ENVIRONMENTS_DIR) return { kind: 'dir', path };
  } else if (TOP_FILES.has(path) || TABLE_FILE.test(path) || (top === ENVIRONMENTS_DIR && path.includes('/'))) {
    return { kind: 'file', path };
  }
  return {
    kind: 'refuse',
    path: raw,
    reason: `outside a Station backup's layout (${[...TOP_FILES].join(', ')}, ${TABLES_DIR}/*.jsonl, ${ENVIRONMENTS_DIR}/)`,
  };
}

export const BACKUP_LAYOUT: ArchiveLayout = {
  classify: classifyBackupPath,
  maxDepth: 24,
  refuse: (message, entry) =>
    new BackupArchiveError(`refused backup archive: ${message}`, {
      code: 'backup_unsafe',
      ...(entry === undefined ? {} : { entry }),
    }),
};

/**
 * Limits for unpacking a backup: the archive is read into memory once before anything is written (as a
 * bundle's is), so it may not unpack to more than 2 GiB. A database of empty pages compresses very well,
 * hence the loose ratio; the byte cap still holds.
 */
export const BACKUP_LIMITS: ExtractLimits = { maxEntries: 100_000, maxBytes: 2 * 1024 ** 3, maxRatio: 100_000 };
