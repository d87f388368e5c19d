import { Module } from '@nestjs/common';

import { ActorDirectory } from './actor-directory.js';
import { ApiKeyCache } from './api-key-cache.js';
import { ApiKeysService } from './api-keys.service.js';
import { OidcSignInService } from './oidc-sign-in.service.js';
import { SignInLinksService } from './sign-in-links.service.js';
import { UsersService } from './users.service.js';
import { WebSessionsService } from './web-sessions.service.js';

const SERVICES = [ActorDirectory, ApiKeysService, UsersService, WebSessionsService, SignInLinksService, OidcSignInService];

@Module({ providers: [ApiKeyCache, ...SERVICES], exports: SERVICES })
export class AuthModule {}
