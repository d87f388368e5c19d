import type { OutboxEventRecord } from '#events';

import { endpointWants, type WebhookSubscription } from './webhook-filter.js';

const moved = (before: number, after: number, predictionId = 'p1'): OutboxEventRecord => ({
  id: 'e',
  createdAt: new Date(),
  type: 'prediction.confidence_changed',
  predictionId,
  payload: { predictionId, sequence: 2, kind: 'evidence', evidenceId: null, deltaLogOdds: 0, probabilityBefore: before, probabilityAfter: after, actor: 'a' },
});
const all: WebhookSubscription = { events: ['*'], predictionIds: [], minProbabilityChange: null };

describe('which events an endpoint wants', () => {
  it('takes every type for *, or the listed ones', () => {
    expect(endpointWants(all, moved(0.3, 0.4))).toBe(true);
    expect(endpointWants({ ...all, events: ['prediction.resolved'] }, moved(0.3, 0.4))).toBe(false);
    expect(endpointWants({ ...all, events: ['prediction.confidence_changed'] }, moved(0.3, 0.4))).toBe(true);
  });

  it('filters by prediction, letting events about no prediction through', () => {
    expect(endpointWants({ ...all, predictionIds: ['p2'] }, moved(0.3, 0.4, 'p1'))).toBe(false);
    expect(endpointWants({ ...all, predictionIds: ['p1'] }, moved(0.3, 0.4, 'p1'))).toBe(true);
    const disabled = { id: 'e', createdAt: new Date(), type: 'webhook.endpoint_disabled', predictionId: null, payload: { endpointId: 'x', url: 'u', reason: 'r' } } as const;
    expect(endpointWants({ ...all, predictionIds: ['p2'] }, disabled)).toBe(true);
  });

  it('skips confidence changes smaller than the minimum, in either direction', () => {
    const min = { ...all, minProbabilityChange: 0.05 };
    expect(endpointWants(min, moved(0.35, 0.39))).toBe(false);
    expect(endpointWants(min, moved(0.35, 0.4))).toBe(true);
    expect(endpointWants(min, moved(0.52, 0.35))).toBe(true);
  });
});
