import { Module } from '@nestjs/common';

import { ApiKeyCache } from './api-key-cache.js';
import { ApiKeysService } from './api-keys.service.js';
import { WebSessionsService } from './web-sessions.service.js';

@Module({ providers: [ApiKeyCache, ApiKeysService, WebSessionsService], exports: [ApiKeysService, WebSessionsService] })
export class AuthModule {}
