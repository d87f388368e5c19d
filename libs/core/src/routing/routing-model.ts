import { type EvidenceDirection } from '../likelihood-ratio.js';
import { ConceptMatcher, type ConceptSettings } from './concept-features.js';
import { findDirectionCues } from './direction-cues.js';
import { type DirectionDecision, type DirectionWeights, decideDirection } from './direction-model.js';
import { type FeatureWeighting, featureValues } from './feature-vectors.js';
import { type RelevanceMethod } from './relevance-method.js';
import { type ScoreCalibration, calibratedProbability } from './score-calibration.js';
import { type RoutableText, type TextFeatureSettings, readableFeature, textFeatures } from './text-features.js';

/** Bumped whenever the JSON form changes meaning; a model of another version is refused, not misread. 2: concepts. */
export const ROUTING_MODEL_VERSION = 2;

/** One target's part of a stored model. */
export interface RoutingTargetJson {
  target: string;
  bias: number;
  calibration: ScoreCalibration;
  /** Route at or above this probability (best F1 in cross-validation); null: never. */
  threshold: number | null;
  /** A stricter threshold (best F0.5 in cross-validation), for where a wrong route costs more than a missed one; null: never. */
  preciseThreshold: number | null;
  /** Non-zero weights as pairs: a column of `features`, then its weight. */
  weights: number[];
}

/** The stored form of a model: plain JSON, compact, the same bytes for the same training. */
export interface RoutingModelJson {
  version: number;
  method: RelevanceMethod;
  text: TextFeatureSettings;
  weighting: FeatureWeighting;
  /** The term sets the model reads as concepts (`@name` features), kept with it so scoring reads items as training did; null: none. */
  concepts: ConceptSettings | null;
  /** The features with a weight for some target, sorted. */
  features: string[];
  targets: RoutingTargetJson[];
  direction: DirectionWeights;
}

/** An item's features as a model with these settings reads them: its text features, then its concepts. */
export function routingFeatures(item: RoutableText, text: TextFeatureSettings, concepts: { matcher: ConceptMatcher; conjunctions: boolean } | null): string[] {
  const features = textFeatures(item, text);
  if (concepts) features.push(...concepts.matcher.features(item, concepts.conjunctions));
  return features;
}

function checkConcepts(value: unknown): ConceptSettings | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value) || typeof value.conjunctions !== 'boolean' || !isRecord(value.termSets)) throw new RoutingModelFormatError('concepts must have termSets and conjunctions');
  const termSets: Record<string, string[]> = {};
  for (const [name, terms] of Object.entries(value.termSets)) {
    if (!Array.isArray(terms) || !terms.every((term) => typeof term === 'string')) throw new RoutingModelFormatError(`concepts.termSets.${name} must be a list of terms`);
    termSets[name] = terms as string[];
  }
  return { termSets, conjunctions: value.conjunctions };
}

/** How relevant an item is to one target, and which way it bears on it. */
export interface TargetRelevance {
  target: string;
  /** Calibrated probability that an analyst would route the item to the target. */
  probability: number;
  /** At or above the target's threshold. */
  relevant: boolean;
  /** At or above the target's precise threshold. */
  confident: boolean;
  direction: EvidenceDirection;
  contradictsProbability: number;
}

/** One feature's part in a score, in log-odds of relevance. */
export interface FeatureContribution {
  feature: string;
  /** The feature as a reader would write it: a word, two words, or CJK characters. */
  text: string;
  contribution: number;
}

export interface RoutingExplanation extends TargetRelevance {
  threshold: number | null;
  /** The features that raised the score most, strongest first. */
  features: FeatureContribution[];
  directionCue: DirectionDecision['cue'];
}

/** An item scored once: every target's relevance, and explanations on demand from the same reading. */
export interface RoutingAssessment {
  /** Every target's relevance, most probable first. */
  scores: TargetRelevance[];
  explain(target: string, limit?: number): RoutingExplanation;
}

/** A stored model that cannot be read. */
export class RoutingModelFormatError extends Error {
  constructor(reason: string) {
    super(`routing model: ${reason}`);
    this.name = 'RoutingModelFormatError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RoutingModelFormatError(`${what} must be a finite number`);
  return value;
}

function numberRecord(value: unknown, what: string): Record<string, number> {
  if (!isRecord(value)) throw new RoutingModelFormatError(`${what} must be an object`);
  return Object.fromEntries(Object.entries(value).map(([key, weight]) => [key, finite(weight, `${what}.${key}`)]));
}

function checkTarget(value: unknown, featureCount: number, index: number): RoutingTargetJson {
  const where = `targets[${index}]`;
  if (!isRecord(value) || typeof value.target !== 'string' || !isRecord(value.calibration) || !Array.isArray(value.weights) || value.weights.length % 2 !== 0) {
    throw new RoutingModelFormatError(`${where} must have target, calibration and weights in pairs`);
  }
  const threshold = (key: 'threshold' | 'preciseThreshold'): number | null => (value[key] === null ? null : finite(value[key], `${where}.${key}`));
  value.weights.forEach((entry: unknown, position) => {
    finite(entry, `${where}.weights[${position}]`);
    if (position % 2 === 0 && (!Number.isInteger(entry) || (entry as number) < 0 || (entry as number) >= featureCount)) {
      throw new RoutingModelFormatError(`${where}.weights[${position}] names no feature`);
    }
  });
  return {
    target: value.target,
    bias: finite(value.bias, `${where}.bias`),
    calibration: { slope: finite(value.calibration.slope, `${where}.calibration.slope`), intercept: finite(value.calibration.intercept, `${where}.calibration.intercept`) },
    threshold: threshold('threshold'),
    preciseThreshold: threshold('preciseThreshold'),
    weights: value.weights as number[],
  };
}

/**
 * The learned second stage of routing: for an item's title and summary, the
 * probability it bears on each target, which way, and why. Scoring is one
 * pass over the item's features with a table lookup each; the model holds
 * nothing else, so it is cheap to keep in memory and to run on every item.
 */
export class RoutingModel {
  /** The row of the weight table for each feature. */
  private readonly rowOf = new Map<string, number>();
  /** Features by row, then targets: weights[row * targets + target]. */
  private readonly weights: Float64Array;
  private readonly concepts: { matcher: ConceptMatcher; conjunctions: boolean } | null;

  private constructor(private readonly json: RoutingModelJson) {
    const targetCount = json.targets.length;
    this.concepts = json.concepts ? { matcher: new ConceptMatcher(json.concepts.termSets), conjunctions: json.concepts.conjunctions } : null;
    json.features.forEach((feature, row) => this.rowOf.set(feature, row));
    this.weights = new Float64Array(json.features.length * targetCount);
    json.targets.forEach((target, targetIndex) => {
      for (let position = 0; position < target.weights.length; position += 2) this.weights[target.weights[position]! * targetCount + targetIndex] = target.weights[position + 1]!;
    });
  }

  /** Reads a stored model, checking its shape; a model of another version is refused. */
  static fromJSON(value: unknown): RoutingModel {
    if (!isRecord(value)) throw new RoutingModelFormatError('not an object');
    if (value.version !== ROUTING_MODEL_VERSION) throw new RoutingModelFormatError(`version ${String(value.version)} is not ${ROUTING_MODEL_VERSION}`);
    if (!Array.isArray(value.features) || !value.features.every((feature) => typeof feature === 'string')) throw new RoutingModelFormatError('features must be strings');
    if (!Array.isArray(value.targets)) throw new RoutingModelFormatError('targets must be an array');
    if (!isRecord(value.method) || !isRecord(value.text) || !isRecord(value.weighting) || !isRecord(value.direction)) {
      throw new RoutingModelFormatError('method, text, weighting and direction must be objects');
    }
    const features = value.features as string[];
    const direction = value.direction;
    const text = value.text as unknown as TextFeatureSettings;
    const weighting = value.weighting as unknown as FeatureWeighting;
    if (typeof text.stem !== 'boolean' || typeof text.wordBigrams !== 'boolean' || typeof text.cjkUnigrams !== 'boolean' || typeof text.titleFeatures !== 'boolean') {
      throw new RoutingModelFormatError('text settings are incomplete');
    }
    finite(text.characterNgrams, 'text.characterNgrams');
    const concepts = checkConcepts(value.concepts);
    if ((weighting.counts !== 'binary' && weighting.counts !== 'log-tf') || typeof weighting.normalise !== 'boolean') throw new RoutingModelFormatError('weighting is incomplete');
    const json: RoutingModelJson = {
      version: ROUTING_MODEL_VERSION,
      method: value.method as unknown as RelevanceMethod,
      text: { stem: text.stem, wordBigrams: text.wordBigrams, cjkUnigrams: text.cjkUnigrams, titleFeatures: text.titleFeatures, characterNgrams: text.characterNgrams },
      weighting: { counts: weighting.counts, normalise: weighting.normalise },
      concepts,
      features,
      targets: value.targets.map((target, index) => checkTarget(target, features.length, index)),
      direction: {
        bias: finite(direction.bias, 'direction.bias'),
        anyCue: finite(direction.anyCue, 'direction.anyCue'),
        targets: numberRecord(direction.targets, 'direction.targets'),
        cues: numberRecord(direction.cues, 'direction.cues'),
        families: numberRecord(direction.families, 'direction.families'),
      },
    };
    try {
      return new RoutingModel(json);
    } catch (error) {
      // A term of a concept that does not parse.
      if (error instanceof Error && !(error instanceof RoutingModelFormatError)) throw new RoutingModelFormatError(`concepts: ${error.message}`);
      throw error;
    }
  }

  /** The stored form; `JSON.stringify` of it is the same bytes for the same training. */
  toJSON(): RoutingModelJson {
    return structuredClone(this.json);
  }

  get version(): number {
    return this.json.version;
  }

  get method(): RelevanceMethod {
    return structuredClone(this.json.method);
  }

  /** The targets the model knows, in its order. */
  get targets(): string[] {
    return this.json.targets.map((target) => target.target);
  }

  /** Every target's relevance for the item, most probable first. */
  score(item: RoutableText): TargetRelevance[] {
    return this.assess(item).scores;
  }

  /** Only the targets the item is relevant to, most probable first. */
  route(item: RoutableText): TargetRelevance[] {
    return this.score(item).filter((relevance) => relevance.relevant);
  }

  /** Why the model scores the item as it does for one target: the features that raised it most and the cue that set the direction. */
  explain(item: RoutableText, target: string, limit = 5): RoutingExplanation {
    return this.assess(item).explain(target, limit);
  }

  /**
   * Scores the item and keeps what it read (features, cues, margins), so
   * explaining any of its targets afterwards reads the text no second time:
   * what routing does for each target it routes an item to.
   */
  assess(item: RoutableText): RoutingAssessment {
    const values = featureValues(this.features(item), this.json.weighting);
    const margins = this.margins(values);
    const cues = findDirectionCues(`${item.title}\n${item.summary ?? ''}`);
    const relevance = (targetIndex: number): TargetRelevance & { cue: DirectionDecision['cue'] } => {
      const target = this.json.targets[targetIndex]!;
      const probability = calibratedProbability(margins[targetIndex]!, target.calibration);
      const direction = decideDirection(this.json.direction, cues, target.target);
      return {
        target: target.target,
        probability,
        relevant: target.threshold !== null && probability >= target.threshold,
        confident: target.preciseThreshold !== null && probability >= target.preciseThreshold,
        direction: direction.direction,
        contradictsProbability: direction.contradictsProbability,
        cue: direction.cue,
      };
    };
    const scores = this.json.targets
      .map((_, index) => {
        const { cue: _cue, ...scored } = relevance(index);
        return scored;
      })
      .sort((a, b) => b.probability - a.probability || (a.target < b.target ? -1 : 1));
    const explain = (target: string, limit = 5): RoutingExplanation => {
      const targetIndex = this.json.targets.findIndex((candidate) => candidate.target === target);
      if (targetIndex < 0) throw new RangeError(`the routing model has no target "${target}"`);
      const targetJson = this.json.targets[targetIndex]!;
      const contributions: FeatureContribution[] = [];
      for (const [feature, value] of values) {
        const row = this.rowOf.get(feature);
        if (row === undefined) continue;
        // In log-odds of the calibrated probability, so contributions read on the probability's scale.
        const contribution = value * this.weights[row * this.json.targets.length + targetIndex]! * targetJson.calibration.slope;
        if (contribution > 0) contributions.push({ feature, text: readableFeature(feature), contribution });
      }
      contributions.sort((a, b) => b.contribution - a.contribution || (a.feature < b.feature ? -1 : 1));
      const { cue, ...scored } = relevance(targetIndex);
      return { ...scored, threshold: targetJson.threshold, features: contributions.slice(0, limit), directionCue: cue };
    };
    return { scores, explain };
  }

  /** The term sets the model reads as concepts, or null. */
  get termSets(): Readonly<Record<string, readonly string[]>> | null {
    return this.json.concepts ? structuredClone(this.json.concepts.termSets) : null;
  }

  private features(item: RoutableText): string[] {
    return routingFeatures(item, this.json.text, this.concepts);
  }

  private margins(values: Map<string, number>): Float64Array {
    const targetCount = this.json.targets.length;
    const margins = Float64Array.from(this.json.targets, (target) => target.bias);
    for (const [feature, value] of values) {
      const row = this.rowOf.get(feature);
      if (row === undefined) continue;
      const offset = row * targetCount;
      for (let target = 0; target < targetCount; target += 1) margins[target]! += value * this.weights[offset + target]!;
    }
    return margins;
  }
}
