export {
  JOB_QUEUE,
  JOB_SCHEDULES,
  QUEUE_NAMES,
  type JobName,
  type JobNameIn,
  type JobPayloads,
  type QueueJob,
  type QueueName,
} from './job-definitions.js';
export { JobQueues } from './job-queues.js';
export { JobsModule } from './jobs.module.js';
export { SchedulerLivenessService, type SchedulerStatus } from './scheduler-liveness.service.js';
export { isSchedulerStalled, schedulerOverdueMs } from './scheduler-lateness.js';
