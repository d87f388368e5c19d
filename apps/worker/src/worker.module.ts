import { Module, type DynamicModule } from '@nestjs/common';

import { ConfigModule, type AppConfig } from '#config';
import { DbModule, type DatabaseConnection } from '#db';
import { JobsModule } from '#jobs';
import { loggingModule } from '#logging';
import { PredictionsModule } from '#predictions';
import { SignalsModule } from '#signals';

import { IngestProcessor } from './ingest.processor.js';
import { MaintenanceProcessor } from './maintenance.processor.js';
import { SchedulesService } from './schedules.service.js';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, database: DatabaseConnection): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DbModule.forRoot(database),
        JobsModule.forRoot(config, database),
        loggingModule(config, { http: false }),
        PredictionsModule,
        SignalsModule,
      ],
      providers: [MaintenanceProcessor, IngestProcessor, SchedulesService],
    };
  }
}
