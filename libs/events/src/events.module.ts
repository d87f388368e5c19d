import { Module } from '@nestjs/common';

import { OutboxEventsRepository } from './outbox-events.repository.js';
import { OutboxWriter } from './outbox-writer.js';

@Module({ providers: [OutboxWriter, OutboxEventsRepository], exports: [OutboxWriter, OutboxEventsRepository] })
export class EventsModule {}
