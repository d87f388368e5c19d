export { AuditTrailService, auditEntryContent, type AuditMove, type ChainHead } from './audit-trail.service.js';
export { AuditVerificationService, type AuditVerification, type ChainVerification } from './audit-verification.service.js';
export { AuditCheckpointsService, type AuditCheckpointView, type CheckpointBreak } from './audit-checkpoints.service.js';
export { loadAuditSigningKey, signingKeyFile } from './audit-signing-key.js';
export {
  EvidenceService,
  type EvidenceFilter,
  type EvidenceImpactInput,
  type EvidenceImpactSummary,
  type EvidenceSearch,
  type EvidenceSearchHit,
  type SignalEvidenceRetraction,
  type SignalEvidenceRetractionListener,
  type EvidenceMove,
  type EvidenceWithImpacts,
  type RecordedEvidence,
  type RecordEvidenceInput,
  type RetractedEvidence,
} from './evidence.service.js';
export { dayNumber, PredictionDeadlinesService } from './prediction-deadlines.service.js';
export {
  describeMove,
  PredictionHistoryService,
  type Explanation,
  type ExplainedMove,
  type ProbabilitySeries,
  type SeriesPoint,
  type SequencePage,
  type SequencePageRequest,
  type WhatIf,
} from './prediction-history.service.js';
export { PredictionsModule } from './predictions.module.js';
export {
  PredictionsService,
  type ConfidenceMove,
  type NewPrediction,
  type PredictionWithTeam,
  type PredictionTextEdit,
  type Resolution,
  type ResolutionOutcome,
} from './predictions.service.js';
export {
  ScorecardService,
  type AnalystStanding,
  type LinkedIndicator,
  type ModelVersusTeam,
  type Scorecard,
  type Scores,
  type ScorecardsTable,
  type TopEvidence,
} from './scorecard.service.js';
export {
  ForecastsService,
  teamProbabilityAt,
  type AnalystForecasts,
  type Forecaster,
  type ForecastHistory,
  type ForecastInput,
} from './forecasts.service.js';
export { type TeamForecast } from './team-forecast.js';
export { countsFrom, isAfterTheFact, TrackScoringService, type ScoredTrack } from './track-scoring.service.js';
export {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  keysetPage,
  pickColumns,
  readArchiveRows,
  type ArchiveColumn,
  type ArchiveRow,
  type ArchiveTable,
} from './export/archive-table.js';
export { PredictionsArchiveService, type ArchivedChainBreak } from './export/predictions-archive.service.js';
export { ForecastDivergenceService, type ForecastPair } from './forecast-divergence.service.js';
