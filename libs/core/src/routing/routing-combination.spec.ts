import { combineRouting, DEFAULT_ROUTING_COMBINATION, type RoutingCombination } from './routing-combination.js';
import { type TargetRelevance } from './routing-model.js';

function score(target: string, probability: number, relevant: boolean, direction: TargetRelevance['direction'] = 'supports'): TargetRelevance {
  return { target, probability, relevant, confident: probability > 0.9, direction, contradictsProbability: direction === 'contradicts' ? 0.8 : 0.1 };
}

describe('combineRouting', () => {
  it('routes where a rule matched or the model finds the item relevant, rules first', () => {
    const { routes, vetoed } = combineRouting([{ target: 'a', direction: 'supports' }], [score('b', 0.8, true), score('a', 0.6, true), score('c', 0.2, false)]);
    expect(routes.map((route) => [route.target, route.via, route.probability])).toEqual([
      ['a', 'both', 0.6],
      ['b', 'model', 0.8],
    ]);
    expect(vetoed).toEqual([]);
  });

  it('keeps a rule\'s route the model does not find relevant, and one the model does not know', () => {
    const { routes } = combineRouting([{ target: 'a', direction: 'supports' }, { target: 'unknown', direction: 'contradicts' }], [score('a', 0.1, false)]);
    expect(routes).toEqual([
      { target: 'a', via: 'rule', probability: 0.1, direction: 'supports', contradictsProbability: 0.1 },
      { target: 'unknown', via: 'rule', probability: null, direction: 'contradicts', contradictsProbability: null },
    ]);
  });

  it('takes the model\'s direction unless the rule says contradicts, by default', () => {
    const contradicting = combineRouting([{ target: 'a', direction: 'supports' }], [score('a', 0.9, true, 'contradicts')]);
    expect(contradicting.routes[0]!.direction).toBe('contradicts');
    const ruleContradicts = combineRouting([{ target: 'a', direction: 'contradicts' }], [score('a', 0.9, true, 'supports')]);
    expect(ruleContradicts.routes[0]!.direction).toBe('contradicts');
    const ruleDirection: RoutingCombination = { ...DEFAULT_ROUTING_COMBINATION, direction: 'rule' };
    expect(combineRouting([{ target: 'a', direction: 'supports' }], [score('a', 0.9, true, 'contradicts')], ruleDirection).routes[0]!.direction).toBe('supports');
  });

  it('lets the model veto a rule\'s match below a probability, when asked to', () => {
    const veto: RoutingCombination = { ...DEFAULT_ROUTING_COMBINATION, vetoBelow: 0.05 };
    const { routes, vetoed } = combineRouting([{ target: 'a', direction: 'supports' }], [score('a', 0.01, false)], veto);
    expect(routes).toEqual([]);
    expect(vetoed).toEqual([{ target: 'a', probability: 0.01 }]);
  });

  it('routes by the model alone only when confident, when asked to', () => {
    const confident: RoutingCombination = { ...DEFAULT_ROUTING_COMBINATION, modelRoutesWhen: 'confident' };
    expect(combineRouting([], [score('a', 0.8, true), score('b', 0.95, true)], confident).routes.map((route) => route.target)).toEqual(['b']);
  });
});
