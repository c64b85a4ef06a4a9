/**
 * The `schedule:` block of an agent file: `{cron, enabled, variables, timezone, overlap, catch_up,
 * max_catch_up}` (FORMATS.md: real files carry `{cron, enabled, variables}`, often with a seconds field).
 * Cron expressions have 5 fields (minute first) or 6 (seconds first), or are a nickname such as `@daily`;
 * croner parses them and finds fire times.
 */
import { createRequire } from 'node:module';
import type { Cron } from 'croner';
import type { FileFormatError } from '../errors.js';

/** What happens when a fire comes due while the schedule's previous run is still queued or running. */
export const OVERLAP_POLICIES = ['skip', 'queue', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** What happens to fires missed while no scheduler ran (Station down, the clock jumped forward). */
export const CATCH_UP_POLICIES = ['none', 'latest', 'all'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

/** `max_catch_up` when the file gives none, and the most it may say. */
export const DEFAULT_MAX_CATCH_UP = 10;
export const MAX_CATCH_UP_LIMIT = 100;

/** An agent's schedule, defaults applied. */
export interface AgentSchedule {
  cron: string;
  /** false: the schedule is kept but never fires (default true). */
  enabled: boolean;
  /** The run's input (default {}). */
  variables: Record<string, unknown>;
  /** IANA time zone the cron expression is read in; absent: the machine's local time zone. */
  timezone?: string;
  /** Default skip. */
  overlap: OverlapPolicy;
  /** Default latest. */
  catchUp: CatchUpPolicy;
  /** With catch_up all, at most this many missed fires run (the newest ones). */
  maxCatchUp: number;
}

type Fail = (keys: readonly string[], message: string) => FileFormatError;

const NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Reads and checks a `schedule:` value; a bad one is a FileFormatError at its key (file, line, key). */
export function readSchedule(value: unknown, fail: Fail): AgentSchedule | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw fail(['schedule'], '"schedule" must be a mapping such as {cron: "0 9 * * *", enabled: true}');
  }
  const s = value as Record<string, unknown>;
  if (typeof s.cron !== 'string' || s.cron.trim() === '') {
    throw fail(
      ['schedule', 'cron'],
      `expected a cron expression such as "0 9 * * *" (5 or 6 fields), got ${describe(s.cron)}`,
    );
  }
  const cron = s.cron.trim();
  const schedule: AgentSchedule = {
    cron,
    enabled: true,
    variables: {},
    overlap: 'skip',
    catchUp: 'latest',
    maxCatchUp: DEFAULT_MAX_CATCH_UP,
  };
  if (s.enabled !== undefined && s.enabled !== null) {
    if (typeof s.enabled !== 'boolean')
      throw fail(['schedule', 'enabled'], `expected true or false, got ${describe(s.enabled)}`);
    schedule.enabled = s.enabled;
  }
  if (s.variables !== undefined && s.variables !== null) {
    if (typeof s.variables !== 'object' || Array.isArray(s.variables)) {
      throw fail(
        ['schedule', 'variables'],
        `expected a mapping of the run's input (userInput: ...), got ${describe(s.variables)}`,
      );
    }
    schedule.variables = s.variables as Record<string, unknown>;
  }
  if (s.timezone !== undefined && s.timezone !== null) {
    if (typeof s.timezone !== 'string' || !validTimeZone(s.timezone)) {
      throw fail(
        ['schedule', 'timezone'],
        `expected an IANA time zone such as "Europe/Berlin" or "UTC", got ${describe(s.timezone)}`,
      );
    }
    schedule.timezone = s.timezone;
  }
  schedule.overlap = oneOf(s.overlap, OVERLAP_POLICIES, ['schedule', 'overlap'], fail) ?? schedule.overlap;
  schedule.catchUp = oneOf(s.catch_up, CATCH_UP_POLICIES, ['schedule', 'catch_up'], fail) ?? schedule.catchUp;
  if (s.max_catch_up !== undefined && s.max_catch_up !== null) {
    const n = s.max_catch_up;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_CATCH_UP_LIMIT) {
      throw fail(
        ['schedule', 'max_catch_up'],
        `expected a whole number from 1 to ${String(MAX_CATCH_UP_LIMIT)}, got ${describe(n)}`,
      );
    }
    schedule.maxCatchUp = n;
  }
  const problem = cronProblem(cron, schedule.timezone);
  if (problem !== undefined) throw fail(['schedule', 'cron'], problem);
  return schedule;
}

/** Why a cron expression is refused, or undefined when it is good. */
export function cronProblem(cron: string, timezone?: string): string | undefined {
  const fields = cron.split(/\s+/);
  if (!cron.startsWith('@') && (fields.length < 5 || fields.length > 6)) {
    return `"${cron}" has ${String(fields.length)} field${fields.length === 1 ? '' : 's'}; expected 5 (minute hour day month weekday) or 6 (second first), e.g. "0 9 * * 1-5"`;
  }
  if (cron.startsWith('@') && !NICKNAMES.includes(cron.toLowerCase())) {
    return `"${cron}" is not a cron nickname; expected one of ${NICKNAMES.join(', ')} or 5 or 6 fields`;
  }
  try {
    cronOf({ cron, ...(timezone === undefined ? {} : { timezone }) }).nextRun(new Date(0));
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    return `"${cron}" is not a valid cron expression: ${message}`;
  }
}

/** The croner job (never started) for a schedule. */
export function cronOf(schedule: Pick<AgentSchedule, 'cron' | 'timezone'>): Cron {
  return new (cronClass())(schedule.cron, {
    paused: true,
    ...(schedule.timezone === undefined ? {} : { timezone: schedule.timezone }),
  });
}

let cron: typeof Cron | undefined;

/** croner, loaded by the first schedule read (its CommonJS build), not by every command that loads the core. */
function cronClass(): typeof Cron {
  if (cron === undefined) {
    const require = createRequire(import.meta.url);
    cron = (require('croner') as typeof import('croner')).Cron;
  }
  return cron;
}

/** The next `count` fire times strictly after `after` (ms since the epoch). */
export function nextFires(schedule: Pick<AgentSchedule, 'cron' | 'timezone'>, after: number, count: number): number[] {
  return cronOf(schedule)
    .nextRuns(count, new Date(after))
    .map((d) => d.getTime());
}

/**
 * Fire times in (after, upTo], oldest first; when there are more than `keep`, only the newest `keep`
 * (and `total` says how many there were, up to `scanLimit`).
 */
export function firesBetween(
  schedule: Pick<AgentSchedule, 'cron' | 'timezone'>,
  after: number,
  upTo: number,
  keep: number,
  scanLimit = 100_000,
): { times: number[]; total: number } {
  const job = cronOf(schedule);
  const times: number[] = [];
  let total = 0;
  let cursor: Date | null = new Date(after);
  while (total < scanLimit) {
    cursor = job.nextRun(cursor);
    if (cursor === null || cursor.getTime() > upTo) break;
    total += 1;
    times.push(cursor.getTime());
    if (times.length > keep) times.shift();
  }
  return { times, total };
}

/** A stable text of the parts of a schedule that decide its fire times (a change re-plans from now). */
export function scheduleKey(schedule: AgentSchedule): string {
  return JSON.stringify([schedule.cron, schedule.timezone ?? null, schedule.enabled]);
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  keys: readonly string[],
  fail: Fail,
): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw fail(keys, `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
