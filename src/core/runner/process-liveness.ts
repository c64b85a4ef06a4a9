import { hostname } from 'node:os';
import { linuxStartTime, pidAlive } from '../os/process-identity.js';
import { isUnclaimed, type RunRow } from '../store/run-repo.js';

/** What Station can learn about another process on this host. */
export interface ProcessProbe {
  /** This process's pid. */
  pid: number;
  /**
   * On a store several hosts share (PostgreSQL), this host's name: a run recorded on another host is never
   * judged by a pid here (its own host, or its lease, says). Undefined for a store of one host (SQLite), where
   * a host name that changed (a container restarted) does not make a run someone else's.
   */
  host?: string | undefined;
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
  // A queued run no process has claimed waits in the queue for a server (the shared queue, a retry).
  if (isUnclaimed(row)) return false;
  if (probe.host !== undefined) {
    // A shared store: the lease says, whichever host the run is on (its process renews it while it lives).
    if (row.lease_until !== null) return row.lease_until < Date.now();
    if (row.host !== null && row.host !== probe.host) return false;
  }
  if (row.pid === null) return true;
  const since = row.started_at ?? row.created_at;
  if (row.pid === probe.pid) return since + START_SLACK_MS < probe.startedAt;
  if (!probe.alive(row.pid)) return true;
  const started = probe.startTime(row.pid);
  return started !== undefined && started > since + START_SLACK_MS;
}

export function systemProcessProbe(options: { sharedStore?: boolean } = {}): ProcessProbe {
  return {
    pid: process.pid,
    host: options.sharedStore === true ? hostname() : undefined,
    startedAt: Date.now() - process.uptime() * 1000,
    alive: pidAlive,
    startTime: linuxStartTime,
  };
}
