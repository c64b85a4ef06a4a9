import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMcpConfig, openEngine, type Engine } from '../../../src/core/index.js';
import { open, seal, secretAad } from '../../../src/core/security/secret-cipher.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { pgStoreOf } from '../../helpers/stores.js';
import { openDatabase } from '../../../src/core/store/database.js';
import { openPostgres } from '../../../src/core/store/open-store.js';
import type { StoreDb } from '../../../src/core/store/store-db.js';
import { tinyEntry, writeTemplate } from '../mcp/helpers.js';

const VALUE = 'ghp_store_value_0123456789abcdef';

let home: TempHome;
let engine: Engine;
let envDir: string;

function openHome(env: NodeJS.ProcessEnv = {}): Engine {
  return openEngine({ home: home.home, env });
}

/** Every byte of every file of the home (station.db, its WAL, the key file...), as text. */
function homeBytes(): string {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(readFileSync(path).toString('latin1'));
    }
  };
  walk(home.home);
  return out.join('\n');
}

/** Raw SQL on the home's store, behind Station's back (its file, or its PostgreSQL schema). */
function raw<T>(fn: (db: StoreDb) => T): T {
  const pg = pgStoreOf(home.home);
  const db = pg === undefined ? openDatabase(home.paths.database) : openPostgres(pg);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

beforeEach(() => {
  home = makeInitializedHome();
  envDir = join(home.home, 'environments', 'default');
  engine = openHome();
});
afterEach(async () => {
  await engine.close();
  home.cleanup();
});

describe('AES-256-GCM sealing', () => {
  it('binds a ciphertext to its scope and name, and uses a fresh 96-bit nonce per write', () => {
    const key = randomBytes(32);
    const a = seal(key, 'v', secretAad('default', 'A'));
    const b = seal(key, 'v', secretAad('default', 'A'));
    expect(a.nonce).toHaveLength(12);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(open(key, a, secretAad('default', 'A'))).toBe('v');
    expect(open(key, a, secretAad('default', 'B'))).toBeUndefined();
    expect(open(key, a, secretAad(null, 'A'))).toBeUndefined();
    expect(open(randomBytes(32), a, secretAad('default', 'A'))).toBeUndefined();
  });
});

describe('SecretService', () => {
  it('stores only ciphertext, lists names and scopes without values, and resolves env over global', () => {
    const first = engine.secrets.set('API_TOKEN', VALUE);
    expect(first.created).toBe(true);
    engine.secrets.set('API_TOKEN', 'env-scoped-value-1234', { environment: 'default' });
    expect(engine.secrets.set('API_TOKEN', VALUE).created).toBe(false);
    const list = engine.secrets.list();
    expect(list.map((s) => [s.name, s.scope, s.environment])).toEqual([
      ['API_TOKEN', 'global', null],
      ['API_TOKEN', 'environment', 'default'],
    ]);
    expect(JSON.stringify(list)).not.toContain(VALUE);
    expect(engine.secrets.valuesFor('default')).toEqual({ API_TOKEN: 'env-scoped-value-1234' });
    engine.environments.create('other');
    expect(engine.secrets.valuesFor('other')).toEqual({ API_TOKEN: VALUE });
    expect(homeBytes()).not.toContain(VALUE);
    expect(homeBytes()).not.toContain('env-scoped-value-1234');
  });

  it('refuses bad names and empty values, and unknown environments, writing nothing', () => {
    expect(() => engine.secrets.set('bad-name', 'x')).toThrow(/invalid secret name/);
    expect(() => engine.secrets.set('OK', '')).toThrow(/empty value/);
    expect(() => engine.secrets.set('OK', 'x', { environment: 'nope' })).toThrow(/does not exist/);
    expect(engine.secrets.list()).toEqual([]);
  });

  it('a flipped ciphertext byte, or a ciphertext moved to another row, is a clear error (exit 7), never a wrong value', () => {
    engine.secrets.set('A_TOKEN', 'value-of-a-0123');
    engine.secrets.set('B_TOKEN', 'value-of-b-4567', { environment: 'default' });
    raw((db) => {
      const a = db.prepare("SELECT ciphertext, nonce FROM secrets WHERE name = 'A_TOKEN'").get() as {
        ciphertext: Buffer;
        nonce: Buffer;
      };
      db.prepare("UPDATE secrets SET ciphertext = ?, nonce = ? WHERE name = 'B_TOKEN'").run(a.ciphertext, a.nonce);
    });
    const moved = (() => {
      try {
        engine.secrets.valuesFor('default');
        return undefined;
      } catch (error) {
        return error as { code: string; exitCode: number; message: string };
      }
    })();
    expect(moved).toMatchObject({ code: 'secret_unreadable', exitCode: 7 });
    expect(moved?.message).toContain('B_TOKEN');

    engine.secrets.set('B_TOKEN', 'value-of-b-4567', { environment: 'default' });
    raw((db) => {
      const row = db.prepare("SELECT id, ciphertext FROM secrets WHERE name = 'A_TOKEN'").get() as {
        id: number;
        ciphertext: Buffer;
      };
      const flipped = Buffer.from(row.ciphertext);
      flipped[0] = (flipped[0] ?? 0) ^ 0x01;
      db.prepare('UPDATE secrets SET ciphertext = ? WHERE id = ?').run(flipped, row.id);
    });
    expect(() => engine.secrets.valuesFor('default')).toThrow(/global secret A_TOKEN cannot be decrypted/);
  });

  it('a wrong STATION_ENCRYPTION_KEY is exit 7 naming its source, and changes nothing', async () => {
    engine.secrets.set('API_TOKEN', VALUE);
    await engine.close();
    const before = raw((db) => JSON.stringify(db.prepare('SELECT * FROM secrets').all()));
    engine = openHome({ STATION_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    for (const attempt of [
      () => engine.secrets.valuesFor('default'),
      () => engine.secrets.set('OTHER_TOKEN', 'x'),
      () => engine.secrets.set('API_TOKEN', 'overwrite'),
      () => engine.secrets.rotateKey(),
    ]) {
      expect(attempt).toThrow(/the key from the STATION_ENCRYPTION_KEY environment variable is not the key/);
    }
    try {
      engine.secrets.valuesFor('default');
    } catch (error) {
      expect(error).toMatchObject({ code: 'encryption_key_wrong', exitCode: 7 });
    }
    expect(raw((db) => JSON.stringify(db.prepare('SELECT * FROM secrets').all()))).toBe(before);
    await engine.close();
    engine = openHome({ STATION_ENCRYPTION_KEY: 'not-a-key' });
    expect(() => engine.secrets.valuesFor('default')).toThrow(/does not hold a valid key/);
    await engine.close();
    // The right key (the file) still opens them.
    engine = openHome();
    expect(engine.secrets.valuesFor('default')).toEqual({ API_TOKEN: VALUE });
  });

  it('a missing key file with stored secrets is exit 6 and no new key is made', async () => {
    engine.secrets.set('API_TOKEN', VALUE);
    const { rmSync } = await import('node:fs');
    rmSync(home.paths.keyFile);
    expect(() => engine.secrets.valuesFor('default')).toThrow(/no encryption key/);
    expect(() => engine.secrets.set('X_TOKEN', 'x')).toThrow(/no encryption key/);
    expect(existsSync(home.paths.keyFile)).toBe(false);
  });

  it('rotate-key re-encrypts every secret, keeps the old key file as a dated 0600 backup; the old key no longer opens them', async () => {
    engine.secrets.set('API_TOKEN', VALUE);
    engine.secrets.set('DB_PASSWORD', 'pw-0123456789', { environment: 'default' });
    const oldKey = readFileSync(home.paths.keyFile, 'utf8').trim();
    const result = engine.secrets.rotateKey(new Date('2026-12-06T01:02:03.456Z'));
    expect(result).toMatchObject({ secrets: 2, source: 'file', keyFile: home.paths.keyFile });
    expect(result.backup).toBe(`${home.paths.keyFile}.2026-12-06T01-02-03-456Z.bak`);
    expect(readFileSync(result.backup!, 'utf8').trim()).toBe(oldKey);
    expect(statSync(result.backup!).mode & 0o777).toBe(0o600);
    expect(statSync(home.paths.keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(home.paths.keyFile, 'utf8').trim()).not.toBe(oldKey);
    expect(existsSync(`${home.paths.keyFile}.new`)).toBe(false);
    expect(engine.secrets.valuesFor('default')).toEqual({ API_TOKEN: VALUE, DB_PASSWORD: 'pw-0123456789' });
    await engine.close();
    engine = openHome({ STATION_ENCRYPTION_KEY: oldKey });
    expect(() => engine.secrets.valuesFor('default')).toThrow(/not the key the secrets were stored with/);
  });

  it('a rotation cut off after the secrets were re-encrypted (the new key still staged) names the way to finish it', async () => {
    engine.secrets.set('API_TOKEN', VALUE);
    const oldKey = readFileSync(home.paths.keyFile, 'utf8');
    const { backup } = engine.secrets.rotateKey(new Date('2026-12-06T01:02:03.456Z'));
    await engine.close();
    // The state a crash between the database commit and the key file rename leaves: the old key file in
    // place, the new key staged as station.key.new, the secrets under the new key.
    const { renameSync } = await import('node:fs');
    const pending = `${home.paths.keyFile}.new`;
    renameSync(home.paths.keyFile, pending);
    writeFileSync(home.paths.keyFile, oldKey, { mode: 0o600 });
    engine = openHome();
    let message = '';
    try {
      engine.secrets.valuesFor('default');
    } catch (error) {
      message = `${String(error)} ${JSON.stringify((error as { hints?: string[] }).hints)}`;
    }
    expect(message).toContain('not the key the secrets were stored with');
    expect(message).toContain(
      `A key rotation was interrupted after the secrets were re-encrypted: finish it with: mv ${pending} ${home.paths.keyFile}`,
    );
    expect(existsSync(backup!)).toBe(true);
    // Doing what it says gives the secrets back.
    await engine.close();
    renameSync(pending, home.paths.keyFile);
    engine = openHome();
    expect(engine.secrets.valuesFor('default')).toEqual({ API_TOKEN: VALUE });
  });

  it('with STATION_ENCRYPTION_KEY, rotation needs STATION_NEW_ENCRYPTION_KEY and writes no key file', async () => {
    const k1 = randomBytes(32).toString('base64');
    const k2 = randomBytes(32).toString('hex');
    await engine.close();
    engine = openHome({ STATION_ENCRYPTION_KEY: k1 });
    const { rmSync } = await import('node:fs');
    rmSync(home.paths.keyFile);
    engine.secrets.set('API_TOKEN', VALUE);
    expect(() => engine.secrets.rotateKey()).toThrow(/give the new key in STATION_NEW_ENCRYPTION_KEY/);
    await engine.close();
    engine = openHome({ STATION_ENCRYPTION_KEY: k1, STATION_NEW_ENCRYPTION_KEY: k2 });
    expect(engine.secrets.rotateKey()).toEqual({ secrets: 1, source: 'env', databaseEncrypted: false });
    expect(existsSync(home.paths.keyFile)).toBe(false);
    await engine.close();
    engine = openHome({ STATION_ENCRYPTION_KEY: k2 });
    expect(engine.secrets.valuesFor('default')).toEqual({ API_TOKEN: VALUE });
  });

  it('import moves secret-looking values out of variables.yml (rewritten 0600, comments and the rest kept)', () => {
    writeTemplate(envDir, {
      tiny: { ...tinyEntry('{{ .PROJECT_ROOT }}'), env: { GITHUB_TOKEN: '{{ .GITHUB_TOKEN }}', MODE: '{{ .MODE }}' } },
      web: { url: 'https://example.test/mcp', headers: { 'X-Api': '{{ .HEADER_VALUE }}' } },
    });
    const file = join(envDir, 'variables.yml');
    writeFileSync(
      file,
      '# my variables\nPROJECT_ROOT: /srv/p # the project\nGITHUB_TOKEN: ghp_import_0123456789\nMODE: fast\nHEADER_VALUE: hv-0123\n',
      { mode: 0o644 },
    );
    const result = engine.secrets.importVariables('default');
    expect(result.imported).toEqual(['GITHUB_TOKEN', 'HEADER_VALUE']);
    expect(result.kept).toEqual(['PROJECT_ROOT', 'MODE']);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe('# my variables\nPROJECT_ROOT: /srv/p # the project\nMODE: fast\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(engine.secrets.valuesFor('default')).toEqual({
      GITHUB_TOKEN: 'ghp_import_0123456789',
      HEADER_VALUE: 'hv-0123',
    });
    expect(homeBytes()).not.toContain('ghp_import_0123456789');
    expect(engine.secrets.importVariables('default').imported).toEqual([]);
  });

  it('import of the last entry leaves the comment lines of variables.yml', () => {
    const file = join(envDir, 'variables.yml');
    writeFileSync(file, '# only comments stay\nAPI_TOKEN: abc-0123456789\n');
    expect(engine.secrets.importVariables('default').imported).toEqual(['API_TOKEN']);
    expect(readFileSync(file, 'utf8')).toBe('# only comments stay\n');
  });

  it('templates resolve --var > process env > store (env before global) > variables.yml > schema default', () => {
    writeTemplate(envDir, {
      tiny: {
        ...tinyEntry(),
        env: { A: '{{ .V_A }}', B: '{{ .V_B }}', C: '{{ .V_C }}', D: '{{ .V_D }}', E: '{{ .V_E }}' },
      },
    });
    writeFileSync(
      join(envDir, 'variables.schema.json'),
      JSON.stringify({ properties: { V_E: { default: 'schema-e' }, V_D: { default: 'schema-d' } } }),
    );
    writeFileSync(join(envDir, 'variables.yml'), 'V_A: file-a\nV_B: file-b\nV_C: file-c\nV_D: file-d\n');
    for (const name of ['V_A', 'V_B', 'V_C']) engine.secrets.set(name, `global-${name}`);
    engine.secrets.set('V_C', 'env-c', { environment: 'default' });
    const config = loadMcpConfig(envDir, {
      env: { V_A: 'process-a', V_B: 'process-b' },
      overrides: { V_A: 'var-a' },
      stored: engine.secrets.valuesFor('default'),
    });
    expect(config.variables.values).toEqual({
      V_A: 'var-a',
      V_B: 'process-b',
      V_C: 'env-c',
      V_D: 'file-d',
      V_E: 'schema-e',
    });
    expect(config.variables.origin).toEqual({ V_A: 'override', V_B: 'env', V_C: 'store', V_D: 'file', V_E: 'default' });
    // Every stored value is masked, used by the template or not.
    const masked = config.secrets.filter((s) => s.secret).map((s) => s.value);
    expect(masked).toEqual(expect.arrayContaining(['env-c', 'global-V_A', 'global-V_B']));
    expect(engine.mcpServers.secrets('default').map((s) => s.value)).toEqual(
      expect.arrayContaining(['env-c', 'global-V_A', 'global-V_B']),
    );
  });
});
