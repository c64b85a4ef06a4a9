/**
 * The secret store: values encrypted at rest (AES-256-GCM, see secret-cipher.ts) with the home's key (see
 * encryption-key.ts), global or scoped to an environment. Values go in (set, import) and out only to where
 * Station itself uses them: template placeholders (valuesFor) and masking (knownSecrets). No listing, door or
 * export ever shows one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StationPaths } from '../config/home.js';
import { readMcpServerTemplates, secretVariableNames } from '../config/mcp-config.js';
import {
  loadEnvironmentVariables,
  loadVariablesSchema,
  removeVariables,
  VARIABLES_FILE,
} from '../config/mcp-config-variables.js';
import type { EnvironmentService } from '../environments/environment-service.js';
import { ExitCode, NotFoundError, StationError, UsageError, ValidationError } from '../errors.js';
import { secretLabel, type Secret } from '../mcp/redactor.js';
import { openDatabase, type Db } from '../store/database.js';
import type { StoreDb } from '../store/store-db.js';
import { INTERNAL_SECRET_PREFIX, SecretRepo, type SecretRow } from '../store/secret-repo.js';
import { assertAlone, changeDatabaseKey, isEncryptedDatabase } from '../store/database-cipher.js';
import {
  abandonKeyFile,
  commitKeyFile,
  describeKeySource,
  EncryptionKeyError,
  ensureKeyFile,
  generateKey,
  keyCheck,
  keyMatches,
  NEW_KEY_ENV,
  parseKey,
  pendingKeyFile,
  readEncryptionKey,
  requireEncryptionKey,
  stageKeyFile,
  type EncryptionKey,
} from './encryption-key.js';
import { open, seal, secretAad } from './secret-cipher.js';

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Largest value stored: 64 KiB (tokens, keys, certificates). */
export const MAX_SECRET_BYTES = 64 * 1024;

/** One secret in `stn secret list --json` and GET /api/v1/secrets (a stable shape): never its value. */
export interface SecretInfo {
  name: string;
  /** `global` (every environment) or `environment` (the one named). */
  scope: 'global' | 'environment';
  environment: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SecretScope {
  /** The environment the secret belongs to; absent: a global secret. */
  environment?: string | undefined;
}

export interface SetSecretResult {
  secret: SecretInfo;
  created: boolean;
  /** The key file made for this first secret (a home made before the store existed), if one was. */
  keyFileCreated?: string;
}

export interface RotateKeyResult {
  /** Secrets re-encrypted under the new key. */
  secrets: number;
  source: 'file' | 'env';
  /** The key file now holding the new key (source file). */
  keyFile?: string;
  /** The replaced key file, kept until the user removes it (source file). */
  backup?: string;
  /** Whether station.db is encrypted (then it was re-keyed under the new key too). */
  databaseEncrypted: boolean;
}

export interface SecretImportResult {
  environment: string;
  file: string;
  /** Variables moved into the store (scoped to the environment) and out of variables.yml. */
  imported: string[];
  /** Variables left in variables.yml (not secret-looking). */
  kept: string[];
}

export interface SecretServiceDeps {
  paths: StationPaths;
  db: StoreDb;
  env: NodeJS.ProcessEnv;
  /** Absent for read-only use (storedSecretValues): values only, no listing or changes. */
  environments?: EnvironmentService;
}

/** The store as the MCP and sync services use it: values for templates, and sync's answers saved. */
export type SecretStore = Pick<SecretService, 'valuesFor' | 'set'> & Partial<Pick<SecretService, 'stamp'>>;

/** A stored secret that its key cannot open: changed bytes, or moved from another row. Exit 7. */
export class SecretUnreadableError extends StationError {
  constructor(row: SecretRow) {
    const where = row.environment === null ? 'global secret' : `secret of environment "${row.environment}"`;
    super(
      'secret_unreadable',
      `the ${where} ${row.name} cannot be decrypted: its stored bytes were changed or copied from another secret`,
      ExitCode.DATABASE,
      {
        hints: [
          `Set it again: stn secret set ${row.name}${row.environment === null ? '' : ` --env ${row.environment}`}`,
          'Nothing was changed.',
        ],
        details: { name: row.name, environment: row.environment },
      },
    );
  }
}

export class SecretService {
  private readonly repo: SecretRepo;

  constructor(private readonly deps: SecretServiceDeps) {
    this.repo = new SecretRepo(deps.db);
  }

  /** Secrets by name (global before environment scopes); never values. `environment` keeps its own and global ones. */
  list(filter: SecretScope = {}): SecretInfo[] {
    if (filter.environment !== undefined) this.envs().require(filter.environment);
    const rows = this.repo.rows(filter.environment === undefined ? undefined : [null, filter.environment]);
    return rows.map(infoOf);
  }

  /** Stores a value (encrypted), replacing the one of the same name and scope. */
  set(name: string, value: string, scope: SecretScope = {}, now = Date.now()): SetSecretResult {
    validateSecretName(name);
    validateSecretValue(name, value);
    const environmentId = this.environmentId(scope.environment);
    const made =
      this.repo.count() === 0 && this.repo.keyCheck() === undefined && this.keyless()
        ? ensureKeyFile(this.deps.paths)
        : false;
    const key = this.key();
    const environment = scope.environment ?? null;
    const created = this.repo.transaction(() => {
      if (this.repo.keyCheck() === undefined) this.repo.setKeyCheck(keyCheck(key.key), now);
      return this.repo.put(environmentId, name, seal(key.key, value, secretAad(environment, name)), now);
    });
    const row = this.repo.rows([environment]).find((r) => r.name === name);
    if (row === undefined) throw new Error(`secret ${name} vanished after it was written`);
    return { secret: infoOf(row), created, ...(made ? { keyFileCreated: this.deps.paths.keyFile } : {}) };
  }

  /**
   * Stores one of Station's own secrets (global; a name starting with INTERNAL_SECRET_PREFIX, such as a
   * webhook's signing secret): encrypted like the others and re-encrypted by rotateKey, never listed.
   */
  setInternal(name: string, value: string, now = Date.now()): void {
    if (!name.startsWith(INTERNAL_SECRET_PREFIX)) throw new Error(`not an internal secret name: ${name}`);
    if (this.repo.count() === 0 && this.repo.keyCheck() === undefined && this.keyless()) ensureKeyFile(this.deps.paths);
    const key = this.key();
    this.repo.transaction(() => {
      if (this.repo.keyCheck() === undefined) this.repo.setKeyCheck(keyCheck(key.key), now);
      this.repo.put(null, name, seal(key.key, value, secretAad(null, name)), now);
    });
  }

  /** One of Station's own secrets (setInternal), or undefined when there is none. */
  internalValue(name: string): string | undefined {
    const row = this.repo.rows([null], { internal: true }).find((r) => r.name === name);
    return row === undefined ? undefined : this.decrypt(this.key(), row);
  }

  /** Removes one of Station's own secrets (no error when there is none). */
  removeInternal(name: string): void {
    if (!name.startsWith(INTERNAL_SECRET_PREFIX)) throw new Error(`not an internal secret name: ${name}`);
    this.repo.transaction(() => this.repo.remove(null, name));
  }

  /** Removes a secret; a NotFoundError when there is none of that name in that scope. */
  remove(name: string, scope: SecretScope = {}): SecretInfo {
    validateSecretName(name);
    const info = this.require(name, scope);
    const environmentId = this.environmentId(scope.environment);
    this.repo.transaction(() => this.repo.remove(environmentId, name));
    return info;
  }

  /** One secret's listing (never its value), or a NotFoundError naming the scope. */
  require(name: string, scope: SecretScope = {}): SecretInfo {
    const environment = scope.environment ?? null;
    if (environment !== null) this.envs().require(environment);
    const row = this.repo.rows([environment]).find((r) => r.name === name);
    if (row === undefined) {
      const where = environment === null ? 'global secret' : `secret in environment "${environment}"`;
      throw new NotFoundError(`no ${where} named ${name}`, {
        hints: [`List them with: stn secret list${environment === null ? '' : ` --env ${environment}`}`],
      });
    }
    return infoOf(row);
  }

  /** Changes whenever a secret is set, changed or removed, by this process or another. */
  stamp(): string {
    return this.repo.stamp();
  }

  /**
   * The values a template of `environment` may use: global secrets, then the environment's own (which win).
   * An empty store needs no key.
   */
  valuesFor(environment: string): Record<string, string> {
    const rows = this.repo.rows([null, environment]);
    if (rows.length === 0) return {};
    const key = this.key();
    const out: Record<string, string> = {};
    for (const row of [...rows.filter((r) => r.environment === null), ...rows.filter((r) => r.environment !== null)]) {
      out[row.name] = this.decrypt(key, row);
    }
    return out;
  }

  /** Every value the store gives `environment`, as secrets for masking (labelled `[secret:NAME]`). */
  knownSecrets(environment: string): Secret[] {
    return Object.entries(this.valuesFor(environment)).map(([name, value]) => ({ value, label: secretLabel(name) }));
  }

  /**
   * A new key: every secret re-encrypted under it in one transaction, then the key file replaced (the old one
   * kept as `station.key.<time>.bak`). With STATION_ENCRYPTION_KEY, Station cannot replace the key where it
   * lives: the new key is taken from STATION_NEW_ENCRYPTION_KEY (refused with guidance without it).
   */
  rotateKey(now = new Date()): RotateKeyResult {
    const current = this.key();
    if (current.source.kind === 'env') {
      const text = this.deps.env[NEW_KEY_ENV];
      if (text === undefined || text.trim() === '') {
        throw new UsageError(
          `the key comes from ${current.source.variable}, which Station cannot change: give the new key in ${NEW_KEY_ENV}`,
          {
            hints: [
              'Make a new key and store it where STATION_ENCRYPTION_KEY comes from (your secret manager) first: openssl rand -base64 32',
              `Then run: ${NEW_KEY_ENV}=<new key> stn secret rotate-key`,
              `Afterwards set ${current.source.variable} to the new key.`,
            ],
          },
        );
      }
      const next = parseKey(text, { kind: 'env', variable: NEW_KEY_ENV });
      const secrets = this.reencryptAll(current, next, now.getTime());
      return { secrets, source: 'env', databaseEncrypted: isEncryptedDatabase(this.deps.paths.database) };
    }
    const next = generateKey();
    const staged = stageKeyFile(this.deps.paths, next, now);
    let secrets: number;
    try {
      secrets = this.reencryptAll(current, next, now.getTime());
    } catch (error) {
      abandonKeyFile(this.deps.paths, staged.backup);
      throw error;
    }
    commitKeyFile(this.deps.paths);
    return {
      secrets,
      source: 'file',
      keyFile: this.deps.paths.keyFile,
      backup: staged.backup,
      databaseEncrypted: isEncryptedDatabase(this.deps.paths.database),
    };
  }

  /**
   * The secrets re-encrypted (one transaction), then an encrypted database re-keyed (its own rollback-journal
   * transaction, refused while other processes have it open); if the re-key fails the secrets go back under the
   * current key. Only then does the caller put the new key in place. A crash between the two leaves secrets
   * under the new key in a database under the old one: the messages then name the staged key file.
   */
  private reencryptAll(current: EncryptionKey, next: Buffer, now: number): number {
    const file = this.deps.paths.database;
    const encrypted = isEncryptedDatabase(file);
    if (encrypted) assertAlone(file);
    const secrets = this.reencrypt(current, next, now);
    if (!encrypted) return secrets;
    try {
      changeDatabaseKey(file, { from: current.key, to: next, db: this.deps.db as Db });
    } catch (error) {
      this.reencrypt({ key: next, source: current.source }, current.key, now);
      throw error;
    }
    return secrets;
  }

  /**
   * Moves the secret-looking values of an environment's variables.yml (the rule masking uses:
   * secretVariableNames) into the store, scoped to the environment, then rewrites variables.yml without them
   * (atomically, mode 0600, comments kept).
   */
  importVariables(environment: string, now = Date.now()): SecretImportResult {
    this.envs().require(environment);
    const dir = this.envs().dir(environment);
    const file = join(dir, VARIABLES_FILE);
    const values = existsSync(file) ? loadEnvironmentVariables(dir) : {};
    const templates = readMcpServerTemplates(dir);
    const names = [...secretVariableNames(values, loadVariablesSchema(dir), templates)].filter(
      (n) => (values[n] ?? '') !== '' && SECRET_NAME.test(n),
    );
    const kept = Object.keys(values).filter((n) => !names.includes(n));
    if (names.length === 0) return { environment, file, imported: [], kept };
    for (const name of names) validateSecretValue(name, values[name] ?? '');
    const environmentId = this.environmentId(environment);
    if (this.repo.count() === 0 && this.repo.keyCheck() === undefined && this.keyless()) ensureKeyFile(this.deps.paths);
    const key = this.key();
    this.repo.transaction(() => {
      if (this.repo.keyCheck() === undefined) this.repo.setKeyCheck(keyCheck(key.key), now);
      for (const name of names) {
        this.repo.put(environmentId, name, seal(key.key, values[name] ?? '', secretAad(environment, name)), now);
      }
    });
    removeVariables(file, names);
    return { environment, file, imported: names.sort(), kept };
  }

  private reencrypt(current: EncryptionKey, next: Buffer, now: number): number {
    return this.repo.transaction(() => {
      const rows = this.repo.rows(undefined, { internal: true });
      for (const row of rows) {
        const value = this.decrypt(current, row);
        this.repo.reseal(row.id, seal(next, value, secretAad(row.environment, row.name)));
      }
      this.repo.setKeyCheck(keyCheck(next), now);
      return rows.length;
    });
  }

  private decrypt(key: EncryptionKey, row: SecretRow): string {
    const value = open(key.key, { ciphertext: row.ciphertext, nonce: row.nonce }, secretAad(row.environment, row.name));
    if (value === undefined) throw new SecretUnreadableError(row);
    return value;
  }

  /** Whether no key is configured at all (neither the environment variable nor the key file). */
  private keyless(): boolean {
    return readEncryptionKey(this.deps.paths, this.deps.env) === undefined;
  }

  /** The home's key, checked against the check value stored with the secrets: a wrong key is refused (exit 7). */
  private key(): EncryptionKey {
    const key = requireEncryptionKey(this.deps.paths, this.deps.env);
    const check = this.repo.keyCheck();
    if (check === undefined || keyMatches(key.key, check)) return key;
    const hints = [
      key.source.kind === 'env'
        ? `Set ${key.source.variable} to the key the secrets were stored with (or unset it to use ${this.deps.paths.keyFile}).`
        : `Restore the key file the secrets were stored with (a rotation keeps the old one as ${this.deps.paths.keyFile}.<time>.bak), or set STATION_ENCRYPTION_KEY to it.`,
      'Nothing was changed: the secrets stay as they are until the right key is given.',
    ];
    const pending = pendingKeyFile(this.deps.paths);
    if (key.source.kind === 'file' && existsSync(pending)) {
      try {
        if (keyMatches(parseKey(readFileSync(pending, 'utf8'), { kind: 'file', file: pending }), check)) {
          hints.unshift(
            `A key rotation was interrupted after the secrets were re-encrypted: finish it with: mv ${pending} ${this.deps.paths.keyFile}`,
          );
        }
      } catch {
        // An unreadable pending file is no hint.
      }
    }
    throw new EncryptionKeyError(
      'encryption_key_wrong',
      `the key from ${describeKeySource(key.source)} is not the key the secrets were stored with`,
      { hints, details: { source: key.source.kind } },
    );
  }

  private envs(): EnvironmentService {
    if (this.deps.environments === undefined) throw new Error('this secret store was opened for reading values only');
    return this.deps.environments;
  }

  private environmentId(environment: string | undefined): number | null {
    return environment === undefined ? null : this.envs().require(environment).id;
  }
}

/**
 * The store's values for an environment's templates, read from the database file without a full engine (for
 * `stn doctor`, which checks a home that may not open). No database (or one that cannot be opened: the database
 * checks report it) gives none; a missing or wrong key throws as valuesFor does.
 */
export function storedSecretValues(
  paths: StationPaths,
  env: NodeJS.ProcessEnv,
  environment: string,
): Record<string, string> {
  if (!existsSync(paths.database)) return {};
  let db: Db;
  try {
    db = openDatabase(paths.database, { readonly: true, key: () => readEncryptionKey(paths, env) });
  } catch {
    return {};
  }
  try {
    return new SecretService({ paths, db, env }).valuesFor(environment);
  } finally {
    db.close();
  }
}

function infoOf(row: SecretRow): SecretInfo {
  return {
    name: row.name,
    scope: row.environment === null ? 'global' : 'environment',
    environment: row.environment,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function validateSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new ValidationError(
      `invalid secret name ${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name)}: use letters, digits and '_', starting with a letter or '_' (as in {{ .NAME }})`,
      [{ field: 'name', message: 'expected [A-Za-z_][A-Za-z0-9_]*, at most 128 characters' }],
      { hints: ['Example: stn secret set GITHUB_TOKEN'] },
    );
  }
}

function validateSecretValue(name: string, value: string): void {
  if (value === '') {
    throw new ValidationError(`secret ${name} has an empty value`, [{ field: 'value', message: 'expected a value' }], {
      hints: ['To remove a secret: stn secret rm NAME'],
    });
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) {
    throw new ValidationError(`secret ${name} is too large: at most ${String(MAX_SECRET_BYTES)} bytes`, [
      { field: 'value', message: `at most ${String(MAX_SECRET_BYTES)} bytes` },
    ]);
  }
}
