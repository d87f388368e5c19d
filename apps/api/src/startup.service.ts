import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { ApiKeysService, type AdminKeyOrigin } from '#auth';
import { AppConfig } from '#config';

import { AnalysisSeedService } from './seed/analysis-seed.service.js';

/** What the API does once at start-up, before it takes traffic: seed the analysis and make sure someone can log in. */
@Injectable()
export class StartupService implements OnApplicationBootstrap {
  adminKeyOrigin: AdminKeyOrigin | null = null;
  /** What the seed created in this start (`null`: seeding is off). */
  seeded: { created: string[] } | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly seed: AnalysisSeedService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SEED === 'true') this.seeded = await this.seed.seed();
    this.adminKeyOrigin = await this.apiKeys.ensureAdminKey();
  }
}
