/**
 * English (and any other space-separated) words of a text: NFKC-normalised,
 * so full-width "ＡＩ" is "ai"; lower-cased; split on anything that is not a
 * letter or digit, and on CJK characters, which are handled as bigrams
 * instead. A possessive "'s" goes with its apostrophe. Words need a letter:
 * "h20" and "910c" are words, "2026" and "40%" are not.
 */
const WORD = /[\p{L}\p{N}]+/gu;
const CJK_CHARACTERS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const HAS_LETTER = /\p{L}/u;
const POSSESSIVE = /['\u2019]s\b/gu;

/** The text as the tokenisers read it: NFKC, lower case, typographic apostrophes made plain. */
export function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replaceAll('\u2019', "'");
}

export function englishWords(text: string): string[] {
  const plain = normaliseText(text).replace(POSSESSIVE, '').replace(CJK_CHARACTERS, ' ');
  return (plain.match(WORD) ?? []).filter((word) => HAS_LETTER.test(word));
}

/**
 * Words too common to say what an item is about (PostgreSQL's english stop
 * words, less the negations, which the direction model reads separately).
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself ' +
    'they them their theirs themselves what which who whom this that these those am is are was were be been being have has had having ' +
    'do does did doing a an the and but if or because as until while of at by for with about against between into through during ' +
    'before after above below to from up down in out on off over under again further then once here there when where why how all any ' +
    'both each few more most other some such only own same so than too very s t can will just don should now'
  ).split(' '),
);
