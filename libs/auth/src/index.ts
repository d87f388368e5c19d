export { API_KEY_CACHE_TTL_MS, API_KEY_REVOKED_CHANNEL, ApiKeyCache } from './api-key-cache.js';
export { roleSatisfies } from './api-key-role.js';
export { ApiKeysService, type AdminKeyOrigin, type ApiKeySummary, type Principal } from './api-keys.service.js';
export { AuthModule } from './auth.module.js';
export { WebSessionsService, WEB_SESSION_TTL_MS, type WebSessionView } from './web-sessions.service.js';
