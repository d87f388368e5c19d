import type { EventPayloads } from '#events';

type ConfidenceChanged = EventPayloads['prediction.confidence_changed'];

/**
 * The payload of `prediction.confidence_changed`, the same for every cause: the
 * catalogue's fields picked from the entry, so nothing else of it (its hash, its
 * detail) leaks into the event.
 */
export function confidenceChangedPayload(entry: ConfidenceChanged): ConfidenceChanged {
  const { predictionId, sequence, kind, evidenceId, deltaLogOdds, probabilityBefore, probabilityAfter, actor } = entry;
  return { predictionId, sequence, kind, evidenceId, deltaLogOdds, probabilityBefore, probabilityAfter, actor };
}
