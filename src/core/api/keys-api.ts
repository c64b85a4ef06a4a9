import type {
  ApiKeyInfo,
  CreateKeyOptions,
  CreatedKey,
  ImportKeyOptions,
  ImportedKey,
  RotateKeyOptions,
  RotatedKey,
} from '../security/key-service.js';
import type { ApiContext } from './context.js';

/** API keys: admins only. Every change audited (by prefix and name; never the key). */
export class KeysApi {
  constructor(private readonly ctx: ApiContext) {}

  /** Creates a key (audited as key.create with the key's prefix; the key itself is shown once). */
  create(options: CreateKeyOptions): CreatedKey {
    this.ctx.authorize('admin');
    const created = this.ctx.engine.keys.create(options);
    const info = created.info;
    this.ctx.audit('key.create', info.prefix, {
      name: info.name,
      role: info.role,
      environments: info.environments,
      ...(info.expiresAt === null ? {} : { expiresAt: info.expiresAt }),
    });
    return created;
  }

  /**
   * Stores a key made elsewhere (hash only; see KeyService.import). Audited as key.import, and each key of the
   * same name it revokes (--replace) as key.revoke; importing what is already there changes and audits nothing.
   */
  import(options: ImportKeyOptions): ImportedKey {
    this.ctx.authorize('admin');
    const imported = this.ctx.engine.keys.import(options);
    const info = imported.info;
    for (const old of imported.replaced) {
      this.ctx.audit('key.revoke', old.prefix, { name: old.name, replacedBy: info.prefix });
    }
    if (imported.outcome !== 'unchanged') {
      this.ctx.audit('key.import', info.prefix, {
        name: info.name,
        role: info.role,
        environments: info.environments,
        outcome: imported.outcome,
        ...(imported.replaced.length === 0 ? {} : { replaced: imported.replaced.map((k) => k.prefix) }),
      });
    }
    return imported;
  }

  list(): ApiKeyInfo[] {
    this.ctx.authorize('admin');
    return this.ctx.engine.keys.list();
  }

  /** One key by id, prefix, full key or unique name (what revoke would revoke). */
  find(ref: string): ApiKeyInfo {
    this.ctx.authorize('admin');
    return this.ctx.engine.keys.find(ref);
  }

  /** Revokes a key by id, prefix, full key or unique name (audited as key.revoke). */
  revoke(ref: string): ApiKeyInfo {
    this.ctx.authorize('admin');
    const info = this.ctx.engine.keys.revoke(ref);
    this.ctx.audit('key.revoke', info.prefix, { name: info.name });
    return info;
  }

  /** A new secret with the same grants; the old one works for the grace period (audited as key.rotate). */
  rotate(ref: string, options: RotateKeyOptions = {}): RotatedKey {
    this.ctx.authorize('admin');
    const rotated = this.ctx.engine.keys.rotate(ref, options);
    this.ctx.audit('key.rotate', rotated.info.prefix, {
      name: rotated.info.name,
      previous: rotated.previous.prefix,
      previousExpiresAt: rotated.previous.expiresAt,
    });
    return rotated;
  }

  /** The newest audit rows first (see StationApi.audit for filters). */
  auditLog(limit = 100): ReturnType<ApiContext['engine']['keys']['auditLog']> {
    this.ctx.authorize('admin');
    return this.ctx.engine.keys.auditLog(limit);
  }
}
