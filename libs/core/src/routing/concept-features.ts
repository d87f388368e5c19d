import { parseTermSetTerm } from '../rule-query.js';
import { stemEnglishWord } from './english-stemmer.js';
import { ENGLISH_STOP_WORDS, englishWords, normaliseText } from './english-words.js';
import { type RoutableText } from './text-features.js';

/**
 * Concepts: the shared term sets (named lists of English and Chinese aliases
 * that rules write as `@name`) as features of the model. An item has the
 * concept `@deepseek` when any term of the set occurs in it, and, with
 * conjunctions, `@deepseek&@hiring` when two concepts occur together; so the
 * model learns "entity + action" once instead of every way of writing each.
 */
export interface ConceptSettings {
  /** The term sets by name, each term a word, prefix* or "phrase" as a rule query writes it (English or Chinese). */
  termSets: Readonly<Record<string, readonly string[]>>;
  /** Add a feature for each pair of concepts that occur together. */
  conjunctions: boolean;
}

/** Marks a concept feature; words never start with it, so a concept never meets a word. */
export const CONCEPT_MARK = '@';
const CONJUNCTION = '&';
const HAN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

interface CompiledTerms {
  /** A single stemmed word: the concepts it stands for. */
  words: Map<string, number[]>;
  /** Prefixes by their first two letters (a shorter prefix under its whole self). */
  prefixes: Map<string, { prefix: string; concept: number }[]>;
  /** Phrases of stemmed words by their first word. */
  phrases: Map<string, { words: string[]; concept: number }[]>;
  /** CJK (or mixed) terms, matched as substrings of the normalised text. */
  substrings: { text: string; concept: number }[];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The words of a term as the model reads text: lower-cased, split as englishWords splits, stop words dropped (PostgreSQL drops them from queries too). */
function termWords(text: string): string[] {
  return englishWords(text).filter((word) => !ENGLISH_STOP_WORDS.has(word));
}

/**
 * The term sets compiled for matching: each term as the database would match
 * it, on the model's own reading of the text. A word matches by its stem (the
 * model's light stemmer: "hires" meets "hiring"), a prefix* any word that
 * starts with it, a "phrase" its words in order, and a term holding Chinese
 * (or Japanese, Korean) characters wherever it occurs in the text.
 */
export class ConceptMatcher {
  private readonly names: string[];
  private readonly terms: CompiledTerms = { words: new Map(), prefixes: new Map(), phrases: new Map(), substrings: [] };

  constructor(termSets: Readonly<Record<string, readonly string[]>>) {
    this.names = Object.keys(termSets).sort();
    this.names.forEach((name, concept) => {
      for (const raw of termSets[name]!) this.compile(raw, concept);
    });
  }

  /** The concepts the item has, as features (`@name`), sorted; with conjunctions, every pair too (`@a&@b`, names in order). */
  features(item: RoutableText, conjunctions: boolean): string[] {
    const found = this.find(`${item.title}\n${item.summary ?? ''}`);
    const names = found.map((concept) => CONCEPT_MARK + this.names[concept]!);
    if (!conjunctions) return names;
    const pairs: string[] = [];
    for (let first = 0; first < names.length; first += 1) {
      for (let second = first + 1; second < names.length; second += 1) pairs.push(names[first]! + CONJUNCTION + names[second]!);
    }
    return [...names, ...pairs];
  }

  /** Indexes of the concepts that occur in the text, ascending (so by name). */
  private find(text: string): number[] {
    const found = new Set<number>();
    const words = englishWords(text);
    const stems: string[] = [];
    for (const word of words) {
      if (!ENGLISH_STOP_WORDS.has(word)) stems.push(stemEnglishWord(word));
      for (const { prefix, concept } of this.terms.prefixes.get(word.slice(0, 2)) ?? []) if (word.startsWith(prefix)) found.add(concept);
      for (const { concept } of this.terms.prefixes.get(word.slice(0, 1)) ?? []) found.add(concept);
    }
    stems.forEach((stem, index) => {
      for (const concept of this.terms.words.get(stem) ?? []) found.add(concept);
      for (const phrase of this.terms.phrases.get(stem) ?? []) {
        if (phrase.words.every((word, offset) => stems[index + offset] === word)) found.add(phrase.concept);
      }
    });
    if (this.terms.substrings.length > 0 && HAN.test(text)) {
      const normalised = normaliseText(text);
      for (const { text: term, concept } of this.terms.substrings) if (!found.has(concept) && normalised.includes(term)) found.add(concept);
    }
    return [...found].sort((a, b) => a - b);
  }

  private compile(raw: string, concept: number): void {
    const term = parseTermSetTerm(raw);
    const written = term.kind === 'term' ? term.word : term.words.join(' ');
    if (HAN.test(written)) {
      this.terms.substrings.push({ text: normaliseText(written).replace(/\s+/gu, ''), concept });
      return;
    }
    const words = termWords(written);
    if (words.length === 0) return;
    if (term.kind === 'term' && term.prefix && words.length === 1) {
      const prefix = words[0]!;
      // A one-letter prefix is keyed by that letter, so every word starting with it is looked at.
      push(this.terms.prefixes, prefix.slice(0, 2), { prefix, concept });
      return;
    }
    const stems = words.map(stemEnglishWord);
    if (stems.length === 1) push(this.terms.words, stems[0]!, concept);
    else push(this.terms.phrases, stems[0]!, { words: stems, concept });
  }
}

/** A concept feature as a reader would write it: the sets, joined by "+". */
export function readableConcept(feature: string): string {
  return feature.split(CONJUNCTION).join(' + ');
}
