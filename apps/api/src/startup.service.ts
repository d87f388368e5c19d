import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { ApiKeysService, type AdminKeyOrigin } from '#auth';
import { AppConfig } from '#config';

import { AnalysisSeedService } from './seed/analysis-seed.service.js';

/** What the API does once at start-up, before it takes traffic: seed the analysis and make sure someone can log in. */
@Injectable()
export class StartupService implements OnApplicationBootstrap {
  adminKeyOrigin: AdminKeyOrigin | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly seed: AnalysisSeedService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SEED === 'true') await this.seed.seed();
    this.adminKeyOrigin = await this.apiKeys.ensureAdminKey();
  }
}
