import { type BinaryTrainingSet, type LinearScorer } from './linear-scorer.js';
import { trainLogisticRegression } from './logistic-regression.js';
import { trainNaiveBayes } from './naive-bayes.js';
import { trainNearestCentroid } from './nearest-centroid.js';

/** The learners compared for relevance; each yields a linear score, so a model stores them alike. */
export type RelevanceMethod =
  | { kind: 'logistic-regression'; l2: number; classBalance: number }
  | { kind: 'naive-bayes'; variant: 'multinomial' | 'complement' | 'bernoulli'; alpha: number }
  | { kind: 'nearest-centroid' };

export function trainRelevanceScorer(method: RelevanceMethod, data: BinaryTrainingSet): LinearScorer {
  switch (method.kind) {
    case 'logistic-regression':
      return trainLogisticRegression(data, { l2: method.l2, classBalance: method.classBalance, maxIterations: 300 });
    case 'naive-bayes':
      return trainNaiveBayes(data, { variant: method.variant, alpha: method.alpha });
    case 'nearest-centroid':
      return trainNearestCentroid(data);
  }
}

/** A method in a few words, for reports. */
export function describeRelevanceMethod(method: RelevanceMethod): string {
  switch (method.kind) {
    case 'logistic-regression':
      return `logistic regression (l2 ${method.l2}, class balance ${method.classBalance})`;
    case 'naive-bayes':
      return `${method.variant} naive Bayes (alpha ${method.alpha})`;
    case 'nearest-centroid':
      return 'nearest centroid';
  }
}
