import type { EvidenceDirection, EvidenceStrength } from '#core';

import type { RuleTerm } from './rule-terms.js';

const DIRECTIONS: readonly string[] = ['supports', 'contradicts'] satisfies EvidenceDirection[];
const STRENGTHS: readonly string[] = ['weak', 'moderate', 'strong'] satisfies EvidenceStrength[];

/** How a rule says a matching item bears on a prediction; stored in `Rule.impacts` with the prediction's id. */
export interface RuleImpact {
  prediction: string;
  direction: EvidenceDirection;
  strength: EvidenceStrength;
}

/**
 * What routing stores on a signal item for each rule it matched. A snapshot:
 * editing or deleting the rule later does not change what the reviewer sees
 * or what accepting the item records.
 */
export interface SignalMatch {
  ruleId: string;
  ruleName: string;
  indicator: { id: string; slug: string } | null;
  impacts: (RuleImpact & { predictionSlug: string | null })[];
  autoAccept: boolean;
  /** The rule's words and phrases the item contains, as the rule writes them (`subsid*`, `entity list`). */
  terms: string[];
}

/** The parts of a rule routing needs, with its impacts parsed. */
export interface RoutableRule {
  id: string;
  name: string;
  query: string;
  /** The query compiled for `to_tsquery('english', ...)`. */
  tsQuery: string;
  /** Empty means every source; manual submissions (no source) match only such rules. */
  sourceIds: string[];
  autoAccept: boolean;
  indicator: { id: string; slug: string } | null;
  impacts: RuleImpact[];
  /** The words and phrases the query asks for, each compiled alone: which of them an item contains. */
  terms: RuleTerm[];
}

export function isRuleImpact(value: unknown): value is RuleImpact {
  if (typeof value !== 'object' || value === null) return false;
  const impact = value as Record<string, unknown>;
  return (
    typeof impact.prediction === 'string' &&
    typeof impact.direction === 'string' &&
    DIRECTIONS.includes(impact.direction) &&
    typeof impact.strength === 'string' &&
    STRENGTHS.includes(impact.strength)
  );
}

/** `Rule.impacts` is JSON; anything that is not a well-formed impact is ignored rather than trusted. */
export function parseRuleImpacts(json: unknown): RuleImpact[] {
  if (!Array.isArray(json)) return [];
  return json.filter(isRuleImpact).map(({ prediction, direction, strength }) => ({ prediction, direction, strength }));
}

/** `SignalItem.matches` is JSON written by routing; entries without a rule id are ignored. */
export function parseSignalMatches(json: unknown): SignalMatch[] {
  if (!Array.isArray(json)) return [];
  return json
    .filter((match): match is SignalMatch => typeof match === 'object' && match !== null && typeof (match as SignalMatch).ruleId === 'string')
    .map((match) => ({
      ruleId: match.ruleId,
      ruleName: String(match.ruleName ?? ''),
      indicator: match.indicator ?? null,
      impacts: Array.isArray(match.impacts)
        ? match.impacts.filter(isRuleImpact).map((impact) => ({ ...impact, predictionSlug: impact.predictionSlug ?? null }))
        : [],
      autoAccept: match.autoAccept === true,
      terms: Array.isArray(match.terms) ? match.terms.filter((term): term is string => typeof term === 'string') : [],
    }));
}

/** Whether a rule may route an item of this source (manual submissions have none). */
export function ruleCoversSource(rule: Pick<RoutableRule, 'sourceIds'>, sourceId: string | null): boolean {
  return rule.sourceIds.length === 0 || (sourceId !== null && rule.sourceIds.includes(sourceId));
}

/**
 * The impacts accepting an item records by default: every matched rule's,
 * one per prediction. Evidence bears on a prediction once, so when two rules
 * name the same prediction the first match (rules in creation order) wins;
 * a reviewer who disagrees sends impacts of their own.
 */
export function impactsToApply(matches: readonly SignalMatch[]): RuleImpact[] {
  const byPrediction = new Map<string, RuleImpact>();
  for (const match of matches) {
    for (const { prediction, direction, strength } of match.impacts) {
      if (!byPrediction.has(prediction)) byPrediction.set(prediction, { prediction, direction, strength });
    }
  }
  return [...byPrediction.values()];
}

/** Every term the item's matched rules found in it, once, in rule order. */
export function matchedTerms(matches: readonly SignalMatch[]): string[] {
  return [...new Set(matches.flatMap((match) => match.terms))];
}
