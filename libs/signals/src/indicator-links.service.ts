import { Injectable } from '@nestjs/common';

import { DomainError, isAcceptedLikelihoodRatio, MAX_LIKELIHOOD_RATIO, MIN_LIKELIHOOD_RATIO } from '#core';
import { PrismaService, type IndicatorLink, type Prisma, type PrismaTransaction } from '#db';
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

/** Which predictions an indicator bears on, and how strongly a reading crossing each threshold moves them. */
@Injectable()
export class IndicatorLinksService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly indicators: IndicatorsService,
    private readonly predictions: PredictionsService,
  ) {}

  async list(indicatorIdOrSlug: string): Promise<IndicatorLinkView[]> {
    const indicator = await this.indicators.get(indicatorIdOrSlug);
    return this.linksOf(this.prisma, indicator.id);
  }

  /**
   * Replaces all of the indicator's links. Runs with the indicator row locked,
   * like recording a reading, so a reading never sees half the old links and
   * half the new ones.
   */
  async replace(indicatorIdOrSlug: string, links: readonly IndicatorLinkInput[]): Promise<IndicatorLinkView[]> {
    const indicator = await this.indicators.get(indicatorIdOrSlug);
    if (links.length > MAX_LINKS_PER_INDICATOR) {
      throw new DomainError('invalid', 'too-many-links', `An indicator has at most ${MAX_LINKS_PER_INDICATOR} links`, 'links');
    }
    const rows: Prisma.IndicatorLinkCreateManyInput[] = [];
    for (const [index, link] of links.entries()) {
      const field = (name: string): string => `links[${index}].${name}`;
      if (!Number.isFinite(link.threshold)) throw new DomainError('invalid', 'bad-threshold', `${field('threshold')} must be a finite number`, field('threshold'));
      for (const name of ['likelihoodRatioUp', 'likelihoodRatioDown'] as const) {
        if (!isAcceptedLikelihoodRatio(link[name])) {
          throw new DomainError(
            'invalid',
            'likelihood-ratio-out-of-range',
            `${field(name)} must be within [${MIN_LIKELIHOOD_RATIO}, ${MAX_LIKELIHOOD_RATIO}]`,
            field(name),
          );
        }
      }
      const prediction = await this.predictions.get(link.prediction, field('prediction'));
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
    const links = await client.indicatorLink.findMany({
      where: { indicatorId },
      include: { prediction: { select: { slug: true } } },
      orderBy: [{ threshold: 'asc' }, { id: 'asc' }],
    });
    return links.map(({ prediction, ...link }) => ({ ...link, predictionSlug: prediction.slug }));
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
