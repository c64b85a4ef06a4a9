/**
 * What a sync changes, worked out without touching anything: servers added, removed or reconfigured,
 * and tools added, removed or changed (description or input schema) since the last sync.
 */
import { createHash } from 'node:crypto';
import { qualifiedToolName } from '../mcp/tool-names.js';

export interface RecordedServer {
  name: string;
  configHash: string;
  tools: ReadonlyMap<string, string>; // tool name -> schema hash
}

export interface CurrentServer {
  name: string;
  configHash: string;
  /** 'ready': tools were discovered; 'failed': tools unknown (the recorded ones are kept); 'disabled': none. */
  status: 'ready' | 'failed' | 'disabled';
  tools: ReadonlyMap<string, string>;
}

export interface SyncPlan {
  serversAdded: string[];
  serversRemoved: string[];
  serversChanged: string[];
  toolsAdded: string[];
  toolsRemoved: string[];
  toolsChanged: string[];
}

export function emptyPlan(): SyncPlan {
  return {
    serversAdded: [],
    serversRemoved: [],
    serversChanged: [],
    toolsAdded: [],
    toolsRemoved: [],
    toolsChanged: [],
  };
}

export function planHasChanges(plan: SyncPlan): boolean {
  return Object.values(plan).some((list: string[]) => list.length > 0);
}

export function computePlan(recorded: readonly RecordedServer[], current: readonly CurrentServer[]): SyncPlan {
  const plan = emptyPlan();
  const before = new Map(recorded.map((r) => [r.name, r]));
  const now = new Set(current.map((c) => c.name));
  for (const r of recorded) {
    if (now.has(r.name)) continue;
    plan.serversRemoved.push(r.name);
    for (const tool of r.tools.keys()) plan.toolsRemoved.push(qualifiedToolName(r.name, tool));
  }
  for (const c of current) {
    const r = before.get(c.name);
    if (r === undefined) plan.serversAdded.push(c.name);
    else if (r.configHash !== c.configHash) plan.serversChanged.push(c.name);
    if (c.status === 'failed') continue; // tools unknown this time: the recorded ones stay
    const old = r?.tools ?? new Map<string, string>();
    const fresh = c.status === 'ready' ? c.tools : new Map<string, string>();
    for (const [tool, hash] of fresh) {
      const was = old.get(tool);
      if (was === undefined) plan.toolsAdded.push(qualifiedToolName(c.name, tool));
      else if (was !== hash) plan.toolsChanged.push(qualifiedToolName(c.name, tool));
    }
    for (const tool of old.keys()) if (!fresh.has(tool)) plan.toolsRemoved.push(qualifiedToolName(c.name, tool));
  }
  for (const list of Object.values(plan) as string[][]) list.sort();
  return plan;
}

/** Hash of what a model sees of a tool: a changed hash is a changed tool. */
export function toolSchemaHash(description: string, inputSchema: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([description, sortKeys(inputSchema)]))
    .digest('hex')
    .slice(0, 32);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
