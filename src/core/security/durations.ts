import { ValidationError } from '../errors.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration such as `90s`, `15m`, `12h`, `30d` or `2w`, in ms; `0` is allowed (no time at all). */
export function parseDuration(text: string, field: string): number {
  const match = /^\s*(\d+)\s*([smhdw])?\s*$/i.exec(text);
  const amount = match === null ? NaN : Number(match[1]);
  const unit = match?.[2]?.toLowerCase();
  if (match === null || !Number.isSafeInteger(amount) || (unit === undefined && amount !== 0)) {
    throw new ValidationError(
      `invalid ${field} ${JSON.stringify(text)}: expected a duration such as 12h, 30d or 2w (units s, m, h, d, w)`,
      [{ field, message: 'expected a duration such as 12h, 30d or 2w' }],
    );
  }
  return amount * (unit === undefined ? 0 : (UNITS[unit] ?? 0));
}

/**
 * When something given as `--expires` ends, in ms since the epoch: a duration from `now` (`30d`) or an ISO
 * date or date-time (`2027-01-31`, `2027-01-31T12:00:00Z`), which must lie in the future.
 */
export function parseExpiry(text: string, now: number, field = 'expires'): number {
  if (/^\s*\d+\s*[smhdw]\s*$/i.test(text)) {
    const ms = parseDuration(text, field);
    if (ms <= 0)
      throw new ValidationError(`invalid ${field} ${JSON.stringify(text)}: expected a duration above zero`, [
        { field, message: 'expected a duration above zero' },
      ]);
    return now + ms;
  }
  const at = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(at)) {
    throw new ValidationError(
      `invalid ${field} ${JSON.stringify(text)}: expected a duration (12h, 30d) or an ISO date (2027-01-31)`,
      [{ field, message: 'expected a duration such as 30d or an ISO date' }],
    );
  }
  if (at <= now) {
    throw new ValidationError(`invalid ${field} ${JSON.stringify(text)}: the date has passed`, [
      { field, message: 'expected a date in the future' },
    ]);
  }
  return at;
}
