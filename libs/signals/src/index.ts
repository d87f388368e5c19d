export { IndicatorsService, type NewIndicator } from './indicators.service.js';
export { RulesService, type NewRule, type RuleChanges, type RuleInput, type RuleView } from './rules.service.js';
export { IndicatorLinksService, type IndicatorLinkInput, type IndicatorLinkView } from './indicator-links.service.js';
export {
  IndicatorReadingsService,
  type NewIndicatorReading,
  type RecordedReading,
  type ThresholdCrossingRecord,
} from './indicator-readings.service.js';
export { SignalRoutingService, AUTO_ACCEPT_ACTOR, UNROUTED_GRACE_MS, type RoutingOutcome } from './signal-routing.service.js';
export { SignalSearchService, type RankedSignalItem, type RulePreview, type SignalSearchHit } from './signal-search.service.js';
export { SignalSuggestionsService, SUGGESTION_MODEL_TTL_MS } from './signal-suggestions.service.js';
export { SignalSuggestionModel, SUGGESTION_SETTINGS, type SignalSuggestion } from './signal-suggestion-model.js';
export { SignalItemsRepository, type StoredSignalItem, type NewSignalItem } from './signal-items.repository.js';
export {
  SignalInboxService,
  INBOX_RELEVANCE_HALF_LIFE_SECONDS,
  type AcceptedSignal,
  type ReviewItem,
  type SignalAcceptance,
  type SignalItemView,
} from './signal-inbox.service.js';
export { ManualSignalsService, MAX_MANUAL_SIGNALS, type ManualSignal, type ManualSubmission } from './manual-signals.service.js';
export { canonicalUrl, isHttpUrl, signalContentHash } from './signal-identity.js';
export { parseSignalMatches, type RuleImpact, type SignalMatch } from './signal-matches.js';
export { SourcesService, MAX_OPML_FEEDS, type SourceInput, type SourceChanges, type SourceView, type OpmlImport } from './sources.service.js';
export { SourceIngestionService, SOURCE_FETCH_ACTOR, type FetchOutcome } from './source-ingestion.service.js';
export { DueSourcesScheduler, CLAIM_BATCH_SIZE, CLAIM_LEASE_MS } from './due-sources-scheduler.service.js';
export { HostFetchSlots, HOST_LIMITS } from './host-fetch-slots.service.js';
export { FetchDeferredError } from './host-concurrency-limiter.js';
export { SourceFetchCounter } from './source-fetch-counter.service.js';
export { SourceFetcher, FETCH_POLICY } from './source-fetcher.js';
export { parseFeedDocument, FeedParseError, type ParsedFeed, type FeedEntry } from './feed-parsing.js';
export { decodeResponseText } from './response-text-decoding.js';
export { sourceHealth, SOURCE_FAILING_AFTER_SECONDS, type SourceHealth, type SourceHealthState } from './source-health.js';
export { MIN_FETCH_INTERVAL_SECONDS, DEFAULT_FETCH_INTERVAL_SECONDS, MAX_BACKOFF_SECONDS } from './source-schedule.js';
export { IndicatorsArchiveService } from './export/indicators-archive.service.js';
export { SignalsModule } from './signals.module.js';
