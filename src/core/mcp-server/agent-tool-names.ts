const VALID = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * MCP tool names for agents: `agent_<name>` with every character outside [a-zA-Z0-9_-] replaced by `_`,
 * cut to 64 characters; clashes get `_2`, `_3`, ... (in the order given). Returns name -> tool name.
 */
export function agentToolNames(
  agentNames: readonly string[],
  reserved: ReadonlySet<string> = new Set(),
): Map<string, string> {
  const taken = new Set(reserved);
  const out = new Map<string, string>();
  for (const name of agentNames) {
    const base = `agent_${name.replace(/[^a-zA-Z0-9_-]/g, '_')}`.slice(0, 64);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) {
      const suffix = `_${String(n)}`;
      candidate = base.slice(0, 64 - suffix.length) + suffix;
    }
    if (!VALID.test(candidate)) throw new Error(`internal: bad MCP tool name ${candidate}`);
    taken.add(candidate);
    out.set(name, candidate);
  }
  return out;
}
