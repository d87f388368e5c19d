import { Injectable } from '@nestjs/common';

import { DomainError, NotFoundError } from '#core';
import { PrismaService, type IndicatorReading, type Page, type Prisma, type PredictionStatus } from '#db';
import { OutboxWriter } from '#events';
import { EvidenceService } from '#predictions';

import { lockIndicator } from './indicator-links.service.js';
import { IndicatorsService } from './indicators.service.js';
import { isHttpUrl } from './signal-identity.js';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Clock skew and time zones, not forecasts: a reading further ahead would make every real one after it look old. */
const MAX_FUTURE_MS = 24 * 3600 * 1000;

const CLOSED: readonly PredictionStatus[] = ['resolved_true', 'resolved_false', 'annulled'];

@Injectable()
export class IndicatorReadingsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly indicators: IndicatorsService,
    private readonly evidence: EvidenceService,
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
    if (!Number.isFinite(input.value)) throw new DomainError('invalid', 'bad-reading-value', 'value must be a finite number', 'value');
    if (!(input.observedAt instanceof Date) || Number.isNaN(input.observedAt.getTime())) {
      throw new DomainError('invalid', 'bad-observed-at', 'observedAt must be a date', 'observedAt');
    }
    if (input.observedAt.getTime() > Date.now() + MAX_FUTURE_MS) {
      throw new DomainError('invalid', 'observed-in-future', 'observedAt is more than a day in the future', 'observedAt');
    }
    // Checked before anything is stored, so the refusal names the reading's field rather than the evidence's.
    if (input.sourceUrl != null && !isHttpUrl(input.sourceUrl)) {
      throw new DomainError('invalid', 'invalid-source-url', 'sourceUrl must be an http(s) URL', 'sourceUrl');
    }
    if (input.sourceId != null && !UUID.test(input.sourceId)) throw new DomainError('invalid', 'invalid-source-id', 'sourceId must be a source id', 'sourceId');
    if (!UUID.test(indicatorId)) throw new NotFoundError('Indicator', indicatorId, 'indicatorId');
    const id = indicatorId.toLowerCase();
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

        // In ascending prediction id, the order the engine locks predictions in: a reading crossing links to two
        // predictions takes their locks in the same order as every other writer, so it cannot deadlock with one.
        const links = await tx.indicatorLink.findMany({
          where: { indicatorId: id },
          include: { prediction: { select: { slug: true, status: true } } },
          orderBy: [{ predictionId: 'asc' }, { threshold: 'asc' }, { id: 'asc' }],
        });
        const crossings: ThresholdCrossingRecord[] = [];
        for (const link of links) {
          const direction = thresholdCrossing(previous.value, input.value, link.threshold);
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
          if (CLOSED.includes(link.prediction.status)) {
            crossings.push({ ...crossing, evidenceId: null });
            continue;
          }
          const recorded = await this.evidence.record(
            {
              summary: `${indicator.name} crossed ${link.threshold} ${indicator.unit} ${direction === 'up' ? 'upward' : 'downward'} (${previous.value} → ${input.value})`,
              sourceUrl: input.sourceUrl ?? null,
              observedAt: input.observedAt,
              // The link's likelihood ratio is the whole calibrated effect of a crossing; the reading itself is a measurement.
              reliability: 1,
              impacts: [{ prediction: link.predictionId, likelihoodRatio }],
              indicatorReadingId: reading.id,
            },
            actor,
            tx,
          );
          crossings.push({ ...crossing, evidenceId: recorded.id });
        }
        await this.outbox.write(
          tx,
          crossings.map((crossing) => ({
            type: 'indicator.threshold_crossed' as const,
            predictionId: crossing.predictionId,
            payload: {
              indicatorId: id,
              indicatorSlug: indicator.slug,
              indicatorName: indicator.name,
              unit: indicator.unit,
              readingId: reading.id,
              previousValue: previous.value,
              value: input.value,
              observedAt: input.observedAt.toISOString(),
              threshold: crossing.threshold,
              direction: crossing.direction,
              predictionId: crossing.predictionId,
              predictionSlug: crossing.predictionSlug,
              likelihoodRatio: crossing.likelihoodRatio,
              evidenceId: crossing.evidenceId,
            },
          })),
        );
        return { reading, duplicate: false, crossings };
      },
      { maxWait: 20_000, timeout: 30_000 },
    );
  }

  /** The series in observedAt order, optionally between from and to (both inclusive, as for evidence). */
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
  if (Number.isNaN(observedAt.getTime()) || !UUID.test(parsed[1])) throw invalid;
  return { observedAt, id: parsed[1] };
}
