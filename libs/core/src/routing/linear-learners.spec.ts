import fc from 'fast-check';

import { buildVocabulary, encodeRows, linearScores } from './feature-vectors.js';
import { type BinaryTrainingSet } from './linear-scorer.js';
import { trainLogisticRegression } from './logistic-regression.js';
import { trainNaiveBayes } from './naive-bayes.js';
import { trainNearestCentroid } from './nearest-centroid.js';

const documents = [['chip', 'design'], ['chip', 'fab'], ['chip', 'design', 'team'], ['football', 'match'], ['weather', 'rain'], ['match', 'rain']];
const labels = Uint8Array.from([1, 1, 1, 0, 0, 0]);
const vocabulary = buildVocabulary(documents, 1);

function dataset(weights: number[], normalise = true): BinaryTrainingSet {
  return { rows: encodeRows(documents, vocabulary, { counts: 'binary', normalise }), labels, itemWeights: Float64Array.from(weights) };
}

const learners = {
  'logistic regression': (data: BinaryTrainingSet) => trainLogisticRegression(data, { l2: 0.01, classBalance: 1, maxIterations: 200 }),
  'multinomial naive Bayes': (data: BinaryTrainingSet) => trainNaiveBayes(data, { variant: 'multinomial', alpha: 0.1 }),
  'complement naive Bayes': (data: BinaryTrainingSet) => trainNaiveBayes(data, { variant: 'complement', alpha: 0.1 }),
  'Bernoulli naive Bayes': (data: BinaryTrainingSet) => trainNaiveBayes(data, { variant: 'bernoulli', alpha: 0.1 }),
  'nearest centroid': (data: BinaryTrainingSet) => trainNearestCentroid(data),
};

describe.each(Object.entries(learners))('%s', (_, train) => {
  const data = dataset([1, 1, 1, 1, 1, 1]);

  it('scores every relevant training item above every other', () => {
    const scorer = train(data);
    const scores = linearScores(data.rows, scorer.weights, scorer.bias);
    expect(Math.min(scores[0]!, scores[1]!, scores[2]!)).toBeGreaterThan(Math.max(scores[3]!, scores[4]!, scores[5]!));
  });

  it('weighs the words of relevant items up and the others down', () => {
    const scorer = train(data);
    expect(scorer.weights[vocabulary.indexOf('chip')]).toBeGreaterThan(0);
    expect(scorer.weights[vocabulary.indexOf('football')]).toBeLessThan(scorer.weights[vocabulary.indexOf('chip')]!);
  });

  it('treats an item of weight 0 as absent', () => {
    const without = (row: number): BinaryTrainingSet => {
      const kept = documents.map((__, index) => index).filter((index) => index !== row);
      return { rows: encodeRows(kept.map((index) => documents[index]!), vocabulary, { counts: 'binary', normalise: true }), labels: Uint8Array.from(kept, (index) => labels[index]!), itemWeights: new Float64Array(kept.length).fill(1) };
    };
    const zeroed = train(dataset([1, 1, 0, 1, 1, 1]));
    const removed = train(without(2));
    expect(zeroed.bias).toBeCloseTo(removed.bias, 6);
    zeroed.weights.forEach((weight, column) => expect(weight).toBeCloseTo(removed.weights[column]!, 6));
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), { minLength: 6, maxLength: 6 }), (weights) => {
        expect(train(dataset(weights))).toEqual(train(dataset(weights)));
      }),
      { numRuns: 20 },
    );
  });
});

describe('logistic regression', () => {
  it('weighs a word more strongly when the items that carry it weigh more', () => {
    const light = trainLogisticRegression(dataset([1, 1, 1, 1, 1, 1]), { l2: 0.01, classBalance: 0, maxIterations: 200 });
    const heavy = trainLogisticRegression(dataset([1, 3, 1, 1, 1, 1]), { l2: 0.01, classBalance: 0, maxIterations: 200 });
    expect(heavy.weights[vocabulary.indexOf('fab')]).toBeGreaterThan(light.weights[vocabulary.indexOf('fab')]!);
  });

  it('balances classes when asked: the rare class gets a higher bias', () => {
    const rare = dataset([1, 0.2, 0.2, 1, 1, 1]);
    const asIs = trainLogisticRegression(rare, { l2: 0.1, classBalance: 0, maxIterations: 200 });
    const balanced = trainLogisticRegression(rare, { l2: 0.1, classBalance: 1, maxIterations: 200 });
    expect(balanced.bias).toBeGreaterThan(asIs.bias);
  });
});
