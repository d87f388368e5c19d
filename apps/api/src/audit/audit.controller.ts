import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { AuditVerificationService, type AuditVerification } from '#predictions';

import { RequireRole } from '../auth/auth.decorators.js';

@ApiTags('audit')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('audit')
export class AuditController {
  constructor(private readonly verification: AuditVerificationService) {}

  @Get('verify')
  @ApiOkResponse({ description: '{"ok", "chains", "entries", "firstBroken": null | {"predictionId", "sequence", "reason"}, "broken": every broken entry of every chain (up to 1,000), "brokenCount"}' })
  verify(): Promise<AuditVerification> {
    return this.verification.verifyAll();
  }
}
