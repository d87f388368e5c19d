export { IndicatorsService, type IndicatorEdit, type NewIndicator } from './indicators/indicators.service.js';
export { RulesService, type NewRule, type RuleChanges, type RuleInput, type RuleView } from './intake/rules.service.js';
export { TermSetsService, type SeededTermSetOutcome, type TermSetChanges, type TermSetPreview, type TermSetRulePreview, type TermSetView } from './intake/term-sets.service.js';
export { type TermSetContent } from './intake/term-sets.repository.js';
export {
  IndicatorLinksService,
  MAX_LINKS_PER_INDICATOR,
  type IndicatorLinkInput,
  type IndicatorLinkView,
  type LinkedIndicator,
} from './indicators/indicator-links.service.js';
export {
  IndicatorReadingsService,
  type NewIndicatorReading,
  type RecordedReading,
  type ThresholdCrossingRecord,
} from './indicators/indicator-readings.service.js';
export { SignalRoutingService, AUTO_ACCEPT_ACTOR, UNROUTED_GRACE_MS, type RoutingOutcome, type RoutedItem } from './intake/signal-routing.service.js';
export { SignalSearchService, type MatchDecisions, type QueryComparison, type RankedSignalItem, type RulePreview, type SignalSearchHit } from './intake/signal-search.service.js';
export { RoutingModelsService, type RoutingModelHistory, type RoutingModelVersion, type RetrainOutcome, type RetrainTrigger } from './intake/routing-models.service.js';
export { type RoutingModelEvaluation, RETRAIN_MARGIN } from './intake/routing-model-training.js';
export { proposedImpacts, type SignalRoute, type SignalRouteImpact, type SignalSuggestion, type RouteTargetKind } from './intake/signal-routes.js';
export { SignalItemsRepository, type StoredSignalItem, type NewSignalItem } from './intake/signal-items.repository.js';
export {
  SignalInboxService,
  INBOX_RELEVANCE_HALF_LIFE_SECONDS,
  type AcceptedSignal,
  type ReviewItem,
  type SignalAcceptance,
  type SignalItemView,
  type StoryItemSummary,
  type StorySummary,
} from './intake/signal-inbox.service.js';
export { StoriesService, type StoryChangeView, type StoryView } from './intake/stories.service.js';
export { ManualSignalsService, MAX_MANUAL_SIGNALS, type ManualSignal, type ManualSubmission } from './intake/manual-signals.service.js';
export { canonicalUrl, isHttpUrl, signalContentHash, siteOf } from './intake/signal-identity.js';
export { parseSignalMatches, type RuleImpact, type SignalMatch } from './intake/signal-matches.js';
export { SourcesService, MAX_OPML_FEEDS, type SourceInput, type SourceChanges, type SourceView, type SourceWebSubView, type OpmlImport } from './sources/sources.service.js';
export { SourceIngestionService, SOURCE_FETCH_ACTOR, type FetchOutcome, type PushOutcome } from './sources/source-ingestion.service.js';
export { WebSubSubscriptionsService, WEBSUB_LEASE_SECONDS, type WebSubVerification } from './sources/websub-subscriptions.service.js';
export { nextPollInterval, pollingBounds } from './sources/adaptive-polling.js';
export { DueSourcesScheduler, CLAIM_BATCH_SIZE, CLAIM_LEASE_MS } from './sources/due-sources-scheduler.service.js';
export { HostFetchSlots, HOST_LIMITS } from './sources/host-fetch-slots.service.js';
export { FetchDeferredError } from './sources/host-concurrency-limiter.js';
export { SourceFetchCounter } from './sources/source-fetch-counter.service.js';
export { SourceFetcher, FETCH_POLICY } from './sources/source-fetcher.js';
export { parseFeedDocument, FeedParseError, type ParsedFeed, type FeedEntry } from './feeds/feed-parsing.js';
export { decodeResponseText } from './feeds/response-text-decoding.js';
export { sourceHealth, SOURCE_FAILING_AFTER_SECONDS, type SourceHealth, type SourceHealthState } from './sources/source-health.js';
export { MIN_FETCH_INTERVAL_SECONDS, DEFAULT_FETCH_INTERVAL_SECONDS, MAX_BACKOFF_SECONDS } from './sources/source-schedule.js';
export { IndicatorsArchiveService } from './indicators/indicators-archive.service.js';
export { SignalsModule } from './signals.module.js';
export { ROUTING_DEVELOPMENT_SET } from './intake/labelled-routing/development-set.js';
export { type Direction as LabelledDirection, type ItemKind, type LabelledItem } from './intake/labelled-routing/labelled-item.js';
