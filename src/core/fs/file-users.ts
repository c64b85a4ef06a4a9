import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';

/** A process that has a file open. */
export interface FileUser {
  pid: number;
  /** The process name as the OS reports it (`node`, `sqlite3`), never its arguments (they may hold secrets). */
  name: string;
}

/**
 * Other processes of this user that have one of `files` open, read from /proc (Linux; elsewhere, and
 * for processes of other users, nothing is found). Used to say who may hold a lock; a few ms for a
 * few hundred processes, so only on an error path.
 */
export function processesUsing(files: readonly string[], limit = 5): FileUser[] {
  if (process.platform !== 'linux') return [];
  const targets = new Set(files.map(realOrSelf));
  const found: FileUser[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return [];
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    const uses = fds.some((fd) => {
      try {
        return targets.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
    if (!uses) continue;
    found.push({ pid: Number(pid), name: processName(pid) });
    if (found.length >= limit) break;
  }
  return found;
}

function processName(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

function realOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}
