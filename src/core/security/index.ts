export {
  KEY_RECIPE,
  generateApiKey,
  hashApiKey,
  importedKeyProblem,
  keyPrefix,
  maskKey,
  verifyApiKey,
  type GeneratedKey,
} from './api-keys.js';
export {
  DEFAULT_ROTATE_GRACE,
  KeyService,
  bearerToken,
  type ApiKeyInfo,
  type CreateKeyOptions,
  type CreatedKey,
  type ImportKeyOptions,
  type ImportedKey,
  type RotateKeyOptions,
  type RotatedKey,
} from './key-service.js';
export {
  AuditLog,
  auditHash,
  canonicalAuditContent,
  type AuditDoor,
  type AuditEntry,
  type AuditFilters,
  type AuditOutcome,
  type AuditProblem,
  type AuditRecord,
  type AuditVerifyReport,
} from './audit-log.js';
export {
  ROLES,
  allows,
  authorize,
  canSeeEnvironment,
  isRole,
  type Action,
  type Principal,
  type Role,
} from './roles.js';
export {
  EncryptionKeyError,
  KEY_ENV,
  NEW_KEY_ENV,
  describeKeySource,
  readEncryptionKey,
  type EncryptionKey,
  type KeySource,
} from './encryption-key.js';
export {
  MAX_SECRET_BYTES,
  SecretService,
  SecretUnreadableError,
  validateSecretName,
  type SecretImportResult,
  type RotateKeyResult,
  type SecretInfo,
  type SecretScope,
  type SetSecretResult,
} from './secret-service.js';
export {
  databaseEncrypted,
  decryptDatabase,
  encryptDatabase,
  type DatabaseEncryptionResult,
} from './database-encryption.js';
