import fc from 'fast-check';

import { isNearSameSummary, SAME_SUMMARY_SIMILARITY, summarySimilarity, textGrams } from './summary-similarity.js';

describe('summarySimilarity', () => {
  it('is 1 for the same text up to case, width and punctuation, and symmetric', () => {
    expect(summarySimilarity('US weighs adding DeepSeek to the Entity List', 'us weighs adding deepseek to the entity list!')).toBe(1);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(summarySimilarity(a, b)).toBe(summarySimilarity(b, a));
        const similarity = summarySimilarity(a, b);
        expect(similarity >= 0 && similarity <= 1).toBe(true);
      }),
    );
  });

  it('groups a syndicated headline and not a related one', () => {
    // One AP story as two sites headlined it (a same-story pair of the labelled set).
    expect(
      summarySimilarity('US blacklists Chinese AI company DeepSeek, citing military ties', 'US blacklists Chinese AI firm DeepSeek over alleged military ties'),
    ).toBeGreaterThanOrEqual(SAME_SUMMARY_SIMILARITY);
    expect(
      summarySimilarity('Huawei Ascend 910C chips deployed at China Mobile data centre', 'Huawei Ascend 910C chips deployed at China Mobile data center'),
    ).toBeGreaterThanOrEqual(SAME_SUMMARY_SIMILARITY);
  });

  it('keeps apart headlines of one template that name different events', () => {
    const mobile = 'Huawei Ascend 910C chips deployed at China Mobile data centre';
    expect(isNearSameSummary(mobile, 'Huawei Ascend 910C chips deployed at China Mobile data center')).toBe(true);
    expect(summarySimilarity(mobile, 'Huawei Ascend 910C chips deployed at China Telecom data centre')).toBeGreaterThanOrEqual(SAME_SUMMARY_SIMILARITY);
    expect(isNearSameSummary(mobile, 'Huawei Ascend 910C chips deployed at China Telecom data centre')).toBe(false);
    expect(isNearSameSummary('Lumicore raises 2.5 billion yuan in Series C', 'Lumicore raises 1.2 billion yuan in Series C')).toBe(false);
  });

  it('reads Chinese by character bigrams', () => {
    expect([...textGrams('华为昇腾')]).toEqual(['华为', '为昇', '昇腾']);
    expect(summarySimilarity('美国将DeepSeek等11家实体列入实体清单', '美国将DeepSeek等11家实体列入实体清单。')).toBe(1);
  });

  it('is 0 for a text with no letters or digits', () => {
    expect(summarySimilarity('…', 'anything')).toBe(0);
  });
});
