export { SUBSCRIBABLE_EVENT_TYPES, isEventType, type EventPayloads, type OutboxEventInput, type OutboxEventRecord } from './event-catalogue.js';
export { EventsModule } from './events.module.js';
export { joinedOutboxEvent, OutboxEventsRepository, outboxEventJoin, toOutboxEventRecord, type JoinedOutboxEvent, type OutboxEventRow } from './outbox-events.repository.js';
export { OutboxWriter, outboxColumns, outboxInsert, outboxInsertValues, type OutboxColumns } from './outbox-writer.js';
