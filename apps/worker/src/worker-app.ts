import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import type { AppConfig } from '#config';
import type { DatabaseConnection } from '#db';
import { BootQuietLogger } from '#logging';

import { WorkerModule } from './worker.module.js';

/** The headless worker: BullMQ processors and the job schedulers, no HTTP. */
export async function createWorkerApp(config: AppConfig, database: DatabaseConnection): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, database), { bufferLogs: true });
  app.useLogger(new BootQuietLogger(app.get(Logger)));
  return app;
}
