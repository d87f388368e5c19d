import { routingEvaluation } from '#core';

import { decisionTargets, decisionWeight, judgeCandidate, type RoutingModelEvaluation } from './routing-model-training.js';
import type { SignalRoute } from './signal-routes.js';

const hiringRoute: SignalRoute = {
  target: 'deepseek-hardware-hiring',
  targetKind: 'indicator',
  targetId: 'i1',
  via: 'both',
  score: 0.9,
  direction: 'supports',
  terms: [],
  cue: null,
  impacts: [{ prediction: 'p1', predictionSlug: 'deepseek-blacklisted-12m', direction: 'supports', strength: 'weak' }],
};

describe('decisionTargets', () => {
  it('labels a rejected item relevant to nothing', () => {
    expect(decisionTargets({ title: 't', summary: null, status: 'rejected', routes: [hiringRoute], impacts: [] })).toEqual({});
  });

  it('labels an accepted item with the indicator whose impacts the evidence kept, not with the prediction they moved', () => {
    expect(decisionTargets({ title: 't', summary: null, status: 'accepted', routes: [hiringRoute], impacts: [{ slug: 'deepseek-blacklisted-12m', direction: 'supports' }] })).toEqual({
      'deepseek-hardware-hiring': 'supports',
    });
  });

  it('turns the indicator\'s direction when the analyst turned its impacts', () => {
    expect(decisionTargets({ title: 't', summary: null, status: 'accepted', routes: [hiringRoute], impacts: [{ slug: 'deepseek-blacklisted-12m', direction: 'contradicts' }] })).toEqual({
      'deepseek-hardware-hiring': 'contradicts',
    });
  });

  it('labels predictions the evidence moved on its own, and those routed to directly', () => {
    const direct: SignalRoute = { ...hiringRoute, target: 'deepseek-blacklisted-12m', targetKind: 'prediction', targetId: 'p1' };
    expect(
      decisionTargets({
        title: 't',
        summary: null,
        status: 'accepted',
        routes: [hiringRoute, direct],
        impacts: [
          { slug: 'deepseek-blacklisted-12m', direction: 'contradicts' },
          { slug: 'china-domain-parity', direction: 'supports' },
        ],
      }),
    ).toEqual({ 'deepseek-hardware-hiring': 'contradicts', 'deepseek-blacklisted-12m': 'contradicts', 'china-domain-parity': 'supports' });
  });
});

describe('decisionWeight', () => {
  it('grows with the decisions, up to 3', () => {
    expect(decisionWeight(0)).toBe(1);
    expect(decisionWeight(200)).toBe(2);
    expect(decisionWeight(10_000)).toBe(3);
  });
});

describe('judgeCandidate', () => {
  const figures = (f1: number): RoutingModelEvaluation['labelled'] => {
    // One target with tp/fp/fn giving about the F1 asked for.
    const truePositives = Math.round(f1 * 100);
    const evaluation = routingEvaluation([], [], () => false, () => 'supports');
    return { ...evaluation, macro: { precision: f1, recall: f1, f1 }, micro: { truePositives, falsePositives: 0, falseNegatives: 0, precision: f1, recall: f1, f1 } };
  };
  const evaluation = (labelled: number, holdout: { f1: number; active: number } | null = null): RoutingModelEvaluation => ({
    crossValidation: figures(labelled),
    labelled: figures(labelled),
    holdout: holdout ? { decisions: 20, micro: figures(holdout.f1).micro, macroF1: holdout.f1, activeMicroF1: holdout.active } : null,
    labelledExamples: 470,
    decisions: 100,
    termSets: 30,
  });

  it('accepts the first version', () => {
    expect(judgeCandidate(evaluation(0.5), null)).toEqual({ accepted: true, reason: 'the first version' });
  });

  it('accepts a candidate no worse than the active version by more than the margin', () => {
    expect(judgeCandidate(evaluation(0.885), { version: 3, evaluation: evaluation(0.89) })).toMatchObject({ accepted: true, reason: expect.stringContaining('no worse than version 3') });
  });

  it('rejects a candidate worse on the labelled examples, saying by how much', () => {
    expect(judgeCandidate(evaluation(0.8), { version: 3, evaluation: evaluation(0.89) })).toEqual({
      accepted: false,
      reason: 'scores worse than the active version 3 (by more than 0.01): macro F1 on the labelled examples 0.800 < 0.890 of version 3',
    });
  });

  it('rejects a candidate worse on the held-out decisions', () => {
    expect(judgeCandidate(evaluation(0.89, { f1: 0.5, active: 0.7 }), { version: 3, evaluation: evaluation(0.89) })).toMatchObject({
      accepted: false,
      reason: expect.stringContaining('micro F1 on 20 held-out decisions 0.500 < 0.700'),
    });
  });
});
