/**
 * Tool naming. Every MCP tool is known as `<server>__<tool>` (qualified) and, for files written by the
 * original Station, as `__<tool>` when exactly one server of the environment has a tool of that name.
 * Names sent to models must match MODEL_TOOL_NAME.
 */

export const MODEL_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export interface KnownTool {
  server: string;
  name: string;
}

export type ToolResolution =
  | { ok: true; server: string; tool: string; qualified: string }
  | { ok: false; reason: 'missing' | 'ambiguous'; reference: string; choices: string[] };

/** The qualified name of a server's tool. */
export function qualifiedToolName(server: string, tool: string): string {
  return `${server}__${tool}`;
}

/**
 * Resolves a tool reference from an agent file (`server__tool`, `__tool`, or a bare `tool`) against the
 * tools of an environment. A reference that several servers could mean is ambiguous, never guessed.
 */
export function resolveToolReference(reference: string, tools: readonly KnownTool[]): ToolResolution {
  for (const t of tools) {
    if (qualifiedToolName(t.server, t.name) === reference) {
      return { ok: true, server: t.server, tool: t.name, qualified: reference };
    }
  }
  const bare = reference.startsWith('__') ? reference.slice(2) : reference;
  const matches = tools.filter((t) => t.name === bare);
  const only = matches[0];
  if (matches.length === 1 && only !== undefined) {
    return { ok: true, server: only.server, tool: only.name, qualified: qualifiedToolName(only.server, only.name) };
  }
  return {
    ok: false,
    reason: matches.length === 0 ? 'missing' : 'ambiguous',
    reference,
    choices: matches.map((t) => qualifiedToolName(t.server, t.name)).sort(),
  };
}

/**
 * A name for the model: the qualified name when it fits MODEL_TOOL_NAME, else a shortened form that
 * keeps it unique (a hash suffix). `taken` holds names already given out in the same request.
 */
export function modelToolName(server: string, tool: string, taken: ReadonlySet<string> = new Set()): string {
  const base = qualifiedToolName(server, tool).replace(/[^a-zA-Z0-9_-]/g, '_');
  if (base.length <= 64 && !taken.has(base)) return base;
  let hash = 0;
  for (const ch of base) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0;
  for (let n = 0; ; n++) {
    const suffix = `_${(hash + n).toString(36)}`;
    const candidate = base.slice(0, 64 - suffix.length) + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}
