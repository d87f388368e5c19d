export {
  EVENT_TYPES,
  SUBSCRIBABLE_EVENT_TYPES,
  isEventType,
  type EventPayloads,
  type EventType,
  type OutboxEventInput,
  type OutboxEventRecord,
  type PredictionMovePayload,
} from './event-catalogue.js';
export { EventsModule } from './events.module.js';
export { OutboxWriter, outboxColumns, outboxInsert, outboxInsertValues, type OutboxColumns } from './outbox-writer.js';
