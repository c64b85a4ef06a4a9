import { describe, expect, it } from 'vitest';
import { StationError, parseSince } from '../../../src/core/index.js';

describe('parseSince', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  it('reads an age back from now, and a date or date-time in local time', () => {
    expect(parseSince('30m', now)).toBe(now - 30 * 60_000);
    expect(parseSince('1h', now)).toBe(now - 3_600_000);
    expect(parseSince('2d', now)).toBe(now - 2 * 86_400_000);
    expect(parseSince('1w', now)).toBe(now - 7 * 86_400_000);
    expect(parseSince('2026-11-28T10:00', now)).toBe(new Date(2026, 10, 28, 10, 0).getTime());
    expect(parseSince('2026-11-28', now)).toBe(new Date(2026, 10, 28).getTime());
    expect(parseSince('2026-11-28T10:00:00Z', now)).toBe(Date.parse('2026-11-28T10:00:00Z'));
  });
  it('rejects anything else with exit 5', () => {
    for (const text of ['yesterday', '10', '1y', '', '2026-13-45']) {
      expect(() => parseSince(text, now)).toThrow(StationError);
    }
    expect(() => parseSince('soon', now)).toThrow('since "soon" is neither an age nor a date');
  });
});
