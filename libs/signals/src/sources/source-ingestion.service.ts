import { createHash } from 'node:crypto';

import { Injectable, Logger } from '@nestjs/common';

import { DomainError } from '#core';
import { PrismaService, type Prisma, type Source } from '#db';
import { OutboxWriter } from '#events';

import { FeedParseError, parseFeedDocument, type FeedEntry } from '../feeds/feed-parsing.js';
import { FetchDeferredError } from './host-concurrency-limiter.js';
import { ReadingExtractionError, readingFromJson, readingsFromCsv, type ExtractedReading } from '../indicators/indicator-reading-extraction.js';
import { IndicatorReadingsService } from '../indicators/indicator-readings.service.js';
import { decodeResponseText } from '../feeds/response-text-decoding.js';
import { canonicalUrl, signalContentHash } from '../intake/signal-identity.js';
import { SignalItemsRepository, type NewSignalItem } from '../intake/signal-items.repository.js';
import { SignalRoutingService } from '../intake/signal-routing.service.js';
import { crossesFailingThreshold } from './source-health.js';
import { SourceFetchError, SourceFetcher, type FetchedResponse } from './source-fetcher.js';
import { nextPollInterval } from './adaptive-polling.js';
import { nextFetchAfterDeferral, nextFetchAfterFailure, nextFetchAfterSuccess } from './source-schedule.js';
import { WebSubSubscriptionsService } from './websub-subscriptions.service.js';

/** Who the audit trail names for readings a source produced. */
export const SOURCE_FETCH_ACTOR = 'system:fetch-source';

/** How many skipped items a fetch summary keeps; the count is always exact. */
const MAX_REPORTED_SKIPS = 50;

/** Past this length a guid or link is replaced by its hash in the dedupe key, so the unique index never meets an oversized value. */
const MAX_KEY_PART_LENGTH = 500;

export interface SkippedInput {
  /** Position of the feed item (from 0), or line of the CSV row. */
  item?: number;
  line?: number;
  reason: string;
}

/** What one fetch of a source did; stored on the source as lastFetchSummary and returned by "fetch now". */
export interface FetchOutcome {
  sourceId: string;
  status: 'fetched' | 'not-modified' | 'failed' | 'skipped';
  fetchedAt: string;
  /** feed sources: items stored by this fetch, and those already stored. */
  newItems: number;
  duplicateItems: number;
  /** New items that matched a rule (pending review or auto-accepted). */
  matchedItems: number;
  /** json and csv sources: readings stored (repeats of stored ones are not counted). */
  readingsRecorded: number;
  skippedCount: number;
  skipped: SkippedInput[];
  error: string | null;
  failureStreak: number;
  nextFetchAt: string;
}

type Stored = Omit<FetchOutcome, 'sourceId' | 'fetchedAt' | 'error' | 'failureStreak' | 'nextFetchAt'> & {
  minIntervalSeconds: number | null;
  /** The WebSub hub and topic the feed names; undefined when the answer had no feed to read (a 304, json, csv). */
  webSub?: { hubUrl: string | null; topicUrl: string | null };
};

/** What a hub's push did (WebSub content distribution). */
export interface PushOutcome {
  sourceId: string;
  accepted: boolean;
  reason: string;
  newItems: number;
  duplicateItems: number;
  matchedItems: number;
}

/**
 * One fetch of one source, end to end: conditional GET, parse, dedupe, store,
 * route new items to the rules (or record readings), then record on the
 * source what happened and when to fetch next. A failure is never thrown at
 * the caller: it is stored on the source (lastError, failureStreak, a backed-off nextFetchAt).
 */
@Injectable()
export class SourceIngestionService {
  private readonly logger = new Logger(SourceIngestionService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly fetcher: SourceFetcher,
    private readonly items: SignalItemsRepository,
    private readonly routing: SignalRoutingService,
    private readonly readings: IndicatorReadingsService,
    private readonly outbox: OutboxWriter,
    private readonly webSub: WebSubSubscriptionsService,
  ) {}

  /**
   * New content a WebSub hub pushed (WebSub 7): stored and routed exactly as a fetch of the feed would,
   * once its signature proves it comes from the hub of this source's active subscription. A push that
   * fails the check is ignored (the hub still gets a 2xx, as the recommendation allows).
   */
  async receivePush(sourceId: string, body: Buffer, contentType: string | null, signature: string | undefined): Promise<PushOutcome> {
    const empty = { sourceId, newItems: 0, duplicateItems: 0, matchedItems: 0 };
    const check = await this.webSub.authenticatePush(sourceId, body, signature);
    if (!check.ok) {
      this.logger.warn({ sourceId, reason: check.reason }, 'A WebSub push was ignored');
      return { ...empty, accepted: false, reason: check.reason };
    }
    const source = await this.prisma.source.findUnique({ where: { id: sourceId } });
    if (!source || source.kind !== 'feed') return { ...empty, accepted: false, reason: 'not a feed source' };
    const startedAt = new Date();
    try {
      const feed = parseFeedDocument(decodeResponseText(body, contentType), source.topicUrl ?? source.url);
      const stored = await this.storeFeedEntries(source, feed.entries, startedAt);
      this.logger.log({ sourceId, ...stored }, 'WebSub push stored');
      return { ...empty, ...stored, accepted: true, reason: 'stored' };
    } catch (error) {
      const message = failureMessage(error);
      if (message === null) throw error;
      this.logger.warn({ sourceId, error: message }, 'A WebSub push could not be read');
      return { ...empty, accepted: false, reason: message };
    }
  }

  /**
   * Fetches a source now. With `scheduledFor` (a scheduler's job), the fetch
   * is skipped when the source was disabled, deleted, or rescheduled since the
   * job was enqueued and is not due yet.
   */
  async fetchSource(sourceId: string, options: { scheduledFor?: number } = {}): Promise<FetchOutcome> {
    const startedAt = new Date();
    const source = await this.prisma.source.findUnique({ where: { id: sourceId } });
    if (!source) {
      // A scheduled job for a source deleted since: nothing to do.
      if (options.scheduledFor !== undefined) return { ...deletedSourceOutcome(sourceId, startedAt) };
      throw new DomainError('not_found', 'source-not-found', `Source "${sourceId}" does not exist`, 'id');
    }
    if (options.scheduledFor !== undefined && this.isStaleJob(source, options.scheduledFor, startedAt)) {
      return { ...emptyOutcome(source, startedAt), status: 'skipped' };
    }

    let response: FetchedResponse;
    try {
      response = await this.fetcher.fetch({ url: source.url, etag: source.etag, lastModified: source.lastModified });
    } catch (error) {
      if (error instanceof FetchDeferredError) return this.defer(source, startedAt, error);
      return this.recordFailure(source, startedAt, error);
    }
    try {
      const stored = response.status === 304 ? { ...emptyStored('not-modified'), minIntervalSeconds: response.maxAgeSeconds } : await this.ingest(source, response, startedAt);
      return await this.recordSuccess(source, startedAt, response, stored);
    } catch (error) {
      return this.recordFailure(source, startedAt, error);
    }
  }

  private isStaleJob(source: Source, scheduledFor: number, now: Date): boolean {
    if (!source.enabled) return true;
    return source.nextFetchAt.getTime() !== scheduledFor && source.nextFetchAt.getTime() > now.getTime();
  }

  private async ingest(source: Source, response: FetchedResponse, startedAt: Date): Promise<Stored> {
    const text = decodeResponseText(response.body, response.contentType);
    switch (source.kind) {
      case 'feed': {
        const feed = parseFeedDocument(text, response.finalUrl, { contentLocation: response.contentLocation ?? null });
        const stored = await this.storeFeedEntries(source, feed.entries, startedAt);
        const minIntervalSeconds = Math.max(feed.ttlSeconds ?? 0, response.maxAgeSeconds ?? 0) || null;
        const skipped = feed.skipped.map(({ index, reason }) => ({ item: index, reason }));
        const webSub = { hubUrl: feed.hubUrl, topicUrl: feed.selfUrl ?? (feed.hubUrl ? response.finalUrl : null) };
        return { ...emptyStored('fetched'), ...stored, skipped: skipped.slice(0, MAX_REPORTED_SKIPS), skippedCount: skipped.length, minIntervalSeconds, webSub };
      }
      case 'json': {
        // Without a time in the document, Last-Modified says when the value was current, else the fetch does.
        const lastModified = response.lastModified ? new Date(response.lastModified) : null;
        const observedAt = lastModified && !Number.isNaN(lastModified.getTime()) && lastModified <= new Date() ? lastModified : new Date();
        const reading = readingFromJson(text, source.jsonPointer ?? '', observedAt);
        const { recorded, refused } = await this.recordReadings(source, response.finalUrl, [reading]);
        if (refused[0]) throw new ReadingExtractionError(refused[0].reason);
        return { ...emptyStored('fetched'), readingsRecorded: recorded, minIntervalSeconds: response.maxAgeSeconds };
      }
      case 'csv': {
        const extracted = readingsFromCsv(text, { value: source.csvValueColumn ?? '', time: source.csvTimeColumn ?? '' });
        const { recorded, refused } = await this.recordReadings(source, response.finalUrl, extracted.readings);
        const skipped = [...extracted.skipped, ...refused];
        return {
          ...emptyStored('fetched'),
          readingsRecorded: recorded,
          skipped: skipped.slice(0, MAX_REPORTED_SKIPS).map(({ line, reason }) => ({ line, reason })),
          skippedCount: skipped.length,
          minIntervalSeconds: response.maxAgeSeconds,
        };
      }
    }
  }

  /**
   * Stores the entries not stored before (deduped per source, so two workers
   * fetching the same feed at once store each item once) and routes them,
   * together with any items of this source an interrupted earlier fetch
   * stored but never routed.
   */
  private async storeFeedEntries(source: Source, entries: readonly FeedEntry[], startedAt: Date): Promise<Pick<Stored, 'newItems' | 'duplicateItems' | 'matchedItems'>> {
    const rows = new Map<string, NewSignalItem>();
    for (const entry of entries) {
      const contentHash = signalContentHash(entry);
      const dedupeKey = dedupeKeyFor(source.id, entry, contentHash);
      if (!rows.has(dedupeKey)) {
        rows.set(dedupeKey, { dedupeKey, sourceId: source.id, externalId: entry.externalId, url: entry.url, title: entry.title, summary: entry.summary, publishedAt: entry.publishedAt, contentHash });
      }
    }
    const created = await this.items.insertNew([...rows.values()]);
    const routed = await this.routing.route(created);
    const leftovers = await this.routing.routeLeftoversOf(source.id, startedAt);
    return { newItems: created.length, duplicateItems: entries.length - created.length, matchedItems: routed.matched + leftovers.matched };
  }

  /**
   * Readings go through the readings service as one batch (a CSV of 100,000
   * rows is a few statements, not 100,000 transactions), which skips exact
   * repeats and derives evidence from threshold crossings. A reading it
   * refuses (a time far in the future, say) is reported, not fatal to the rest.
   */
  private async recordReadings(
    source: Source,
    url: string,
    readings: readonly (ExtractedReading & { line?: number })[],
  ): Promise<{ recorded: number; refused: { line: number; reason: string }[] }> {
    if (!source.indicatorId) throw new ReadingExtractionError('The source names no indicator');
    const note = `From source "${source.name}"`;
    const batch = await this.readings.recordMany(
      source.indicatorId,
      readings.map((reading) => ({ value: reading.value, observedAt: reading.observedAt, sourceUrl: url, sourceId: source.id, note })),
      SOURCE_FETCH_ACTOR,
    );
    const refused = batch.refused.map(({ index, reason }) => ({ line: readings[index]?.line ?? index + 1, reason }));
    return { recorded: batch.recorded, refused };
  }

  private async recordSuccess(source: Source, startedAt: Date, response: FetchedResponse, stored: Stored): Promise<FetchOutcome> {
    const now = new Date();
    const minIntervalSeconds = stored.minIntervalSeconds;
    // Adaptive polling: more often while fetches bring something new, less often while they do not.
    const poll = stored.status === 'fetched' || stored.status === 'not-modified' ? nextPollInterval(source, stored.newItems + stored.readingsRecorded) : null;
    const nextFetchAt = nextFetchAfterSuccess({ schedule: source.schedule, intervalSeconds: poll?.seconds ?? source.intervalSeconds, minIntervalSeconds }, now);
    const { minIntervalSeconds: _, webSub, ...summary } = stored;
    const outcome: FetchOutcome = { sourceId: source.id, fetchedAt: startedAt.toISOString(), ...summary, error: null, failureStreak: 0, nextFetchAt: nextFetchAt.toISOString() };
    await this.updateSource(source.id, {
      // A 304 may leave out the validators; the ones we sent are still the right ones then.
      etag: response.etag ?? source.etag,
      lastModified: response.lastModified ?? source.lastModified,
      minIntervalSeconds,
      lastFetchedAt: startedAt,
      lastSuccessAt: startedAt,
      lastError: null,
      failureStreak: 0,
      nextFetchAt,
      lastFetchSummary: outcome as unknown as Prisma.InputJsonObject,
      ...(poll ? { pollIntervalSeconds: poll.seconds, pollIntervalReason: poll.reason } : {}),
      ...(webSub ? { hubUrl: webSub.hubUrl, topicUrl: webSub.topicUrl } : {}),
    });
    // The feed names a hub (or stopped naming one): subscribe (or unsubscribe) at once; polling carries on either way.
    if (webSub && (webSub.hubUrl || source.hubUrl)) await this.webSub.reconcile(source.id, webSub.hubUrl, webSub.topicUrl, now);
    return outcome;
  }

  /** The host asked to be left alone (or stayed busy): the source waits, and nothing counts against it. */
  private async defer(source: Source, startedAt: Date, deferral: FetchDeferredError): Promise<FetchOutcome> {
    const nextFetchAt = nextFetchAfterDeferral(deferral.retryAt, new Date());
    // Only if nothing moved it meanwhile (an edit, another fetch).
    await this.prisma.source.updateMany({ where: { id: source.id, nextFetchAt: source.nextFetchAt }, data: { nextFetchAt } });
    return { ...emptyOutcome(source, startedAt), status: 'skipped', error: deferral.message, nextFetchAt: nextFetchAt.toISOString() };
  }

  private async recordFailure(source: Source, startedAt: Date, error: unknown): Promise<FetchOutcome> {
    const message = failureMessage(error);
    if (message === null) this.logger.error({ err: error, sourceId: source.id }, 'Unexpected error while fetching a source');
    const failureStreak = source.failureStreak + 1;
    const retryAfterSeconds = error instanceof SourceFetchError ? error.retryAfterSeconds : null;
    const nextFetchAt = nextFetchAfterFailure(failureStreak, new Date(), { retryAfterSeconds });
    const outcome: FetchOutcome = {
      ...emptyOutcome(source, startedAt),
      status: 'failed',
      error: message ?? 'Internal error while fetching (logged on the server)',
      failureStreak,
      nextFetchAt: nextFetchAt.toISOString(),
    };
    const data: Prisma.SourceUpdateInput = {
      lastFetchedAt: startedAt,
      lastError: outcome.error,
      // Incremented in SQL, so two concurrent failures count twice rather than once.
      failureStreak: { increment: 1 },
      nextFetchAt,
      lastFetchSummary: outcome as unknown as Prisma.InputJsonObject,
    };
    if (crossesFailingThreshold(source, startedAt)) {
      // The first failure past the line is announced, in the same transaction as the failure it reports.
      await this.prisma.$transaction(async (tx) => {
        const { count } = await tx.source.updateMany({ where: { id: source.id }, data });
        if (count === 0) return;
        await this.outbox.write(tx, [
          {
            type: 'source.failing',
            predictionId: null,
            payload: { sourceId: source.id, name: source.name, url: source.url, lastError: outcome.error ?? '', failureStreak, failingSince: (source.lastSuccessAt ?? source.createdAt).toISOString() },
          },
        ]);
      });
    } else {
      await this.updateSource(source.id, data);
    }
    this.logger.warn({ sourceId: source.id, failureStreak, error: outcome.error }, 'Source fetch failed');
    return outcome;
  }

  /** The source may have been deleted while it was being fetched; then there is nothing to record. */
  private async updateSource(id: string, data: Prisma.SourceUpdateInput): Promise<void> {
    await this.prisma.source.updateMany({ where: { id }, data });
  }
}

/** The message of an expected failure (network, HTTP, parsing, refused input); null for a bug. */
function failureMessage(error: unknown): string | null {
  if (error instanceof SourceFetchError || error instanceof FeedParseError || error instanceof ReadingExtractionError || error instanceof DomainError) {
    return error.message;
  }
  return null;
}

/** `<sourceId>:<guid | canonical link | content hash>`: a second fetch of the same feed stores nothing new. */
export function dedupeKeyFor(sourceId: string, entry: FeedEntry, contentHash: string): string {
  const guid = entry.externalId?.trim();
  const part = guid || (entry.url ? canonicalUrl(entry.url) : null) || contentHash;
  const bounded = part.length > MAX_KEY_PART_LENGTH ? `sha256:${createHash('sha256').update(part).digest('hex')}` : part;
  return `${sourceId}:${bounded}`;
}

function emptyStored(status: FetchOutcome['status']): Omit<Stored, 'minIntervalSeconds'> {
  return { status, newItems: 0, duplicateItems: 0, matchedItems: 0, readingsRecorded: 0, skippedCount: 0, skipped: [] };
}

function emptyOutcome(source: Source, startedAt: Date): FetchOutcome {
  return {
    sourceId: source.id,
    fetchedAt: startedAt.toISOString(),
    ...emptyStored('skipped'),
    error: null,
    failureStreak: source.failureStreak,
    nextFetchAt: source.nextFetchAt.toISOString(),
  };
}

function deletedSourceOutcome(sourceId: string, startedAt: Date): FetchOutcome {
  return { sourceId, fetchedAt: startedAt.toISOString(), ...emptyStored('skipped'), error: null, failureStreak: 0, nextFetchAt: startedAt.toISOString() };
}
