import type { WebhookFormat } from '#db';
import type { OutboxEventRecord } from '#events';

/** What of an endpoint decides which events it receives. */
export interface WebhookSubscription {
  events: readonly string[];
  predictionIds: readonly string[];
  minProbabilityChange: number | null;
  /** Absent: `standard`. */
  format?: WebhookFormat;
}

/**
 * Whether an endpoint wants an event: its type is subscribed (or `*`), it is
 * about one of the endpoint's predictions (when it names any; events about no
 * prediction always pass), and a confidence change moved at least the minimum.
 *
 * A Slack endpoint gets one message per evidence item: a confidence change that
 * evidence caused is told in that evidence's `evidence.recorded` message (every
 * prediction it moved), which it receives when it subscribes to either type.
 * Other causes of a move (an override, a quiet day, a retraction) keep their
 * own message. JSON endpoints receive every event as it is.
 */
export function endpointWants(endpoint: WebhookSubscription, event: OutboxEventRecord): boolean {
  if (event.type === 'webhook.test') return false;
  const subscribes = (type: string): boolean => endpoint.events.includes('*') || endpoint.events.includes(type);
  const slack = endpoint.format === 'slack';
  if (slack && event.type === 'prediction.confidence_changed' && isCausedByEvidence(event.payload)) return false;
  if (slack && event.type === 'evidence.recorded' && !subscribes(event.type)) {
    if (!subscribes('prediction.confidence_changed')) return false;
    // Told instead of its confidence changes: only when one of them is one this endpoint would have received.
    return event.payload.impacts.some(
      (impact) =>
        impact.probabilityBefore !== impact.probabilityAfter &&
        (endpoint.predictionIds.length === 0 || endpoint.predictionIds.includes(impact.predictionId)) &&
        movedEnough(endpoint, impact.probabilityBefore, impact.probabilityAfter),
    );
  }
  if (!subscribes(event.type)) return false;
  if (endpoint.predictionIds.length > 0) {
    const about = event.type === 'evidence.recorded' || event.type === 'evidence.retracted' ? event.payload.impacts.map((impact) => impact.predictionId) : event.predictionId ? [event.predictionId] : [];
    if (about.length > 0 && !about.some((id) => endpoint.predictionIds.includes(id))) return false;
  }
  if (event.type === 'prediction.confidence_changed') return movedEnough(endpoint, event.payload.probabilityBefore, event.payload.probabilityAfter);
  return true;
}

/** A move recorded with evidence (not its retraction, an override or a quiet day). */
function isCausedByEvidence(payload: { kind: string; evidenceId: string | null }): boolean {
  return payload.kind === 'evidence' && payload.evidenceId !== null;
}

function movedEnough(endpoint: WebhookSubscription, before: number, after: number): boolean {
  if (endpoint.minProbabilityChange === null) return true;
  // A hair of tolerance: 0.35 -> 0.40 is a change of 0.05 even in floating point.
  return Math.abs(after - before) + 1e-12 >= endpoint.minProbabilityChange;
}
