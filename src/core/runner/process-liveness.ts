import { readFileSync } from 'node:fs';
import type { RunRow } from '../store/run-repo.js';

/** What Station can learn about another process on this host. */
export interface ProcessProbe {
  /** This process's pid. */
  pid: number;
  /** When this process started (ms since the epoch). */
  startedAt: number;
  /** Is a process with this pid alive? */
  alive(pid: number): boolean;
  /** When the process with this pid started (ms), if the OS says (Linux /proc); else undefined. */
  startTime(pid: number): number | undefined;
}

/** Slack for comparing start times: /proc's boot time has a resolution of one second. */
const START_SLACK_MS = 2000;

/**
 * Is this queued/running run orphaned, i.e. is the process that recorded it gone? A run whose pid is
 * alive on this host and is not ours is still running. A pid that is alive but started after the run
 * did belongs to a newer process that reused the number (containers restart as pid 1), so the run
 * is orphaned. A run with our own pid is ours only if it started after this process did.
 */
export function isOrphanedRun(row: RunRow, probe: ProcessProbe): boolean {
  if (row.pid === null) return true;
  const since = row.started_at ?? row.created_at;
  if (row.pid === probe.pid) return since + START_SLACK_MS < probe.startedAt;
  if (!probe.alive(row.pid)) return true;
  const started = probe.startTime(row.pid);
  return started !== undefined && started > since + START_SLACK_MS;
}

export function systemProcessProbe(): ProcessProbe {
  let bootTime: number | undefined;
  return {
    pid: process.pid,
    startedAt: Date.now() - process.uptime() * 1000,
    alive: pidAlive,
    startTime: (pid) => {
      if (process.platform !== 'linux') return undefined;
      bootTime ??= readBootTime();
      return linuxStartTime(pid, bootTime);
    },
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time of a pid from /proc (clock ticks since boot; USER_HZ is 100 on Linux). */
function linuxStartTime(pid: number, bootTimeMs: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Field 22 (starttime, in clock ticks since boot) counts from after the ")" that closes the name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    if (!Number.isFinite(ticks) || bootTimeMs === undefined) return undefined;
    return bootTimeMs + (ticks / 100) * 1000;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readBootTime(): number | undefined {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('btime '));
  return line === undefined ? undefined : Number(line.slice(6)) * 1000;
}
