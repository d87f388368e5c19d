import { likelihoodRatioFor, type EvidenceDirection, type EvidenceStrength } from '#core';

/**
 * What a caller gives to record evidence. Shapes and ranges are the API's to
 * check (the request DTOs); the types here say which combinations exist, and
 * EvidenceService keeps only what needs the database or the clock.
 */

/** The most predictions one piece of evidence may bear on. */
export const MAX_EVIDENCE_IMPACTS = 50;

/** How far ahead of the server's clock a reported observedAt may be. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** An impact on one prediction (by id or slug): a likelihood ratio, or a direction with a strength. */
export type EvidenceImpactInput =
  | { prediction: string; likelihoodRatio: number; direction?: undefined; strength?: undefined }
  | { prediction: string; likelihoodRatio?: undefined; direction: EvidenceDirection; strength: EvidenceStrength };

export interface RecordEvidenceInput {
  summary: string;
  sourceUrl?: string | null;
  observedAt: Date;
  /** In [0, 1]; defaults to 1. */
  reliability?: number;
  impacts: EvidenceImpactInput[];
  indicatorReadingId?: string | null;
  signalItemId?: string | null;
  /**
   * The story it reports, when the caller knows it (an accepted signal item's
   * story, or the story of earlier evidence an analyst links it to): it joins
   * the evidence of that story. Without it, evidence joins the story of earlier
   * evidence of the same predictions with the same canonical link or a
   * near-same summary; else it starts a story of its own.
   */
  storyId?: string | null;
  /** Record it as a story of its own although it looks like the same story as earlier evidence: why. */
  independent?: { reason: string } | null;
}

/** An impact as it is stored: the ratio it applies, and the words it was given in, if any. */
export interface ImpactRatio {
  prediction: string;
  likelihoodRatio: number;
  direction: EvidenceDirection | null;
  strength: EvidenceStrength | null;
}

export function impactRatio(impact: EvidenceImpactInput): ImpactRatio {
  if (impact.likelihoodRatio !== undefined) return { prediction: impact.prediction, likelihoodRatio: impact.likelihoodRatio, direction: null, strength: null };
  return {
    prediction: impact.prediction,
    likelihoodRatio: likelihoodRatioFor(impact.direction, impact.strength),
    direction: impact.direction,
    strength: impact.strength,
  };
}
