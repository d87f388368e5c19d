import { Injectable } from '@nestjs/common';
import type { parseOpml } from 'feedsmith';

import { DomainError, isUuid, JsonPointerError, NotFoundError, parseJsonPointer } from '#core';
import { IdempotencyKeysRepository, pageQuery, PrismaService, toPage, type Page, type PageRequest, type Prisma, type Source, type SourceKind } from '#db';

import { IndicatorsService } from '../indicators/indicators.service.js';
import { SourceFetcher } from './source-fetcher.js';
import { assertValidCron, DEFAULT_FETCH_INTERVAL_SECONDS, MIN_FETCH_INTERVAL_SECONDS } from './source-schedule.js';
import { WebSubSubscriptionsService } from './websub-subscriptions.service.js';

export const MAX_INTERVAL_SECONDS = 7 * 24 * 3600;
export const MAX_OPML_FEEDS = 1000;

export interface SourceInput {
  name: string;
  kind: SourceKind;
  url: string;
  /** A cron expression (UTC); give it or intervalSeconds, not both. Neither means every 30 minutes. */
  schedule?: string | null;
  intervalSeconds?: number | null;
  enabled?: boolean;
  /** json and csv sources: the indicator (id or slug) their readings feed. */
  indicator?: string | null;
  jsonPointer?: string | null;
  csvValueColumn?: string | null;
  csvTimeColumn?: string | null;
}

export type SourceChanges = Partial<SourceInput>;

/** A source's WebSub subscription, as the API shows it (never its secret). */
export interface SourceWebSubView {
  state: 'pending' | 'active' | 'failed';
  hubUrl: string;
  topicUrl: string;
  verifiedAt: Date | null;
  expiresAt: Date | null;
  lastPushAt: Date | null;
  lastError: string | null;
}

/** A source with the indicator it feeds and its WebSub subscription, named as the API shows it. */
export type SourceView = Source & { indicator: { id: string; slug: string } | null; webSub: SourceWebSubView | null };

const SOURCE_INCLUDE = {
  indicator: { select: { id: true, slug: true } },
  webSub: { select: { state: true, hubUrl: true, topicUrl: true, verifiedAt: true, expiresAt: true, lastPushAt: true, lastError: true } },
} as const;

/** The columns a validated input sets. */
type SourceRow = Omit<Prisma.SourceUncheckedCreateInput, 'id'> & { name: string; url: string; indicatorId: string | null; intervalSeconds: number | null };

export interface OpmlImport {
  created: SourceView[];
  skipped: { url: string | null; title: string | null; reason: string }[];
}

/** The fields each kind needs, and those it must not have. */
const KIND_FIELDS: Record<SourceKind, { required: (keyof SourceInput)[]; forbidden: (keyof SourceInput)[] }> = {
  feed: { required: [], forbidden: ['indicator', 'jsonPointer', 'csvValueColumn', 'csvTimeColumn'] },
  json: { required: ['indicator', 'jsonPointer'], forbidden: ['csvValueColumn', 'csvTimeColumn'] },
  csv: { required: ['indicator', 'csvValueColumn', 'csvTimeColumn'], forbidden: ['jsonPointer'] },
};

/**
 * Sources of signals: feeds (RSS, RDF, Atom, JSON Feed) whose items go to the
 * review inbox, and JSON or CSV endpoints whose numbers become indicator
 * readings. Saving a source changes what the next scheduler tick does; nothing needs a restart.
 */
@Injectable()
export class SourcesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly indicators: IndicatorsService,
    private readonly fetcher: SourceFetcher,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly webSub: WebSubSubscriptionsService,
  ) {}

  async list(request: PageRequest): Promise<Page<SourceView>> {
    return toPage(await this.prisma.source.findMany({ ...pageQuery(request), include: SOURCE_INCLUDE }), request.limit);
  }

  async get(id: string, field = 'id'): Promise<SourceView> {
    const source = isUuid(id) ? await this.prisma.source.findUnique({ where: { id: id.toLowerCase() }, include: SOURCE_INCLUDE }) : null;
    if (!source) throw new NotFoundError('Source', id, field);
    return source;
  }

  async create(input: SourceInput): Promise<SourceView> {
    const data = await this.validated(input);
    // An Idempotency-Key request records its claim with the effect: a response lost to a crash never makes a second source.
    return this.prisma.$transaction(async (tx) => {
      await this.idempotencyKeys.takePart(tx);
      return tx.source.create({ data: { ...data, nextFetchAt: new Date() }, include: SOURCE_INCLUDE });
    });
  }

  /**
   * A changed URL starts afresh (validators and failure streak cleared); a
   * changed URL, schedule or re-enabling makes the source due at the next tick.
   */
  async update(id: string, changes: SourceChanges): Promise<SourceView> {
    const current = await this.get(id);
    if (changes.schedule != null && changes.intervalSeconds != null) throw bothSchedules();
    const merged: SourceInput = {
      name: changes.name ?? current.name,
      kind: changes.kind ?? current.kind,
      url: changes.url ?? current.url,
      // Giving one way of scheduling replaces the other.
      schedule: changes.intervalSeconds != null ? null : changes.schedule !== undefined ? changes.schedule : current.schedule,
      intervalSeconds: changes.schedule != null ? null : changes.intervalSeconds !== undefined ? changes.intervalSeconds : current.intervalSeconds,
      enabled: changes.enabled ?? current.enabled,
      indicator: changes.indicator !== undefined ? changes.indicator : current.indicatorId,
      jsonPointer: changes.jsonPointer !== undefined ? changes.jsonPointer : current.jsonPointer,
      csvValueColumn: changes.csvValueColumn !== undefined ? changes.csvValueColumn : current.csvValueColumn,
      csvTimeColumn: changes.csvTimeColumn !== undefined ? changes.csvTimeColumn : current.csvTimeColumn,
    };
    // Switching kind drops the fields the new kind does not use, instead of refusing them.
    if (changes.kind && changes.kind !== current.kind) {
      for (const field of KIND_FIELDS[changes.kind].forbidden) if (changes[field] === undefined) merged[field] = null as never;
    }
    const data: Prisma.SourceUncheckedUpdateInput = await this.validated(merged);
    const urlChanged = data.url !== current.url;
    const scheduleChanged = data.schedule !== current.schedule || data.intervalSeconds !== current.intervalSeconds;
    const reenabled = data.enabled === true && !current.enabled;
    if (urlChanged) Object.assign(data, { etag: null, lastModified: null, minIntervalSeconds: null, failureStreak: 0, lastError: null, pollIntervalSeconds: null, pollIntervalReason: null });
    else if (scheduleChanged) Object.assign(data, { pollIntervalSeconds: null, pollIntervalReason: null });
    if (urlChanged || scheduleChanged || reenabled) data.nextFetchAt = new Date();
    return this.prisma.source.update({ where: { id: current.id }, data, include: SOURCE_INCLUDE });
  }

  async remove(id: string): Promise<void> {
    const source = await this.get(id);
    // Its hub stops pushing (an unsubscription, verified by the hub) before the source goes.
    await this.webSub.unsubscribe(source.id);
    await this.prisma.source.delete({ where: { id: source.id } });
  }

  /**
   * Feed sources from an OPML subscription list (outlines with an xmlUrl, at
   * any depth). A URL already saved as a source, or one that cannot be
   * fetched, is skipped with the reason; the rest are created.
   */
  async importOpml(opml: string, defaults: { intervalSeconds?: number; schedule?: string } = {}): Promise<OpmlImport> {
    let document: ReturnType<typeof parseOpml>;
    try {
      // feedsmith is loaded by the first import, not at start: a large module that only OPML imports use.
      const feedsmith = await import('feedsmith');
      document = feedsmith.parseOpml(opml);
    } catch (error) {
      throw new DomainError('invalid', 'invalid-opml', `The document is not OPML: ${(error as Error).message}`, 'opml');
    }
    const outlines = flattenOutlines(document.body?.outlines ?? []);
    if (outlines.length > MAX_OPML_FEEDS) {
      throw new DomainError('invalid', 'too-many-feeds', `An OPML import takes at most ${MAX_OPML_FEEDS} feeds`, 'opml');
    }
    const skipped: OpmlImport['skipped'] = [];
    const known = new Set(
      (await this.prisma.source.findMany({ where: { url: { in: outlines.map((outline) => outline.url) } }, select: { url: true } })).map(
        (source) => source.url,
      ),
    );
    const inputs: SourceRow[] = [];
    for (const outline of outlines) {
      if (known.has(outline.url)) {
        skipped.push({ url: outline.url, title: outline.title, reason: 'a source with this URL already exists' });
        continue;
      }
      known.add(outline.url);
      try {
        inputs.push(
          await this.validated({
            name: (outline.title ?? outline.url).slice(0, 200),
            kind: 'feed',
            url: outline.url,
            schedule: defaults.schedule ?? null,
            intervalSeconds: defaults.schedule ? null : (defaults.intervalSeconds ?? null),
          }),
        );
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        skipped.push({ url: outline.url, title: outline.title, reason: error.message });
      }
    }
    const now = new Date();
    const created = await this.prisma.$transaction(async (tx) => {
      await this.idempotencyKeys.takePart(tx);
      // New sources have no WebSub subscription yet (one is asked for when a fetch finds the feed's hub).
      const rows = await tx.source.createManyAndReturn({ data: inputs.map((input) => ({ ...input, nextFetchAt: now })), include: { indicator: SOURCE_INCLUDE.indicator } });
      return rows.map((row) => ({ ...row, webSub: null }));
    });
    return { created, skipped };
  }

  /** Checks an input and returns the row to store, with the indicator resolved to its id. */
  private async validated(input: SourceInput): Promise<SourceRow> {
    const name = input.name.trim();
    if (!name) throw new DomainError('invalid', 'blank-name', 'name must not be blank', 'name');
    this.fetcher.checkUrl(input.url, 'url');
    if (input.schedule != null && input.intervalSeconds != null) throw bothSchedules();
    if (input.schedule != null) assertValidCron(input.schedule);
    const intervalSeconds = input.schedule != null ? null : (input.intervalSeconds ?? DEFAULT_FETCH_INTERVAL_SECONDS);
    if (intervalSeconds !== null && (!Number.isInteger(intervalSeconds) || intervalSeconds < MIN_FETCH_INTERVAL_SECONDS || intervalSeconds > MAX_INTERVAL_SECONDS)) {
      throw new DomainError(
        'invalid',
        'invalid-interval',
        `intervalSeconds must be a whole number from ${MIN_FETCH_INTERVAL_SECONDS} to ${MAX_INTERVAL_SECONDS}`,
        'intervalSeconds',
      );
    }
    const rules = KIND_FIELDS[input.kind];
    for (const field of rules.required) {
      const value = input[field];
      if (value == null || (typeof value === 'string' && value.trim() === '' && field !== 'jsonPointer')) {
        throw new DomainError('invalid', 'missing-field', `A ${input.kind} source needs ${field}`, field);
      }
    }
    for (const field of rules.forbidden) {
      if (input[field] != null) throw new DomainError('invalid', 'field-not-for-kind', `A ${input.kind} source has no ${field}`, field);
    }
    if (input.jsonPointer != null) {
      try {
        parseJsonPointer(input.jsonPointer);
      } catch (error) {
        if (!(error instanceof JsonPointerError)) throw error;
        throw new DomainError('invalid', 'invalid-json-pointer', `jsonPointer is not an RFC 6901 JSON Pointer: ${error.message}`, 'jsonPointer');
      }
    }
    const indicatorId = input.indicator != null ? (await this.indicators.get(input.indicator, 'indicator')).id : null;
    return {
      name,
      kind: input.kind,
      url: input.url,
      schedule: input.schedule ?? null,
      intervalSeconds,
      enabled: input.enabled ?? true,
      indicatorId,
      jsonPointer: input.jsonPointer ?? null,
      csvValueColumn: input.csvValueColumn?.trim() ?? null,
      csvTimeColumn: input.csvTimeColumn?.trim() ?? null,
    };
  }
}

function bothSchedules(): DomainError {
  return new DomainError('invalid', 'schedule-and-interval', 'Give either schedule (cron) or intervalSeconds, not both', 'schedule');
}

interface OpmlOutline {
  xmlUrl?: string;
  text?: string;
  title?: string;
  outlines?: OpmlOutline[];
}

/** Every outline with a feed URL, depth first: OPML groups feeds in folders of any depth. */
function flattenOutlines(outlines: readonly OpmlOutline[]): { url: string; title: string | null }[] {
  return outlines.flatMap((outline) => [
    ...(outline.xmlUrl?.trim() ? [{ url: outline.xmlUrl.trim(), title: (outline.title ?? outline.text)?.trim() || null }] : []),
    ...flattenOutlines(outline.outlines ?? []),
  ]);
}
