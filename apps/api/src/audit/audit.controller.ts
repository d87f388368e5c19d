import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { AuditCheckpointsService, AuditVerificationService, type AuditVerification } from '#predictions';

import { RequireRole } from '../auth/auth.decorators.js';
import { PageQueryDto } from '../http/page-query.dto.js';
import { AuditCheckpointDto, AuditCheckpointPageDto, VerifyAuditDto } from './audit.dto.js';

const VERIFICATION_SHAPE =
  '{"ok", "chains", "entries", "checkpoints", "firstBroken": null | {"predictionId", "sequence", "reason"}, "broken": every broken entry of every chain and every failed checkpoint (up to 1,000), "brokenCount"}';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly verification: AuditVerificationService,
    private readonly checkpoints: AuditCheckpointsService,
  ) {}

  @Get('verify')
  @RequireRole('admin')
  @ApiOkResponse({ description: VERIFICATION_SHAPE })
  verify(): Promise<AuditVerification> {
    return this.verification.verifyAll();
  }

  /** Also checks checkpoints the caller saved earlier, which a rewrite of the database cannot reach. */
  @Post('verify')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOkResponse({ description: VERIFICATION_SHAPE })
  verifyWithSaved(@Body() body: VerifyAuditDto): Promise<AuditVerification> {
    return this.verification.verifyAll(body.checkpoints ?? []);
  }

  @Get('checkpoints')
  @RequireRole('viewer')
  @ApiOkResponse({ type: AuditCheckpointPageDto })
  async listCheckpoints(@Query() query: PageQueryDto): Promise<AuditCheckpointPageDto> {
    const page = await this.checkpoints.list(query);
    return { publicKey: this.checkpoints.publicKeyText, ...page };
  }

  @Post('checkpoints')
  @RequireRole('admin')
  @ApiCreatedResponse({ type: [AuditCheckpointDto], description: 'The chain heads signed now (those that moved since their last checkpoint)' })
  async signCheckpoints(): Promise<AuditCheckpointDto[]> {
    return this.checkpoints.signHeads();
  }
}
