import { combineRouting, DEFAULT_ROUTING_COMBINATION, type EvidenceDirection, type EvidenceStrength, type RouteVia, type RoutingCombination, type TargetRelevance } from '#core';

import { impactsToApply, type RuleImpact, type SignalMatch } from './signal-matches.js';

export type RouteTargetKind = 'indicator' | 'prediction';

export type SignalRouteImpact = RuleImpact & { predictionSlug: string | null };

/**
 * What routing stores on a signal item for each target it sends the item to
 * (`SignalItem.routes`): who routed it, how sure the model is, which way the
 * item bears on the target, why, and what accepting it records. A snapshot,
 * as `matches` is: a later rule, link or model does not change it.
 */
export interface SignalRoute {
  /** The indicator's or prediction's slug. */
  target: string;
  targetKind: RouteTargetKind;
  targetId: string;
  via: RouteVia;
  /** The model's probability that an analyst would route the item here; null where the model does not know the target. */
  score: number | null;
  /** The proposed direction: the model's (cue-aware) unless a matched rule says contradicts. */
  direction: EvidenceDirection;
  /** The matched rules' terms, then the words and concepts that raised the model's score most. */
  terms: string[];
  /** The direction cue the model read ("denies", "暂停"), when the direction is the model's and rests on one. */
  cue: string | null;
  /** What accepting the item records for this target, in this direction. */
  impacts: SignalRouteImpact[];
}

/** A target routing may send items to: an indicator or a prediction, by slug. */
export interface RouteTarget {
  kind: RouteTargetKind;
  id: string;
  slug: string;
}

/** A rule routing knows of, for proposing the impacts of a model-only route to an indicator or prediction. */
export interface KnownRule {
  indicator: { id: string; slug: string } | null;
  impacts: readonly SignalRouteImpact[];
}

/** An indicator's link to a prediction: the direction a rising reading moves it. */
export interface KnownLink {
  indicatorId: string;
  prediction: string;
  predictionSlug: string;
  likelihoodRatioUp: number;
}

/** What one batch's routing knows of its targets. */
export interface RoutingContext {
  /** Targets by slug (indicators and predictions share no slug space, but a slug names one of each at most). */
  targets: ReadonlyMap<string, RouteTarget>;
  /** Enabled rules in creation order. */
  rules: readonly KnownRule[];
  links: readonly KnownLink[];
}

/** The model's side of one item, if a model is active: its scores and a way to ask why. */
export interface ModelOpinion {
  scores: readonly TargetRelevance[];
  explain(target: string): { terms: string[]; cue: string | null };
}

const flip = (direction: EvidenceDirection): EvidenceDirection => (direction === 'supports' ? 'contradicts' : 'supports');

/** Which way a rule says items bear on its target: its first impact's direction (an indicator rule's impacts are on the predictions it moves). */
function ruleDirection(impacts: readonly RuleImpact[]): EvidenceDirection {
  return impacts[0]?.direction ?? 'supports';
}

/** Impacts turned to the route's direction: those of a rule that bears the other way are flipped. */
function turned(impacts: readonly SignalRouteImpact[], from: EvidenceDirection, to: EvidenceDirection): SignalRouteImpact[] {
  return impacts.map((impact) => (from === to ? { ...impact } : { ...impact, direction: flip(impact.direction) }));
}

interface RuleTarget {
  target: RouteTarget;
  direction: EvidenceDirection;
  terms: string[];
  impacts: SignalRouteImpact[];
}

/** The targets the matched rules route to, in rule order: a rule's indicator, or else each prediction it has an impact on. */
function ruleTargets(matches: readonly SignalMatch[]): RuleTarget[] {
  const byTarget = new Map<string, RuleTarget>();
  const add = (target: RouteTarget, direction: EvidenceDirection, terms: readonly string[], impacts: readonly SignalRouteImpact[]): void => {
    const known = byTarget.get(target.slug);
    if (!known) {
      byTarget.set(target.slug, { target, direction, terms: [...terms], impacts: [...impacts] });
      return;
    }
    for (const term of terms) if (!known.terms.includes(term)) known.terms.push(term);
    // The first rule of a target sets its direction; a later rule of the other direction adds its impacts turned to it.
    for (const impact of turned(impacts, ruleDirection(impacts), known.direction)) {
      if (!known.impacts.some((existing) => existing.prediction === impact.prediction)) known.impacts.push(impact);
    }
  };
  for (const match of matches) {
    if (match.indicator) {
      add({ kind: 'indicator', id: match.indicator.id, slug: match.indicator.slug }, ruleDirection(match.impacts), match.terms, match.impacts);
      continue;
    }
    for (const impact of match.impacts) {
      add({ kind: 'prediction', id: impact.prediction, slug: impact.predictionSlug ?? impact.prediction }, impact.direction, match.terms, [impact]);
    }
  }
  return [...byTarget.values()];
}

/**
 * A strength for a model-only route to a prediction: what the enabled rules
 * give it, the prediction's own rules (no indicator) before an indicator's,
 * in the route's direction first; weak when no rule names it.
 */
function strengthFor(prediction: string, direction: EvidenceDirection, context: RoutingContext): EvidenceStrength {
  const impacts = [...context.rules.filter((rule) => rule.indicator === null), ...context.rules.filter((rule) => rule.indicator !== null)].flatMap((rule) =>
    rule.impacts.filter((impact) => impact.prediction === prediction),
  );
  return (impacts.find((impact) => impact.direction === direction) ?? impacts[0])?.strength ?? 'weak';
}

/**
 * The impacts of a route no rule made: for a prediction, the prediction in
 * the route's direction; for an indicator, the impacts of the enabled rules
 * that target it (one bearing the route's way first, else one turned to it),
 * else the indicator's links, each moved the way a rising reading moves it,
 * turned when the item says the indicator falls.
 */
function modelImpacts(target: RouteTarget, direction: EvidenceDirection, context: RoutingContext): SignalRouteImpact[] {
  if (target.kind === 'prediction') return [{ prediction: target.id, predictionSlug: target.slug, direction, strength: strengthFor(target.id, direction, context) }];
  const rules = context.rules.filter((rule) => rule.indicator?.id === target.id && rule.impacts.length > 0);
  const rule = rules.find((candidate) => ruleDirection(candidate.impacts) === direction) ?? rules[0];
  if (rule) return turned(rule.impacts, ruleDirection(rule.impacts), direction);
  return context.links
    .filter((link) => link.indicatorId === target.id)
    .map((link) => {
      const rising: EvidenceDirection = link.likelihoodRatioUp >= 1 ? 'supports' : 'contradicts';
      return { prediction: link.prediction, predictionSlug: link.predictionSlug, direction: direction === 'supports' ? rising : flip(rising), strength: 'weak' as const };
    });
}

/**
 * An item's routes: what the matched rules route it to and what the model
 * finds it relevant to, put together as `combination` says. Rule-routed
 * targets come first, in the rules' order, then the model's own, most
 * probable first. The model only proposes: nothing here accepts.
 */
export function routeItem(
  matches: readonly SignalMatch[],
  model: ModelOpinion | null,
  context: RoutingContext,
  combination: RoutingCombination = DEFAULT_ROUTING_COMBINATION,
): { routes: SignalRoute[]; vetoed: { target: string; probability: number }[] } {
  const fromRules = ruleTargets(matches);
  const bySlug = new Map(fromRules.map((rule) => [rule.target.slug, rule]));
  // The model's scores only for targets that exist here; a rule's target the model does not know stays the rule's alone.
  const scores = (model?.scores ?? []).filter((score) => context.targets.has(score.target) || bySlug.has(score.target));
  const combined = combineRouting(
    fromRules.map((rule) => ({ target: rule.target.slug, direction: rule.direction })),
    scores,
    combination,
  );
  const scoreOf = new Map(scores.map((score) => [score.target, score]));
  const routes = combined.routes.map((route): SignalRoute => {
    const rule = bySlug.get(route.target);
    const target = rule?.target ?? context.targets.get(route.target)!;
    const why = route.via !== 'rule' && model ? model.explain(route.target) : { terms: [], cue: null };
    const modelDirection = scoreOf.get(route.target)?.direction;
    return {
      target: target.slug,
      targetKind: target.kind,
      targetId: target.id,
      via: route.via,
      score: route.probability,
      direction: route.direction,
      terms: [...new Set([...(rule?.terms ?? []), ...why.terms])],
      cue: modelDirection === route.direction && route.via !== 'rule' ? why.cue : null,
      impacts: rule ? turned(rule.impacts, rule.direction, route.direction) : modelImpacts(target, route.direction, context),
    };
  });
  return { routes, vetoed: combined.vetoed };
}

/** Whether a rule had a part in any route: such an item is pending; one only the model routes is suggested. */
export function routedByRule(routes: readonly SignalRoute[]): boolean {
  return routes.some((route) => route.via !== 'model');
}

/**
 * The impacts accepting an item records when the reviewer gives none: each
 * route's, in route order, one per prediction (the first route naming a
 * prediction wins). An item routed before routes were stored falls back to
 * its rules' impacts.
 */
export function defaultImpacts(routes: readonly SignalRoute[], matches: readonly SignalMatch[]): RuleImpact[] {
  return proposedImpacts(routes, matches).map(({ prediction, direction, strength }) => ({ prediction, direction, strength }));
}

/** As defaultImpacts, with each prediction's slug: what a reviewer is shown before accepting. */
export function proposedImpacts(routes: readonly SignalRoute[], matches: readonly SignalMatch[]): SignalRouteImpact[] {
  if (routes.length === 0) {
    const slugs = new Map(matches.flatMap((match) => match.impacts.map((impact) => [impact.prediction, impact.predictionSlug] as const)));
    return impactsToApply(matches).map((impact) => ({ ...impact, predictionSlug: slugs.get(impact.prediction) ?? null }));
  }
  const byPrediction = new Map<string, SignalRouteImpact>();
  for (const route of routes) for (const impact of route.impacts) if (!byPrediction.has(impact.prediction)) byPrediction.set(impact.prediction, { ...impact });
  return [...byPrediction.values()];
}

const KINDS: readonly string[] = ['indicator', 'prediction'];
const VIAS: readonly string[] = ['rule', 'model', 'both'];
const DIRECTIONS: readonly string[] = ['supports', 'contradicts'];
const STRENGTHS: readonly string[] = ['weak', 'moderate', 'strong'];

function isRouteImpact(value: unknown): value is SignalRouteImpact {
  if (typeof value !== 'object' || value === null) return false;
  const impact = value as Record<string, unknown>;
  return typeof impact.prediction === 'string' && DIRECTIONS.includes(String(impact.direction)) && STRENGTHS.includes(String(impact.strength));
}

/** `SignalItem.routes` is JSON written by routing (or by the migration from suggestions); malformed entries are ignored. */
export function parseSignalRoutes(json: unknown): SignalRoute[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((entry: unknown): SignalRoute[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const route = entry as Record<string, unknown>;
    if (typeof route.target !== 'string' || typeof route.targetId !== 'string' || !KINDS.includes(String(route.targetKind)) || !VIAS.includes(String(route.via))) return [];
    if (!DIRECTIONS.includes(String(route.direction))) return [];
    return [
      {
        target: route.target,
        targetKind: route.targetKind as RouteTargetKind,
        targetId: route.targetId,
        via: route.via as RouteVia,
        score: typeof route.score === 'number' && Number.isFinite(route.score) ? route.score : null,
        direction: route.direction as EvidenceDirection,
        terms: Array.isArray(route.terms) ? route.terms.filter((term): term is string => typeof term === 'string') : [],
        cue: typeof route.cue === 'string' ? route.cue : null,
        impacts: Array.isArray(route.impacts)
          ? route.impacts.filter(isRouteImpact).map((impact) => ({ prediction: impact.prediction, predictionSlug: typeof impact.predictionSlug === 'string' ? impact.predictionSlug : null, direction: impact.direction, strength: impact.strength }))
          : [],
      },
    ];
  });
}

/** What the model proposes for a suggested item, in the shape the API has always given it: one entry per prediction a model-only route would move. */
export interface SignalSuggestion {
  prediction: string;
  predictionSlug: string | null;
  direction: EvidenceDirection;
  strength: EvidenceStrength;
  /** The model's probability for the route. */
  probability: number;
  /** The words and concepts the model's score rests on. */
  terms: string[];
}

export function suggestionsOf(routes: readonly SignalRoute[]): SignalSuggestion[] {
  const seen = new Set<string>();
  return routes
    .filter((route) => route.via === 'model')
    .flatMap((route) =>
      route.impacts.map((impact) => ({ prediction: impact.prediction, predictionSlug: impact.predictionSlug, direction: impact.direction, strength: impact.strength, probability: route.score ?? 0, terms: route.terms })),
    )
    .filter((suggestion) => !seen.has(suggestion.prediction) && seen.add(suggestion.prediction) !== undefined);
}
