import { type EvidenceDirection } from '../likelihood-ratio.js';
import { type TargetRelevance } from './routing-model.js';

/** Who routed an item to a target: a rule, the model, or both. */
export type RouteVia = 'rule' | 'model' | 'both';

/** How rules and the model are put together; chosen by cross-validation (bench/routing-model-columns.ts). */
export interface RoutingCombination {
  /**
   * A rule's match is dropped when the model knows the target and gives it a
   * probability below this (the rule's words occur, the item is about
   * something else: "ascend" in phone news); null: the model never vetoes.
   */
  vetoBelow: number | null;
  /**
   * The model routes on its own at its threshold (`relevant`: best F1 in
   * cross-validation) or only at its stricter one (`confident`: best F0.5).
   */
  modelRoutesWhen: 'relevant' | 'confident';
  /**
   * The direction of a routed pair: `model-unless-rule-contradicts` takes the
   * model's (cue-aware) direction unless a matched rule says contradicts;
   * `rule` takes the rule's where one matched, the model's elsewhere.
   */
  direction: 'model-unless-rule-contradicts' | 'rule';
}

/**
 * Chosen by cross-validation on the development set, the model out of fold,
 * against rules that had not seen the items (bench/routing-model-columns.ts):
 * rules or the model at its F1 threshold gave macro F1 0.880 against 0.546 for
 * the rules alone and 0.861 for the model alone; a veto traded recall for
 * precision and lowered F1 at every level tried (0.01 to 0.2); the model's
 * direction unless a rule says contradicts was right on 94.4% of pairs, the
 * rules' own on 90.6%.
 */
export const DEFAULT_ROUTING_COMBINATION: RoutingCombination = { vetoBelow: null, modelRoutesWhen: 'relevant', direction: 'model-unless-rule-contradicts' };

/** What the matched rules say about one target: the direction of the first matched rule of it. */
export interface RuleRoute {
  target: string;
  direction: EvidenceDirection;
}

/** One target an item is routed to, and why. */
export interface CombinedRoute {
  target: string;
  via: RouteVia;
  /** The model's calibrated probability; null when the model does not know the target. */
  probability: number | null;
  direction: EvidenceDirection;
  /** The model's probability that the item contradicts the target; null when the model does not know the target. */
  contradictsProbability: number | null;
}

export interface CombinedRouting {
  /** Rule-routed targets first (in the rules' order), then the model's own, most probable first. */
  routes: CombinedRoute[];
  /** Targets a rule matched that the model vetoed, with its probability. */
  vetoed: { target: string; probability: number }[];
}

/**
 * Rules first, then the model: an item goes to a target when a rule matched
 * it (unless the model vetoes) or when the model finds it relevant on its
 * own. The model never accepts anything: routing only proposes.
 */
export function combineRouting(rules: readonly RuleRoute[], scores: readonly TargetRelevance[], combination: RoutingCombination = DEFAULT_ROUTING_COMBINATION): CombinedRouting {
  const byTarget = new Map(scores.map((score) => [score.target, score]));
  const routes: CombinedRoute[] = [];
  const vetoed: CombinedRouting['vetoed'] = [];
  const ruled = new Set<string>();
  for (const rule of rules) {
    if (ruled.has(rule.target)) continue;
    ruled.add(rule.target);
    const score = byTarget.get(rule.target);
    if (!score) {
      routes.push({ target: rule.target, via: 'rule', probability: null, direction: rule.direction, contradictsProbability: null });
      continue;
    }
    if (combination.vetoBelow !== null && score.probability < combination.vetoBelow) {
      vetoed.push({ target: rule.target, probability: score.probability });
      continue;
    }
    const direction: EvidenceDirection = combination.direction === 'rule' || rule.direction === 'contradicts' ? rule.direction : score.direction;
    routes.push({ target: rule.target, via: modelRoutes(score, combination) ? 'both' : 'rule', probability: score.probability, direction, contradictsProbability: score.contradictsProbability });
  }
  for (const score of scores) {
    if (ruled.has(score.target) || !modelRoutes(score, combination)) continue;
    routes.push({ target: score.target, via: 'model', probability: score.probability, direction: score.direction, contradictsProbability: score.contradictsProbability });
  }
  return { routes, vetoed };
}

function modelRoutes(score: TargetRelevance, combination: RoutingCombination): boolean {
  return combination.modelRoutesWhen === 'confident' ? score.confident : score.relevant;
}
