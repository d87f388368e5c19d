import { type EvidenceDirection } from '../likelihood-ratio.js';
import { type DirectionCue, type DirectionCueFamily } from './direction-cues.js';
import { buildVocabulary, encodeRows } from './feature-vectors.js';
import { trainLogisticRegression } from './logistic-regression.js';

export interface DirectionSettings {
  l2: number;
  /** As in logistic regression: 0 keeps the share of contradicting items as it is (best for accuracy). */
  classBalance: number;
}

/** One item's bearing on one target it is relevant to. */
export interface DirectionExample {
  cues: readonly DirectionCue[];
  target: string;
  direction: EvidenceDirection;
  weight: number;
}

/**
 * A logistic model of "contradicts" over every target's relevant items
 * together: a weight per cue and per cue family, learned once for all
 * targets, plus a bias per target (some targets are contradicted more often).
 * All weights are in log-odds of contradicting.
 */
export interface DirectionWeights {
  bias: number;
  /** Added once when the item has any cue at all: what cues share, whichever they are. */
  anyCue: number;
  targets: Record<string, number>;
  cues: Record<string, number>;
  families: Partial<Record<DirectionCueFamily, number>>;
}

export interface DirectionDecision {
  direction: EvidenceDirection;
  /** The model's probability that the item contradicts the target. */
  contradictsProbability: number;
  /** The cue that weighed most towards the decision, or null when the decision rests on the target's usual direction. */
  cue: DirectionCue | null;
}

const ANY_CUE = 'any:cue';

function directionFeatures(cues: readonly DirectionCue[], target: string): string[] {
  const features = [`target:${target}`, ...new Set(cues.flatMap((cue) => [`cue:${cue.cue}`, `family:${cue.family}`]))];
  if (cues.length > 0) features.push(ANY_CUE);
  return features;
}

export function trainDirectionWeights(examples: readonly DirectionExample[], settings: DirectionSettings): DirectionWeights {
  const features = examples.map((example) => directionFeatures(example.cues, example.target));
  const vocabulary = buildVocabulary(features, 1);
  const rows = encodeRows(features, vocabulary, { counts: 'binary', normalise: false });
  const labels = Uint8Array.from(examples, (example) => (example.direction === 'contradicts' ? 1 : 0));
  const itemWeights = Float64Array.from(examples, (example) => example.weight);
  const fitted = trainLogisticRegression({ rows, labels, itemWeights }, { l2: settings.l2, classBalance: settings.classBalance, maxIterations: 200 });
  const weights: DirectionWeights = { bias: fitted.bias, anyCue: 0, targets: {}, cues: {}, families: {} };
  vocabulary.forEach((feature, column) => {
    const weight = fitted.weights[column]!;
    if (weight === 0) return;
    const [kind, name] = [feature.slice(0, feature.indexOf(':')), feature.slice(feature.indexOf(':') + 1)];
    if (feature === ANY_CUE) weights.anyCue = weight;
    else if (kind === 'target') weights.targets[name] = weight;
    else if (kind === 'cue') weights.cues[name] = weight;
    else weights.families[name as DirectionCueFamily] = weight;
  });
  return weights;
}

export function decideDirection(weights: DirectionWeights, cues: readonly DirectionCue[], target: string): DirectionDecision {
  let logOdds = weights.bias + (weights.targets[target] ?? 0) + (cues.length > 0 ? weights.anyCue : 0);
  const families = new Set<DirectionCueFamily>();
  let strongest: { cue: DirectionCue; weight: number } | null = null;
  let weakest: { cue: DirectionCue; weight: number } | null = null;
  for (const cue of cues) {
    const cueWeight = weights.cues[cue.cue] ?? 0;
    // A family counts once however many of its cues occur; each cue is credited with it when explaining.
    const familyWeight = families.has(cue.family) ? 0 : (weights.families[cue.family] ?? 0);
    families.add(cue.family);
    logOdds += cueWeight + familyWeight;
    const credit = cueWeight + (weights.families[cue.family] ?? 0) + weights.anyCue;
    if (!strongest || credit > strongest.weight) strongest = { cue, weight: credit };
    if (!weakest || credit < weakest.weight) weakest = { cue, weight: credit };
  }
  const contradictsProbability = 1 / (1 + Math.exp(-logOdds));
  const direction: EvidenceDirection = logOdds > 0 ? 'contradicts' : 'supports';
  const decisive = direction === 'contradicts' ? (strongest && strongest.weight > 0 ? strongest.cue : null) : weakest && weakest.weight < 0 ? weakest.cue : null;
  return { direction, contradictsProbability, cue: decisive };
}
