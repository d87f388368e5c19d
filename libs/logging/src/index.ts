export { loggingModule } from './logging.module.js';
export { BootQuietLogger } from './boot-quiet.logger.js';
export { colorsWanted, resolveLogFormat, type LogFormat } from './log-format.js';
export { renderJson, renderPretty, writeAnnouncement, type Announcement, type AnnouncementLine } from './announcement.js';
