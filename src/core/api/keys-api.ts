import type { ApiKeyInfo, CreateKeyOptions, CreatedKey } from '../security/key-service.js';
import type { ApiContext } from './context.js';

/** API keys and the audit log: admins only. */
export class KeysApi {
  constructor(private readonly ctx: ApiContext) {}

  /** Creates a key (audited as key.create with the key's prefix; the key itself is shown once). */
  create(options: Omit<CreateKeyOptions, 'actor'>): CreatedKey {
    this.ctx.authorize('admin');
    return this.ctx.engine.keys.create({ ...options, actor: this.ctx.principal.name });
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
    return this.ctx.engine.keys.revoke(ref, this.ctx.principal.name);
  }

  /** The newest audit rows first. */
  auditLog(limit = 100): ReturnType<ApiContext['engine']['keys']['auditLog']> {
    this.ctx.authorize('admin');
    return this.ctx.engine.keys.auditLog(limit);
  }
}
