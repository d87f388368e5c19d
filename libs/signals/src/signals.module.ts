import { Module } from '@nestjs/common';

import { IndicatorsService } from './indicators.service.js';
import { RulesService } from './rules.service.js';

@Module({ providers: [IndicatorsService, RulesService], exports: [IndicatorsService, RulesService] })
export class SignalsModule {}
