export { ActorDirectory, ActorNames, actorOfUser, type ActorIdentity } from './actor-directory.js';
export { ApiKeyCache } from './api-key-cache.js';
export { lowerRole, roleSatisfies } from './api-key-role.js';
export { ApiKeysService, type AdminKeyOrigin, type ApiKeySummary, type Principal } from './api-keys.service.js';
export { AuthModule } from './auth.module.js';
export { OidcSignInService, type OidcOutcome, type OidcPending, type OidcRefusal } from './oidc-sign-in.service.js';
export { SignInLinksService, type SignInLinkOutcome, type SignInLinkRefusal } from './sign-in-links.service.js';
export { normaliseEmail, UsersService, type UserChange, type UserWithKeys } from './users.service.js';
export { WebSessionsService, WEB_SESSION_TTL_MS, type WebSessionView } from './web-sessions.service.js';
