/**
 * Agents' schedules as the TUI shows them: the next fire in a few columns ("in 4m", "Tue 09:00",
 * "paused", "disabled") for the Agents list, and one line (cron, timezone, next fire, paused) for an
 * agent's detail. The times come from the schedules API (`next`, computed by the core); nothing here
 * parses cron.
 */
import type { ScheduleView } from '../client/station-client.js';
import { formatDateTime } from '../format.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * When a time to come is, compactly: "in 40s", "in 4m", "in 2h" within a day, then the local weekday and
 * time ("Tue 09:00") within a week, then the local date ("Dec 25"); "due" once it has passed.
 */
export function formatIn(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '-';
  const ms = at - now;
  if (ms <= 0) return 'due';
  if (ms < 60_000) return `in ${String(Math.ceil(ms / 1000))}s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `in ${String(minutes)}m`;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 24) return `in ${String(hours)}h`;
  const d = new Date(at);
  const two = (n: number): string => String(n).padStart(2, '0');
  if (ms < 6 * 86_400_000) return `${DAYS[d.getDay()] ?? ''} ${two(d.getHours())}:${two(d.getMinutes())}`;
  return `${MONTHS[d.getMonth()] ?? ''} ${String(d.getDate())}`;
}

export type NextFireState = 'none' | 'next' | 'paused' | 'disabled' | 'unknown';

/** What the Agents list shows for an agent's schedule (undefined: the agent has none). */
export function nextFire(schedule: ScheduleView | undefined, now: number): { text: string; state: NextFireState } {
  if (schedule === undefined) return { text: '-', state: 'none' };
  if (!schedule.enabled) return { text: 'disabled', state: 'disabled' };
  if (schedule.paused) return { text: 'paused', state: 'paused' };
  const next = schedule.next[0];
  if (next === undefined) return { text: '-', state: 'unknown' };
  return { text: formatIn(next, now), state: 'next' };
}

/** Is the first next fire of any schedule past (its list is out of date and should be loaded again)? */
export function anyFirePast(schedules: readonly ScheduleView[] | undefined, now: number): boolean {
  return (schedules ?? []).some((s) => s.next[0] !== undefined && Date.parse(s.next[0]) <= now);
}

/** The schedule of an agent as one line of its detail: cron, timezone, next fire (relative and local), paused. */
export function scheduleLine(schedule: ScheduleView, now: number): string {
  const parts = [`schedule: ${schedule.cron}`, `timezone: ${schedule.timezone ?? 'local'}`];
  if (!schedule.enabled) parts.push('disabled (enabled: false)');
  else if (schedule.paused) {
    const by = schedule.pausedBy === null ? '' : ` by ${schedule.pausedBy}`;
    const at = schedule.pausedAt === null ? '' : ` at ${formatDateTime(schedule.pausedAt)}`;
    parts.push(`paused${by}${at}`);
  } else {
    const next = schedule.next[0];
    parts.push(next === undefined ? 'next fire: -' : `next fire: ${formatIn(next, now)} (${formatDateTime(next)})`);
  }
  return parts.join('   ');
}
