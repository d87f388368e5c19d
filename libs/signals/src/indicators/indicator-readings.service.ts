import { Injectable } from '@nestjs/common';

import { DomainError, isUuid, NotFoundError, uuidV7 } from '#core';
import { PrismaService, type Indicator, type IndicatorLink, type IndicatorReading, type Page, type Prisma } from '#db';
import { OutboxWriter } from '#events';
import { EvidenceService, isResolved, PredictionsService, type PredictionSummary } from '#predictions';

import { lockIndicator } from './indicator-links.service.js';
import { IndicatorsService } from './indicators.service.js';
import { isHttpUrl } from '../intake/signal-identity.js';
import { thresholdCrossing, type CrossingDirection } from './threshold-crossing.js';

export interface NewIndicatorReading {
  value: number;
  observedAt: Date;
  note?: string | null;
  sourceUrl?: string | null;
  /** The JSON or CSV source the reading came from; absent for readings an analyst enters. */
  sourceId?: string | null;
}

export interface ThresholdCrossingRecord {
  linkId: string;
  predictionId: string;
  predictionSlug: string;
  threshold: number;
  direction: CrossingDirection;
  likelihoodRatio: number;
  /** Null when the prediction is resolved and takes no more evidence. */
  evidenceId: string | null;
}

export interface RecordedReading {
  reading: IndicatorReading;
  /** The same value at the same time from the same source was already recorded; nothing new was stored. */
  duplicate: boolean;
  crossings: ThresholdCrossingRecord[];
}

export interface ReadingSeriesRequest {
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

/** Clock skew and time zones, not forecasts: a reading further ahead would make every real one after it look old. */
const MAX_FUTURE_MS = 24 * 3600 * 1000;


/** Rows per insert statement of a batch: well inside PostgreSQL's parameter limit at seven columns a row. */
const INSERT_CHUNK = 5_000;

export interface RecordedBatch {
  recorded: number;
  duplicates: number;
  /** Inputs the rules refused, by their position in the batch. */
  refused: { index: number; reason: string }[];
  crossings: ThresholdCrossingRecord[];
}

/** The checks every reading passes before anything is stored, so a refusal names the reading's own field. */
function assertReadingInput(input: NewIndicatorReading): void {
  if (!Number.isFinite(input.value)) throw new DomainError('invalid', 'bad-reading-value', 'value must be a finite number', 'value');
  if (!(input.observedAt instanceof Date) || Number.isNaN(input.observedAt.getTime())) {
    throw new DomainError('invalid', 'bad-observed-at', 'observedAt must be a date', 'observedAt');
  }
  if (input.observedAt.getTime() > Date.now() + MAX_FUTURE_MS) {
    throw new DomainError('invalid', 'observed-in-future', 'observedAt is more than a day in the future', 'observedAt');
  }
  if (input.sourceUrl != null && !isHttpUrl(input.sourceUrl)) {
    throw new DomainError('invalid', 'invalid-source-url', 'sourceUrl must be an http(s) URL', 'sourceUrl');
  }
  if (input.sourceId != null && !isUuid(input.sourceId)) throw new DomainError('invalid', 'invalid-source-id', 'sourceId must be a source id', 'sourceId');
}

function indicatorIdOf(indicatorId: string): string {
  if (!isUuid(indicatorId)) throw new NotFoundError('Indicator', indicatorId, 'indicatorId');
  return indicatorId.toLowerCase();
}

@Injectable()
export class IndicatorReadingsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly indicators: IndicatorsService,
    private readonly evidence: EvidenceService,
    private readonly predictions: PredictionsService,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * Stores a reading and, when it crosses a link's threshold relative to the
   * previous reading by observedAt, records derived evidence on the linked
   * prediction through the confidence engine, with the reading as its source.
   *
   * Once per crossing: the indicator row is locked for the whole transaction,
   * so concurrent readings are compared one after another; an exact repeat
   * (same time, value and source, as a re-fetched CSV yields) stores nothing;
   * and only a reading that is the newest of the series can cross. A reading
   * slotted in before later ones (a backfill) is stored but derives nothing:
   * the move it would describe is already counted by the crossing between the
   * readings around it.
   */
  async record(indicatorId: string, input: NewIndicatorReading, actor: string): Promise<RecordedReading> {
    assertReadingInput(input);
    const id = indicatorIdOf(indicatorId);
    const sourceId = input.sourceId ?? null;

    return this.prisma.$transaction(
      async (tx) => {
        if (!(await lockIndicator(tx, id))) throw new NotFoundError('Indicator', indicatorId, 'indicatorId');
        const indicator = await tx.indicator.findUniqueOrThrow({ where: { id } });

        const repeat = await tx.indicatorReading.findFirst({ where: { indicatorId: id, observedAt: input.observedAt, value: input.value, sourceId } });
        if (repeat) return { reading: repeat, duplicate: true, crossings: [] };

        const later = await tx.indicatorReading.findFirst({ where: { indicatorId: id, observedAt: { gt: input.observedAt } }, select: { id: true } });
        const previous = later
          ? null
          : await tx.indicatorReading.findFirst({
              where: { indicatorId: id, observedAt: { lte: input.observedAt } },
              orderBy: [{ observedAt: 'desc' }, { id: 'desc' }],
            });

        const reading = await tx.indicatorReading.create({
          data: {
            indicatorId: id,
            value: input.value,
            observedAt: input.observedAt,
            note: input.note ?? null,
            sourceUrl: input.sourceUrl ?? null,
            sourceId,
            createdById: actor,
          },
        });
        if (!previous) return { reading, duplicate: false, crossings: [] };
        const crossings = await this.recordCrossings(tx, indicator, await this.linksOf(tx, id), previous, reading, actor);
        return { reading, duplicate: false, crossings };
      },
      { maxWait: 20_000, timeout: 30_000 },
    );
  }

  /**
   * Many readings of one indicator at once (a CSV source's rows), with the
   * same rules as `record` taken one by one in observedAt order, in one
   * transaction and a few statements: repeats found with one query, the new
   * rows inserted in chunks, crossings derived between consecutive readings of
   * the batch that are the newest of the series. A reading the rules refuse is
   * reported by its position and the rest go on.
   */
  async recordMany(indicatorId: string, inputs: readonly NewIndicatorReading[], actor: string): Promise<RecordedBatch> {
    const id = indicatorIdOf(indicatorId);
    const refused: { index: number; reason: string }[] = [];
    const valid: { index: number; input: NewIndicatorReading }[] = [];
    inputs.forEach((input, index) => {
      try {
        assertReadingInput(input);
        valid.push({ index, input });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        refused.push({ index, reason: error.message });
      }
    });
    if (valid.length === 0) return { recorded: 0, duplicates: 0, refused, crossings: [] };

    return this.prisma.$transaction(
      async (tx) => {
        if (!(await lockIndicator(tx, id))) throw new NotFoundError('Indicator', indicatorId, 'indicatorId');
        const indicator = await tx.indicator.findUniqueOrThrow({ where: { id } });
        const readingKey = (observedAt: Date, value: number, sourceId: string | null) => `${observedAt.getTime()}|${value}|${sourceId ?? ''}`;
        const times = [...new Set(valid.map(({ input }) => input.observedAt.toISOString()))];
        const existing = await tx.$queryRaw<{ observedAt: Date; value: number; sourceId: string | null }[]>`
          SELECT r."observedAt", r."value", r."sourceId" FROM "IndicatorReading" r
          JOIN unnest(${times}::timestamp(3)[]) AS wanted("observedAt") ON r."observedAt" = wanted."observedAt"
          WHERE r."indicatorId" = ${id}::uuid`;
        const seen = new Set(existing.map((row) => readingKey(row.observedAt, row.value, row.sourceId)));
        // Stable: readings with the same time keep the order they came in, as one-by-one recording would.
        const fresh = valid
          .filter(({ input }) => {
            const key = readingKey(input.observedAt, input.value, input.sourceId ?? null);
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          })
          .sort((a, b) => a.input.observedAt.getTime() - b.input.observedAt.getTime() || a.index - b.index);
        const duplicates = valid.length - fresh.length;
        if (fresh.length === 0) return { recorded: 0, duplicates, refused, crossings: [] };

        const newest = await tx.indicatorReading.findFirst({ where: { indicatorId: id }, orderBy: [{ observedAt: 'desc' }, { id: 'desc' }] });
        const stored: IndicatorReading[] = [];
        // One multi-row insert per chunk over unnest(): one array parameter per column rather than one per cell.
        for (let start = 0; start < fresh.length; start += INSERT_CHUNK) {
          const chunk = fresh.slice(start, start + INSERT_CHUNK).map(({ input }) => input);
          stored.push(
            ...(await tx.$queryRaw<IndicatorReading[]>`
              INSERT INTO "IndicatorReading" ("id", "indicatorId", "value", "observedAt", "note", "sourceUrl", "sourceId", "createdById")
              SELECT row.id, ${id}::uuid, row.value, row."observedAt", row.note, row."sourceUrl", row."sourceId", ${actor}
              FROM unnest(
                ${chunk.map(() => uuidV7())}::uuid[],
                ${chunk.map((input) => input.value)}::float8[],
                ${chunk.map((input) => input.observedAt.toISOString())}::timestamp(3)[],
                ${chunk.map((input) => input.note ?? null)}::text[],
                ${chunk.map((input) => input.sourceUrl ?? null)}::text[],
                ${chunk.map((input) => input.sourceId ?? null)}::uuid[]
              ) AS row(id, value, "observedAt", note, "sourceUrl", "sourceId")
              RETURNING *`),
          );
        }
        // Ids are time-ordered and assigned in insertion order, which is observedAt order.
        stored.sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime() || (a.id < b.id ? -1 : 1));

        const crossings: ThresholdCrossingRecord[] = [];
        const links = await this.linksOf(tx, id);
        let previous = newest;
        for (const reading of stored) {
          // Only readings that are the newest of the series cross; a backfill before the newest stored one does not.
          if (newest && reading.observedAt < newest.observedAt) continue;
          if (previous && links.length > 0) crossings.push(...(await this.recordCrossings(tx, indicator, links, previous, reading, actor)));
          previous = reading;
        }
        return { recorded: stored.length, duplicates, refused, crossings };
      },
      { maxWait: 20_000, timeout: 120_000 },
    );
  }

  /** The indicator's links in ascending prediction id, the order the engine locks predictions in, so a crossing cannot deadlock with another writer. */
  private async linksOf(tx: Prisma.TransactionClient, indicatorId: string): Promise<(IndicatorLink & { prediction: PredictionSummary })[]> {
    const links = await tx.indicatorLink.findMany({ where: { indicatorId }, orderBy: [{ predictionId: 'asc' }, { threshold: 'asc' }, { id: 'asc' }] });
    const predictions = await this.predictions.lookUpWithin(
      tx,
      links.map((link) => link.predictionId),
      () => 'links',
    );
    return links.map((link, index) => ({ ...link, prediction: predictions[index]! }));
  }

  /** Derived evidence and an `indicator.threshold_crossed` event for each link whose threshold lies between two consecutive readings. */
  private async recordCrossings(
    tx: Prisma.TransactionClient,
    indicator: Indicator,
    links: Awaited<ReturnType<IndicatorReadingsService['linksOf']>>,
    previous: IndicatorReading,
    reading: IndicatorReading,
    actor: string,
  ): Promise<ThresholdCrossingRecord[]> {
    const crossings: ThresholdCrossingRecord[] = [];
    for (const link of links) {
      const direction = thresholdCrossing(previous.value, reading.value, link.threshold);
      if (!direction) continue;
      const likelihoodRatio = direction === 'up' ? link.likelihoodRatioUp : link.likelihoodRatioDown;
      const crossing = {
        linkId: link.id,
        predictionId: link.predictionId,
        predictionSlug: link.prediction.slug,
        threshold: link.threshold,
        direction,
        likelihoodRatio,
      };
      if (isResolved(link.prediction.status)) {
        crossings.push({ ...crossing, evidenceId: null });
        continue;
      }
      const recorded = await this.evidence.recordWithin(
        tx,
        {
          summary: `${indicator.name} crossed ${link.threshold} ${indicator.unit} ${direction === 'up' ? 'upward' : 'downward'} (${previous.value} → ${reading.value})`,
          sourceUrl: reading.sourceUrl,
          observedAt: reading.observedAt,
          // The link's likelihood ratio is the whole calibrated effect of a crossing; the reading itself is a measurement.
          reliability: 1,
          impacts: [{ prediction: link.predictionId, likelihoodRatio }],
          indicatorReadingId: reading.id,
        },
        actor,
      );
      crossings.push({ ...crossing, evidenceId: recorded.id });
    }
    await this.outbox.write(
      tx,
      crossings.map((crossing) => ({
        type: 'indicator.threshold_crossed' as const,
        predictionId: crossing.predictionId,
        payload: {
          indicatorId: indicator.id,
          indicatorSlug: indicator.slug,
          indicatorName: indicator.name,
          unit: indicator.unit,
          readingId: reading.id,
          previousValue: previous.value,
          value: reading.value,
          observedAt: reading.observedAt.toISOString(),
          threshold: crossing.threshold,
          direction: crossing.direction,
          predictionId: crossing.predictionId,
          predictionSlug: crossing.predictionSlug,
          likelihoodRatio: crossing.likelihoodRatio,
          evidenceId: crossing.evidenceId,
        },
      })),
    );
    return crossings;
  }

  /** Every reading of an indicator, by id: what a list of evidence derived from the indicator filters on. */
  async readingIdsOf(indicatorIdOrSlug: string, field = 'indicator'): Promise<string[]> {
    const indicator = await this.indicators.get(indicatorIdOrSlug, field);
    const rows = await this.prisma.indicatorReading.findMany({ where: { indicatorId: indicator.id }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  /** The series in observedAt order, optionally between from and to (both inclusive, as for evidence). */
  /** The newest reading of each indicator (absent when it has none). */
  async latestOf(indicatorIds: readonly string[]): Promise<Map<string, IndicatorReading>> {
    if (indicatorIds.length === 0) return new Map();
    const rows = await this.prisma.indicatorReading.findMany({
      where: { indicatorId: { in: [...indicatorIds] } },
      orderBy: [{ indicatorId: 'asc' }, { observedAt: 'desc' }, { id: 'desc' }],
      distinct: ['indicatorId'],
    });
    return new Map(rows.map((row) => [row.indicatorId, row]));
  }

  async list(indicatorIdOrSlug: string, request: ReadingSeriesRequest): Promise<Page<IndicatorReading>> {
    const indicator = await this.indicators.get(indicatorIdOrSlug);
    const after = decodeReadingCursor(request.cursor);
    const where: Prisma.IndicatorReadingWhereInput = {
      indicatorId: indicator.id,
      observedAt: { ...(request.from ? { gte: request.from } : {}), ...(request.to ? { lte: request.to } : {}) },
      ...(after
        ? { OR: [{ observedAt: { gt: after.observedAt } }, { observedAt: after.observedAt, id: { gt: after.id } }] }
        : {}),
    };
    const rows = await this.prisma.indicatorReading.findMany({
      where,
      orderBy: [{ observedAt: 'asc' }, { id: 'asc' }],
      take: request.limit + 1,
    });
    const items = rows.slice(0, request.limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > request.limit && last ? encodeReadingCursor(last) : null };
  }
}

/** Keyset over (observedAt, id): a backfilled reading lands in its place in time, and pages stay stable as readings arrive. */
function encodeReadingCursor(reading: Pick<IndicatorReading, 'observedAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([reading.observedAt.toISOString(), reading.id]), 'utf8').toString('base64url');
}

function decodeReadingCursor(cursor: string | undefined): { observedAt: Date; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const invalid = new DomainError('invalid', 'invalid-cursor', 'cursor is not one this API returned', 'cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') throw invalid;
  const observedAt = new Date(parsed[0]);
  if (Number.isNaN(observedAt.getTime()) || !isUuid(parsed[1])) throw invalid;
  return { observedAt, id: parsed[1] };
}
