/** How well routing did for one target, or pooled over targets. */
export interface PrecisionRecall {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** 1 when nothing was routed: no item was routed wrongly. */
  precision: number;
  /** 1 when nothing should have been routed. */
  recall: number;
  f1: number;
}

export interface TargetPrecisionRecall extends PrecisionRecall {
  target: string;
}

export function precisionRecall(truePositives: number, falsePositives: number, falseNegatives: number): PrecisionRecall {
  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  const recall = truePositives + falseNegatives === 0 ? 1 : truePositives / (truePositives + falseNegatives);
  const f1 = truePositives === 0 ? (falsePositives + falseNegatives === 0 ? 1 : 0) : (2 * precision * recall) / (precision + recall);
  return { truePositives, falsePositives, falseNegatives, precision, recall, f1 };
}

/** Targets' counts added up, then scored: each routing decision weighs the same. */
export function microAverage(targets: readonly PrecisionRecall[]): PrecisionRecall {
  const sum = (key: 'truePositives' | 'falsePositives' | 'falseNegatives'): number => targets.reduce((total, target) => total + target[key], 0);
  return precisionRecall(sum('truePositives'), sum('falsePositives'), sum('falseNegatives'));
}

/** Targets' scores averaged: each target weighs the same, however many items it has. */
export function macroAverage(targets: readonly PrecisionRecall[]): { precision: number; recall: number; f1: number } {
  const mean = (key: 'precision' | 'recall' | 'f1'): number => (targets.length === 0 ? 0 : targets.reduce((total, target) => total + target[key], 0) / targets.length);
  return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') };
}
