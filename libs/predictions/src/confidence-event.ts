import type { EventPayloads } from '#events';

/** The payload of `prediction.confidence_changed`, the same for every cause. */
export function confidenceChangedPayload(entry: {
  predictionId: string;
  sequence: number;
  kind: string;
  evidenceId: string | null;
  deltaLogOdds: number;
  probabilityBefore: number;
  probabilityAfter: number;
  actor: string;
}): EventPayloads['prediction.confidence_changed'] {
  return {
    predictionId: entry.predictionId,
    sequence: entry.sequence,
    kind: entry.kind,
    evidenceId: entry.evidenceId,
    deltaLogOdds: entry.deltaLogOdds,
    probabilityBefore: entry.probabilityBefore,
    probabilityAfter: entry.probabilityAfter,
    actor: entry.actor,
  };
}
