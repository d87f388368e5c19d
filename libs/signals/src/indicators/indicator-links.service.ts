import { Injectable } from '@nestjs/common';

import { DomainError } from '#core';
import { PrismaService, SqlPool, type IndicatorLink, type Prisma, type PrismaTransaction } from '#db';
import { PredictionsService } from '#predictions';

import { IndicatorsService } from './indicators.service.js';

export interface IndicatorLinkInput {
  /** Prediction id or slug. */
  prediction: string;
  threshold: number;
  likelihoodRatioUp: number;
  likelihoodRatioDown: number;
  note?: string | null;
}

export interface IndicatorLinkView extends IndicatorLink {
  predictionSlug: string;
}

export const MAX_LINKS_PER_INDICATOR = 100;

/** A link from an indicator to a prediction, with the indicator's latest reading: what a prediction's scorecard shows beside it. */
export interface LinkedIndicator {
  indicatorId: string;
  slug: string;
  name: string;
  unit: string;
  threshold: number;
  likelihoodRatioUp: number;
  likelihoodRatioDown: number;
  latestReading: { value: number; observedAt: Date } | null;
}

/**
 * Which predictions an indicator bears on, and how strongly a reading crossing
 * each threshold moves them. Shapes and ranges are the request's to check; this
 * keeps what needs the database (the predictions exist, no threshold twice).
 */
@Injectable()
export class IndicatorLinksService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlPool,
    private readonly indicators: IndicatorsService,
    private readonly predictions: PredictionsService,
  ) {}

  async list(indicatorIdOrSlug: string): Promise<IndicatorLinkView[]> {
    const indicator = await this.indicators.get(indicatorIdOrSlug);
    return this.linksOf(this.prisma, indicator.id);
  }

  /** The indicators linked to a prediction, each link with its indicator's latest reading, in the order they were linked. */
  async linkedTo(predictionId: string): Promise<LinkedIndicator[]> {
    const rows = await this.sql.query<Omit<LinkedIndicator, 'latestReading'> & { value: number | null; observedAt: Date | null }>(
      `SELECT indicator."id"::text AS "indicatorId", indicator."slug", indicator."name", indicator."unit",
              link."threshold", link."likelihoodRatioUp", link."likelihoodRatioDown", reading."value", reading."observedAt"
         FROM "IndicatorLink" AS link
         JOIN "Indicator" AS indicator ON indicator."id" = link."indicatorId"
         LEFT JOIN LATERAL (
           SELECT "value", "observedAt" FROM "IndicatorReading" WHERE "indicatorId" = indicator."id" ORDER BY "observedAt" DESC LIMIT 1
         ) AS reading ON true
        WHERE link."predictionId" = $1::uuid
        ORDER BY link."createdAt", link."id"`,
      [predictionId],
      'linked-indicators',
    );
    return rows.map(({ value, observedAt, ...link }) => ({ ...link, latestReading: value === null || observedAt === null ? null : { value, observedAt } }));
  }

  /**
   * Replaces all of the indicator's links. Runs with the indicator row locked,
   * like recording a reading, so a reading never sees half the old links and
   * half the new ones.
   */
  async replace(indicatorIdOrSlug: string, links: readonly IndicatorLinkInput[]): Promise<IndicatorLinkView[]> {
    const indicator = await this.indicators.get(indicatorIdOrSlug);
    const predictions = await this.predictions.lookUp(
      links.map((link) => link.prediction),
      (index) => `links[${index}].prediction`,
    );
    const rows: Prisma.IndicatorLinkCreateManyInput[] = [];
    for (const [index, link] of links.entries()) {
      const field = (name: string): string => `links[${index}].${name}`;
      const prediction = predictions[index]!;
      if (rows.some((row) => row.predictionId === prediction.id && row.threshold === link.threshold)) {
        throw new DomainError('invalid', 'duplicate-link', `${field('threshold')}: prediction "${link.prediction}" already has a link at this threshold`, field('threshold'));
      }
      rows.push({
        indicatorId: indicator.id,
        predictionId: prediction.id,
        threshold: link.threshold,
        likelihoodRatioUp: link.likelihoodRatioUp,
        likelihoodRatioDown: link.likelihoodRatioDown,
        note: link.note ?? null,
      });
    }
    return this.prisma.$transaction(async (tx) => {
      await lockIndicator(tx, indicator.id);
      await tx.indicatorLink.deleteMany({ where: { indicatorId: indicator.id } });
      await tx.indicatorLink.createMany({ data: rows });
      return this.linksOf(tx, indicator.id);
    });
  }

  private async linksOf(client: PrismaService | PrismaTransaction, indicatorId: string): Promise<IndicatorLinkView[]> {
    const links = await client.indicatorLink.findMany({ where: { indicatorId }, orderBy: [{ threshold: 'asc' }, { id: 'asc' }] });
    const predictions = await this.predictions.lookUpWithin(
      client === this.prisma ? this.prisma : (client as PrismaTransaction),
      links.map((link) => link.predictionId),
      () => 'links',
    );
    return links.map((link, index) => ({ ...link, predictionSlug: predictions[index]!.slug }));
  }
}

/**
 * Serialises everything that reads or changes an indicator's series or links:
 * readings of one indicator are recorded one after another, so two concurrent
 * readings cannot both see the same previous value and both count one crossing.
 * Returns false when the indicator does not exist.
 */
export async function lockIndicator(tx: PrismaTransaction, indicatorId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Indicator" WHERE "id" = ${indicatorId}::uuid FOR UPDATE`;
  return rows.length > 0;
}
