/**
 * Records of the MCP server process groups a Station process has started, one small file per group under
 * `<home>/run` (`mcp-<owner pid>-<pgid>.json`), written when the group starts and removed once it has
 * ended. They are a safety net behind the guardian: when a Station process dies without ending its
 * servers and its guardian is gone too, the next Station to open the home ends them (reapOrphanedGroups).
 * Files, not the database, so that starting a server never waits for the database's write lock.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../fs/private-files.js';
import { groupAlive, processState, type ProcessStart, type ProcessState } from '../os/process-identity.js';

export interface GroupRecord {
  /** The process group, which is also the pid of its leader (the server process Station started). */
  pgid: number;
  /** When the leader started: a later process with the same pid is never taken for it. */
  start: ProcessStart;
  /** The Station process that started it. */
  owner: { pid: number; start: ProcessStart };
  /** The server's name and command, to tell a person what the file is about. */
  server: string;
  command: string;
}

export interface ReapOptions {
  /** Between SIGTERM and SIGKILL. */
  graceMs?: number;
}

const NAME = /^mcp-\d+-\d+\.json$/;
/** A record that cannot be read is removed once it is this old (younger, it may be being written). */
const UNREADABLE_AFTER_MS = 60_000;
const POLL_MS = 50;

/** Writes the record of a group; returns its path, or undefined when it cannot be written (never fatal). */
export function writeGroupRecord(dir: string, record: GroupRecord): string | undefined {
  const file = join(dir, `mcp-${String(record.owner.pid)}-${String(record.pgid)}.json`);
  const tmp = `${file}.tmp`;
  const text = JSON.stringify(record) + '\n';
  try {
    try {
      writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE });
    }
    renameSync(tmp, file);
    return file;
  } catch {
    rmSync(tmp, { force: true });
    return undefined;
  }
}

export function removeGroupRecord(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // A record left behind is removed by the next reap.
  }
}

/**
 * Ends the process groups recorded under `dir` whose Station process has gone: SIGTERM at once (before
 * this returns its promise), SIGKILL to those left after the grace. A group is ended only while its leader
 * is the very process recorded (same pid and start); a record whose owner still runs is left alone, and
 * one whose group has ended is removed. Resolves with the number of groups ended.
 */
export async function reapOrphanedGroups(dir: string, options: ReapOptions = {}): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => NAME.test(n));
  } catch {
    return 0;
  }
  const targets: { pgid: number; file: string }[] = [];
  // Many records share an owner (one `stn serve`, many servers): ask about each owner once (`ps` off Linux).
  const owners = new Map<string, ProcessState>();
  for (const name of names) {
    const file = join(dir, name);
    const record = readRecord(file);
    if (record === undefined) continue;
    const { pid, start } = record.owner;
    const key = `${String(pid)}:${String(start.ticks ?? start.at)}`;
    const owner = owners.get(key) ?? processState(pid, start);
    owners.set(key, owner);
    if (owner !== 'gone') continue;
    if (processState(record.pgid, record.start) === 'running') targets.push({ pgid: record.pgid, file });
    else removeGroupRecord(file);
  }
  if (targets.length === 0) return 0;
  for (const t of targets) signalGroup(t.pgid, 'SIGTERM');
  const deadline = Date.now() + (options.graceMs ?? 1000);
  while (targets.some((t) => groupAlive(t.pgid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  for (const t of targets) {
    if (groupAlive(t.pgid)) signalGroup(t.pgid, 'SIGKILL');
    removeGroupRecord(t.file);
  }
  return targets.length;
}

/** A record, or undefined when the file is not one (an unreadable one is removed once it is old). */
function readRecord(file: string): GroupRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (isRecord(value)) return value;
  } catch {
    // Unreadable: torn by a crash, or being written right now.
  }
  try {
    if (Date.now() - statSync(file).mtimeMs > UNREADABLE_AFTER_MS) removeGroupRecord(file);
  } catch {
    // Gone already.
  }
  return undefined;
}

function isRecord(value: unknown): value is GroupRecord {
  const v = value as Partial<GroupRecord> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    // Never 0 or 1: kill(-0) is Station's own group, kill(-1) every process.
    Number.isInteger(v.pgid) &&
    (v.pgid ?? 0) > 1 &&
    isStart(v.start) &&
    typeof v.owner === 'object' &&
    Number.isInteger(v.owner.pid) &&
    isStart(v.owner.start)
  );
}

function isStart(value: unknown): value is ProcessStart {
  const v = value as Partial<ProcessStart> | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.at === 'number' &&
    (v.ticks === undefined || Number.isInteger(v.ticks))
  );
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  if (pgid <= 1) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // Ended meanwhile (ESRCH).
  }
}
