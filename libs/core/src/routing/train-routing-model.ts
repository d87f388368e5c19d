import { type EvidenceDirection } from '../likelihood-ratio.js';
import { ConceptMatcher, type ConceptSettings } from './concept-features.js';
import { assignFolds } from './cross-validation-folds.js';
import { bestThreshold } from './decision-threshold.js';
import { type DirectionCue, findDirectionCues } from './direction-cues.js';
import { type DirectionExample, type DirectionSettings, type DirectionWeights, decideDirection, trainDirectionWeights } from './direction-model.js';
import { type FeatureWeighting, buildVocabulary, encodeRows, linearScores } from './feature-vectors.js';
import { type LinearScorer } from './linear-scorer.js';
import { type RelevanceMethod, trainRelevanceScorer } from './relevance-method.js';
import { type RoutingEvaluation, routingEvaluation } from './routing-evaluation.js';
import { ROUTING_MODEL_VERSION, RoutingModel, type RoutingModelJson, type RoutingTargetJson, routingFeatures } from './routing-model.js';
import { calibratedProbability, fitScoreCalibration } from './score-calibration.js';
import { DEFAULT_TEXT_FEATURE_SETTINGS, type RoutableText, type TextFeatureSettings } from './text-features.js';

/** A labelled item: the targets it bears on, each with its direction ({} for none), and how much it counts. */
export interface RoutingExample extends RoutableText {
  targets: Readonly<Record<string, EvidenceDirection>>;
  /** 1 unless given: an analyst's decision might count more than a background item. */
  weight?: number;
  /** Where the example comes from ("labelled", "decision"...): cross-validation reports each group's figures apart. */
  group?: string;
}

export interface RoutingTrainingOptions {
  method: RelevanceMethod;
  text: TextFeatureSettings;
  /** Term sets read as concept features (`@name`, and `@a&@b` with conjunctions); stored with the model. Null or absent: none. */
  concepts?: ConceptSettings | null;
  weighting: FeatureWeighting;
  /** A feature enters the vocabulary when this many training items have it. */
  minDocuments: number;
  /** A weight smaller than this share of its target's largest is dropped from the stored model. */
  pruneFraction: number;
  /** Folds of the cross-validation that sets thresholds and calibration and measures the model. */
  folds: number;
  direction: DirectionSettings;
  /** The targets to learn, in this order; by default every target of the examples, sorted. */
  targets?: readonly string[];
  /** A target with fewer relevant examples than this is not learned. */
  minPositives: number;
}

/** Chosen by 5-fold cross-validation on the development set (bench/routing-model-evaluation.ts). */
export const DEFAULT_ROUTING_TRAINING_OPTIONS: RoutingTrainingOptions = {
  method: { kind: 'naive-bayes', variant: 'complement', alpha: 0.03 },
  text: DEFAULT_TEXT_FEATURE_SETTINGS,
  weighting: { counts: 'binary', normalise: false },
  minDocuments: 1,
  pruneFraction: 0.2,
  folds: 5,
  direction: { l2: 0.001, classBalance: 0 },
  minPositives: 3,
};

/**
 * The defaults with term sets read as concepts, with their pairs: what routing
 * trains. Concepts with pairs raised macro F1 from 0.83 to 0.89 in 5-fold
 * cross-validation on the development set (stage 4 of bench/routing-model-evaluation.ts).
 */
export function trainingOptionsWithConcepts(termSets: Readonly<Record<string, readonly string[]>>, base: RoutingTrainingOptions = DEFAULT_ROUTING_TRAINING_OPTIONS): RoutingTrainingOptions {
  return { ...base, concepts: { termSets, conjunctions: true } };
}

export interface TrainedRoutingModel {
  model: RoutingModel;
  /** The cross-validated figures of the same training on the same examples. */
  evaluation: RoutingEvaluation;
  /**
   * The same out-of-fold decisions, each group of examples apart, over the
   * targets the group has relevant examples for: how the model does on the
   * labelled examples whatever else it was trained on.
   */
  groups: Record<string, RoutingEvaluation>;
}

/** Significant digits kept in a stored weight: far finer than the data can justify, and a third of the bytes of a full double. */
const WEIGHT_DIGITS = 4;

function rounded(value: number, digits = WEIGHT_DIGITS): number {
  return Number(value.toPrecision(digits));
}

interface PreparedExamples {
  features: string[][];
  cues: DirectionCue[][];
  targets: string[];
  labels: Uint8Array[];
  itemWeights: Float64Array;
}

function prepare(examples: readonly RoutingExample[], options: RoutingTrainingOptions): PreparedExamples {
  for (const [index, example] of examples.entries()) {
    if (example.weight !== undefined && !(Number.isFinite(example.weight) && example.weight >= 0)) throw new RangeError(`example ${index} has weight ${example.weight}; weights are finite and 0 or more`);
  }
  const seen = [...new Set(examples.flatMap((example) => Object.keys(example.targets)))].sort();
  const candidates = options.targets ? [...options.targets] : seen;
  const labels = candidates.map((target) => Uint8Array.from(examples, (example) => (example.targets[target] ? 1 : 0)));
  const learnable = candidates.map((_, index) => labels[index]!.reduce((sum, label) => sum + label, 0) >= options.minPositives);
  const concepts = options.concepts ? { matcher: new ConceptMatcher(options.concepts.termSets), conjunctions: options.concepts.conjunctions } : null;
  return {
    features: examples.map((example) => routingFeatures(example, options.text, concepts)),
    cues: examples.map((example) => findDirectionCues(`${example.title}\n${example.summary ?? ''}`)),
    targets: candidates.filter((_, index) => learnable[index]),
    labels: labels.filter((_, index) => learnable[index]),
    itemWeights: Float64Array.from(examples, (example) => example.weight ?? 1),
  };
}

/**
 * Weights as the model stores them: rounded, and those too small to matter
 * (below a share of the target's largest) set to zero. Cross-validation
 * scores with these too, so the figures are the stored model's.
 */
function storableWeights(weights: Float64Array, pruneFraction: number): Float64Array {
  let largest = 0;
  for (const weight of weights) largest = Math.max(largest, Math.abs(weight));
  return weights.map((weight) => (Math.abs(weight) >= pruneFraction * largest ? rounded(weight) : 0));
}

interface FittedRelevance {
  vocabulary: string[];
  scorers: LinearScorer[];
}

function fitRelevance(prepared: PreparedExamples, picked: readonly number[], options: RoutingTrainingOptions): FittedRelevance {
  const features = picked.map((index) => prepared.features[index]!);
  const vocabulary = buildVocabulary(features, options.minDocuments);
  const rows = encodeRows(features, vocabulary, options.weighting);
  const itemWeights = Float64Array.from(picked, (index) => prepared.itemWeights[index]!);
  const scorers = prepared.labels.map((labels) => {
    const scorer = trainRelevanceScorer(options.method, { rows, labels: Uint8Array.from(picked, (index) => labels[index]!), itemWeights });
    return { bias: rounded(scorer.bias, 8), weights: storableWeights(scorer.weights, options.pruneFraction) };
  });
  return { vocabulary, scorers };
}

function directionExamples(examples: readonly RoutingExample[], prepared: PreparedExamples, picked: readonly number[]): DirectionExample[] {
  return picked.flatMap((index) =>
    prepared.targets
      .filter((target) => examples[index]!.targets[target] !== undefined)
      .map((target) => ({ cues: prepared.cues[index]!, target, direction: examples[index]!.targets[target]!, weight: prepared.itemWeights[index]! })),
  );
}

interface CrossValidationRun {
  evaluation: RoutingEvaluation;
  groups: Record<string, RoutingEvaluation>;
  /** Each target's out-of-fold raw score of every example. */
  outOfFoldScores: Float64Array[];
}

function crossValidate(examples: readonly RoutingExample[], prepared: PreparedExamples, options: RoutingTrainingOptions): CrossValidationRun {
  const strata = examples.map((example) => {
    const targets = prepared.targets.filter((target) => example.targets[target] !== undefined);
    return targets.length === 0 ? '' : targets.map((target) => `${target}:${example.targets[target]}`).join(',');
  });
  const fold = assignFolds(strata, options.folds);
  const outOfFoldScores = prepared.targets.map(() => new Float64Array(examples.length));
  const predictedDirection = new Map<string, EvidenceDirection>();
  for (let k = 0; k < options.folds; k += 1) {
    const training = examples.map((_, index) => index).filter((index) => fold[index] !== k);
    const heldOut = examples.map((_, index) => index).filter((index) => fold[index] === k);
    if (heldOut.length === 0) continue;
    const fitted = fitRelevance(prepared, training, options);
    const rows = encodeRows(heldOut.map((index) => prepared.features[index]!), fitted.vocabulary, options.weighting);
    fitted.scorers.forEach((scorer, target) => {
      const scores = linearScores(rows, scorer.weights, scorer.bias);
      heldOut.forEach((index, position) => (outOfFoldScores[target]![index] = scores[position]!));
    });
    const direction = trainDirectionWeights(directionExamples(examples, prepared, training), options.direction);
    for (const index of heldOut) {
      for (const target of prepared.targets) predictedDirection.set(`${index} ${target}`, decideDirection(direction, prepared.cues[index]!, target).direction);
    }
  }
  // Each fold's items are judged by thresholds chosen on the other folds' scores alone, so the figures do not flatter the thresholds.
  const routed = prepared.targets.map((_, target) => {
    const decisions = new Uint8Array(examples.length);
    for (let k = 0; k < options.folds; k += 1) {
      const others = examples.map((_, index) => index).filter((index) => fold[index] !== k);
      const threshold = bestThreshold(
        others.map((index) => outOfFoldScores[target]![index]!),
        others.map((index) => prepared.labels[target]![index] === 1),
      );
      examples.forEach((_, index) => {
        if (fold[index] === k && outOfFoldScores[target]![index]! >= threshold) decisions[index] = 1;
      });
    }
    return decisions;
  });
  const isRouted = (index: number, target: string): boolean => routed[prepared.targets.indexOf(target)]![index] === 1;
  const directionOf = (index: number, target: string): EvidenceDirection => predictedDirection.get(`${index} ${target}`)!;
  const evaluation = routingEvaluation(examples, prepared.targets, isRouted, directionOf);
  const groups: Record<string, RoutingEvaluation> = {};
  for (const group of [...new Set(examples.flatMap((example) => (example.group === undefined ? [] : [example.group])))].sort()) {
    const members = examples.flatMap((example, index) => (example.group === group ? [index] : []));
    const targets = prepared.targets.filter((target) => members.some((index) => examples[index]!.targets[target] !== undefined));
    groups[group] = routingEvaluation(
      members.map((index) => examples[index]!),
      targets,
      (position, target) => isRouted(members[position]!, target),
      (position, target) => directionOf(members[position]!, target),
    );
  }
  return { evaluation, groups, outOfFoldScores };
}

/** The cross-validated figures of training with these options on these examples, without the final model. */
export function crossValidateRouting(examples: readonly RoutingExample[], options: RoutingTrainingOptions = DEFAULT_ROUTING_TRAINING_OPTIONS): RoutingEvaluation {
  return crossValidate(examples, prepare(examples, options), options).evaluation;
}

function storedTarget(target: string, scorer: LinearScorer, outOfFold: Float64Array, labels: Uint8Array): RoutingTargetJson {
  const relevant = Array.from(labels, (label) => label === 1);
  const calibration = fitScoreCalibration(outOfFold, relevant);
  const stored = { slope: rounded(calibration.slope, 8), intercept: rounded(calibration.intercept, 8) };
  const asProbability = (score: number): number | null => (Number.isFinite(score) ? rounded(calibratedProbability(score, stored), 8) : null);
  return {
    target,
    bias: scorer.bias,
    calibration: stored,
    threshold: asProbability(bestThreshold(outOfFold, relevant, 1)),
    preciseThreshold: asProbability(bestThreshold(outOfFold, relevant, 0.5)),
    // Filled in once the columns are renumbered.
    weights: [],
  };
}

/** The term sets in a stable order (sets by name, terms as given), so the same training gives the same bytes. */
function storedConcepts(concepts: ConceptSettings): ConceptSettings {
  return { termSets: Object.fromEntries(Object.keys(concepts.termSets).sort().map((name) => [name, [...concepts.termSets[name]!]])), conjunctions: concepts.conjunctions };
}

function storedDirection(weights: DirectionWeights): DirectionWeights {
  const round = (record: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.keys(record).sort().map((key) => [key, rounded(record[key]!)]));
  return { bias: rounded(weights.bias), anyCue: rounded(weights.anyCue), targets: round(weights.targets), cues: round(weights.cues), families: round(weights.families) };
}

/**
 * Learns a routing model from labelled items: a relevance score per target
 * (the given method over the items' text features), its calibration and
 * thresholds from k-fold cross-validation, and a direction model over cues.
 * Deterministic: the same examples and options give the same JSON, byte for
 * byte. The returned model is read back from that JSON, so what is stored
 * is exactly what was measured.
 */
export function trainRoutingModel(examples: readonly RoutingExample[], options: RoutingTrainingOptions = DEFAULT_ROUTING_TRAINING_OPTIONS): TrainedRoutingModel {
  const prepared = prepare(examples, options);
  const { evaluation, groups, outOfFoldScores } = crossValidate(examples, prepared, options);
  const everything = examples.map((_, index) => index);
  const fitted = fitRelevance(prepared, everything, options);
  const usedColumns = [...new Set(fitted.scorers.flatMap((scorer) => [...scorer.weights.keys()].filter((column) => scorer.weights[column] !== 0)))].sort((a, b) => a - b);
  // The vocabulary is sorted, so the columns kept, in order, are the features sorted.
  const json: RoutingModelJson = {
    version: ROUTING_MODEL_VERSION,
    method: options.method,
    text: options.text,
    weighting: options.weighting,
    concepts: options.concepts ? storedConcepts(options.concepts) : null,
    features: usedColumns.map((column) => fitted.vocabulary[column]!),
    targets: prepared.targets.map((target, index) => {
      const scorer = fitted.scorers[index]!;
      const stored = storedTarget(target, scorer, outOfFoldScores[index]!, prepared.labels[index]!);
      usedColumns.forEach((column, newColumn) => {
        if (scorer.weights[column] !== 0) stored.weights.push(newColumn, scorer.weights[column]!);
      });
      return stored;
    }),
    direction: storedDirection(trainDirectionWeights(directionExamples(examples, prepared, everything), options.direction)),
  };
  return { model: RoutingModel.fromJSON(JSON.parse(JSON.stringify(json))), evaluation, groups };
}
