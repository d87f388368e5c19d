import { assignFolds } from '../routing/cross-validation-folds.js';
import { type SparseRows } from '../routing/feature-vectors.js';
import { trainLogisticRegression } from '../routing/logistic-regression.js';
import { decideSameStory, SAME_STORY_CHOSEN_INPUTS, type SameStoryModel, type SameStoryModelInput, sameStoryModelInputs, sameStoryProbability } from './same-story.js';
import { type SameStoryFeatures } from './same-story-features.js';

/** A labelled pair as training sees it: its features, whether it is one story, and its stratum (label and languages) for folds. */
export interface SameStoryExample {
  features: SameStoryFeatures;
  same: boolean;
  stratum: string;
}

export interface SameStoryTrainingOptions {
  inputs: readonly SameStoryModelInput[];
  /** L2 penalty on the weights. */
  l2: number;
  /** The least precision the threshold must keep on the training pairs (the threshold is the lowest that keeps it). */
  minPrecision: number;
  windowHours: number;
}

export const DEFAULT_SAME_STORY_TRAINING: SameStoryTrainingOptions = { inputs: SAME_STORY_CHOSEN_INPUTS, l2: 0.01, minPrecision: 0.97, windowHours: 72 };

function denseRows(vectors: readonly number[][], columnCount: number): SparseRows {
  const offsets = new Int32Array(vectors.length + 1);
  const columns: number[] = [];
  const values: number[] = [];
  vectors.forEach((vector, row) => {
    vector.forEach((value, column) => {
      if (value !== 0) {
        columns.push(column);
        values.push(value);
      }
    });
    offsets[row + 1] = columns.length;
  });
  return { rowCount: vectors.length, columnCount, offsets, columns: Int32Array.from(columns), values: Float64Array.from(values) };
}

/** The pairs the model learns from and is applied to: the ones neither a link nor a veto decides (the window aside). */
function modelled(example: SameStoryExample): boolean {
  return !example.features.sameLink && example.features.conflictingNumbers === 0 && !example.features.conflictingDates;
}

/**
 * Fits the detector's model: logistic regression over the pairs no link or
 * veto decides (whatever their time apart, so pairs of related events far
 * apart still teach it what "same subject, another event" looks like), then
 * the lowest threshold whose precision on those pairs within the window is
 * at least `minPrecision`.
 */
export function trainSameStoryModel(examples: readonly SameStoryExample[], options: SameStoryTrainingOptions = DEFAULT_SAME_STORY_TRAINING): SameStoryModel {
  const used = examples.filter(modelled);
  const scorer = trainLogisticRegression(
    {
      rows: denseRows(
        used.map((example) => sameStoryModelInputs(example.features, options.inputs)),
        options.inputs.length,
      ),
      labels: Uint8Array.from(used.map((example) => (example.same ? 1 : 0))), itemWeights: new Float64Array(used.length).fill(1) },
    { l2: options.l2, classBalance: 0, maxIterations: 500 },
  );
  const model: SameStoryModel = { inputs: options.inputs, weights: [...scorer.weights], bias: scorer.bias, threshold: 0.5, windowHours: options.windowHours };
  const inWindow = used.filter((example) => example.features.gapDays * 24 <= options.windowHours);
  const scored = inWindow.map((example) => ({ score: sameStoryProbability(example.features, model), same: example.same })).sort((a, b) => b.score - a.score);
  // Walk down the scores; keep the lowest cut whose precision stays at the floor.
  let truePositives = 0;
  let threshold = 1;
  scored.forEach((entry, index) => {
    if (entry.same) truePositives += 1;
    const next = scored[index + 1];
    if (next && next.score === entry.score) return;
    if (truePositives / (index + 1) >= options.minPrecision) threshold = entry.score;
  });
  return { ...model, threshold };
}

export interface SameStoryCounts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

export function countDecisions(decisions: readonly { same: boolean; predicted: boolean }[]): SameStoryCounts {
  const counts: SameStoryCounts = { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
  for (const { same, predicted } of decisions) {
    if (same && predicted) counts.truePositives += 1;
    else if (predicted) counts.falsePositives += 1;
    else if (same) counts.falseNegatives += 1;
    else counts.trueNegatives += 1;
  }
  return counts;
}

/** Out-of-fold decisions of the whole detector (link, window, vetoes, model): each pair decided by a model trained without its fold. */
export function crossValidateSameStory(examples: readonly SameStoryExample[], folds: number, options: SameStoryTrainingOptions = DEFAULT_SAME_STORY_TRAINING): boolean[] {
  const assignment = assignFolds(
    examples.map((example) => example.stratum),
    folds,
  );
  const predicted = new Array<boolean>(examples.length).fill(false);
  for (let fold = 0; fold < folds; fold += 1) {
    const model = trainSameStoryModel(
      examples.filter((_, index) => assignment[index] !== fold),
      options,
    );
    examples.forEach((example, index) => {
      if (assignment[index] === fold) predicted[index] = decideSameStory(example.features, model).same;
    });
  }
  return predicted;
}
