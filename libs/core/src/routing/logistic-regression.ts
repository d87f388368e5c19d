import { linearScores } from './feature-vectors.js';
import { type BinaryTrainingSet, type LinearScorer } from './linear-scorer.js';

export interface LogisticRegressionSettings {
  /** Strength of the L2 penalty on the weights (not on the bias), per unit of average item weight. */
  l2: number;
  /** Positives weigh (negatives / positives) to this power: 0 leaves classes as they are, 1 balances them. */
  classBalance: number;
  maxIterations: number;
}

/** ln(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index += 1) sum += a[index]! * b[index]!;
  return sum;
}

/**
 * L2-regularised logistic regression fitted by L-BFGS on the full batch:
 * the same data gives the same weights, to the last bit, on every run. The
 * loss is averaged over the item weights, so `l2` means the same at any size.
 */
export function trainLogisticRegression(data: BinaryTrainingSet, settings: LogisticRegressionSettings): LinearScorer {
  const { rows, labels } = data;
  const dimension = rows.columnCount;
  let positives = 0;
  let negatives = 0;
  for (let row = 0; row < rows.rowCount; row += 1) {
    if (labels[row] === 1) positives += data.itemWeights[row]!;
    else negatives += data.itemWeights[row]!;
  }
  const positiveFactor = positives > 0 && negatives > 0 ? (negatives / positives) ** settings.classBalance : 1;
  const itemWeights = new Float64Array(rows.rowCount);
  let totalWeight = 0;
  for (let row = 0; row < rows.rowCount; row += 1) {
    itemWeights[row] = data.itemWeights[row]! * (labels[row] === 1 ? positiveFactor : 1);
    totalWeight += itemWeights[row]!;
  }
  if (totalWeight === 0) return { bias: 0, weights: new Float64Array(dimension) };

  // Parameters: the weights, then the bias in the last place.
  const size = dimension + 1;
  const margins = new Float64Array(rows.rowCount);
  const evaluate = (parameters: Float64Array, gradient: Float64Array): number => {
    const weights = parameters.subarray(0, dimension);
    const bias = parameters[dimension]!;
    margins.set(linearScores(rows, weights, bias));
    gradient.fill(0);
    let loss = 0;
    let biasGradient = 0;
    for (let row = 0; row < rows.rowCount; row += 1) {
      const weight = itemWeights[row]! / totalWeight;
      if (weight === 0) continue;
      const margin = margins[row]!;
      const positive = labels[row] === 1;
      loss += weight * softplus(positive ? -margin : margin);
      const residual = weight * (sigmoid(margin) - (positive ? 1 : 0));
      biasGradient += residual;
      for (let entry = rows.offsets[row]!; entry < rows.offsets[row + 1]!; entry += 1) gradient[rows.columns[entry]!]! += residual * rows.values[entry]!;
    }
    for (let column = 0; column < dimension; column += 1) {
      loss += 0.5 * settings.l2 * weights[column]! * weights[column]!;
      gradient[column]! += settings.l2 * weights[column]!;
    }
    gradient[dimension] = biasGradient;
    return loss;
  };

  const parameters = new Float64Array(size);
  const gradient = new Float64Array(size);
  let loss = evaluate(parameters, gradient);
  const memory = 8;
  const steps: Float64Array[] = [];
  const gradientChanges: Float64Array[] = [];
  const direction = new Float64Array(size);
  const alphas = new Float64Array(memory);
  const candidate = new Float64Array(size);
  const candidateGradient = new Float64Array(size);

  for (let iteration = 0; iteration < settings.maxIterations; iteration += 1) {
    let largest = 0;
    for (let index = 0; index < size; index += 1) largest = Math.max(largest, Math.abs(gradient[index]!));
    if (largest < 1e-5) break;

    // Two-loop recursion: direction = -H * gradient.
    direction.set(gradient);
    for (let index = steps.length - 1; index >= 0; index -= 1) {
      const alpha = dot(steps[index]!, direction) / dot(gradientChanges[index]!, steps[index]!);
      alphas[index] = alpha;
      const change = gradientChanges[index]!;
      for (let k = 0; k < size; k += 1) direction[k]! -= alpha * change[k]!;
    }
    const scale = steps.length > 0 ? dot(steps.at(-1)!, gradientChanges.at(-1)!) / dot(gradientChanges.at(-1)!, gradientChanges.at(-1)!) : 1 / Math.sqrt(dot(gradient, gradient));
    for (let k = 0; k < size; k += 1) direction[k]! *= scale;
    for (let index = 0; index < steps.length; index += 1) {
      const beta = dot(gradientChanges[index]!, direction) / dot(gradientChanges[index]!, steps[index]!);
      const step = steps[index]!;
      for (let k = 0; k < size; k += 1) direction[k]! += (alphas[index]! - beta) * step[k]!;
    }
    for (let k = 0; k < size; k += 1) direction[k] = -direction[k]!;

    // Backtracking until the loss falls enough (Armijo).
    const slope = dot(gradient, direction);
    if (slope >= 0) break;
    let stepSize = 1;
    let candidateLoss = Infinity;
    for (let attempt = 0; attempt < 30; attempt += 1) {
      for (let k = 0; k < size; k += 1) candidate[k] = parameters[k]! + stepSize * direction[k]!;
      candidateLoss = evaluate(candidate, candidateGradient);
      if (candidateLoss <= loss + 1e-4 * stepSize * slope) break;
      stepSize /= 2;
    }
    if (!(candidateLoss < loss)) break;

    const step = new Float64Array(size);
    const change = new Float64Array(size);
    for (let k = 0; k < size; k += 1) {
      step[k] = candidate[k]! - parameters[k]!;
      change[k] = candidateGradient[k]! - gradient[k]!;
    }
    if (dot(step, change) > 1e-12) {
      steps.push(step);
      gradientChanges.push(change);
      if (steps.length > memory) {
        steps.shift();
        gradientChanges.shift();
      }
    }
    const improvement = loss - candidateLoss;
    parameters.set(candidate);
    gradient.set(candidateGradient);
    loss = candidateLoss;
    if (improvement < 1e-7 * Math.max(1, Math.abs(loss))) break;
  }
  return { bias: parameters[dimension]!, weights: Float64Array.from(parameters.subarray(0, dimension)) };
}
