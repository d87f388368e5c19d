export interface RuleTerms {
  all: readonly string[];
  any: readonly string[];
  none: readonly string[];
}

export interface MatchableText {
  title: string;
  summary?: string | null;
}

/**
 * NFKC first so ligatures and full-width forms become plain letters, then
 * lower-case, then NFKC again because lower-casing can emit sequences NFKC
 * would compose. Runs of whitespace (including newlines) become one space so a
 * phrase matches however the feed wrapped it.
 */
function normalise(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase('en').normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

const REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/**
 * A term matches only as whole words: it must not be preceded or followed by
 * a letter, digit or combining mark, so 'ai' does not match inside 'said'
 * and 'ber' does not match inside 'über' (ASCII \b would allow both). Marks
 * are included because in scripts such as Devanagari a vowel sign is part of
 * the word even though it is not a letter.
 */
function termPattern(term: string): RegExp {
  const escaped = term.replace(REGEXP_SYNTAX, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])${escaped}(?![\\p{L}\\p{N}\\p{M}])`, 'u');
}

/** Blank terms are dropped: they have no words to match on either side of. */
function patterns(terms: readonly string[]): RegExp[] {
  return terms.map(normalise).filter((term) => term.length > 0).map(termPattern);
}

export type RuleMatcher = (text: MatchableText) => boolean;

/**
 * Case-insensitive whole-word match of keywords or phrases against a feed
 * item's title and summary, which must already be plain text. Title and
 * summary are searched separately so a phrase cannot straddle the two.
 *
 * `all`: every term present; `any`: at least one present, unless the list is
 * empty; `none`: no term present. A rule whose `all` and `any` are both empty
 * matches nothing: with only exclusions it would route almost every item in
 * the feed, which is never what someone saving a half-filled rule meant.
 *
 * Compiling once per rule and matching many items is what ingestion does: the
 * patterns are the expensive part, so they are built here, not per item.
 */
export function compileRule(terms: RuleTerms): RuleMatcher {
  const all = patterns(terms.all);
  const any = patterns(terms.any);
  const none = patterns(terms.none);
  if (all.length === 0 && any.length === 0) return () => false;
  return (text) => {
    const fields = [text.title, text.summary ?? ''].map(normalise).filter((field) => field.length > 0);
    const present = (pattern: RegExp): boolean => fields.some((field) => pattern.test(field));
    if (!all.every(present)) return false;
    if (any.length > 0 && !any.some(present)) return false;
    return !none.some(present);
  };
}

export function matchesRule(terms: RuleTerms, text: MatchableText): boolean {
  return compileRule(terms)(text);
}
