import { Module } from '@nestjs/common';

import { EventsModule } from '#events';

import { AuditCheckpointsService } from './audit-checkpoints.service.js';
import { AuditTrailService } from './audit-trail.service.js';
import { AuditVerificationService } from './audit-verification.service.js';
import { EvidenceService } from './evidence.service.js';
import { PredictionsArchiveService } from './export/predictions-archive.service.js';
import { ForecastDivergenceService } from './forecast-divergence.service.js';
import { ForecastsService } from './forecasts.service.js';
import { PredictionDeadlinesService } from './prediction-deadlines.service.js';
import { PredictionHistoryService } from './prediction-history.service.js';
import { PredictionsService } from './predictions.service.js';
import { ScorecardService } from './scorecard.service.js';
import { TrackScoringService } from './track-scoring.service.js';

const SERVICES = [
  PredictionsService,
  AuditTrailService,
  AuditVerificationService,
  AuditCheckpointsService,
  EvidenceService,
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
