/**
 * Chinese (and Japanese, Korean) text has no spaces between words, and no
 * dictionary segmenter runs here without a native binary. Overlapping
 * character bigrams stand in for words: a two-character word (华为, 昇腾,
 * 芯片) is always one of them, and a longer one is a phrase of them. The same
 * transformation makes CJK text searchable with PostgreSQL's `english`
 * full-text configuration, which keeps a space-separated bigram as one lexeme.
 */

/** A character of a script written without spaces between words. */
const CJK_CHARACTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

export function isCjkCharacter(character: string): boolean {
  return CJK_CHARACTER.test(character);
}

/**
 * The overlapping character bigrams of one run of CJK characters, in order;
 * a single character stands alone. `芯片补贴` gives `芯片 片补 补贴`.
 * Characters outside the basic plane count as one character, not two halves.
 */
export function cjkBigrams(run: string): string[] {
  const characters = [...run];
  if (characters.length <= 1) return characters;
  const bigrams: string[] = [];
  for (let index = 0; index + 1 < characters.length; index += 1) bigrams.push(characters[index]! + characters[index + 1]!);
  return bigrams;
}

/** The runs of CJK characters in a text, in order. */
export function cjkRuns(text: string): string[] {
  return text.match(CJK_RUN) ?? [];
}

/**
 * The text with every run of CJK characters replaced by its space-separated
 * bigrams, set apart from its neighbours by spaces; everything else is kept
 * as it is. Index this (for example `to_tsvector('english', searchableText(title))`)
 * and compile a Chinese query term as the phrase of its bigrams
 * (`芯片补贴` -> `芯片 <-> 片补 <-> 补贴`) so it matches wherever the term occurs.
 */
export function searchableText(text: string): string {
  return text.replace(CJK_RUN, (run, offset: number, whole: string) => {
    const before = offset > 0 && !/\s/u.test(whole[offset - 1]!) ? ' ' : '';
    const end = offset + run.length;
    const after = end < whole.length && !/\s/u.test(whole[end]!) ? ' ' : '';
    return before + cjkBigrams(run).join(' ') + after;
  });
}
