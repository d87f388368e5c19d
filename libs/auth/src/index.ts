export { roleSatisfies } from './api-key-role.js';
export { ApiKeysService, type AdminKeyOrigin, type ApiKeySummary, type Principal } from './api-keys.service.js';
export { AuthModule } from './auth.module.js';
export { WebSessionsService, WEB_SESSION_TTL_MS, type WebSessionView } from './web-sessions.service.js';
