/**
 * Planning an index pass: which rows of `agents` to add, update, re-stamp or delete so that they match
 * the `.prompt` files of one environment. Pure: file reading is injected, the caller applies the plan.
 */
import type { AgentDefinition } from '../prompt/types.js';
import type { PromptFile } from './agent-files.js';

export interface IndexResult {
  /** Names of agents newly indexed. */
  added: string[];
  /** Names of agents whose file changed. */
  updated: string[];
  /** Names of agents whose file is gone (or whose broken file lost its name to another file). */
  removed: string[];
  /** Files that could not be indexed, with the reason (file:line: message). */
  errors: { file: string; message: string }[];
}

/** The columns of an index row the plan needs. */
export interface IndexedRow {
  id: number;
  name: string;
  file_name: string;
  content_hash: string;
  file_mtime_ms: number;
}

export interface LoadedFile extends PromptFile {
  hash: string;
  text: string;
  agent?: AgentDefinition;
  error?: string;
}

export interface IndexPlan {
  deletes: IndexedRow[];
  touches: { id: number; stamp: number }[];
  upserts: { row: IndexedRow | undefined; file: LoadedFile & { agent: AgentDefinition } }[];
  result: IndexResult;
}

export function planWrites(plan: IndexPlan): boolean {
  return plan.deletes.length + plan.touches.length + plan.upserts.length > 0;
}

/**
 * Matches files to rows. An unchanged file (same stamp, or same content) keeps its row. A changed file is
 * parsed: a valid one updates its row; a broken one keeps its old row (so a typo does not lose the agent)
 * and is reported. A file renamed on disk keeps the row of its agent name. Two files claiming one name:
 * the one already indexed keeps it, the other is reported.
 */
export function planIndex(
  files: readonly PromptFile[],
  rows: readonly IndexedRow[],
  load: (file: PromptFile) => LoadedFile,
): IndexPlan {
  const byFile = new Map(rows.map((r) => [r.file_name, r]));
  const present = new Set(files.map((f) => f.fileName));
  const gone = new Map(rows.filter((r) => !present.has(r.file_name)).map((r) => [r.name, r]));
  const taken = new Map<string, string>();
  const touches: IndexPlan['touches'] = [];
  const changed: { row: IndexedRow | undefined; file: LoadedFile & { agent: AgentDefinition } }[] = [];
  const broken: { row: IndexedRow | undefined; file: string; message: string }[] = [];

  for (const file of files) {
    const row = byFile.get(file.fileName);
    if (row !== undefined && row.file_mtime_ms === file.stamp) {
      taken.set(row.name, file.fileName);
      continue;
    }
    const loaded = load(file);
    if (row !== undefined && loaded.hash === row.content_hash) {
      touches.push({ id: row.id, stamp: file.stamp });
      taken.set(row.name, file.fileName);
    } else if (loaded.agent === undefined) {
      broken.push({ row, file: file.fileName, message: loaded.error ?? 'cannot be read' });
    } else {
      changed.push({ row, file: { ...loaded, agent: loaded.agent } });
    }
  }

  const deletes: IndexedRow[] = [];
  const errors: IndexResult['errors'] = broken.map((b) => ({ file: b.file, message: b.message }));
  // A broken file keeps its old row and name, unless an unchanged file now holds that name.
  for (const b of broken) {
    if (b.row === undefined) continue;
    if (taken.has(b.row.name)) deletes.push(b.row);
    else taken.set(b.row.name, b.file);
  }
  const upserts: IndexPlan['upserts'] = [];
  for (const c of changed) {
    const name = c.file.agent.name;
    const owner = taken.get(name);
    if (owner !== undefined) {
      errors.push({
        file: c.file.fileName,
        message: `the agent name "${name}" is already used by ${owner}; rename one of them`,
      });
      if (c.row !== undefined && !taken.has(c.row.name)) taken.set(c.row.name, c.file.fileName);
      else if (c.row !== undefined) deletes.push(c.row);
      continue;
    }
    taken.set(name, c.file.fileName);
    let row = c.row;
    if (row === undefined) {
      row = gone.get(name);
      if (row !== undefined) gone.delete(name);
    }
    upserts.push({ row, file: c.file });
  }
  deletes.push(...gone.values());
  return {
    deletes,
    touches,
    upserts,
    result: {
      added: upserts.filter((u) => u.row === undefined).map((u) => u.file.agent.name),
      updated: upserts.filter((u) => u.row !== undefined).map((u) => u.file.agent.name),
      removed: deletes.map((r) => r.name),
      errors,
    },
  };
}

/**
 * The rows as they will be once `plan` is written, for a reader that goes on while another process
 * holds the database's write lock: the files are the truth, and the index catches up at the next write.
 * Rows a file adds get negative ids (they have none yet).
 */
export function overlayPlan<R extends { id: number }>(
  rows: readonly R[],
  plan: IndexPlan,
  fromFile: (file: LoadedFile & { agent: AgentDefinition }, id: number) => R,
): R[] {
  const deleted = new Set(plan.deletes.map((r) => r.id));
  const byId = new Map(rows.filter((r) => !deleted.has(r.id)).map((r) => [r.id, r]));
  let added = 0;
  for (const u of plan.upserts) {
    const id = u.row?.id ?? --added;
    byId.set(id, fromFile(u.file, id));
  }
  return [...byId.values()];
}
