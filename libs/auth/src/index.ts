export { roleSatisfies } from './api-key-role.js';
export { ApiKeysService, type AdminKeyOrigin, type ApiKeySummary, type Principal } from './api-keys.service.js';
export { AuthModule } from './auth.module.js';
