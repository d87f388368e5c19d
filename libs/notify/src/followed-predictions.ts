import type { PredictionsService } from '#predictions';

/**
 * The ids of the predictions a subscriber or a webhook endpoint follows, from
 * the ids or slugs it was given, each once (none means every prediction). A
 * reference to no prediction is a not-found error on `predictions[index]`.
 */
export async function followedPredictionIds(predictions: PredictionsService, references: readonly string[]): Promise<string[]> {
  const found = await predictions.lookUp(references, (index) => `predictions[${index}]`);
  return [...new Set(found.map((prediction) => prediction.id))];
}
