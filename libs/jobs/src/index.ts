export { QUEUE_NAMES, type QueueJob } from './job-definitions.js';
export { JobQueues } from './job-queues.js';
export { JobsModule } from './jobs.module.js';
export { SchedulerLivenessService } from './scheduler-liveness.service.js';
