import fc from 'fast-check';

import { englishWords } from './english-words.js';
import { DEFAULT_TEXT_FEATURE_SETTINGS, readableFeature, textFeatures } from './text-features.js';

const settings = DEFAULT_TEXT_FEATURE_SETTINGS;

describe('englishWords', () => {
  it('lower-cases, drops possessives, keeps letters with digits and drops bare numbers', () => {
    expect(englishWords("DeepSeek's H20 order: 40% of 2026's chips, High-Flyer’s ASIC")).toEqual(['deepseek', 'h20', 'order', 'of', 'chips', 'high', 'flyer', 'asic']);
  });

  it('reads full-width letters as ASCII and skips CJK characters', () => {
    expect(englishWords('ＡＩ芯片Nvidia')).toEqual(['ai', 'nvidia']);
  });
});

describe('textFeatures', () => {
  it('gives English stems and bigrams without stop words', () => {
    expect(textFeatures({ title: 'DeepSeek is hiring chip engineers', summary: null }, settings)).toEqual(['deepseek', 'hire', 'chip', 'engineer', 'deepseek hire', 'hire chip', 'chip engineer']);
  });

  it('gives Chinese text as character bigrams', () => {
    expect(textFeatures({ title: '华为昇腾', summary: '芯片' }, settings)).toEqual(['华为', '为昇', '昇腾', '芯片']);
  });

  it('reads mixed text as words and bigrams', () => {
    expect(textFeatures({ title: 'DeepSeek 校招新增“芯片设计”方向' }, settings)).toEqual(['deepseek', '校招', '招新', '新增', '芯片', '片设', '设计', '方向']);
  });

  it('makes no bigram across a sentence end, in English or Chinese', () => {
    const features = textFeatures({ title: 'Chips ship. Fabs wait', summary: '补贴。芯片' }, settings);
    expect(features).not.toContain('ship fab');
    expect(features).not.toContain('贴芯');
    expect(features).toEqual(expect.arrayContaining(['chip ship', 'fab wait', '补贴', '芯片']));
  });

  it('adds CJK unigrams, marked title features and character n-grams only when asked', () => {
    const item = { title: 'Fab 芯片', summary: 'news' };
    expect(textFeatures(item, { ...settings, cjkUnigrams: true })).toEqual(expect.arrayContaining(['芯', '片']));
    expect(textFeatures(item, { ...settings, titleFeatures: true })).toEqual(expect.arrayContaining(['t:fab', 't:芯片']));
    expect(textFeatures(item, { ...settings, characterNgrams: 3 })).toEqual(expect.arrayContaining(['#<fa', '#fab', '#ab>']));
    expect(textFeatures(item, settings).some((feature) => feature.startsWith('t:') || feature.startsWith('#'))).toBe(false);
  });

  it('reads marked features back as words', () => {
    expect(['t:chip design', '#<fa', '芯片', 'chip'].map(readableFeature)).toEqual(['chip design', 'fa', '芯片', 'chip']);
  });

  it('is deterministic and ignores letter case', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (title, summary) => {
        expect(textFeatures({ title, summary }, settings)).toEqual(textFeatures({ title, summary }, settings));
        expect(textFeatures({ title: title.toUpperCase(), summary: summary.toUpperCase() }, settings)).toEqual(textFeatures({ title: title.toLowerCase(), summary: summary.toLowerCase() }, settings));
      }),
    );
  });
});
