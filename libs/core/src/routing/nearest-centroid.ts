import { type BinaryTrainingSet, type LinearScorer } from './linear-scorer.js';

/**
 * Nearest centroid (Rocchio): the score is the item's similarity to the
 * target's items minus its similarity to the others, each centroid scaled
 * to unit length. With length-normalised items this is a cosine difference.
 */
export function trainNearestCentroid(data: BinaryTrainingSet): LinearScorer {
  const { rows, labels, itemWeights } = data;
  const centroids = [new Float64Array(rows.columnCount), new Float64Array(rows.columnCount)];
  for (let row = 0; row < rows.rowCount; row += 1) {
    const centroid = centroids[labels[row]!]!;
    for (let entry = rows.offsets[row]!; entry < rows.offsets[row + 1]!; entry += 1) centroid[rows.columns[entry]!]! += itemWeights[row]! * rows.values[entry]!;
  }
  const lengths = centroids.map((centroid) => Math.sqrt(centroid.reduce((sum, value) => sum + value * value, 0)) || 1);
  const weights = new Float64Array(rows.columnCount);
  for (let column = 0; column < rows.columnCount; column += 1) weights[column] = centroids[1]![column]! / lengths[1]! - centroids[0]![column]! / lengths[0]!;
  return { bias: 0, weights };
}
