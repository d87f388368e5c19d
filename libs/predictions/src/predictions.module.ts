import { Module } from '@nestjs/common';

import { AuditTrailService } from './audit-trail.service.js';
import { AuditVerificationService } from './audit-verification.service.js';
import { PredictionsService } from './predictions.service.js';

@Module({
  providers: [PredictionsService, AuditTrailService, AuditVerificationService],
  exports: [PredictionsService, AuditTrailService, AuditVerificationService],
})
export class PredictionsModule {}
