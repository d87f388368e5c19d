import { Injectable, Logger } from '@nestjs/common';

import { DomainError, type RoutingModel } from '#core';
import { PrismaService } from '#db';
import { PredictionsService } from '#predictions';

import { IndicatorsService } from '../indicators/indicators.service.js';
import { RoutingModelsService } from './routing-models.service.js';
import { RulesService } from './rules.service.js';
import { SignalInboxService } from './signal-inbox.service.js';
import { SignalItemsRepository, type RoutingDecision, type RuleHit, type StoredSignalItem } from './signal-items.repository.js';
import { impactsToApply, ruleCoversSource, type RoutableRule, type SignalMatch } from './signal-matches.js';
import { type KnownLink, type ModelOpinion, type RouteTarget, type RoutingContext, routedByRule, routeItem, type SignalRoute } from './signal-routes.js';

export interface RoutingOutcome {
  /** Items that matched at least one rule, auto-accepted ones included. */
  matched: number;
  unmatched: number;
  autoAccepted: number;
  /** Items no rule matched that the routing model put in the inbox as `suggested`. */
  suggested: number;
}

/** What routing decided for one item: its status and, per target, its route. */
export interface RoutedItem {
  id: string;
  status: RoutingDecision['status'];
  routes: readonly SignalRoute[];
}

/** How many of the model's strongest words and concepts a route names. */
const EXPLAINED_TERMS = 5;

/** Who the audit trail names when a rule accepts an item without a reviewer. */
export const AUTO_ACCEPT_ACTOR = 'system:auto-accept';

/** Items a sweep routes per batch. */
const SWEEP_BATCH = 500;

/** An item younger than this may still be routed by the fetch or submission that stored it; a sweep leaves it alone. */
export const UNROUTED_GRACE_MS = 60_000;

/**
 * Routes stored signal items in two stages. First the enabled rules: a match
 * makes the item `pending` in the review inbox with the matched rules
 * snapshotted in `matches`. Then the active routing model scores every item
 * of the batch: it adds the targets it finds relevant, proposes a direction
 * (the model's unless a matched rule says contradicts), and makes an item no
 * rule matched `suggested` when it finds it relevant to anything; each
 * target's route (via rule, model or both, score, direction, words, impacts)
 * is stored in `routes`. An item neither routes stays `unmatched`. A
 * matching rule with autoAccept accepts the item at once through the inbox,
 * so there is one way to accept; the model never accepts.
 *
 * Routing is idempotent, so an item a crash left unrouted (stored, with
 * `routedAt` still null) is simply routed again: by the next fetch of its
 * source, or by the sweep the scheduler tick runs.
 */
@Injectable()
export class SignalRoutingService {
  private readonly logger = new Logger(SignalRoutingService.name);

  constructor(
    private readonly items: SignalItemsRepository,
    private readonly rules: RulesService,
    private readonly predictions: PredictionsService,
    private readonly inbox: SignalInboxService,
    private readonly models: RoutingModelsService,
    private readonly indicators: IndicatorsService,
    private readonly prisma: PrismaService,
  ) {}

  async route(items: readonly StoredSignalItem[]): Promise<RoutingOutcome> {
    return (await this.routeAndTell(items)).outcome;
  }

  /** As route, also answering each item's status and routes (what `POST /v1/signals` shows). */
  async routeAndTell(items: readonly StoredSignalItem[]): Promise<{ outcome: RoutingOutcome; items: RoutedItem[] }> {
    const outcome: RoutingOutcome = { matched: 0, unmatched: 0, autoAccepted: 0, suggested: 0 };
    if (items.length === 0) return { outcome, items: [] };

    const [rules, active] = await Promise.all([this.rules.enabledRules(), this.models.active()]);
    const slugs = await this.predictionSlugs(rules);
    const context = await this.context(rules, slugs, active?.model ?? null);
    const hits = await this.items.matchRules(
      items.map((item) => item.id),
      rules,
    );
    const hitRules = new Map<string, Map<string, RuleHit>>();
    for (const hit of hits) (hitRules.get(hit.itemId) ?? hitRules.set(hit.itemId, new Map()).get(hit.itemId)!).set(hit.ruleId, hit);
    const decisions = items.map((item): RoutingDecision => {
      const matched = hitRules.get(item.id);
      // Rules in creation order, as impactsToApply expects.
      const covering = rules.filter((rule) => matched?.has(rule.id) && ruleCoversSource(rule, item.sourceId));
      const matches = covering.map((rule) => toSignalMatch(rule, slugs, matched!.get(rule.id)!.terms));
      const { routes, vetoed } = routeItem(matches, active ? modelOpinion(active.model, item) : null, context);
      // A rule routes the item unless the model vetoed every target of it (a rule with no target still makes it pending, as it always has).
      const byRule = routedByRule(routes) || (matches.length > 0 && vetoed.length === 0);
      const status = byRule ? 'pending' : routes.length > 0 ? 'suggested' : 'unmatched';
      const relevance =
        status === 'pending' ? Math.max(...covering.map((rule) => matched!.get(rule.id)!.rank)) : status === 'suggested' ? Math.max(...routes.map((route) => route.score ?? 0)) : null;
      return { id: item.id, status, matches, routes, autoAccept: matches.some((match) => match.autoAccept), relevance };
    });
    const open = await this.items.applyRouting(decisions);

    for (const { id, status, matches, autoAccept } of decisions) {
      if (status === 'suggested' && open.has(id)) outcome.suggested += 1;
      if (matches.length === 0) {
        outcome.unmatched += 1;
        continue;
      }
      outcome.matched += 1;
      if (!autoAccept || !open.has(id)) continue;
      if (await this.autoAccept(id, matches.filter((match) => match.autoAccept))) outcome.autoAccepted += 1;
      await this.items.markRouted(id);
    }
    return { outcome, items: decisions.map(({ id, status, routes }) => ({ id, status, routes })) };
  }

  /**
   * What routing knows of its targets for one batch: the model's targets that
   * exist as indicators or predictions, the enabled rules (for the impacts of
   * a model-only route) and the links of the indicators the model knows.
   */
  private async context(rules: readonly RoutableRule[], slugs: ReadonlyMap<string, string>, model: RoutingModel | null): Promise<RoutingContext> {
    const known = rules.map((rule) => ({ indicator: rule.indicator, impacts: rule.impacts.map((impact) => ({ ...impact, predictionSlug: slugs.get(impact.prediction) ?? null })) }));
    if (!model) return { targets: new Map(), rules: known, links: [] };
    const [predictions, indicators] = await Promise.all([this.predictions.findBySlugs(model.targets), this.indicators.findBySlugs(model.targets)]);
    const targets = new Map<string, RouteTarget>();
    // A resolved or annulled prediction takes no more evidence: the model routes nothing to it.
    for (const prediction of predictions) if (prediction.status === 'open' || prediction.status === 'due') targets.set(prediction.slug, { kind: 'prediction', id: prediction.id, slug: prediction.slug });
    for (const indicator of indicators) targets.set(indicator.slug, { kind: 'indicator', id: indicator.id, slug: indicator.slug });
    const links: KnownLink[] =
      indicators.length === 0
        ? []
        : (
            await this.prisma.indicatorLink.findMany({
              where: { indicatorId: { in: indicators.map((indicator) => indicator.id) } },
              select: { indicatorId: true, predictionId: true, likelihoodRatioUp: true },
              orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
            })
          ).map((link) => ({ indicatorId: link.indicatorId, prediction: link.predictionId, predictionSlug: slugs.get(link.predictionId) ?? predictions.find((prediction) => prediction.id === link.predictionId)?.slug ?? link.predictionId, likelihoodRatioUp: link.likelihoodRatioUp }));
    return { targets, rules: known, links };
  }

  /**
   * Routes again the stored items no rule matched (since a time), suggested
   * ones included, through the enabled rules as they are now: what a new or
   * edited rule would have caught.
   */
  async rerun(since: Date): Promise<RoutingOutcome> {
    const total: RoutingOutcome = { matched: 0, unmatched: 0, autoAccepted: 0, suggested: 0 };
    let after: string | undefined;
    for (;;) {
      const batch = await this.items.unmatchedSince({ since, after, limit: SWEEP_BATCH });
      if (batch.length === 0) return total;
      const outcome = await this.route(batch);
      total.matched += outcome.matched;
      total.unmatched += outcome.unmatched;
      total.autoAccepted += outcome.autoAccepted;
      total.suggested += outcome.suggested;
      after = batch.at(-1)!.id;
      if (batch.length < SWEEP_BATCH) return total;
    }
  }

  /** Routes the items of one source that an interrupted fetch stored but never routed. */
  async routeLeftoversOf(sourceId: string, storedBefore: Date): Promise<RoutingOutcome> {
    return this.route(await this.items.unrouted({ sourceId, createdBefore: storedBefore, limit: SWEEP_BATCH }));
  }

  /**
   * Routes every item left unrouted for longer than the grace period (a fetch
   * or a submission whose process died between storing and routing), batch by
   * batch; answers how many it routed.
   */
  async sweepUnrouted(now = new Date()): Promise<number> {
    const createdBefore = new Date(now.getTime() - UNROUTED_GRACE_MS);
    let routed = 0;
    for (;;) {
      const batch = await this.items.unrouted({ createdBefore, limit: SWEEP_BATCH });
      if (batch.length === 0) return routed;
      await this.route(batch);
      routed += batch.length;
      if (batch.length < SWEEP_BATCH) return routed;
    }
  }

  /**
   * Records only the auto-accepting rules' impacts: the others' are the kind
   * a person reviews. If the engine refuses (a prediction resolved meanwhile,
   * say), the item stays pending for a person to decide.
   */
  private async autoAccept(id: string, matches: SignalMatch[]): Promise<boolean> {
    try {
      await this.inbox.accept(id, { impacts: impactsToApply(matches) }, AUTO_ACCEPT_ACTOR);
      return true;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn({ signalItemId: id, code: error.code, reason: error.message }, 'Auto-accept refused; the item waits for review');
      return false;
    }
  }

  /** Slugs make the snapshot readable to a reviewer. */
  private async predictionSlugs(rules: readonly RoutableRule[]): Promise<Map<string, string>> {
    const ids = [...new Set(rules.flatMap((rule) => rule.impacts.map((impact) => impact.prediction)))];
    const predictions = await this.predictions.lookUp(ids, () => 'rules');
    return new Map(predictions.map((prediction) => [prediction.id, prediction.slug]));
  }
}

/** The model's scores for an item, and its explanations on demand (only for the targets it is routed to), from one reading of the text. */
function modelOpinion(model: RoutingModel, item: StoredSignalItem): ModelOpinion {
  const assessment = model.assess({ title: item.title, summary: item.summary });
  return {
    scores: assessment.scores,
    explain(target) {
      const explanation = assessment.explain(target, EXPLAINED_TERMS);
      return { terms: explanation.features.map((feature) => feature.text), cue: explanation.directionCue?.cue ?? null };
    },
  };
}

function toSignalMatch(rule: RoutableRule, slugs: ReadonlyMap<string, string>, terms: string[]): SignalMatch {
  return {
    ruleId: rule.id,
    ruleName: rule.name,
    indicator: rule.indicator,
    impacts: rule.impacts.map((impact) => ({ ...impact, predictionSlug: slugs.get(impact.prediction) ?? null })),
    autoAccept: rule.autoAccept,
    terms,
  };
}
