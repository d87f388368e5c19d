/**
 * Platt scaling: a probability from a raw score, P(relevant) = 1 / (1 + e^-(slope * score + intercept)),
 * fitted by Newton's method on out-of-fold scores, with Platt's smoothed targets
 * so a separable set does not drive the slope to infinity. Naive Bayes log-odds
 * and logistic margins then read alike, and a threshold reads as a probability.
 */
export interface ScoreCalibration {
  slope: number;
  intercept: number;
}

export function calibratedProbability(score: number, calibration: ScoreCalibration): number {
  const z = calibration.slope * score + calibration.intercept;
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function fitScoreCalibration(scores: ArrayLike<number>, relevant: ArrayLike<boolean>): ScoreCalibration {
  let positives = 0;
  for (let index = 0; index < relevant.length; index += 1) if (relevant[index]) positives += 1;
  const negatives = scores.length - positives;
  const high = (positives + 1) / (positives + 2);
  const low = 1 / (negatives + 2);
  let slope = 1;
  let intercept = Math.log((positives + 1) / (negatives + 1));
  for (let iteration = 0; iteration < 100; iteration += 1) {
    // Gradient and Hessian of the log loss in (slope, intercept), with a little ridge for stability.
    let gSlope = 1e-6 * slope;
    let gIntercept = 0;
    let hSS = 1e-6;
    let hSI = 0;
    let hII = 1e-12;
    for (let index = 0; index < scores.length; index += 1) {
      const score = scores[index]!;
      const p = calibratedProbability(score, { slope, intercept });
      const residual = p - (relevant[index] ? high : low);
      const curvature = Math.max(p * (1 - p), 1e-12);
      gSlope += residual * score;
      gIntercept += residual;
      hSS += curvature * score * score;
      hSI += curvature * score;
      hII += curvature;
    }
    const determinant = hSS * hII - hSI * hSI;
    if (!(determinant > 0)) break;
    const dSlope = (hII * gSlope - hSI * gIntercept) / determinant;
    const dIntercept = (hSS * gIntercept - hSI * gSlope) / determinant;
    slope -= dSlope;
    intercept -= dIntercept;
    if (Math.abs(dSlope) + Math.abs(dIntercept) < 1e-10) break;
  }
  // A score that does not rise with relevance says nothing: keep its order, and the base rate.
  if (!(slope > 0) || !Number.isFinite(slope) || !Number.isFinite(intercept)) return { slope: 1, intercept: Math.log((positives + 1) / (negatives + 1)) };
  return { slope, intercept };
}
