import { impactsToApply, parseRuleImpacts, parseSignalMatches, rulesMatching, type RoutableRule, type SignalMatch } from './signal-matches.js';

const rule = (overrides: Partial<RoutableRule>): RoutableRule => ({
  id: 'r1',
  name: 'rule',
  allTerms: [],
  anyTerms: ['ascend'],
  noneTerms: [],
  sourceIds: [],
  autoAccept: false,
  indicator: null,
  impacts: [],
  ...overrides,
});

describe('rulesMatching', () => {
  const item = { sourceId: 'source-a', title: 'Huawei Ascend 910C adopted by a cloud', summary: null };

  it('keeps the rules whose terms match, in the given order', () => {
    const rules = [rule({ id: 'a' }), rule({ id: 'b', anyTerms: ['nvidia'] }), rule({ id: 'c', allTerms: ['huawei', 'cloud'] })];
    expect(rulesMatching(rules, item).map((r) => r.id)).toEqual(['a', 'c']);
  });

  it('limits a rule to its sources; a manual item (no source) only meets unrestricted rules', () => {
    const restricted = rule({ sourceIds: ['source-b'] });
    expect(rulesMatching([restricted], item)).toEqual([]);
    expect(rulesMatching([rule({ sourceIds: ['source-a'] })], item)).toHaveLength(1);
    expect(rulesMatching([rule({ sourceIds: ['source-a'] })], { ...item, sourceId: null })).toEqual([]);
    expect(rulesMatching([rule({})], { ...item, sourceId: null })).toHaveLength(1);
  });

  it('honours none terms', () => {
    expect(rulesMatching([rule({ noneTerms: ['cloud'] })], item)).toEqual([]);
  });
});

describe('impactsToApply', () => {
  const match = (ruleId: string, impacts: SignalMatch['impacts']): SignalMatch => ({ ruleId, ruleName: ruleId, indicator: null, impacts, autoAccept: false });

  it('gives one impact per prediction, the first matched rule winning', () => {
    const impacts = impactsToApply([
      match('a', [{ prediction: 'p1', direction: 'supports', strength: 'weak', predictionSlug: 'one' }]),
      match('b', [
        { prediction: 'p1', direction: 'contradicts', strength: 'strong', predictionSlug: 'one' },
        { prediction: 'p2', direction: 'supports', strength: 'moderate', predictionSlug: null },
      ]),
    ]);
    expect(impacts).toEqual([
      { prediction: 'p1', direction: 'supports', strength: 'weak' },
      { prediction: 'p2', direction: 'supports', strength: 'moderate' },
    ]);
  });

  it('is empty without matches', () => {
    expect(impactsToApply([])).toEqual([]);
  });
});

describe('parsing stored JSON', () => {
  it('keeps only well-formed rule impacts', () => {
    expect(
      parseRuleImpacts([
        { prediction: 'p1', direction: 'supports', strength: 'weak', extra: 1 },
        { prediction: 'p2', direction: 'sideways', strength: 'weak' },
        'nonsense',
        null,
      ]),
    ).toEqual([{ prediction: 'p1', direction: 'supports', strength: 'weak' }]);
    expect(parseRuleImpacts({ not: 'an array' })).toEqual([]);
  });

  it('reads matches back, dropping entries without a rule id', () => {
    const stored = [{ ruleId: 'r', ruleName: 'R', indicator: { id: 'i', slug: 's' }, impacts: [{ prediction: 'p', direction: 'supports', strength: 'weak' }], autoAccept: true }, { junk: true }];
    expect(parseSignalMatches(stored)).toEqual([
      { ruleId: 'r', ruleName: 'R', indicator: { id: 'i', slug: 's' }, impacts: [{ prediction: 'p', direction: 'supports', strength: 'weak', predictionSlug: null }], autoAccept: true },
    ]);
  });
});
