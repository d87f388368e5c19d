/**
 * A light English suffix stripper: plurals, -ed and -ing, so "chips",
 * "hiring" and "hired" meet "chip" and "hire". It is deliberately milder
 * than Porter's stemmer: the routing model learns from few examples, and
 * words that Porter folds together ("engineer"/"engine", "general"/"generic")
 * are not always the same evidence (Porter's stemmer from npm, tried in its
 * place, scored lower in cross-validation). A plural "s" goes from words of four
 * letters or more ("bans", "gpus"); other endings only from longer words.
 */

/** Words that end as plurals do but are not ("news"), or whose plural is not regular enough to strip ("series"). */
const UNCHANGED = new Set(['news', 'series', 'species', 'always', 'perhaps', 'whereas', 'towards', 'afterwards', 'sometimes', 'overseas']);

const VOWEL = /[aeiouy]/;
/** Doubled final consonants that -ed and -ing double ("stopped", "cutting"), not those a word ends in ("installed"). */
const UNDOUBLE = /([bdgmnprt])\1$/;
/** consonant-vowel-consonant at the end of a short stem: "hir" (hiring) becomes "hire". */
const SHORT_CVC = /^[^aeiouy]*[aeiouy][^aeiouywx]$/;

function restoreAfterSuffix(stem: string): string {
  if (UNDOUBLE.test(stem)) return stem.slice(0, -1);
  if (/(at|bl|iz|us)$/.test(stem)) return `${stem}e`;
  if (SHORT_CVC.test(stem)) return `${stem}e`;
  return stem;
}

export function stemEnglishWord(word: string): string {
  if (word.length <= 3 || UNCHANGED.has(word) || !/^[a-z]+$/.test(word)) return word;
  if (word.length === 4) return word.endsWith('s') && !/(ss|us|is)$/.test(word) ? word.slice(0, -1) : word;
  if (word.endsWith('ies') || word.endsWith('ied')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing')) {
    const stem = word.slice(0, -3);
    return stem.length >= 2 && VOWEL.test(stem) ? restoreAfterSuffix(stem) : word;
  }
  if (word.endsWith('ed') && !word.endsWith('eed')) {
    const stem = word.slice(0, -2);
    return stem.length >= 2 && VOWEL.test(stem) ? restoreAfterSuffix(stem) : word;
  }
  if (word.endsWith('es') && /(ch|sh|x|ss|zz)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}
