import { ValidationError } from '../errors.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The start of a `--since` window, in ms since the epoch: an age (`30m`, `1h`, `2d`, `1w`: that long
 * before `now`) or a date or date-time (`2026-11-28`, `2026-11-28T10:00`, local time unless it names a zone).
 */
export function parseSince(text: string, now = Date.now(), field = 'since'): number {
  const value = text.trim();
  const age = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(value);
  if (age !== null) return now - Math.round(Number(age[1]) * (UNITS[age[2] ?? 'h'] ?? 0));
  // A bare date is read as local midnight (Date.parse reads it as UTC).
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00`) : Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(at)) return at;
  throw new ValidationError(`${field} "${text}" is neither an age nor a date`, [
    { field, message: 'expected an age such as 30m, 1h, 2d, 1w, or a date such as 2026-11-28 or 2026-11-28T10:00' },
  ]);
}
