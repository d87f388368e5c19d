import { cjkBigrams, cjkRuns } from './cjk-text.js';
import { CONCEPT_MARK, readableConcept } from './concept-features.js';
import { stemEnglishWord } from './english-stemmer.js';
import { ENGLISH_STOP_WORDS, englishWords, normaliseText } from './english-words.js';

/** What an item is routed by: its title and, where the feed gave one, a summary. */
export interface RoutableText {
  title: string;
  summary?: string | null;
}

/** How an item's text becomes features; chosen by cross-validation and stored with the model. */
export interface TextFeatureSettings {
  /** Strip plural, -ed and -ing endings from English words. */
  stem: boolean;
  /** Add each pair of neighbouring English words (after stop words are dropped), as "chip design". */
  wordBigrams: boolean;
  /** Add single CJK characters of longer runs too (a run of one character is always added). */
  cjkUnigrams: boolean;
  /** Add the title's words and bigrams a second time, marked, so words in a headline can weigh more. */
  titleFeatures: boolean;
  /** Add character n-grams of this length from English words, marked (0 for none): they meet unseen inflections and compounds. */
  characterNgrams: number;
}

export const DEFAULT_TEXT_FEATURE_SETTINGS: TextFeatureSettings = {
  stem: true,
  wordBigrams: true,
  cjkUnigrams: false,
  titleFeatures: false,
  characterNgrams: 0,
};

/** Marks a feature that comes from the title alone. */
const TITLE_MARK = 't:';
/** Marks a character n-gram of an English word. */
const NGRAM_MARK = '#';

function englishTerms(text: string, settings: TextFeatureSettings): string[] {
  const words = englishWords(text).filter((word) => !ENGLISH_STOP_WORDS.has(word));
  return settings.stem ? words.map(stemEnglishWord) : words;
}

function phraseFeatures(text: string, settings: TextFeatureSettings): string[] {
  const features: string[] = [];
  // Each sentence-like stretch separately, so a bigram never spans "。" or a full stop.
  for (const clause of normaliseText(text).split(/[.!?;:。！？；：\n]+/u)) {
    const terms = englishTerms(clause, settings);
    features.push(...terms);
    if (settings.wordBigrams) for (let index = 0; index + 1 < terms.length; index += 1) features.push(`${terms[index]} ${terms[index + 1]}`);
    for (const run of cjkRuns(clause)) {
      features.push(...cjkBigrams(run));
      if (settings.cjkUnigrams && [...run].length > 1) features.push(...run);
    }
  }
  return features;
}

function characterNgrams(text: string, length: number): string[] {
  const ngrams: string[] = [];
  for (const word of englishWords(text)) {
    const padded = `<${word}>`;
    for (let index = 0; index + length <= padded.length; index += 1) ngrams.push(NGRAM_MARK + padded.slice(index, index + length));
  }
  return ngrams;
}

/**
 * An item's features with repetitions (a feature used twice appears twice):
 * English words and word bigrams, CJK character bigrams, and the optional
 * marked kinds. Pure and deterministic: the same text and settings give the
 * same list in the same order.
 */
export function textFeatures(item: RoutableText, settings: TextFeatureSettings = DEFAULT_TEXT_FEATURE_SETTINGS): string[] {
  const body = `${item.title}\n${item.summary ?? ''}`;
  const features = phraseFeatures(body, settings);
  if (settings.titleFeatures) features.push(...phraseFeatures(item.title, settings).map((feature) => TITLE_MARK + feature));
  if (settings.characterNgrams > 0) features.push(...characterNgrams(body, settings.characterNgrams));
  return features;
}

/** A feature as a reader would write it: the word, the two words, the characters, or the concepts, without its mark. */
export function readableFeature(feature: string): string {
  if (feature.startsWith(CONCEPT_MARK)) return readableConcept(feature);
  if (feature.startsWith(TITLE_MARK)) return feature.slice(TITLE_MARK.length);
  if (feature.startsWith(NGRAM_MARK)) return feature.slice(NGRAM_MARK.length).replace(/[<>]/g, '');
  return feature;
}
