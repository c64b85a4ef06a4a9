import type {
  SecretImportResult,
  RotateKeyResult,
  SecretInfo,
  SecretScope,
  SetSecretResult,
} from '../security/secret-service.js';
import type { ApiContext } from './context.js';

/**
 * The secret store, for admins: names can be listed and values set or removed, never read back through any
 * door (templates and masking are the only readers, inside Station). Audited without values.
 */
export class SecretsApi {
  constructor(private readonly ctx: ApiContext) {}

  /** Names, scopes and dates (never values); with an environment, its own secrets and the global ones. */
  list(scope: SecretScope = {}): SecretInfo[] {
    this.ctx.authorize('admin', scope.environment);
    return this.ctx.engine.secrets.list(scope);
  }

  /** Stores a value (write-only; audited as secret.set with the name and scope, never the value). */
  set(name: string, value: string, scope: SecretScope = {}): SetSecretResult {
    this.ctx.authorize('admin', scope.environment);
    const result = this.ctx.engine.secrets.set(name, value, scope);
    this.ctx.audit('secret.set', target(name, scope), { created: result.created });
    return result;
  }

  /** One secret's listing (what remove would remove), never its value. */
  find(name: string, scope: SecretScope = {}): SecretInfo {
    this.ctx.authorize('admin', scope.environment);
    return this.ctx.engine.secrets.require(name, scope);
  }

  /** Removes a secret (audited as secret.remove). */
  remove(name: string, scope: SecretScope = {}): SecretInfo {
    this.ctx.authorize('admin', scope.environment);
    const info = this.ctx.engine.secrets.remove(name, scope);
    this.ctx.audit('secret.remove', target(name, scope));
    return info;
  }

  /** Moves the secret-looking values of an environment's variables.yml into the store (audited as secret.import). */
  importVariables(environment: string): SecretImportResult {
    this.ctx.authorize('admin', environment);
    const result = this.ctx.engine.secrets.importVariables(environment);
    if (result.imported.length > 0) this.ctx.audit('secret.import', environment, { names: result.imported });
    return result;
  }

  /** A new encryption key; every secret re-encrypted under it (audited as secret.rotate-key). */
  rotateKey(): RotateKeyResult {
    this.ctx.authorize('admin');
    const result = this.ctx.engine.secrets.rotateKey();
    this.ctx.audit('secret.rotate-key', result.source, { secrets: result.secrets });
    return result;
  }
}

function target(name: string, scope: SecretScope): string {
  return scope.environment === undefined ? name : `${scope.environment}/${name}`;
}
