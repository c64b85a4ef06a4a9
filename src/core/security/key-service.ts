import { validateEnvironmentName } from '../environments/names.js';
import { AuthError, ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../errors.js';
import type { Db } from '../store/database.js';
import { KeyRepo, type ApiKeyRow } from '../store/key-repo.js';
import { writeUnlessLocked } from '../store/lock-waits.js';
import { generateApiKey, keyPrefix, maskKey, verifyApiKey } from './api-keys.js';
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
  status: 'active' | 'revoked';
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreateKeyOptions {
  name: string;
  /** One of ROLES; anything else is a ValidationError. */
  role: string;
  /** Environment names the key may use; empty or ['*'] for all. Ignored for admin keys (always all). */
  environments?: readonly string[];
  /** Owner recorded in the users table (created on first use). */
  user?: string;
  /** Who created it, for the audit log. */
  actor?: string;
}

export interface CreatedKey {
  /** The full key: shown once, never stored. */
  key: string;
  info: ApiKeyInfo;
}

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@ -]{0,63}$/;
/** last_used_at is refreshed at most this often, so that authentication stays a read. */
const TOUCH_INTERVAL_MS = 60_000;

/** API keys: created with a role and environment grants, stored hashed, checked on every request. */
export class KeyService {
  private readonly repo: KeyRepo;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {
    this.repo = new KeyRepo(db);
  }

  create(options: CreateKeyOptions): CreatedKey {
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
    const grants = role === 'admin' ? ['*'] : environments;
    const generated = generateApiKey();
    const now = this.clock();
    const row = this.db
      .transaction(() => {
        let userId: number | null = null;
        if (options.user !== undefined) {
          userId = (this.repo.userByName(options.user) ?? this.repo.insertUser(options.user, role, now)).id;
        }
        const inserted = this.repo.insertKey(
          { name: options.name, prefix: generated.prefix, keyHash: generated.hash, role, environments: grants, userId },
          now,
        );
        this.repo.audit(
          options.actor ?? 'cli',
          'key.create',
          generated.prefix,
          { name: options.name, role, environments: grants },
          now,
        );
        return inserted;
      })
      .immediate();
    return { key: generated.key, info: this.toInfo(row) };
  }

  list(): ApiKeyInfo[] {
    return this.repo.all().map((r) => this.toInfo(r));
  }

  /** Finds a key by id, prefix, full key or name (a name must be unique among active keys). */
  find(ref: string): ApiKeyInfo {
    return this.toInfo(this.resolve(ref));
  }

  revoke(ref: string, actor = 'cli'): ApiKeyInfo {
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
        this.repo.audit(actor, 'key.revoke', row.prefix, { name: row.name }, now);
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
    const row = prefix === undefined ? undefined : this.repo.byPrefix(prefix);
    if (row === undefined || !verifyApiKey(key, row.key_hash)) {
      throw new AuthError('invalid API key', {
        code: 'unauthorized',
        hints: ['Check the key, or create one with: stn key create NAME'],
      });
    }
    if (row.revoked_at !== null) {
      throw new AuthError(`API key ${maskKey(row.prefix)} was revoked`, {
        code: 'unauthorized',
        hints: ['Create a new key with: stn key create NAME'],
      });
    }
    const now = this.clock();
    // Last use is a hint, not worth failing or holding up a request: skipped while another process writes.
    if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS)
      writeUnlessLocked(this.db, () => this.repo.touch(row.id, now), 0);
    const grants = parseGrants(row.environments_json);
    return {
      keyId: row.id,
      name: row.name,
      prefix: row.prefix,
      role: row.role,
      environments: row.role === 'admin' || grants.includes('*') ? '*' : grants,
    };
  }

  /** Records an action in the audit log (the server records API writes here). */
  audit(actor: string, action: string, target: string, details: Record<string, unknown> = {}): void {
    this.repo.audit(actor, action, target, details, this.clock());
  }

  auditLog(limit = 100): { ts: string; actor: string; action: string; target: string; details: unknown }[] {
    return this.repo.auditLog(limit).map((r) => ({
      ts: new Date(r.ts).toISOString(),
      actor: r.actor,
      action: r.action,
      target: r.target,
      details: JSON.parse(r.details_json) as unknown,
    }));
  }

  private resolve(ref: string): ApiKeyRow {
    const trimmed = ref.trim();
    const prefix = keyPrefix(trimmed) ?? /^(?:stn_)?([0-9a-f]{12})(?:_…?)?$/.exec(trimmed)?.[1];
    if (prefix !== undefined) {
      const row = this.repo.byPrefix(prefix);
      if (row !== undefined) return row;
    }
    if (/^\d+$/.test(trimmed)) {
      const row = this.repo.byId(Number(trimmed));
      if (row !== undefined) return row;
    }
    const named = this.repo.byName(trimmed);
    const active = named.filter((r) => r.revoked_at === null);
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
      status: row.revoked_at === null ? 'active' : 'revoked',
      createdAt: new Date(row.created_at).toISOString(),
      lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
      revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
    };
  }
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

function parseGrants(json: string): string[] {
  const value = JSON.parse(json) as unknown;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
