import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';

import { ConfigModule, type AppConfig } from '#config';
import { DbModule, type DatabaseConnection } from '#db';
import { JobsModule } from '#jobs';
import { loggingModule } from '#logging';
import { NotifyModule } from '#notify';
import { PredictionsModule } from '#predictions';
import { SignalsModule } from '#signals';

import { IngestProcessor } from './ingest.processor.js';
import { MaintenanceProcessor } from './maintenance.processor.js';
import { NotifyProcessor } from './notify.processor.js';
import { OutboxRelayScheduler } from './outbox-relay.scheduler.js';
import { SchedulesService } from './schedules.service.js';
import { WebhookRetriesProcessor } from './webhook-retries.processor.js';

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
        // Per-process duties only (intervals each worker runs); cluster-wide recurring work is on BullMQ job schedulers.
        ScheduleModule.forRoot(),
        PredictionsModule,
        SignalsModule,
        NotifyModule,
      ],
      providers: [MaintenanceProcessor, IngestProcessor, NotifyProcessor, WebhookRetriesProcessor, OutboxRelayScheduler, SchedulesService],
    };
  }
}
