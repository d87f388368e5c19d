export { AppConfig, DEFAULT_MAIL_FROM, InvalidConfigError, loadConfig } from './app-config.js';
export { boundShutdown, EXIT_INVALID_CONFIG, startOrExit } from './entry-lifecycle.js';
export { ConfigModule } from './config.module.js';
