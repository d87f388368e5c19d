import { type EvidenceDirection } from '../likelihood-ratio.js';
import { type PrecisionRecall, type TargetPrecisionRecall, macroAverage, microAverage, precisionRecall } from './routing-metrics.js';
import { type RoutingModel } from './routing-model.js';
import { type RoutableText } from './text-features.js';

/** Labelled items as evaluation reads them: the targets each bears on, with directions. */
export interface LabelledRouting extends RoutableText {
  targets: Readonly<Record<string, EvidenceDirection>>;
}

export interface DirectionAccuracy {
  /** Item-target pairs labelled relevant, whose direction is judged. */
  pairs: number;
  correct: number;
  accuracy: number;
  /** Of those pairs, the ones labelled 'contradicts', and how many the model called so. */
  contradicting: number;
  contradictingFound: number;
  /** The accuracy of always answering 'supports', to read `accuracy` against. */
  alwaysSupportsAccuracy: number;
}

export interface RoutingEvaluation {
  targets: TargetPrecisionRecall[];
  /** Targets' precision, recall and F1 averaged, each target weighing the same. */
  macro: { precision: number; recall: number; f1: number };
  /** Every routing decision pooled. */
  micro: PrecisionRecall;
  /** Direction on the labelled-relevant pairs, whether or not the item was routed. */
  direction: DirectionAccuracy;
}

/** Figures from routing decisions and directions given for each (item index, target). */
export function routingEvaluation(
  items: readonly LabelledRouting[],
  targets: readonly string[],
  isRouted: (index: number, target: string) => boolean,
  directionOf: (index: number, target: string) => EvidenceDirection,
): RoutingEvaluation {
  const perTarget = targets.map((target) => {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    items.forEach((item, index) => {
      const relevant = item.targets[target] !== undefined;
      const routed = isRouted(index, target);
      if (relevant && routed) truePositives += 1;
      else if (routed) falsePositives += 1;
      else if (relevant) falseNegatives += 1;
    });
    return { target, ...precisionRecall(truePositives, falsePositives, falseNegatives) };
  });
  let pairs = 0;
  let correct = 0;
  let contradicting = 0;
  let contradictingFound = 0;
  items.forEach((item, index) => {
    for (const target of targets) {
      const expected = item.targets[target];
      if (expected === undefined) continue;
      const predicted = directionOf(index, target);
      pairs += 1;
      if (predicted === expected) correct += 1;
      if (expected === 'contradicts') {
        contradicting += 1;
        if (predicted === 'contradicts') contradictingFound += 1;
      }
    }
  });
  return {
    targets: perTarget,
    macro: macroAverage(perTarget),
    micro: microAverage(perTarget),
    direction: {
      pairs,
      correct,
      accuracy: pairs === 0 ? 1 : correct / pairs,
      contradicting,
      contradictingFound,
      alwaysSupportsAccuracy: pairs === 0 ? 1 : (pairs - contradicting) / pairs,
    },
  };
}

/** How a trained model does on labelled items it was not trained on, over the model's targets. */
export function measureRoutingModel(model: RoutingModel, items: readonly LabelledRouting[]): RoutingEvaluation {
  const scored = items.map((item) => new Map(model.score(item).map((relevance) => [relevance.target, relevance])));
  return routingEvaluation(
    items,
    model.targets,
    (index, target) => scored[index]!.get(target)!.relevant,
    (index, target) => scored[index]!.get(target)!.direction,
  );
}
