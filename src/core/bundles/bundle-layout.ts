/**
 * Which paths a bundle may hold. Anything else makes the whole bundle refused: a bundle is data
 * (agents, MCP configs, a manifest), never code, links or devices.
 */

/** What to do with one entry of a bundle. */
export type LayoutVerdict =
  | { kind: 'dir'; path: string }
  | { kind: 'file'; path: string }
  /** Kept out of the environment on purpose (variables.yml: values belong to whoever made the bundle). */
  | { kind: 'skip'; path: string; reason: string }
  | { kind: 'refuse'; path: string; reason: string };

const DIRS = new Set(['agents', 'examples']);
const TOP_FILE = /^[A-Za-z0-9][A-Za-z0-9._ -]*\.(json|md)$/;
const AGENT_FILE = /^agents\/[^/\\]+\.prompt$/;
const EXAMPLE_FILE = /^examples\/[^/\\]+\.vars\.ya?ml$/;

/**
 * A path as written in an archive, normalized (`./` prefixes, empty segments and trailing slashes dropped), or
 * the refusal of one that could write outside the folder it is unpacked into: absolute paths, `..` segments,
 * backslashes, NUL bytes. Whatever an archive holds (a bundle, a backup), its paths pass here first.
 */
export function normalizeEntryPath(raw: string): string | (LayoutVerdict & { kind: 'refuse' }) {
  if (raw.includes('\0')) return { kind: 'refuse', path: raw, reason: 'contains a NUL byte' };
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) return { kind: 'refuse', path: raw, reason: 'absolute path' };
  if (raw.includes('\\')) return { kind: 'refuse', path: raw, reason: 'backslash in path' };
  const segments = raw.split('/');
  if (segments.includes('..')) return { kind: 'refuse', path: raw, reason: '".." segment' };
  return segments.filter((s) => s !== '' && s !== '.').join('/');
}

/**
 * Checks a path as written in an archive or found in a folder (`./` prefixes and trailing slashes are
 * allowed). Absolute paths, `..` segments, backslashes, NUL bytes and paths outside the layout are refused.
 */
export function classifyPath(raw: string, isDir: boolean): LayoutVerdict {
  const path = normalizeEntryPath(raw);
  if (typeof path !== 'string') return path;
  if (isDir) {
    if (path === '' || DIRS.has(path)) return { kind: 'dir', path };
    return { kind: 'refuse', path: raw, reason: 'folder outside the bundle layout (agents/, examples/)' };
  }
  if (path === 'variables.yml' || path === 'variables.yaml') {
    return { kind: 'skip', path, reason: 'variables.yml is never installed from a bundle' };
  }
  if (AGENT_FILE.test(path) || EXAMPLE_FILE.test(path)) return { kind: 'file', path };
  if (!path.includes('/') && TOP_FILE.test(path)) return { kind: 'file', path };
  return {
    kind: 'refuse',
    path: raw,
    reason: 'file outside the bundle layout (agents/*.prompt, top-level *.json or *.md, examples/*.vars.yml)',
  };
}
