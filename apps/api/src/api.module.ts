import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';

import { AuthModule } from '#auth';
import { ConfigModule, type AppConfig } from '#config';
import { DbModule, type DatabaseConnection } from '#db';
import { JobsModule } from '#jobs';
import { loggingModule } from '#logging';
import { NotifyModule } from '#notify';
import { PredictionsModule } from '#predictions';
import { SignalsModule } from '#signals';

import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { WebAppModule } from './web/web-app.module.js';
import { AuditController } from './audit/audit.controller.js';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { EvidenceController } from './evidence/evidence.controller.js';
import { ArchiveService } from './export/archive.service.js';
import { ExportController } from './export/export.controller.js';
import { ForecastsController } from './forecasts/forecasts.controller.js';
import { DatabaseHealthIndicator } from './health/database-health.indicator.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './health/metrics.controller.js';
import { QueueHealthIndicator } from './health/queue-health.indicator.js';
import { SchedulerHealthIndicator } from './health/scheduler-health.indicator.js';
import { ActorNamesInterceptor } from './http/actors/actor-names.interceptor.js';
import { IdempotencyInterceptor } from './http/idempotency/idempotency.interceptor.js';
import { ProblemDetailsFilter } from './http/problems/problem-details.filter.js';
import { RateLimitGuard } from './http/rate-limit/rate-limit.guard.js';
import { RateLimitStorage } from './http/rate-limit/rate-limit-storage.js';
import { RequestShapeGuard } from './http/validation/request-shape.guard.js';
import { RequestTextGuard } from './http/validation/request-text.guard.js';
import { createValidationPipe } from './http/validation/validation.pipe.js';
import { IndicatorsController } from './indicators/indicators.controller.js';
import { PredictionsController } from './predictions/predictions.controller.js';
import { RulesController } from './rules/rules.controller.js';
import { RoutingModelController } from './routing-model/routing-model.controller.js';
import { ScorecardsController } from './scorecards/scorecards.controller.js';
import { AnalysisSeedService } from './seed/analysis-seed.service.js';
import { DemoSeedService } from './seed/demo-seed.service.js';
import { SignalsController } from './signals/signals.controller.js';
import { SourcesController } from './sources/sources.controller.js';
import { StoriesController } from './stories/stories.controller.js';
import { StartupService } from './startup.service.js';
import { SubscribersController } from './subscribers/subscribers.controller.js';
import { TermSetsController } from './term-sets/term-sets.controller.js';
import { UnsubscribeController } from './unsubscribe/unsubscribe.controller.js';
import { MeController, UsersController } from './users/users.controller.js';
import { WebSubController } from './websub/websub.controller.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, database: DatabaseConnection): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        DbModule.forRoot(database),
        JobsModule.forRoot(config, database),
        loggingModule(config, { http: true }),
        TerminusModule,
        AuthModule,
        PredictionsModule,
        SignalsModule,
        NotifyModule,
        WebAppModule,
      ],
      controllers: [
        HealthController,
        MetricsController,
        ApiKeysController,
        MeController,
        UsersController,
        AuditController,
        PredictionsController,
        EvidenceController,
        ForecastsController,
        ScorecardsController,
        IndicatorsController,
        RulesController,
        RoutingModelController,
        TermSetsController,
        SignalsController,
        StoriesController,
        SourcesController,
        WebhooksController,
        SubscribersController,
        UnsubscribeController,
        WebSubController,
        ExportController,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // First: it counts keyless and refused requests too.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: RequestShapeGuard },
        { provide: APP_GUARD, useClass: RequestTextGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        // Inside the idempotency interceptor: a replayed answer was named when it was first made.
        { provide: APP_INTERCEPTOR, useClass: ActorNamesInterceptor },
        RateLimitStorage,
        DatabaseHealthIndicator,
        QueueHealthIndicator,
        SchedulerHealthIndicator,
        AnalysisSeedService,
        DemoSeedService,
        StartupService,
        ArchiveService,
      ],
    };
  }
}
