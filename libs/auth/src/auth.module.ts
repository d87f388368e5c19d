import { Module } from '@nestjs/common';

import { ApiKeysService } from './api-keys.service.js';
import { WebSessionsService } from './web-sessions.service.js';

@Module({ providers: [ApiKeysService, WebSessionsService], exports: [ApiKeysService, WebSessionsService] })
export class AuthModule {}
