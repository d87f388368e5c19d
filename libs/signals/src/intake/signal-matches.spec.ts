import { impactsToApply, parseRuleImpacts, parseSignalMatches, ruleCoversSource, type SignalMatch } from './signal-matches.js';

describe('ruleCoversSource', () => {
  it('limits a rule to its sources; a manual item (no source) only meets unrestricted rules', () => {
    expect(ruleCoversSource({ sourceIds: ['source-b'] }, 'source-a')).toBe(false);
    expect(ruleCoversSource({ sourceIds: ['source-a'] }, 'source-a')).toBe(true);
    expect(ruleCoversSource({ sourceIds: ['source-a'] }, null)).toBe(false);
    expect(ruleCoversSource({ sourceIds: [] }, null)).toBe(true);
  });
});

describe('impactsToApply', () => {
  const match = (ruleId: string, impacts: SignalMatch['impacts']): SignalMatch => ({ ruleId, ruleName: ruleId, indicator: null, impacts, autoAccept: false, terms: [] });

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
      { ruleId: 'r', ruleName: 'R', indicator: { id: 'i', slug: 's' }, impacts: [{ prediction: 'p', direction: 'supports', strength: 'weak', predictionSlug: null }], autoAccept: true, terms: [] },
    ]);
    expect(parseSignalMatches([{ ...stored[0], terms: ['ascend', 42, 'huawei'] }])[0]!.terms).toEqual(['ascend', 'huawei']);
  });
});
