import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { ScorecardService } from '#predictions';

import { ScorecardsDto, toScorecardsDto } from './scorecard.dto.js';

@ApiTags('scorecards')
@ApiBearerAuth()
@Controller('scorecards')
export class ScorecardsController {
  constructor(private readonly scorecards: ScorecardService) {}

  @Get()
  @ApiOkResponse({ type: ScorecardsDto, description: 'Every prediction, the calibration table over resolved ones and the mean Brier score' })
  async all(): Promise<ScorecardsDto> {
    return toScorecardsDto(await this.scorecards.scorecards());
  }
}
