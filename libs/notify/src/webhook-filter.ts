import type { OutboxEventRecord } from '#events';

/** What of an endpoint decides which events it receives. */
export interface WebhookSubscription {
  events: readonly string[];
  predictionIds: readonly string[];
  minProbabilityChange: number | null;
}

/**
 * Whether an endpoint wants an event: its type is subscribed (or `*`), it is
 * about one of the endpoint's predictions (when it names any; events about no
 * prediction always pass), and a confidence change moved at least the minimum.
 */
export function endpointWants(endpoint: WebhookSubscription, event: OutboxEventRecord): boolean {
  if (event.type === 'webhook.test') return false;
  if (!endpoint.events.includes('*') && !endpoint.events.includes(event.type)) return false;
  if (endpoint.predictionIds.length > 0) {
    const about = event.type === 'evidence.recorded' || event.type === 'evidence.retracted' ? event.payload.impacts.map((impact) => impact.predictionId) : event.predictionId ? [event.predictionId] : [];
    if (about.length > 0 && !about.some((id) => endpoint.predictionIds.includes(id))) return false;
  }
  if (event.type === 'prediction.confidence_changed' && endpoint.minProbabilityChange !== null) {
    const change = Math.abs(event.payload.probabilityAfter - event.payload.probabilityBefore);
    // A hair of tolerance: 0.35 -> 0.40 is a change of 0.05 even in floating point.
    if (change + 1e-12 < endpoint.minProbabilityChange) return false;
  }
  return true;
}
