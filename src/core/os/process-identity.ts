/**
 * Telling a process apart from a later one that got the same pid. A process is identified by its pid and
 * its start: on Linux the exact start tick from /proc/<pid>/stat; elsewhere the start time `ps` reports
 * (one second resolution), compared with a little slack.
 */
import { readFileSync } from 'node:fs';
import { childProcess } from './builtins-on-use.js';

/** When a process started. */
export interface ProcessStart {
  /** Milliseconds since the epoch (approximate). */
  at: number;
  /** Linux: clock ticks since boot (field 22 of /proc/<pid>/stat), exact. */
  ticks?: number;
}

/** Where a recorded process stands now. */
export type ProcessState = 'running' | 'gone' | 'unknown';

/** Slack when comparing start times in milliseconds: `ps` has a resolution of one second. */
const START_SLACK_MS = 2000;
const LINUX = process.platform === 'linux';

let bootTime: number | undefined;

/** Is a process with this pid alive (a zombie counts as alive)? */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Is any process of this process group alive? */
export function groupAlive(pgid: number): boolean {
  return pgid > 0 && pidAlive(-pgid);
}

interface ProcStat {
  ticks: number;
  /** One letter: R, S, D, Z (zombie), X (dead), ... */
  state: string;
}

/** Start tick and state of a pid from /proc, or undefined when there is no such process (or no /proc). */
function procStat(pid: number): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the ")" that closes the name: state is field 3, starttime field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? { ticks, state: fields[0] ?? '' } : undefined;
}

function readBootTime(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    return line === undefined ? undefined : Number(line.slice(6)) * 1000;
  } catch {
    return undefined;
  }
}

/** Start time of a pid in ms since the epoch from /proc (Linux), if the process exists. USER_HZ is 100. */
export function linuxStartTime(pid: number): number | undefined {
  if (!LINUX) return undefined;
  const stat = procStat(pid);
  bootTime ??= readBootTime();
  if (stat === undefined || bootTime === undefined) return undefined;
  return bootTime + stat.ticks * 10;
}

/** Start time of a pid as `ps -o lstart` reports it (portable, one second resolution), or undefined. */
export function psStartTime(pid: number): number | undefined {
  try {
    const out = childProcess()
      .execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 5000,
      })
      .trim();
    const at = out === '' ? NaN : new Date(out).getTime();
    return Number.isFinite(at) ? at : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The start of a child this process has just spawned: exact on Linux; elsewhere now, which is within
 * milliseconds of it (no `ps` is run on the way to starting a server).
 */
export function childStart(pid: number): ProcessStart {
  const stat = LINUX ? procStat(pid) : undefined;
  if (stat === undefined) return { at: Date.now() };
  return { at: linuxStartTime(pid) ?? Date.now(), ticks: stat.ticks };
}

let ownStart: ProcessStart | undefined;

/** The start of this process. */
export function currentProcessStart(): ProcessStart {
  ownStart ??= (() => {
    const stat = LINUX ? procStat(process.pid) : undefined;
    const at = Date.now() - process.uptime() * 1000;
    return stat === undefined ? { at } : { at: linuxStartTime(process.pid) ?? at, ticks: stat.ticks };
  })();
  return ownStart;
}

/**
 * Is the process recorded with this pid and start still running? `gone` when the pid is free, a zombie, or
 * taken by a process that started at another time; `unknown` when the start cannot be learnt (no /proc,
 * no `ps`). `options.proc: false` skips /proc (to exercise the portable path).
 */
export function processState(pid: number, recorded: ProcessStart, options: { proc?: boolean } = {}): ProcessState {
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return 'gone';
  if (LINUX && options.proc !== false && recorded.ticks !== undefined) {
    const stat = procStat(pid);
    if (stat === undefined) return 'gone';
    return stat.ticks === recorded.ticks && stat.state !== 'Z' && stat.state !== 'X' ? 'running' : 'gone';
  }
  const at = psStartTime(pid);
  if (at === undefined) return pidAlive(pid) ? 'unknown' : 'gone';
  return Math.abs(at - recorded.at) <= START_SLACK_MS ? 'running' : 'gone';
}
