export { AppConfig, InvalidConfigError, loadConfig } from './app-config.js';
export { EXIT_INVALID_CONFIG, startOrExit } from './start-or-exit.js';
export { ConfigModule } from './config.module.js';
