import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  ConflictError,
  KeyService,
  ValidationError,
  openDatabase,
  type Db,
} from '../../../src/core/index.js';
import { generateApiKey, hashApiKey, importedKeyProblem } from '../../../src/core/security/api-keys.js';

/** A key as KEY_RECIPE makes it (openssl rand -hex 6, openssl rand -base64 32 in the base64url alphabet). */
function madeKey(): string {
  return `stn_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
}

describe('KeyService.import', () => {
  let db: Db;
  afterEach(() => db.close());

  it('stores only the hash of the key it is given, which then authenticates with the role asked for', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    const key = madeKey();
    const imported = keys.import({ name: 'deploy', role: 'admin', key });
    expect(imported.outcome).toBe('created');
    expect(imported.replaced).toEqual([]);
    expect(imported.info).toMatchObject({ name: 'deploy', role: 'admin', environments: ['*'], status: 'active' });
    expect(imported.info.prefix).toBe(key.slice(4, 16));
    const row = db.prepare('SELECT * FROM api_keys').get() as Record<string, unknown>;
    expect(row.key_hash).toBe(hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(17));
    expect(keys.authenticate(`Bearer ${key}`)).toMatchObject({ name: 'deploy', role: 'admin', environments: '*' });

    const viewer = madeKey();
    keys.import({ name: 'board', role: 'viewer', environments: ['prod'], key: viewer });
    expect(keys.authenticate(viewer)).toMatchObject({ role: 'viewer', environments: ['prod'] });
  });

  it('the same key under the same name and grants again changes nothing, with or without replace', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    const key = madeKey();
    const first = keys.import({ name: 'deploy', role: 'admin', key });
    const again = keys.import({ name: 'deploy', role: 'admin', key });
    expect(again.outcome).toBe('unchanged');
    expect(again.info).toEqual(first.info);
    expect(keys.import({ name: 'deploy', role: 'admin', key, replace: true }).outcome).toBe('unchanged');
    expect(keys.list()).toHaveLength(1);
  });

  it('another key under the name is refused; with replace the old one is revoked and the new one works', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    const old = madeKey();
    keys.import({ name: 'deploy', role: 'admin', key: old });
    const created = keys.create({ name: 'deploy', role: 'user' }).key;
    const fresh = madeKey();
    expect(() => keys.import({ name: 'deploy', role: 'admin', key: fresh })).toThrow(ConflictError);
    expect(() => keys.import({ name: 'deploy', role: 'admin', key: fresh })).toThrow(
      /key "deploy" already exists \(stn_[0-9a-f]{12}_…, stn_[0-9a-f]{12}_…\) with another secret/,
    );
    expect(() => keys.authenticate(fresh)).toThrow(AuthError);

    const replaced = keys.import({ name: 'deploy', role: 'admin', key: fresh, replace: true });
    expect(replaced.outcome).toBe('replaced');
    expect(replaced.replaced.map((k) => [k.name, k.status])).toEqual([
      ['deploy', 'revoked'],
      ['deploy', 'revoked'],
    ]);
    expect(() => keys.authenticate(old)).toThrow(/was revoked/);
    expect(() => keys.authenticate(created)).toThrow(/was revoked/);
    expect(keys.authenticate(fresh)).toMatchObject({ name: 'deploy', role: 'admin' });
    // The replaced key stays revoked: importing it again is refused, --replace or not.
    expect(() => keys.import({ name: 'deploy', role: 'admin', key: old, replace: true })).toThrow(
      /key "deploy" \(stn_[0-9a-f]{12}_…\) is revoked: it cannot be imported again/,
    );
    // Keys under other names are left alone.
    const other = madeKey();
    keys.import({ name: 'ci', role: 'user', key: other });
    keys.import({ name: 'deploy', role: 'admin', key: madeKey(), replace: true });
    expect(keys.authenticate(other).name).toBe('ci');
  });

  it('the same key with other grants is refused; with replace it gets them', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    const key = madeKey();
    keys.import({ name: 'deploy', role: 'admin', key });
    expect(() => keys.import({ name: 'deploy', role: 'user', environments: ['prod'], key })).toThrow(
      'key "deploy" (stn_' +
        key.slice(4, 16) +
        '_…) is stored with role admin for environments all, not role user for prod',
    );
    const updated = keys.import({ name: 'deploy', role: 'user', environments: ['prod'], key, replace: true });
    expect(updated.outcome).toBe('updated');
    expect(keys.authenticate(key)).toMatchObject({ role: 'user', environments: ['prod'] });
    expect(keys.list()).toHaveLength(1);
  });

  it('refuses a key stored under another name, a rotated key, and a prefix taken by another key', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    const key = madeKey();
    keys.import({ name: 'deploy', role: 'admin', key });
    expect(() => keys.import({ name: 'ops', role: 'admin', key })).toThrow(
      /this key \(stn_[0-9a-f]{12}_…\) is stored as key "deploy", not "ops"/,
    );
    keys.rotate('deploy', { grace: '1h' });
    expect(() => keys.import({ name: 'deploy', role: 'admin', key, replace: true })).toThrow(/is rotated/);
    const sharedPrefix = `${key.slice(0, 17)}${randomBytes(32).toString('base64url')}`;
    expect(() => keys.import({ name: 'x', role: 'admin', key: sharedPrefix })).toThrow(
      /another key already has the prefix/,
    );
  });

  it('refuses a malformed or predictable key with what is expected, never repeating it', () => {
    db = openDatabase(':memory:');
    const keys = new KeyService(db);
    const cases: [string, RegExp][] = [
      ['too-short', /60 in all; got 9 characters not starting with "stn_"/],
      [randomBytes(32).toString('hex'), /got 64 characters not starting with "stn_"/],
      [`stn_abc_${randomBytes(32).toString('base64url')}`, /12 hex digits/],
      [`stn_0123456789ab_${randomBytes(32).toString('base64url')}=`, /got 61 characters$/],
      [`stn_0123456789ab_${'a'.repeat(43)}`, /8 equal or consecutive characters in a row/],
      [`stn_0123456789ab_abcdefghXy${randomBytes(27).toString('base64url')}`.slice(0, 60), /consecutive/],
      [`stn_0123456789ab_${'ab01'.repeat(11).slice(0, 43)}`, /too predictable \(4 different characters/],
    ];
    for (const [key, message] of cases) {
      let error: unknown;
      try {
        keys.import({ name: 'deploy', role: 'admin', key });
      } catch (e) {
        error = e;
      }
      expect(error, key).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message, key).toMatch(message);
      expect((error as ValidationError).message).not.toContain(key);
      expect((error as ValidationError).hints[0]).toContain('openssl rand -hex 6');
    }
    expect(() => keys.import({ name: 'bad/name', role: 'root', key: madeKey() })).toThrow(
      /name: expected .*; role: expected one of admin, user, viewer/,
    );
    expect(keys.list()).toEqual([]);
  });

  it('accepts what generateApiKey and the recipe make (the checks do not refuse random keys)', () => {
    for (let i = 0; i < 2000; i++) {
      expect(importedKeyProblem(generateApiKey().key)).toBeUndefined();
      expect(importedKeyProblem(madeKey())).toBeUndefined();
    }
  });
});
