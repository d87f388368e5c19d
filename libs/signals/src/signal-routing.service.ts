import { Injectable, Logger } from '@nestjs/common';

import { DomainError } from '#core';
import { PredictionsService } from '#predictions';

import { RulesService } from './rules.service.js';
import { SignalInboxService } from './signal-inbox.service.js';
import { SignalItemsRepository, type RoutingDecision, type RuleHit, type StoredSignalItem } from './signal-items.repository.js';
import { impactsToApply, ruleCoversSource, type RoutableRule, type SignalMatch } from './signal-matches.js';
import { SignalSuggestionsService } from './signal-suggestions.service.js';

export interface RoutingOutcome {
  /** Items that matched at least one rule, auto-accepted ones included. */
  matched: number;
  unmatched: number;
  autoAccepted: number;
  /** Unmatched items the suggestion model put in the inbox as `suggested`. */
  suggested: number;
}

/** Who the audit trail names when a rule accepts an item without a reviewer. */
export const AUTO_ACCEPT_ACTOR = 'system:auto-accept';

/** Items a sweep routes per batch. */
const SWEEP_BATCH = 500;

/** An item younger than this may still be routed by the fetch or submission that stored it; a sweep leaves it alone. */
export const UNROUTED_GRACE_MS = 60_000;

/**
 * Matches stored signal items against the enabled rules: a match makes the
 * item `pending` in the review inbox with the matched rules snapshotted in
 * `matches`; no match leaves it `unmatched`; a matching rule with autoAccept
 * accepts it at once through the inbox, so there is one way to accept.
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
    private readonly suggestions: SignalSuggestionsService,
  ) {}

  async route(items: readonly StoredSignalItem[]): Promise<RoutingOutcome> {
    const outcome: RoutingOutcome = { matched: 0, unmatched: 0, autoAccepted: 0, suggested: 0 };
    if (items.length === 0) return outcome;

    const rules = await this.rules.enabledRules();
    const slugs = await this.predictionSlugs(rules);
    const model = await this.suggestions.model();
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
      const relevance = covering.length === 0 ? null : Math.max(...covering.map((rule) => matched!.get(rule.id)!.rank));
      return { id: item.id, status: matches.length > 0 ? 'pending' : 'unmatched', matches, autoAccept: matches.some((match) => match.autoAccept), relevance };
    });
    const open = await this.items.applyRouting(decisions);
    outcome.suggested = await this.suggestions.suggest(
      model,
      decisions.filter((decision) => decision.status === 'unmatched' && open.has(decision.id)).map((decision) => decision.id),
    );

    for (const { id, matches, autoAccept } of decisions) {
      if (matches.length === 0) {
        outcome.unmatched += 1;
        continue;
      }
      outcome.matched += 1;
      if (!autoAccept || !open.has(id)) continue;
      if (await this.autoAccept(id, matches.filter((match) => match.autoAccept))) outcome.autoAccepted += 1;
      await this.items.markRouted(id);
    }
    return outcome;
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

  /** Slugs make the snapshot readable to a reviewer; a prediction deleted since the rule was written just has none. */
  private async predictionSlugs(rules: readonly RoutableRule[]): Promise<Map<string, string>> {
    const ids = new Set(rules.flatMap((rule) => rule.impacts.map((impact) => impact.prediction)));
    const slugs = new Map<string, string>();
    for (const id of ids) {
      try {
        slugs.set(id, (await this.predictions.get(id)).slug);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    return slugs;
  }
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
