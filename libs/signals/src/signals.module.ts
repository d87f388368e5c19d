import { Module } from '@nestjs/common';

import { EventsModule } from '#events';
import { PredictionsModule } from '#predictions';

import { DueSourcesScheduler } from './due-sources-scheduler.service.js';
import { IndicatorsArchiveService } from './export/indicators-archive.service.js';
import { HostFetchSlots } from './host-fetch-slots.service.js';
import { IndicatorLinksService } from './indicator-links.service.js';
import { IndicatorReadingsService } from './indicator-readings.service.js';
import { IndicatorsService } from './indicators.service.js';
import { ManualSignalsService } from './manual-signals.service.js';
import { RulesService } from './rules.service.js';
import { SignalInboxService } from './signal-inbox.service.js';
import { SignalItemsRepository } from './signal-items.repository.js';
import { SignalRoutingService } from './signal-routing.service.js';
import { SignalSearchService } from './signal-search.service.js';
import { SignalSuggestionsService } from './signal-suggestions.service.js';
import { SourceFetchCounter } from './source-fetch-counter.service.js';
import { SourceFetcher } from './source-fetcher.js';
import { SourceIngestionService } from './source-ingestion.service.js';
import { SourcesService } from './sources.service.js';

const WATCH_SERVICES = [IndicatorLinksService, IndicatorReadingsService, SignalInboxService, SignalItemsRepository, SignalRoutingService, SignalSearchService, SignalSuggestionsService, ManualSignalsService];
const SOURCE_SERVICES = [SourcesService, SourceFetcher, SourceIngestionService, DueSourcesScheduler, HostFetchSlots, SourceFetchCounter];

@Module({
  imports: [EventsModule, PredictionsModule],
  providers: [IndicatorsService, RulesService, IndicatorsArchiveService, ...WATCH_SERVICES, ...SOURCE_SERVICES],
  exports: [IndicatorsService, RulesService, IndicatorsArchiveService, ...WATCH_SERVICES, ...SOURCE_SERVICES],
})
export class SignalsModule {}
