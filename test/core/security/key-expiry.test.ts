// API keys with an expiry, rotation with a grace period and last use, against a real SQLite database and
// an injected clock (no waiting).
import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, KeyService, ValidationError, openDatabase, type Db } from '../../../src/core/index.js';

const HOUR = 3_600_000;

describe('API key expiry and rotation', () => {
  let db: Db;
  afterEach(() => db.close());

  function service(): { keys: KeyService; clock: { now: number } } {
    db = openDatabase(':memory:');
    const clock = { now: Date.parse('2026-12-01T00:00:00Z') };
    return { keys: new KeyService(db, () => clock.now), clock };
  }

  function authError(fn: () => unknown): AuthError {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(AuthError);
      return error as AuthError;
    }
    throw new Error('expected an AuthError');
  }

  it('--expires 30d: works until then, then 401 "expired"', () => {
    const { keys, clock } = service();
    const { key, info } = keys.create({ name: 'ci', role: 'user', expires: '30d' });
    expect(info.expiresAt).toBe('2026-12-31T00:00:00.000Z');
    expect(keys.authenticate(key).name).toBe('ci');
    clock.now += 30 * 24 * HOUR;
    const error = authError(() => keys.authenticate(key));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('expired');
    expect(keys.list()[0]?.status).toBe('expired');
  });

  it('accepts 12h and an ISO date; refuses nonsense and a past date', () => {
    const { keys } = service();
    expect(keys.create({ name: 'a', role: 'user', expires: '12h' }).info.expiresAt).toBe('2026-12-01T12:00:00.000Z');
    expect(keys.create({ name: 'b', role: 'user', expires: '2027-01-31' }).info.expiresAt).toBe(
      '2027-01-31T00:00:00.000Z',
    );
    expect(() => keys.create({ name: 'c', role: 'user', expires: 'soon' })).toThrow(ValidationError);
    expect(() => keys.create({ name: 'd', role: 'user', expires: '2020-01-01' })).toThrow(/passed/);
  });

  it('rotate: same name, role and grants; the old key works within the grace period, then 401 expired', () => {
    const { keys, clock } = service();
    const old = keys.create({ name: 'ci', role: 'user', environments: ['prod'], user: 'ann' });
    const rotated = keys.rotate('ci', { grace: '1h' });
    expect(rotated.key).not.toBe(old.key);
    expect(rotated.info).toMatchObject({
      name: 'ci',
      role: 'user',
      environments: ['prod'],
      user: 'ann',
      status: 'active',
    });
    expect(rotated.previous).toMatchObject({ status: 'rotated', expiresAt: '2026-12-01T01:00:00.000Z' });
    expect(keys.authenticate(rotated.key)).toMatchObject({ name: 'ci', environments: ['prod'], owner: 'ann' });
    clock.now += HOUR - 1;
    expect(keys.authenticate(old.key).name).toBe('ci');
    clock.now += 1;
    expect(authError(() => keys.authenticate(old.key)).message).toMatch(/expired.*rotated/);
    expect(keys.authenticate(rotated.key).name).toBe('ci');
    // The name now means the new key; the old one cannot be rotated again.
    expect(keys.find('ci').prefix).toBe(rotated.info.prefix);
    expect(() => keys.rotate(old.info.prefix)).toThrow(/only an active key/);
  });

  it('rotate defaults to a 24h grace and keeps the lifetime of an expiring key', () => {
    const { keys, clock } = service();
    const old = keys.create({ name: 'ci', role: 'viewer', expires: '30d' });
    clock.now += 10 * 24 * HOUR;
    const rotated = keys.rotate('ci');
    expect(rotated.previous.expiresAt).toBe(new Date(clock.now + 24 * HOUR).toISOString());
    expect(rotated.info.expiresAt).toBe(new Date(clock.now + 30 * 24 * HOUR).toISOString());
    clock.now += 24 * HOUR;
    expect(authError(() => keys.authenticate(old.key)).message).toContain('expired');
  });

  it('records last use at most once a minute', () => {
    const { keys, clock } = service();
    const { key } = keys.create({ name: 'ci', role: 'user' });
    expect(keys.list()[0]?.lastUsedAt).toBeNull();
    keys.authenticate(key);
    const first = keys.list()[0]?.lastUsedAt;
    expect(first).toBe('2026-12-01T00:00:00.000Z');
    clock.now += 30_000;
    keys.authenticate(key);
    expect(keys.list()[0]?.lastUsedAt).toBe(first);
    clock.now += 31_000;
    keys.authenticate(key);
    expect(keys.list()[0]?.lastUsedAt).toBe('2026-12-01T00:01:01.000Z');
  });
});
