import { buildVocabulary, encodeRows, featureValues, linearScores, selectRows } from './feature-vectors.js';

describe('feature vectors', () => {
  it('counts a feature once (binary) or by 1 + ln(count), normalised over all the item\'s features', () => {
    expect([...featureValues(['a', 'b', 'a'], { counts: 'binary', normalise: false })]).toEqual([['a', 1], ['b', 1]]);
    expect(featureValues(['a', 'a', 'b'], { counts: 'log-tf', normalise: false }).get('a')).toBeCloseTo(1 + Math.LN2);
    const normalised = featureValues(['a', 'b', 'c', 'd'], { counts: 'binary', normalise: true });
    expect(normalised.get('a')).toBeCloseTo(0.5);
  });

  it('builds a sorted vocabulary of features in enough items, whatever their order', () => {
    const items = [['b', 'a', 'a'], ['c', 'a'], ['b']];
    expect(buildVocabulary(items, 1)).toEqual(['a', 'b', 'c']);
    expect(buildVocabulary(items, 2)).toEqual(['a', 'b']);
    expect(buildVocabulary([...items].reverse(), 2)).toEqual(['a', 'b']);
  });

  it('encodes rows over the vocabulary, skips unknown features, selects rows and scores them', () => {
    const rows = encodeRows([['b', 'x'], ['a', 'b']], ['a', 'b'], { counts: 'binary', normalise: false });
    expect(Array.from(rows.offsets)).toEqual([0, 1, 3]);
    expect(Array.from(rows.columns)).toEqual([1, 0, 1]);
    expect(Array.from(linearScores(rows, Float64Array.from([2, 3]), 1))).toEqual([4, 6]);
    expect(Array.from(linearScores(selectRows(rows, [1, 0]), Float64Array.from([2, 3]), 0))).toEqual([5, 3]);
  });
});
