export { AuditTrailService, auditEntryContent, type AuditMove, type ChainHead } from './audit-trail.service.js';
export { AuditVerificationService, type AuditVerification } from './audit-verification.service.js';
export { PredictionsModule } from './predictions.module.js';
export { PredictionsService, type NewPrediction } from './predictions.service.js';
