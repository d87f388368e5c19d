import { Injectable, Logger } from '@nestjs/common';

import { DomainError } from '#core';
import { PredictionsService } from '#predictions';
import { IndicatorsService, RoutingModelsService, RulesService, TermSetsService } from '#signals';

import { SEED_INDICATORS, SEED_LINKS, SEED_PREDICTIONS, SEED_RULES, SEED_TERM_SETS } from './analysis.seed-data.js';

const SEED_ACTOR = 'system:seed';

/**
 * Seeds the analysis's content. Idempotent and never destructive: each item is
 * created only if its slug (or rule or term set name) is absent, so re-running
 * changes nothing and an analyst's edits always survive. Rules and term sets
 * the seed wrote and nobody edited since take a newer seed's version.
 */
@Injectable()
export class AnalysisSeedService {
  private readonly logger = new Logger(AnalysisSeedService.name);

  constructor(
    private readonly predictions: PredictionsService,
    private readonly indicators: IndicatorsService,
    private readonly rules: RulesService,
    private readonly termSets: TermSetsService,
    private readonly routingModels: RoutingModelsService,
  ) {}

  async seed(now = new Date()): Promise<{ created: string[] }> {
    const created: string[] = [];
    const deadline = new Date(now);
    deadline.setUTCFullYear(deadline.getUTCFullYear() + 1);

    // One read per kind finds what is already there (on every start but the first, everything is).
    const predictionIds = new Map((await this.predictions.findBySlugs(SEED_PREDICTIONS.map((prediction) => prediction.slug))).map((row) => [row.slug, row.id]));
    for (const prediction of SEED_PREDICTIONS) {
      if (predictionIds.has(prediction.slug)) continue;
      const row = await this.ignoreRace(() => this.predictions.create({ ...prediction, deadline }, SEED_ACTOR));
      if (row) created.push(`prediction:${prediction.slug}`);
      predictionIds.set(prediction.slug, (row ?? (await this.predictions.get(prediction.slug))).id);
    }

    const indicatorIds = new Map((await this.indicators.findBySlugs(SEED_INDICATORS.map((indicator) => indicator.slug))).map((row) => [row.slug, row.id]));
    for (const indicator of SEED_INDICATORS) {
      if (indicatorIds.has(indicator.slug)) continue;
      const row = await this.ignoreRace(() => this.indicators.create(indicator));
      if (row) created.push(`indicator:${indicator.slug}`);
      indicatorIds.set(indicator.slug, (row ?? (await this.indicators.get(indicator.slug))).id);
    }

    await this.indicators.addLinksIfMissing(
      SEED_LINKS.map((link) => ({
        indicatorId: indicatorIds.get(link.indicator)!,
        predictionId: predictionIds.get(link.prediction)!,
        threshold: link.threshold,
        likelihoodRatioUp: link.likelihoodRatioUp,
        likelihoodRatioDown: link.likelihoodRatioDown,
        note: link.note,
      })),
    );

    // Before the rules: their queries name the sets.
    const setOutcomes = await this.termSets.addOrImproveSeeded(SEED_TERM_SETS);
    SEED_TERM_SETS.forEach((set, index) => {
      if (setOutcomes[index] === 'added') created.push(`term-set:${set.name}`);
      if (setOutcomes[index] === 'improved') this.logger.log({ termSet: set.name }, 'Seed term set improved (no admin had edited it)');
    });

    const outcomes = await this.rules.addOrImproveSeeded(
      SEED_RULES.map((rule) => ({
        name: rule.name,
        query: rule.query,
        indicatorId: rule.indicator === null ? null : indicatorIds.get(rule.indicator)!,
        impacts: rule.impacts.map((impact) => ({ ...impact, prediction: predictionIds.get(impact.prediction)! })),
      })),
    );
    SEED_RULES.forEach((rule, index) => {
      if (outcomes[index] === 'improved') this.logger.log({ rule: rule.name }, 'Seed rule improved (no analyst had edited it)');
    });

    // After the term sets: the first routing model reads them as concepts. Trained once, from the labelled development set.
    const model = await this.routingModels.ensureFirstVersion();
    if (model?.status === 'active') created.push(`routing-model:${model.version}`);

    if (created.length > 0) this.logger.log({ created }, 'Seeded the analysis');
    return { created };
  }

  /** Another replica seeding at the same moment wins the race; that is fine. */
  private async ignoreRace<T>(create: () => Promise<T>): Promise<T | null> {
    try {
      return await create();
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'conflict') return null;
      throw error;
    }
  }
}
