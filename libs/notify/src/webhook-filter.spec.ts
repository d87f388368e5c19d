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

  describe('a Slack endpoint: one message per evidence item', () => {
    const slack: WebhookSubscription = { ...all, format: 'slack' };
    const byEvidence = { ...moved(0.35, 0.52), payload: { ...(moved(0.35, 0.52).payload as object), evidenceId: 'ev' } } as OutboxEventRecord;
    const byOverride = { ...moved(0.35, 0.52), payload: { ...(moved(0.35, 0.52).payload as object), kind: 'override' } } as OutboxEventRecord;
    const evidence = (before: number, after: number, predictionId = 'p1'): OutboxEventRecord => ({
      id: 'e2',
      createdAt: new Date(),
      type: 'evidence.recorded',
      predictionId: null,
      payload: {
        evidenceId: 'ev',
        summary: 's',
        sourceUrl: null,
        observedAt: '2026-11-29T00:00:00Z',
        reliability: 0.8,
        actor: 'a',
        impacts: [{ predictionId, slug: predictionId, likelihoodRatio: 10, deltaLogOdds: 1, probabilityBefore: before, probabilityAfter: after }],
      },
    });

    it('takes the evidence, not the confidence changes it caused; other causes keep their own message', () => {
      expect(endpointWants(slack, byEvidence)).toBe(false);
      expect(endpointWants(slack, evidence(0.35, 0.52))).toBe(true);
      expect(endpointWants(slack, byOverride)).toBe(true);
      // A JSON endpoint gets every event as it is.
      expect(endpointWants(all, byEvidence)).toBe(true);
    });

    it('subscribed to confidence changes only, takes the evidence that moved one of its predictions enough', () => {
      const changes = { ...slack, events: ['prediction.confidence_changed'] };
      expect(endpointWants(changes, evidence(0.35, 0.52))).toBe(true);
      expect(endpointWants(changes, evidence(0.35, 0.35))).toBe(false);
      expect(endpointWants({ ...changes, minProbabilityChange: 0.2 }, evidence(0.35, 0.52))).toBe(false);
      expect(endpointWants({ ...changes, predictionIds: ['p2'] }, evidence(0.35, 0.52))).toBe(false);
      expect(endpointWants({ ...slack, events: ['signal.pending_review'] }, evidence(0.35, 0.52))).toBe(false);
    });
  });
});
