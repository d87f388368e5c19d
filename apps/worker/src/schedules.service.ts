import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';

import { AppConfig } from '#config';
import { JobQueues } from '#jobs';

/** Creates the recurring job schedulers once per cluster: BullMQ upserts them by id, so every worker may call this. */
@Injectable()
export class SchedulesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SchedulesService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly queues: JobQueues,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SCHEDULERS !== 'true') return;
    await this.queues.ensureSchedules();
    this.logger.log('Job schedulers are in place');
  }
}
