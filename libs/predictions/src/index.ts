export { advanceHead, auditEntryContent, chainedAuditEntry, type ChainHead } from './chain/audit-entry.js';
export { isResolved, PredictionChainRepository } from './chain/prediction-chain.repository.js';
export { AuditVerificationService, type AuditVerification, type ChainVerification } from './audit/audit-verification.service.js';
export { AuditCheckpointsService, type AuditCheckpointView, type SavedCheckpoint } from './audit/audit-checkpoints.service.js';
export { AuditSigningKeyService, type AuditKeyView } from './audit/audit-signing-key.service.js';
export { SignedHeadsService, type SignedHeadView } from './audit/signed-heads.service.js';
export { loadAuditSigningKey, signingKeyFile } from './audit/audit-signing-key.js';
export {
  EvidenceService,
  type SignalEvidenceRetraction,
  type EvidenceMove,
  type RecordedEvidence,
  type RetractedEvidence,
  type SameStoryWarning,
  type StoryMove,
} from './evidence/evidence.service.js';
export { EvidenceStoriesRepository, type SameStoryMatch } from './evidence/evidence-stories.repository.js';
export {
  EvidenceQueriesService,
  type EvidenceImpactSummary,
  type EvidenceSearchHit,
  type EvidenceWithImpacts,
  type StoryStanding,
} from './evidence/evidence-queries.service.js';
export { MAX_EVIDENCE_IMPACTS, type EvidenceImpactInput, type RecordEvidenceInput } from './evidence/evidence-input.js';
export { PredictionDeadlinesService } from './prediction-deadlines.service.js';
export {
  describeMove,
  describeStory,
  PredictionHistoryService,
  storyOfEntry,
  type Explanation,
  type ExplainedMove,
  type MoveStory,
  type WhatIf,
} from './prediction-history.service.js';
export { PredictionsModule } from './predictions.module.js';
export { PredictionsService, type ConfidenceMove, type PredictionSummary, type PredictionWithTeam, type Resolution } from './predictions.service.js';
export { ScorecardService, type AnalystStanding, type Scorecard, type Scores, type ScorecardsTable } from './scoring/scorecard.service.js';
export { ForecastsService, teamProbabilityAt, type ForecastHistory } from './forecasts/forecasts.service.js';
export { type TeamForecast } from './forecasts/team-forecast.js';
export { isAfterTheFact, type ScoredTrack } from './scoring/track-scoring.service.js';
export { PredictionsArchiveService, type ArchivedChainBreak } from './export/predictions-archive.service.js';
