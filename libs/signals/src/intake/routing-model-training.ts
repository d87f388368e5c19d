import { type EvidenceDirection, type RoutingEvaluation, type RoutingExample } from '#core';

import { type LabelledItem } from './labelled-routing/labelled-item.js';
import { type SignalRoute } from './signal-routes.js';

/** The group of examples cross-validation reports apart: the labelled development set, and analysts' decisions. */
export const LABELLED_GROUP = 'labelled';
export const DECISION_GROUP = 'decision';

/** A decided item as training reads it. */
export interface DecidedItem {
  title: string;
  summary: string | null;
  status: 'accepted' | 'rejected';
  /** What routing proposed, per target. */
  routes: readonly SignalRoute[];
  /** For an accepted item, what the evidence recorded: each prediction (by slug) and which way. */
  impacts: readonly { slug: string; direction: EvidenceDirection }[];
}

/** How much one decision counts beside one labelled example: more as decisions accumulate, up to 3. */
export function decisionWeight(decisions: number): number {
  return Math.min(3, 1 + decisions / 200);
}

const flip = (direction: EvidenceDirection): EvidenceDirection => (direction === 'supports' ? 'contradicts' : 'supports');

/**
 * The targets an analyst's decision labels an item with. A rejected item is
 * relevant to nothing (a negative for what it was routed to, and for the rest).
 * An accepted one is relevant to each prediction its evidence moved, that way;
 * and to each indicator it was routed to whose proposed impacts the evidence
 * kept, in the route's direction (or the other, if the analyst turned them).
 * A prediction moved only because its indicator was routed to is the
 * indicator's, as the labelled set labels such items.
 */
export function decisionTargets(item: DecidedItem): Record<string, EvidenceDirection> {
  if (item.status === 'rejected') return {};
  const recorded = new Map(item.impacts.map((impact) => [impact.slug, impact.direction]));
  const targets: Record<string, EvidenceDirection> = {};
  const explained = new Set<string>();
  for (const route of item.routes) {
    if (route.targetKind !== 'indicator') continue;
    for (const impact of route.impacts) {
      const slug = impact.predictionSlug;
      const direction = slug === null ? undefined : recorded.get(slug);
      if (slug === null || direction === undefined) continue;
      explained.add(slug);
      targets[route.target] ??= direction === impact.direction ? route.direction : flip(route.direction);
    }
  }
  for (const [slug, direction] of recorded) {
    const routedToPrediction = item.routes.some((route) => route.targetKind === 'prediction' && route.target === slug);
    if (!explained.has(slug) || routedToPrediction) targets[slug] = direction;
  }
  return targets;
}

/** The labelled development set as training examples. */
export function labelledExamples(items: readonly LabelledItem[]): RoutingExample[] {
  return items.map((item) => ({ title: item.title, summary: item.summary, targets: item.targets, group: LABELLED_GROUP }));
}

export function decisionExamples(items: readonly DecidedItem[], weight: number): RoutingExample[] {
  return items.map((item) => ({ title: item.title, summary: item.summary, targets: decisionTargets(item), weight, group: DECISION_GROUP }));
}

/** The figures a version is judged by, stored with it. */
export interface RoutingModelEvaluation {
  /** 5-fold cross-validation over everything it was trained on. */
  crossValidation: RoutingEvaluation;
  /** The same out-of-fold decisions on the labelled development examples alone: the fixed basis every version is compared on. */
  labelled: RoutingEvaluation;
  /** Scored on the latest decisions, which neither it nor the version it was compared with was trained on; null when there were too few. */
  holdout: { decisions: number; micro: RoutingEvaluation['micro']; macroF1: number; activeMicroF1: number | null } | null;
  labelledExamples: number;
  decisions: number;
  termSets: number;
}

/** How much worse than the active version a candidate may score and still replace it (sampling noise of a cross-validation). */
export const RETRAIN_MARGIN = 0.01;

export interface RetrainVerdict {
  accepted: boolean;
  reason: string;
}

const figure = (value: number): string => value.toFixed(3);

/**
 * A candidate replaces the active version unless it scores worse by more than
 * the margin: on macro F1 over the labelled development examples (out of
 * fold), and, when there is a holdout of decisions, on micro F1 over it.
 */
export function judgeCandidate(candidate: RoutingModelEvaluation, active: { version: number; evaluation: RoutingModelEvaluation } | null): RetrainVerdict {
  if (!active) return { accepted: true, reason: 'the first version' };
  const problems: string[] = [];
  const labelled = candidate.labelled.macro.f1;
  const before = active.evaluation.labelled.macro.f1;
  if (labelled < before - RETRAIN_MARGIN) problems.push(`macro F1 on the labelled examples ${figure(labelled)} < ${figure(before)} of version ${active.version}`);
  const holdout = candidate.holdout;
  if (holdout && holdout.activeMicroF1 !== null && holdout.micro.f1 < holdout.activeMicroF1 - RETRAIN_MARGIN) {
    problems.push(`micro F1 on ${holdout.decisions} held-out decisions ${figure(holdout.micro.f1)} < ${figure(holdout.activeMicroF1)} of version ${active.version}`);
  }
  if (problems.length > 0) return { accepted: false, reason: `scores worse than the active version ${active.version} (by more than ${RETRAIN_MARGIN}): ${problems.join('; ')}` };
  const holdoutNote = holdout && holdout.activeMicroF1 !== null ? `, held-out micro F1 ${figure(holdout.micro.f1)} against ${figure(holdout.activeMicroF1)}` : '';
  return { accepted: true, reason: `no worse than version ${active.version}: labelled macro F1 ${figure(labelled)} against ${figure(before)}${holdoutNote}` };
}
