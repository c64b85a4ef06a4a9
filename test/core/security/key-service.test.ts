import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  ConflictError,
  KeyService,
  NotFoundError,
  ValidationError,
  allows,
  authorize,
  bearerToken,
  openDatabase,
  type Db,
  type Principal,
} from '../../../src/core/index.js';
import { hashApiKey, keyPrefix, verifyApiKey } from '../../../src/core/security/api-keys.js';

describe('KeyService', () => {
  let db: Db;
  afterEach(() => db.close());

  it('creates a key that is shown once and stored only as a hash', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    const { key, info } = keys.create({ name: 'ci', role: 'user', environments: ['staging', 'prod'] });
    expect(key).toMatch(/^stn_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(info).toMatchObject({
      name: 'ci',
      role: 'user',
      environments: ['prod', 'staging'],
      status: 'active',
      revokedAt: null,
    });
    expect(info.display).toBe(`stn_${info.prefix}_…`);
    const row = db.prepare('SELECT * FROM api_keys').get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(key.slice(17));
    expect(row.key_hash).toBe(hashApiKey(key));
    expect(JSON.stringify(keys.list())).not.toContain(key.slice(17));
  });

  it('authenticates a Bearer header and a bare key, with the grants', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    const { key } = keys.create({ name: 'viewer1', role: 'viewer', environments: ['default'] });
    expect(keys.authenticate(`Bearer ${key}`)).toMatchObject({
      name: 'viewer1',
      role: 'viewer',
      environments: ['default'],
    });
    expect(keys.authenticate(key).role).toBe('viewer');
    const admin = keys.create({ name: 'root', role: 'admin', environments: ['default'] });
    expect(admin.info.environments).toEqual(['*']);
    expect(keys.authenticate(`bearer ${admin.key}`).environments).toBe('*');
    expect(keys.list().find((k) => k.name === 'viewer1')?.lastUsedAt).not.toBeNull();
  });

  it('rejects missing, malformed, unknown, tampered and revoked keys without echoing them', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    const { key } = keys.create({ name: 'k', role: 'user' });
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const bad of [
      undefined,
      '',
      'Bearer',
      'Basic abc',
      'Bearer nope',
      `Bearer ${tampered}`,
      `Bearer stn_000000000000_${'a'.repeat(43)}`,
    ]) {
      let caught: unknown;
      try {
        keys.authenticate(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AuthError);
      expect((caught as AuthError).code).toBe('unauthorized');
      expect((caught as AuthError).message).not.toContain(tampered.slice(17));
    }
    keys.revoke('k');
    expect(() => keys.authenticate(`Bearer ${key}`)).toThrow(/revoked/);
    expect(() => keys.revoke('k')).toThrow(ConflictError);
  });

  it('revokes by id, prefix, name or full key; unknown and ambiguous references fail', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    const a = keys.create({ name: 'a', role: 'viewer' });
    const b = keys.create({ name: 'b', role: 'viewer' });
    keys.create({ name: 'c', role: 'viewer' });
    const d = keys.create({ name: 'd', role: 'viewer' });
    expect(keys.revoke(String(a.info.id)).name).toBe('a');
    expect(keys.revoke(`stn_${b.info.prefix}`).name).toBe('b');
    expect(keys.revoke('c').name).toBe('c');
    expect(keys.revoke(d.key).name).toBe('d');
    expect(keys.list().map((k) => k.status)).toEqual(['revoked', 'revoked', 'revoked', 'revoked']);
    expect(() => keys.revoke('zzz')).toThrow(NotFoundError);
    keys.create({ name: 'twin', role: 'user' });
    keys.create({ name: 'twin', role: 'user' });
    expect(() => keys.revoke('twin')).toThrow(/2 active keys/);
    // The service writes no audit rows: the application layer does, once per change (test/e2e/audit-doors).
    expect(keys.auditLog()).toEqual([]);
  });

  it('validates name, role and environment grants with field errors and writes nothing', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    let caught: unknown;
    try {
      keys.create({ name: '', role: 'root', environments: ['../x'] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues.map((i) => i.field)).toEqual(['name', 'role', 'environments']);
    expect(keys.list()).toEqual([]);
  });

  it('records the owner in users', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    keys.create({ name: 'laptop', role: 'user', user: 'alice' });
    keys.create({ name: 'desktop', role: 'user', user: 'alice' });
    expect(keys.list().map((k) => k.user)).toEqual(['alice', 'alice']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM users').get()).toEqual({ n: 1 });
  });
});

describe('api key helpers', () => {
  it('parses prefixes and bearer tokens, verifies hashes', () => {
    const key = `stn_0123456789ab_${'x'.repeat(43)}`;
    expect(keyPrefix(key)).toBe('0123456789ab');
    expect(keyPrefix('stn_short_x')).toBeUndefined();
    expect(bearerToken(`Bearer   ${key}`)).toBe(key);
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(verifyApiKey(key, hashApiKey(key))).toBe(true);
    expect(verifyApiKey(key + 'y', hashApiKey(key))).toBe(false);
    expect(verifyApiKey(key, 'abcd')).toBe(false);
  });
});

describe('roles', () => {
  const p = (role: Principal['role'], environments: Principal['environments']): Principal => ({
    keyId: 1,
    name: 'k',
    prefix: '0123456789ab',
    role,
    environments,
  });

  it('admin may do everything anywhere; user reads and runs in its environments; viewer only reads', () => {
    const table: [Principal, string, string | undefined, boolean][] = [
      [p('admin', '*'), 'admin', undefined, true],
      [p('admin', '*'), 'write', 'x', true],
      [p('user', ['a']), 'read', 'a', true],
      [p('user', ['a']), 'run', 'a', true],
      [p('user', ['a']), 'run', 'b', false],
      [p('user', ['a']), 'write', 'a', false],
      [p('user', '*'), 'run', 'b', true],
      [p('user', '*'), 'admin', undefined, false],
      [p('viewer', ['a']), 'read', 'a', true],
      [p('viewer', ['a']), 'read', 'b', false],
      [p('viewer', '*'), 'run', 'a', false],
    ];
    for (const [principal, action, env, expected] of table) {
      expect(allows(principal, action as 'read', env), `${principal.role} ${action} ${String(env)}`).toBe(expected);
    }
    expect(() => authorize(p('viewer', '*'), 'run', 'a')).toThrow(/may not start or cancel runs/);
    expect(() => authorize(p('user', ['a']), 'read', 'b')).toThrow(/no access to environment "b"/);
  });
});
