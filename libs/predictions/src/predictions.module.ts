import { Module } from '@nestjs/common';

import { EventsModule } from '#events';

import { AuditCheckpointsService } from './audit/audit-checkpoints.service.js';
import { AuditSigningKeyService } from './audit/audit-signing-key.service.js';
import { SignedHeadsService } from './audit/signed-heads.service.js';
import { AuditTrailService } from './chain/audit-trail.service.js';
import { AuditVerificationService } from './audit/audit-verification.service.js';
import { EvidenceQueriesService } from './evidence/evidence-queries.service.js';
import { EvidenceService } from './evidence/evidence.service.js';
import { EvidenceStoriesRepository } from './evidence/evidence-stories.repository.js';
import { PredictionChainRepository } from './chain/prediction-chain.repository.js';
import { PredictionsArchiveService } from './export/predictions-archive.service.js';
import { ForecastDivergenceService } from './forecasts/forecast-divergence.service.js';
import { ForecastsService } from './forecasts/forecasts.service.js';
import { PredictionDeadlinesService } from './prediction-deadlines.service.js';
import { PredictionHistoryService } from './prediction-history.service.js';
import { PredictionsService } from './predictions.service.js';
import { ScorecardService } from './scoring/scorecard.service.js';
import { TrackScoringService } from './scoring/track-scoring.service.js';

const SERVICES = [
  PredictionsService,
  AuditTrailService,
  AuditVerificationService,
  AuditCheckpointsService,
  AuditSigningKeyService,
  SignedHeadsService,
  EvidenceService,
  EvidenceQueriesService,
  EvidenceStoriesRepository,
  PredictionChainRepository,
  PredictionDeadlinesService,
  PredictionHistoryService,
  ScorecardService,
  TrackScoringService,
  ForecastsService,
  PredictionsArchiveService,
  ForecastDivergenceService,
];

@Module({ imports: [EventsModule], providers: SERVICES, exports: SERVICES })
export class PredictionsModule {}
