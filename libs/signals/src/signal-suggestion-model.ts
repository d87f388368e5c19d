import type { EvidenceDirection, EvidenceStrength } from '#core';

/** What the model proposes for an item no rule matched: a prediction it seems to bear on, and why. */
export interface SignalSuggestion {
  prediction: string;
  predictionSlug: string | null;
  /** The direction and strength analysts gave most often when they accepted items for this prediction. */
  direction: EvidenceDirection;
  strength: EvidenceStrength;
  /** The model's probability that an analyst would accept the item for this prediction. */
  probability: number;
  /** The item's stemmed words that weighed most for the prediction, strongest first. */
  terms: string[];
}

/** One decided (or background) item: its stemmed words and the predictions its accepted evidence bore on (none if rejected). */
export interface TrainingItem {
  lexemes: readonly string[];
  predictions: readonly string[];
}

/** A prediction the model may suggest, with the impact to propose. */
export interface SuggestionTarget {
  prediction: string;
  predictionSlug: string | null;
  direction: EvidenceDirection;
  strength: EvidenceStrength;
}

export const SUGGESTION_SETTINGS = {
  /** A prediction is learned once analysts accepted this many items for it. */
  minAccepted: 3,
  /** Suggest only above this probability. */
  minProbability: 0.9,
  /** ... and only if the item shares this many words, each seen in two accepted items or more, that speak for the prediction. */
  minSupportingTerms: 2,
  /** Terms shown per suggestion. */
  explainTerms: 5,
  /** Laplace smoothing. */
  alpha: 1,
} as const;

interface TargetModel {
  target: SuggestionTarget;
  prior: number;
  /** log P(word | accepted for the prediction) - log P(word | any other item), for the words seen. */
  weights: Map<string, number>;
  /** In how many accepted items for the prediction each word appears. */
  positiveCounts: Map<string, number>;
}

/**
 * A naive Bayes classifier per prediction (one against the rest), learned
 * from the analysts' decisions: items accepted with evidence on the
 * prediction against every other decided item and a background of items no
 * rule matched. Words are the items' stemmed lexemes (PostgreSQL's english
 * configuration), counted once per item; unseen words are left out. Each
 * suggestion names the words that weighed most, so it can be checked.
 */
export class SignalSuggestionModel {
  private constructor(private readonly targets: readonly TargetModel[]) {}

  static train(items: readonly TrainingItem[], targets: readonly SuggestionTarget[], settings = SUGGESTION_SETTINGS): SignalSuggestionModel {
    const models: TargetModel[] = [];
    for (const target of targets) {
      const positive = new Map<string, number>();
      const negative = new Map<string, number>();
      let positives = 0;
      let negatives = 0;
      for (const item of items) {
        const isPositive = item.predictions.includes(target.prediction);
        if (isPositive) positives += 1;
        else negatives += 1;
        const counts = isPositive ? positive : negative;
        for (const lexeme of new Set(item.lexemes)) counts.set(lexeme, (counts.get(lexeme) ?? 0) + 1);
      }
      if (positives < settings.minAccepted || negatives === 0) continue;
      const vocabulary = new Set([...positive.keys(), ...negative.keys()]);
      const total = (counts: Map<string, number>): number => [...counts.values()].reduce((sum, count) => sum + count, 0);
      const positiveTotal = total(positive) + settings.alpha * vocabulary.size;
      const negativeTotal = total(negative) + settings.alpha * vocabulary.size;
      const weights = new Map<string, number>();
      for (const word of vocabulary) {
        weights.set(word, Math.log(((positive.get(word) ?? 0) + settings.alpha) / positiveTotal) - Math.log(((negative.get(word) ?? 0) + settings.alpha) / negativeTotal));
      }
      models.push({ target, prior: Math.log(positives / negatives), weights, positiveCounts: positive });
    }
    return new SignalSuggestionModel(models);
  }

  /** Whether any prediction has enough accepted items to be learned. */
  get isEmpty(): boolean {
    return this.targets.length === 0;
  }

  /** The predictions an item's words speak for, most probable first; empty when none is probable enough. */
  suggest(lexemes: readonly string[], settings = SUGGESTION_SETTINGS): SignalSuggestion[] {
    const words = [...new Set(lexemes)];
    const suggestions: SignalSuggestion[] = [];
    for (const model of this.targets) {
      let logOdds = model.prior;
      const supporting: { word: string; weight: number }[] = [];
      for (const word of words) {
        const weight = model.weights.get(word);
        if (weight === undefined) continue;
        logOdds += weight;
        if (weight > 0 && (model.positiveCounts.get(word) ?? 0) >= 2) supporting.push({ word, weight });
      }
      const probability = 1 / (1 + Math.exp(-logOdds));
      if (probability < settings.minProbability || supporting.length < settings.minSupportingTerms) continue;
      supporting.sort((a, b) => b.weight - a.weight || a.word.localeCompare(b.word));
      suggestions.push({ ...model.target, probability, terms: supporting.slice(0, settings.explainTerms).map((term) => term.word) });
    }
    return suggestions.sort((a, b) => b.probability - a.probability);
  }
}
