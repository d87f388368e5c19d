import { Module } from '@nestjs/common';

import { EventsModule } from '#events';
import { PredictionsModule } from '#predictions';

import { DueSourcesScheduler } from './sources/due-sources-scheduler.service.js';
import { IndicatorsArchiveService } from './indicators/indicators-archive.service.js';
import { HostFetchSlots } from './sources/host-fetch-slots.service.js';
import { IndicatorLinksService } from './indicators/indicator-links.service.js';
import { IndicatorReadingsService } from './indicators/indicator-readings.service.js';
import { IndicatorsService } from './indicators/indicators.service.js';
import { ManualSignalsService } from './intake/manual-signals.service.js';
import { RoutingModelsService } from './intake/routing-models.service.js';
import { RulesService } from './intake/rules.service.js';
import { SignalInboxService } from './intake/signal-inbox.service.js';
import { SignalItemsRepository } from './intake/signal-items.repository.js';
import { SignalRoutingService } from './intake/signal-routing.service.js';
import { SignalSearchService } from './intake/signal-search.service.js';
import { StoriesRepository } from './intake/stories.repository.js';
import { StoriesService } from './intake/stories.service.js';
import { StorySignatures } from './intake/story-signatures.service.js';
import { TermSetsRepository } from './intake/term-sets.repository.js';
import { TermSetsService } from './intake/term-sets.service.js';
import { SourceFetchCounter } from './sources/source-fetch-counter.service.js';
import { SourceFetcher } from './sources/source-fetcher.js';
import { SourceIngestionService } from './sources/source-ingestion.service.js';
import { SourcesService } from './sources/sources.service.js';
import { WebSubSubscriptionsService } from './sources/websub-subscriptions.service.js';

const WATCH_SERVICES = [IndicatorLinksService, IndicatorReadingsService, SignalInboxService, SignalItemsRepository, SignalRoutingService, SignalSearchService, RoutingModelsService, ManualSignalsService];
const STORY_SERVICES = [StoriesRepository, StorySignatures, StoriesService];
const SOURCE_SERVICES = [SourcesService, SourceFetcher, SourceIngestionService, DueSourcesScheduler, HostFetchSlots, SourceFetchCounter, WebSubSubscriptionsService];

@Module({
  imports: [EventsModule, PredictionsModule],
  providers: [IndicatorsService, RulesService, TermSetsRepository, TermSetsService, IndicatorsArchiveService, ...WATCH_SERVICES, ...SOURCE_SERVICES, ...STORY_SERVICES],
  exports: [IndicatorsService, RulesService, TermSetsService, IndicatorsArchiveService, ...WATCH_SERVICES, ...SOURCE_SERVICES, StoriesService],
})
export class SignalsModule {}
