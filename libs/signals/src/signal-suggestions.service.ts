import { Injectable } from '@nestjs/common';

import type { EvidenceDirection, EvidenceStrength } from '#core';
import { PrismaService } from '#db';
import { EvidenceService, type EvidenceImpactSummary } from '#predictions';

import { SignalItemsRepository } from './signal-items.repository.js';
import { SignalSuggestionModel, type SuggestionTarget, type TrainingItem } from './signal-suggestion-model.js';

/** A process keeps its model this long before learning the decisions again (sooner after a decision of its own). */
export const SUGGESTION_MODEL_TTL_MS = 60_000;
/** The most recent decisions the model learns from, and the background of unmatched items it weighs them against. */
const DECISIONS_LEARNED = 5_000;
const BACKGROUND_ITEMS = 1_000;

const STRENGTH_RATIOS: [EvidenceStrength, number][] = [
  ['weak', 1.5],
  ['moderate', 3],
  ['strong', 10],
];

/**
 * Items no rule matched but that resemble what analysts accepted for a
 * prediction become `suggested` (never accepted without a person): the
 * model is learned from the accept and reject decisions in the database
 * (accepted items labelled with the predictions their evidence bore on, asked
 * of the predictions library), cached per process.
 */
@Injectable()
export class SignalSuggestionsService {
  private cached: { model: SignalSuggestionModel; learnedAt: number } | null = null;

  constructor(
    private readonly prisma: PrismaService,
    private readonly items: SignalItemsRepository,
    private readonly evidence: EvidenceService,
  ) {}

  /** A decision was recorded: learn again before the next suggestion. */
  forget(): void {
    this.cached = null;
  }

  async model(now = Date.now()): Promise<SignalSuggestionModel> {
    if (this.cached && now - this.cached.learnedAt < SUGGESTION_MODEL_TTL_MS) return this.cached.model;
    const model = await this.learn();
    this.cached = { model, learnedAt: now };
    return model;
  }

  /** Suggests what it can for the given unmatched items (and clears stale suggestions); answers how many are suggested. */
  async suggest(model: SignalSuggestionModel, itemIds: readonly string[]): Promise<number> {
    if (model.isEmpty || itemIds.length === 0) return 0;
    const rows = await this.prisma.$queryRaw<{ id: string; lexemes: string[] }[]>`
      SELECT "id", tsvector_to_array("searchVector") AS lexemes FROM "SignalItem" WHERE "id" = ANY(${itemIds}::uuid[])`;
    const decisions = rows.map((row) => {
      const suggestions = model.suggest(row.lexemes);
      return { id: row.id, suggestions, relevance: suggestions[0]?.probability ?? null };
    });
    await this.items.applySuggestions(decisions);
    return decisions.filter((decision) => decision.suggestions.length > 0).length;
  }

  private async learn(): Promise<SignalSuggestionModel> {
    const decided = await this.prisma.$queryRaw<{ status: string; evidenceId: string | null; lexemes: string[] }[]>`
      SELECT "status"::text, "evidenceId", tsvector_to_array("searchVector") AS lexemes FROM "SignalItem"
      WHERE "status" IN ('accepted', 'rejected') AND "reviewedAt" IS NOT NULL
      ORDER BY "reviewedAt" DESC LIMIT ${DECISIONS_LEARNED}`;
    const accepted = decided.filter((row) => row.status === 'accepted' && row.evidenceId !== null);
    if (accepted.length === 0) return SignalSuggestionModel.train([], []);
    const background = await this.prisma.$queryRaw<{ lexemes: string[] }[]>`
      SELECT tsvector_to_array("searchVector") AS lexemes FROM "SignalItem"
      WHERE "status" = 'unmatched' AND "routedAt" IS NOT NULL
      ORDER BY "createdAt" DESC LIMIT ${BACKGROUND_ITEMS}`;
    const impacts = await this.evidence.impactsOf(accepted.map((row) => row.evidenceId!));
    const byEvidence = new Map<string, string[]>();
    for (const impact of impacts) (byEvidence.get(impact.evidenceId) ?? byEvidence.set(impact.evidenceId, []).get(impact.evidenceId)!).push(impact.predictionId);
    const training: TrainingItem[] = [
      ...decided.map((row) => ({ lexemes: row.lexemes, predictions: row.evidenceId ? (byEvidence.get(row.evidenceId) ?? []) : [] })),
      ...background.map((row) => ({ lexemes: row.lexemes, predictions: [] })),
    ];
    return SignalSuggestionModel.train(training, suggestionTargets(impacts));
  }
}

/** Per prediction, the impact analysts recorded most often (direction and strength; a likelihood ratio counts as the nearest strength). */
export function suggestionTargets(impacts: readonly EvidenceImpactSummary[]): SuggestionTarget[] {
  const tallies = new Map<string, { slug: string; counts: Map<string, number> }>();
  for (const impact of impacts) {
    const direction: EvidenceDirection = impact.direction ?? (impact.likelihoodRatio >= 1 ? 'supports' : 'contradicts');
    const strength = impact.strength ?? nearestStrength(impact.likelihoodRatio);
    const tally = tallies.get(impact.predictionId) ?? tallies.set(impact.predictionId, { slug: impact.slug, counts: new Map() }).get(impact.predictionId)!;
    const key = `${direction}/${strength}`;
    tally.counts.set(key, (tally.counts.get(key) ?? 0) + 1);
  }
  return [...tallies].map(([prediction, { slug, counts }]) => {
    const [direction, strength] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0].split('/') as [EvidenceDirection, EvidenceStrength];
    return { prediction, predictionSlug: slug, direction, strength };
  });
}

function nearestStrength(likelihoodRatio: number): EvidenceStrength {
  const size = Math.abs(Math.log(likelihoodRatio));
  return STRENGTH_RATIOS.reduce((best, candidate) => (Math.abs(Math.log(candidate[1]) - size) < Math.abs(Math.log(best[1]) - size) ? candidate : best))[0];
}
