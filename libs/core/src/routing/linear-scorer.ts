import { type SparseRows } from './feature-vectors.js';

/** What every relevance learner here produces: a score that is bias + features · weights, higher for relevant. */
export interface LinearScorer {
  bias: number;
  /** One weight per vocabulary column. */
  weights: Float64Array;
}

/** One target's training data: one row per item, 1 where the item bears on the target, and each item's weight. */
export interface BinaryTrainingSet {
  rows: SparseRows;
  labels: Uint8Array;
  itemWeights: Float64Array;
}
