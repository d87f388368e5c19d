export { loggingModule } from './logging.module.js';
export { BootQuietLogger } from './boot-quiet.logger.js';
export { resolveLogFormat } from './log-format.js';
export { writeAnnouncement, type Announcement, type AnnouncementLine } from './announcement.js';
