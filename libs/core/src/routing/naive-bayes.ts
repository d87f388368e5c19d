import { type BinaryTrainingSet, type LinearScorer } from './linear-scorer.js';

export interface NaiveBayesSettings {
  /**
   * multinomial: feature values as counts; complement: the same with each
   * class's log-probabilities scaled to unit L1 length (Rennie et al. 2003),
   * which keeps a class with long texts from winning by length; bernoulli:
   * presence and absence of each feature.
   */
  variant: 'multinomial' | 'complement' | 'bernoulli';
  /** Additive smoothing. */
  alpha: number;
}

/**
 * Naive Bayes, one target against the rest, written as the linear score it
 * is: the log-odds of relevance is bias + features · weights.
 */
export function trainNaiveBayes(data: BinaryTrainingSet, settings: NaiveBayesSettings): LinearScorer {
  const { rows, labels, itemWeights } = data;
  const dimension = rows.columnCount;
  const mass = [new Float64Array(dimension), new Float64Array(dimension)];
  const itemsOf = [0, 0];
  for (let row = 0; row < rows.rowCount; row += 1) {
    const label = labels[row]!;
    const weight = itemWeights[row]!;
    itemsOf[label]! += weight;
    for (let entry = rows.offsets[row]!; entry < rows.offsets[row + 1]!; entry += 1) {
      const value = settings.variant === 'bernoulli' ? 1 : rows.values[entry]!;
      mass[label]![rows.columns[entry]!]! += weight * value;
    }
  }
  const [negativeItems, positiveItems] = itemsOf as [number, number];
  const prior = positiveItems > 0 && negativeItems > 0 ? Math.log(positiveItems / negativeItems) : 0;
  const weights = new Float64Array(dimension);
  const alpha = settings.alpha;

  if (settings.variant === 'bernoulli') {
    let bias = prior;
    for (let column = 0; column < dimension; column += 1) {
      const present = (mass[1]![column]! + alpha) / (positiveItems + 2 * alpha);
      const presentElsewhere = (mass[0]![column]! + alpha) / (negativeItems + 2 * alpha);
      weights[column] = Math.log(present / (1 - present)) - Math.log(presentElsewhere / (1 - presentElsewhere));
      bias += Math.log((1 - present) / (1 - presentElsewhere));
    }
    return { bias, weights };
  }

  const logProbabilities = mass.map((counts) => {
    let total = 0;
    for (const count of counts) total += count + alpha;
    return counts.map((count) => Math.log((count + alpha) / total));
  }) as [Float64Array, Float64Array];
  if (settings.variant === 'complement') {
    for (const logs of logProbabilities) {
      let length = 0;
      for (const value of logs) length += Math.abs(value);
      if (length > 0) for (let column = 0; column < dimension; column += 1) logs[column]! /= length;
    }
  }
  for (let column = 0; column < dimension; column += 1) weights[column] = logProbabilities[1][column]! - logProbabilities[0][column]!;
  // Complement NB decides by the weights alone; its scaled weights are not log-odds, so a prior would not add to them.
  return { bias: settings.variant === 'complement' ? 0 : prior, weights };
}
