/**
 * The score above which an item is routed to a target, chosen where the
 * F-beta of the routed items is highest (beta < 1 leans to precision). The
 * threshold sits halfway between the lowest score routed and the next one
 * below, so a slightly different model keeps the same decisions. Among equal
 * F-beta, the higher threshold wins: fewer items routed for the same quality.
 * Infinity when no threshold routes a relevant item.
 */
export function bestThreshold(scores: ArrayLike<number>, relevant: ArrayLike<boolean>, beta = 1): number {
  const order = Array.from({ length: scores.length }, (_, index) => index).sort((a, b) => scores[b]! - scores[a]! || a - b);
  let positives = 0;
  for (let index = 0; index < relevant.length; index += 1) if (relevant[index]) positives += 1;
  if (positives === 0) return Infinity;
  const betaSquared = beta * beta;
  let best = 0;
  let threshold = Infinity;
  let truePositives = 0;
  for (let rank = 0; rank < order.length; rank += 1) {
    if (relevant[order[rank]!]) truePositives += 1;
    const score = scores[order[rank]!]!;
    const next = rank + 1 < order.length ? scores[order[rank + 1]!]! : -Infinity;
    // Only between distinct scores: items that score the same are routed together.
    if (next === score) continue;
    const routed = rank + 1;
    const fBeta = ((1 + betaSquared) * truePositives) / (betaSquared * positives + routed);
    if (fBeta > best) {
      best = fBeta;
      threshold = Number.isFinite(next) ? (score + next) / 2 : score - 1;
    }
  }
  return threshold;
}
