export { generateApiKey, hashApiKey, keyPrefix, maskKey, verifyApiKey, type GeneratedKey } from './api-keys.js';
export { KeyService, bearerToken, type ApiKeyInfo, type CreateKeyOptions, type CreatedKey } from './key-service.js';
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
