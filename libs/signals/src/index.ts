export { IndicatorsService, type NewIndicator } from './indicators.service.js';
export { RulesService, type NewRule } from './rules.service.js';
export { SignalsModule } from './signals.module.js';
