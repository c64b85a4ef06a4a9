import { validateEnvironmentName } from '../environments/names.js';
import { AuthError, ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../errors.js';
import { DataVersion } from '../store/data-version.js';
import type { StoreDb } from '../store/store-db.js';
import { KeyRepo, type ApiKeyRow } from '../store/key-repo.js';
import { AuditLog } from './audit-log.js';
import { parseDuration, parseExpiry } from './durations.js';
import { writeUnlessLocked } from '../store/lock-waits.js';
import {
  generateApiKey,
  hashApiKey,
  importedKeyProblem,
  KEY_RECIPE,
  keyPrefix,
  maskKey,
  verifyApiKey,
} from './api-keys.js';
import { isRole, ROLES, type Principal, type Role } from './roles.js';

/** What `stn key list --json` prints for each key: never the secret or its hash. */
export interface ApiKeyInfo {
  id: number;
  name: string;
  prefix: string;
  /** The key shortened for display (`stn_<prefix>_…`). */
  display: string;
  role: Role;
  /** Environments granted; ['*'] means every environment. */
  environments: string[];
  user: string | null;
  /** rotated: replaced by a new key, still accepted until expiresAt (the grace period). */
  status: 'active' | 'revoked' | 'expired' | 'rotated';
  createdAt: string;
  /** The last authenticated use, to the minute (recorded at most once a minute per key). */
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** When the key stops working; null for never. */
  expiresAt: string | null;
  rotatedAt: string | null;
}

export interface CreateKeyOptions {
  name: string;
  /** One of ROLES; anything else is a ValidationError. */
  role: string;
  /** Environment names the key may use; empty or ['*'] for all. Ignored for admin keys (always all). */
  environments?: readonly string[];
  /** Owner recorded in the users table (created on first use). */
  user?: string;
  /** When it stops working: a duration from now (`12h`, `30d`) or an ISO date; default never. */
  expires?: string;
}

export interface ImportKeyOptions {
  name: string;
  /** One of ROLES. */
  role: string;
  /** Environment names the key may use; empty or ['*'] for all. Ignored for admin keys (always all). */
  environments?: readonly string[];
  /** The key itself, made elsewhere in Station's format (KEY_RECIPE). */
  key: string;
  /** Revoke the other keys working under this name (or change this key's grants) instead of refusing. */
  replace?: boolean;
}

/** What `import` did: created a key, found it as it was, replaced others of its name, or changed its grants. */
export interface ImportedKey {
  info: ApiKeyInfo;
  outcome: 'created' | 'unchanged' | 'replaced' | 'updated';
  /** The keys of the same name revoked by --replace. */
  replaced: ApiKeyInfo[];
}

export interface RotateKeyOptions {
  /** How long the old key keeps working (`1h`, `0` for not at all); default DEFAULT_ROTATE_GRACE. */
  grace?: string;
  /** Expiry of the new key; default: the old key's lifetime again, or never when it had none. */
  expires?: string;
}

export interface RotatedKey extends CreatedKey {
  /** The old key, now rotated (working until its expiresAt). */
  previous: ApiKeyInfo;
}

/** How long a rotated key keeps working unless --grace says otherwise. */
export const DEFAULT_ROTATE_GRACE = '24h';

export interface CreatedKey {
  /** The full key: shown once, never stored. */
  key: string;
  info: ApiKeyInfo;
}

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@ -]{0,63}$/;
/** last_used_at is refreshed at most this often, so that authentication stays a read. */
const TOUCH_INTERVAL_MS = 60_000;

/** How many key rows authenticate keeps while the database does not change (keys in use at once are few). */
const MAX_KEPT_ROWS = 256;

/** A key row as authenticate keeps it, with the principal it gives (shared by the requests made with it: frozen). */
interface KnownKey {
  row: ApiKeyRow;
  /** The row's key_hash as bytes. */
  hash: Buffer;
  principal: Principal;
}

/** API keys: created with a role and environment grants, stored hashed, checked on every request. */
export class KeyService {
  private readonly repo: KeyRepo;
  private readonly dataVersion: DataVersion;
  /**
   * Key rows by prefix (undefined: no such key) with their owner's name and principal, as read while the
   * database's stamp was `rowsStamp`: a key revoked, rotated or deleted here or by another process moves the
   * stamp, so the next request reads the row again. The presented key is checked against the row's hash, and
   * the row for revocation and expiry, every time.
   */
  private readonly rows = new Map<string, KnownKey | undefined>();
  private rowsStamp = '';

  constructor(
    private readonly db: StoreDb,
    private readonly clock: () => number = Date.now,
  ) {
    this.repo = new KeyRepo(db);
    this.dataVersion = new DataVersion(db);
  }

  create(options: CreateKeyOptions): CreatedKey {
    const { role, grants } = checkKeyOptions(options);
    const generated = generateApiKey();
    const now = this.clock();
    const expiresAt = options.expires === undefined ? null : parseExpiry(options.expires, now);
    const row = this.db
      .transaction(() => {
        let userId: number | null = null;
        if (options.user !== undefined) {
          userId = (this.repo.userByName(options.user) ?? this.repo.insertUser(options.user, role, now)).id;
        }
        const inserted = this.repo.insertKey(
          {
            name: options.name,
            prefix: generated.prefix,
            keyHash: generated.hash,
            role,
            environments: grants,
            userId,
            expiresAt,
          },
          now,
        );
        return inserted;
      })
      .immediate();
    return { key: generated.key, info: this.toInfo(row) };
  }

  /**
   * Stores a key made elsewhere (a container's Secret) as created keys are stored: its hash, never the key. The
   * key must have Station's format and a random secret (KEY_RECIPE makes one). Idempotent: the same key under the
   * same name and grants changes nothing (`unchanged`). Another key already working under the name is refused
   * unless `replace`, which revokes it (`replaced`); with `replace` the same key with other grants gets them
   * (`updated`). A key revoked, rotated or expired is never brought back, and a key stored under another name
   * is refused.
   */
  import(options: ImportKeyOptions): ImportedKey {
    const { role, grants } = checkKeyOptions(options);
    const problem = importedKeyProblem(options.key);
    if (problem !== undefined) {
      throw new ValidationError(`invalid key: ${problem}`, [{ field: 'key', message: problem }], {
        hints: [`Make one with: ${KEY_RECIPE}`],
      });
    }
    const prefix = keyPrefix(options.key) as string;
    const hash = hashApiKey(options.key);
    const name = options.name;
    return this.db
      .transaction((): ImportedKey => {
        const now = this.clock();
        const working = this.repo.byName(name).filter((r) => r.prefix !== prefix && this.works(r, now));
        const existing = this.repo.byPrefix(prefix);
        if (existing !== undefined) {
          const shown = maskKey(prefix);
          if (!verifyApiKey(options.key, existing.key_hash)) {
            throw new ConflictError(`another key already has the prefix ${shown}`, {
              hints: [`Make a new key: ${KEY_RECIPE}`],
            });
          }
          if (existing.name !== name) {
            throw new ConflictError(`this key (${shown}) is stored as key "${existing.name}", not "${name}"`, {
              hints: [`Import it as "${existing.name}", or make a new key for "${name}": ${KEY_RECIPE}`],
            });
          }
          const status = this.status(existing, now);
          if (status !== 'active') {
            throw new ConflictError(`key "${name}" (${shown}) is ${status}: it cannot be imported again`, {
              hints: [`Make a new key and import that one: ${KEY_RECIPE}`],
            });
          }
          const sameGrants =
            existing.role === role &&
            JSON.stringify(parseGrants(existing.environments_json)) === JSON.stringify(grants);
          if (!sameGrants && options.replace !== true) {
            throw new ConflictError(
              `key "${name}" (${shown}) is stored with role ${existing.role} for environments ${grantsText(parseGrants(existing.environments_json))}, not role ${role} for ${grantsText(grants)}`,
              { hints: ['Pass --replace to give it the role and environments asked for.'] },
            );
          }
          if (options.replace === true) for (const r of working) this.repo.revoke(r.id, now);
          if (!sameGrants) this.repo.setGrants(existing.id, role, grants);
          const replaced = options.replace === true ? working.map((r) => this.toInfo({ ...r, revoked_at: now })) : [];
          return {
            info: this.toInfo(this.repo.byId(existing.id) as ApiKeyRow),
            outcome: !sameGrants ? 'updated' : replaced.length > 0 ? 'replaced' : 'unchanged',
            replaced,
          };
        }
        if (working.length > 0 && options.replace !== true) {
          throw new ConflictError(
            `key "${name}" already exists (${working.map((r) => maskKey(r.prefix)).join(', ')}) with another secret`,
            {
              hints: [
                `Pass --replace to revoke it and store this one: stn key import ${name} --replace ...`,
                'Or import this key under another name.',
              ],
            },
          );
        }
        for (const r of working) this.repo.revoke(r.id, now);
        const row = this.repo.insertKey(
          { name, prefix, keyHash: hash, role, environments: grants, userId: null, expiresAt: null },
          now,
        );
        return {
          info: this.toInfo(row),
          outcome: working.length > 0 ? 'replaced' : 'created',
          replaced: working.map((r) => this.toInfo({ ...r, revoked_at: now })),
        };
      })
      .immediate();
  }

  list(): ApiKeyInfo[] {
    return this.repo.all().map((r) => this.toInfo(r));
  }

  /** Finds a key by id, prefix, full key or name (a name must be unique among active keys). */
  find(ref: string): ApiKeyInfo {
    return this.toInfo(this.resolve(ref));
  }

  /**
   * A new secret for a key: same name, role, grants and owner. The old secret keeps working for the
   * grace period (default 24h), then gets 401 "expired".
   */
  rotate(ref: string, options: RotateKeyOptions = {}): RotatedKey {
    const row = this.resolve(ref);
    const now = this.clock();
    if (this.status(row, now) !== 'active') {
      throw new ConflictError(
        `key "${row.name}" (${maskKey(row.prefix)}) is ${this.status(row, now)}: only an active key can be rotated`,
        {
          hints: ['Create a new key instead: stn key create NAME'],
        },
      );
    }
    const grace = parseDuration(options.grace ?? DEFAULT_ROTATE_GRACE, 'grace');
    const expiresAt =
      options.expires !== undefined
        ? parseExpiry(options.expires, now)
        : row.expires_at === null
          ? null
          : now + (row.expires_at - row.created_at);
    const generated = generateApiKey();
    const [fresh, old] = this.db
      .transaction(() => {
        const inserted = this.repo.insertKey(
          {
            name: row.name,
            prefix: generated.prefix,
            keyHash: generated.hash,
            role: row.role,
            environments: parseGrants(row.environments_json),
            userId: row.user_id,
            expiresAt,
          },
          now,
        );
        const oldExpiry = Math.min(row.expires_at ?? Number.MAX_SAFE_INTEGER, now + grace);
        this.repo.markRotated(row.id, inserted.id, oldExpiry, now);
        return [inserted, this.repo.byId(row.id) as ApiKeyRow] as const;
      })
      .immediate();
    return { key: generated.key, info: this.toInfo(fresh), previous: this.toInfo(old) };
  }

  revoke(ref: string): ApiKeyInfo {
    const row = this.resolve(ref);
    if (row.revoked_at !== null) {
      throw new ConflictError(`key "${row.name}" (${maskKey(row.prefix)}) is already revoked`, {
        hints: ['See the keys with: stn key list'],
      });
    }
    const now = this.clock();
    this.db
      .transaction(() => {
        this.repo.revoke(row.id, now);
      })
      .immediate();
    return this.toInfo({ ...row, revoked_at: now });
  }

  /**
   * Checks an `Authorization` header value (`Bearer <key>`) or a bare key. Missing, malformed, unknown
   * and revoked keys all fail with an AuthError (code unauthorized) that never repeats the key.
   */
  authenticate(credential: string | undefined): Principal {
    const key = bearerToken(credential);
    if (key === undefined) {
      throw new AuthError('missing API key', {
        code: 'unauthorized',
        hints: ['Send the header "Authorization: Bearer <key>"; create a key with: stn key create NAME'],
      });
    }
    const prefix = keyPrefix(key);
    const known = prefix === undefined ? undefined : this.keyRow(prefix);
    if (known === undefined || !verifyApiKey(key, known.hash)) {
      throw new AuthError('invalid API key', {
        code: 'unauthorized',
        hints: ['Check the key, or create one with: stn key create NAME'],
      });
    }
    return this.principalFromRow(known.row, known);
  }

  /** The row of the key with this prefix and its principal, read once while the database does not change. */
  private keyRow(prefix: string): KnownKey | undefined {
    const stamp = this.dataVersion.stamp();
    if (stamp === undefined) return this.readKeyRow(prefix);
    if (stamp !== this.rowsStamp || this.rows.size >= MAX_KEPT_ROWS) {
      this.rows.clear();
      this.rowsStamp = stamp;
    }
    if (this.rows.has(prefix)) return this.rows.get(prefix);
    const known = this.readKeyRow(prefix);
    this.rows.set(prefix, known);
    return known;
  }

  private readKeyRow(prefix: string): KnownKey | undefined {
    const row = this.repo.byPrefix(prefix);
    return row === undefined ? undefined : this.known(row);
  }

  /** A key row with its owner's name and the principal it gives (once not revoked nor expired). */
  private known(row: ApiKeyRow): KnownKey {
    const owner = row.user_id === null ? undefined : this.repo.userById(row.user_id)?.name;
    const grants = parseGrants(row.environments_json);
    const principal: Principal = Object.freeze({
      keyId: row.id,
      name: row.name,
      prefix: row.prefix,
      role: row.role,
      environments: row.role === 'admin' || grants.includes('*') ? '*' : Object.freeze(grants),
      ...(owner === undefined ? {} : { owner }),
    });
    return { row, hash: Buffer.from(row.key_hash, 'hex'), principal };
  }

  /**
   * The principal of the key with this id as it stands now (a WebSocket ticket holds only the id): the
   * same refusals as authenticate for a key revoked or expired meanwhile.
   */
  principalOf(keyId: number): Principal {
    const row = this.repo.byId(keyId);
    if (row === undefined) {
      throw new AuthError('the API key was deleted', {
        code: 'unauthorized',
        hints: ['Create a new key with: stn key create NAME'],
      });
    }
    return this.principalFromRow(row);
  }

  /** The principal of a key row; refused when the key is revoked or expired. Records its use (once a minute). */
  private principalFromRow(row: ApiKeyRow, known: KnownKey = this.known(row)): Principal {
    if (row.revoked_at !== null) {
      throw new AuthError(`API key ${maskKey(row.prefix)} was revoked`, {
        code: 'unauthorized',
        hints: ['Create a new key with: stn key create NAME'],
      });
    }
    const now = this.clock();
    if (row.expires_at !== null && row.expires_at <= now) {
      const at = new Date(row.expires_at).toISOString();
      throw new AuthError(
        row.rotated_at === null
          ? `API key ${maskKey(row.prefix)} expired at ${at}`
          : `API key ${maskKey(row.prefix)} expired at ${at} (it was rotated; its grace period is over)`,
        { code: 'unauthorized', hints: ['Use the key that replaced it, or create one with: stn key create NAME'] },
      );
    }
    // Last use is a hint, not worth failing or holding up a request: skipped while another process writes.
    if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS)
      writeUnlessLocked(this.db, () => this.repo.touch(row.id, now), 0);
    return known.principal;
  }

  /** The newest audit rows first (kept for older callers; see engine.audit). */
  auditLog(limit = 100): { ts: string; actor: string; action: string; target: string; details: unknown }[] {
    return new AuditLog(this.db, this.clock).list({ limit }).map((r) => ({
      ts: r.ts,
      actor: r.actor,
      action: r.action,
      target: r.target,
      details: r.details,
    }));
  }

  private resolve(ref: string): ApiKeyRow {
    const trimmed = ref.trim();
    const prefix = keyPrefix(trimmed) ?? /^(?:stn_)?([0-9a-f]{12})(?:_\u2026?)?$/.exec(trimmed)?.[1];
    if (prefix !== undefined) {
      const row = this.repo.byPrefix(prefix);
      if (row !== undefined) return row;
    }
    if (/^\d+$/.test(trimmed)) {
      const row = this.repo.byId(Number(trimmed));
      if (row !== undefined) return row;
    }
    const named = this.repo.byName(trimmed);
    const active = named.filter((r) => r.revoked_at === null && r.rotated_at === null);
    if (active.length > 1) {
      throw new ConflictError(`${String(active.length)} active keys are named "${trimmed}"`, {
        hints: ['Name the key by its prefix or id instead (see: stn key list).'],
      });
    }
    const row = active[0] ?? named[named.length - 1];
    if (row === undefined) {
      throw new NotFoundError(`no API key matches "${trimmed.length > 24 ? trimmed.slice(0, 16) + '…' : trimmed}"`, {
        hints: ['See the keys with: stn key list'],
      });
    }
    return row;
  }

  private toInfo(row: ApiKeyRow): ApiKeyInfo {
    const user = row.user_id === null ? undefined : this.repo.userById(row.user_id);
    return {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      display: maskKey(row.prefix),
      role: row.role,
      environments: parseGrants(row.environments_json),
      user: user?.name ?? null,
      status: this.status(row, this.clock()),
      createdAt: iso(row.created_at),
      lastUsedAt: iso(row.last_used_at),
      revokedAt: iso(row.revoked_at),
      expiresAt: iso(row.expires_at),
      rotatedAt: iso(row.rotated_at),
    };
  }

  /** Whether a key still authenticates: active, or rotated and within its grace. */
  private works(row: ApiKeyRow, now: number): boolean {
    const status = this.status(row, now);
    return status === 'active' || status === 'rotated';
  }

  private status(row: ApiKeyRow, now: number): ApiKeyInfo['status'] {
    if (row.revoked_at !== null) return 'revoked';
    if (row.expires_at !== null && row.expires_at <= now) return 'expired';
    return row.rotated_at === null ? 'active' : 'rotated';
  }
}

function iso<T extends number | null>(ms: T): T extends number ? string : string | null {
  return (ms === null ? null : new Date(ms).toISOString()) as T extends number ? string : string | null;
}

/** The key in an `Authorization: Bearer <key>` value (or a bare key); undefined when there is none. */
export function bearerToken(credential: string | undefined): string | undefined {
  if (credential === undefined) return undefined;
  const value = credential.trim();
  if (value === '') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  if (match !== null) return match[1];
  return /\s/.test(value) ? undefined : value;
}

/** The role and stored grants of a key to create or import, or a ValidationError naming every bad field. */
function checkKeyOptions(options: CreateKeyOptions): { role: Role; grants: string[] } {
  const issues: FieldIssue[] = [];
  if (!KEY_NAME.test(options.name)) {
    issues.push({ field: 'name', message: "expected 1-64 letters, digits, spaces, '.', '_', '@' or '-'" });
  }
  if (!isRole(options.role)) issues.push({ field: 'role', message: `expected one of ${ROLES.join(', ')}` });
  const environments = normalizeGrants(options.environments ?? [], issues);
  if (options.user !== undefined && !KEY_NAME.test(options.user)) {
    issues.push({ field: 'user', message: "expected 1-64 letters, digits, spaces, '.', '_', '@' or '-'" });
  }
  if (issues.length > 0 || !isRole(options.role)) {
    throw new ValidationError(`invalid key: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues);
  }
  const role = options.role;
  return { role, grants: role === 'admin' ? ['*'] : environments };
}

function normalizeGrants(list: readonly string[], issues: FieldIssue[]): string[] {
  const names = [...new Set(list.map((e) => e.trim()).filter((e) => e !== ''))];
  if (names.length === 0 || names.includes('*')) return ['*'];
  for (const name of names) {
    try {
      validateEnvironmentName(name);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push({ field: 'environments', message: `invalid environment name ${JSON.stringify(name)}` });
    }
  }
  return names.sort();
}

/** Grants as a person reads them: `all` for every environment. */
function grantsText(grants: readonly string[]): string {
  return grants.includes('*') ? 'all' : grants.join(', ');
}

function parseGrants(json: string): string[] {
  const value = JSON.parse(json) as unknown;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
