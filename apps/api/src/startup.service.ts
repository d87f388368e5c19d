import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { ApiKeysService, type AdminKeyOrigin } from '#auth';
import { AppConfig } from '#config';

import { AnalysisSeedService } from './seed/analysis-seed.service.js';
import { DemoSeedService, type DemoLoad } from './seed/demo-seed.service.js';

/** What the API does once at start-up, before it takes traffic: load the demo if asked, seed the analysis and make sure someone can log in. */
@Injectable()
export class StartupService implements OnApplicationBootstrap {
  adminKeyOrigin: AdminKeyOrigin | null = null;
  /** What the seed created in this start (`null`: seeding is off). */
  seeded: { created: string[] } | null = null;
  /** What the demo's load found or did in this start (`null`: DEMO is off). */
  demo: DemoLoad | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly seed: AnalysisSeedService,
    private readonly demoSeed: DemoSeedService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Before the seed: the demo's year goes into an empty database (an import does), and holds the analysis's predictions.
    if (this.config.DEMO === 'true') this.demo = await this.demoSeed.loadIfEmpty();
    if (this.config.SEED === 'true') this.seeded = await this.seed.seed();
    this.adminKeyOrigin = await this.apiKeys.ensureAdminKey();
  }
}
