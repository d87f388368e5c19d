/**
 * The query language of rules and search, compiled to PostgreSQL's
 * `to_tsquery('english', ...)` text so stemming, phrases and prefixes are the
 * database's (`websearch_to_tsquery` has no grouping, hence this parser).
 *
 *   deepseek                  a word, stemmed: also "DeepSeek's"
 *   npu*                      a prefix: npu, npus, ...
 *   "entity list"             a phrase: the words next to each other, in order
 *   a b   /   a AND b         both
 *   a OR b                    either; OR binds tighter than AND, so
 *                             `deepseek OR "high-flyer" sanction*` needs one of the first two and the third
 *   -a   /   NOT a            not; applies to a word, a phrase, a term set or a group
 *   ( ... )                   grouping
 *   @hiring                   a term set: any of the set's terms (each a word, prefix* or "phrase")
 *   芯片补贴                  Chinese (any CJK run): the phrase of its character bigrams, 芯片 <-> 片补 <-> 补贴,
 *                             which is how searchableText() indexes CJK text
 *
 * Operators are upper-case; a lower-case "and", "or" or "not" is a word (and a
 * stop word, ignored). A query must ask for something: one that only excludes
 * (`-rumour`, `a OR -b`) would match nearly every item and is refused.
 */

import { searchableText } from './routing/cjk-text.js';

export type RuleQueryNode =
  | { kind: 'term'; word: string; prefix: boolean }
  | { kind: 'phrase'; words: string[] }
  | { kind: 'not'; operand: RuleQueryNode }
  | { kind: 'and'; operands: RuleQueryNode[] }
  | { kind: 'or'; operands: RuleQueryNode[] }
  | { kind: 'set'; name: string; terms: TermSetTerm[] };

/** One term of a term set: a word, a prefix or a phrase. */
export type TermSetTerm = Extract<RuleQueryNode, { kind: 'term' | 'phrase' }>;

/** Named lists of terms a query refers to as `@name`: each term a word, prefix* or "phrase", as a query writes it. */
export type TermSets = ReadonlyMap<string, readonly string[]>;

const NO_TERM_SETS: TermSets = new Map();

/** A query that does not parse; `position` is 1-based, in characters of the query. */
export class RuleQuerySyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at position ${position}`);
    this.name = 'RuleQuerySyntaxError';
  }
}

/** A query names a term set that does not exist; `position` is where its `@` stands. */
export class UnknownTermSetError extends RuleQuerySyntaxError {
  constructor(
    readonly termSet: string,
    position: number,
  ) {
    super(`unknown term set "@${termSet}"`, position);
    this.name = 'UnknownTermSetError';
  }
}

/** Longest query accepted, in characters. */
export const MAX_RULE_QUERY_LENGTH = 4_000;

/** A term set's name, as `@name` writes it: lower-case letters, digits and underscores. */
export const TERM_SET_NAME_PATTERN = /^[a-z0-9_]{1,64}$/;
/** Most terms one set may hold. */
export const MAX_TERM_SET_TERMS = 500;
/** Longest term, in characters. */
export const MAX_TERM_SET_TERM_LENGTH = 100;

type Token =
  | { type: 'word'; text: string; prefix: boolean; at: number }
  | { type: 'phrase'; words: string[]; at: number }
  | { type: 'set'; name: string; at: number }
  | { type: 'and' | 'or' | 'not' | 'minus' | 'open' | 'close'; at: number };

const SPACE = /\s/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const OPERATORS = { AND: 'and', OR: 'or', NOT: 'not' } as const;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (SPACE.test(char)) {
      index += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ type: char === '(' ? 'open' : 'close', at: index });
      index += 1;
    } else if (char === '"') {
      const end = text.indexOf('"', index + 1);
      if (end < 0) throw new RuleQuerySyntaxError('unclosed quote', index + 1);
      const words = text.slice(index + 1, end).split(/\s+/u).filter((word) => WORD_CHAR.test(word));
      if (words.length === 0) throw new RuleQuerySyntaxError('empty phrase', index + 1);
      if (text[end + 1] === '*') throw new RuleQuerySyntaxError('a prefix * follows a single word, not a phrase', end + 2);
      tokens.push({ type: 'phrase', words, at: index });
      index = end + 1;
    } else if (char === '-') {
      const next = text[index + 1];
      if (next === undefined || SPACE.test(next) || next === ')') throw new RuleQuerySyntaxError('- must be followed by what it excludes', index + 1);
      tokens.push({ type: 'minus', at: index });
      index += 1;
    } else if (char === '@') {
      const end = wordEnd(text, index);
      const name = text.slice(index + 1, end);
      if (name.endsWith('*')) throw new RuleQuerySyntaxError('a term set takes no prefix *', end);
      if (!TERM_SET_NAME_PATTERN.test(name)) throw new RuleQuerySyntaxError('a term set is named by lower-case letters, digits and _ after @', index + 1);
      tokens.push({ type: 'set', name, at: index });
      index = end;
    } else {
      const end = wordEnd(text, index);
      const raw = text.slice(index, end);
      const operator = OPERATORS[raw as keyof typeof OPERATORS];
      if (operator) {
        tokens.push({ type: operator, at: index });
      } else {
        const prefix = raw.endsWith('*');
        const word = prefix ? raw.slice(0, -1) : raw;
        const star = word.indexOf('*');
        if (star >= 0) throw new RuleQuerySyntaxError('* may only end a word', index + star + 1);
        if (!WORD_CHAR.test(word)) throw new RuleQuerySyntaxError(`"${raw}" has no letter or digit to search for`, index + 1);
        tokens.push({ type: 'word', text: word, prefix, at: index });
      }
      index = end;
    }
  }
  return tokens;
}

/** Where a word (or a term set's name) that starts at `index` ends. */
function wordEnd(text: string, index: number): number {
  let end = index;
  while (end < text.length && !SPACE.test(text[end]!) && !'()"'.includes(text[end]!)) end += 1;
  return end;
}

class Parser {
  private index = 0;
  private readonly resolved = new Map<string, TermSetTerm[]>();

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
    private readonly termSets: TermSets,
  ) {}

  parse(): RuleQueryNode {
    if (this.tokens.length === 0) throw new RuleQuerySyntaxError('empty query', 1);
    const node = this.and();
    const rest = this.peek();
    if (rest) throw new RuleQuerySyntaxError(rest.type === 'close' ? 'unmatched )' : `unexpected ${describe(rest)}`, rest.at + 1);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private endPosition(): number {
    return this.length + 1;
  }

  private and(): RuleQueryNode {
    const operands = [this.or()];
    for (;;) {
      const next = this.peek();
      if (!next || next.type === 'close') break;
      if (next.type === 'or') throw new RuleQuerySyntaxError('OR needs something before it', next.at + 1);
      if (next.type === 'and') {
        this.index += 1;
        if (!this.startsOperand()) throw new RuleQuerySyntaxError('AND needs something after it', (this.peek()?.at ?? this.length) + 1);
      }
      operands.push(this.or());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private or(): RuleQueryNode {
    const operands = [this.unary()];
    while (this.peek()?.type === 'or') {
      this.index += 1;
      if (!this.startsOperand()) throw new RuleQuerySyntaxError('OR needs something after it', (this.peek()?.at ?? this.length) + 1);
      operands.push(this.unary());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private startsOperand(): boolean {
    const next = this.peek();
    return next !== undefined && ['word', 'phrase', 'set', 'not', 'minus', 'open'].includes(next.type);
  }

  private unary(): RuleQueryNode {
    const token = this.peek();
    if (!token) throw new RuleQuerySyntaxError('the query ends where a word was expected', this.endPosition());
    if (token.type === 'not' || token.type === 'minus') {
      this.index += 1;
      if (!this.startsOperand()) {
        throw new RuleQuerySyntaxError(`${token.type === 'not' ? 'NOT' : '-'} must be followed by what it excludes`, (this.peek()?.at ?? this.length) + 1);
      }
      return { kind: 'not', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): RuleQueryNode {
    const token = this.peek()!;
    this.index += 1;
    switch (token.type) {
      case 'word':
        return { kind: 'term', word: token.text, prefix: token.prefix };
      case 'phrase':
        return { kind: 'phrase', words: token.words };
      case 'set':
        return { kind: 'set', name: token.name, terms: this.termSet(token.name, token.at + 1) };
      case 'open': {
        if (this.peek()?.type === 'close') throw new RuleQuerySyntaxError('empty parentheses', token.at + 1);
        const inner = this.and();
        const close = this.peek();
        if (close?.type !== 'close') throw new RuleQuerySyntaxError('unclosed (', token.at + 1);
        this.index += 1;
        return inner;
      }
      case 'and':
      case 'or':
        throw new RuleQuerySyntaxError(`${describe(token)} needs something before it`, token.at + 1);
      default:
        throw new RuleQuerySyntaxError(`unexpected ${describe(token)}`, token.at + 1);
    }
  }

  /** The parsed terms of a set, once per query; a set that does not exist, or holds nothing usable, is an error at its `@`. */
  private termSet(name: string, position: number): TermSetTerm[] {
    const known = this.resolved.get(name);
    if (known) return known;
    const terms = this.termSets.get(name);
    if (terms === undefined) throw new UnknownTermSetError(name, position);
    const parsed: TermSetTerm[] = [];
    for (const term of terms) {
      try {
        parsed.push(parseTermSetTerm(term));
      } catch (error) {
        // Stored sets were checked when written; a term that no longer parses is left out rather than breaking every rule.
        if (!(error instanceof RuleQuerySyntaxError)) throw error;
      }
    }
    if (parsed.length === 0) throw new RuleQuerySyntaxError(`term set "@${name}" has no terms`, position);
    this.resolved.set(name, parsed);
    return parsed;
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'word':
      return `"${token.text}"`;
    case 'phrase':
      return 'phrase';
    case 'set':
      return `@${token.name}`;
    case 'and':
      return 'AND';
    case 'or':
      return 'OR';
    case 'not':
      return 'NOT';
    case 'minus':
      return '-';
    case 'open':
      return '(';
    case 'close':
      return ')';
  }
}

/** Whether the query asks for something rather than only excluding: every item it matches has some word of it. */
export function isPositive(node: RuleQueryNode): boolean {
  switch (node.kind) {
    case 'term':
    case 'phrase':
    case 'set':
      return true;
    case 'not':
      return false;
    case 'and':
      return node.operands.some(isPositive);
    case 'or':
      return node.operands.every(isPositive);
  }
}

/**
 * Parses a query, each `@name` resolved in `termSets`; throws RuleQuerySyntaxError
 * naming what is wrong and where (UnknownTermSetError for a set that does not exist).
 */
export function parseRuleQuery(text: string, termSets: TermSets = NO_TERM_SETS): RuleQueryNode {
  if (text.length > MAX_RULE_QUERY_LENGTH) throw new RuleQuerySyntaxError(`longer than ${MAX_RULE_QUERY_LENGTH} characters`, MAX_RULE_QUERY_LENGTH + 1);
  const node = new Parser(tokenize(text), text.length, termSets).parse();
  if (!isPositive(node)) throw new RuleQuerySyntaxError('the query only excludes: say what it should match too', 1);
  return node;
}

/**
 * One term of a term set, written as a query writes it: a word, a prefix* or
 * a "phrase" (English or Chinese). Anything else (two words unquoted, an
 * operator, another set) is a RuleQuerySyntaxError: sets do not nest.
 */
export function parseTermSetTerm(term: string): TermSetTerm {
  const tokens = tokenize(term);
  if (tokens.length === 0) throw new RuleQuerySyntaxError('empty term', 1);
  const [token] = tokens;
  if (tokens.length > 1) {
    const words = tokens.every((one) => one.type === 'word');
    throw new RuleQuerySyntaxError(words ? 'a term is one word, prefix* or "phrase": quote several words as a phrase' : 'a term is one word, prefix* or "phrase"', tokens[1]!.at + 1);
  }
  if (token!.type === 'word') return { kind: 'term', word: token!.text, prefix: token!.prefix };
  if (token!.type === 'phrase') return { kind: 'phrase', words: token!.words };
  if (token!.type === 'set') throw new RuleQuerySyntaxError("a term set's terms are words, prefixes or phrases, not other sets", 1);
  throw new RuleQuerySyntaxError('a term is one word, prefix* or "phrase"', token!.at + 1);
}

/** The term sets a query names, each with the 1-based position of its first `@`; a query that does not tokenize names none. */
export function termSetReferences(text: string): { name: string; position: number }[] {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (error) {
    if (error instanceof RuleQuerySyntaxError) return [];
    throw error;
  }
  const references = new Map<string, number>();
  for (const token of tokens) if (token.type === 'set' && !references.has(token.name)) references.set(token.name, token.at + 1);
  return [...references].map(([name, position]) => ({ name, position }));
}

/** A `to_tsquery` operand: quoted, so the database splits and stems it exactly as it does the text searched. */
function operand(word: string): string {
  return `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The words the database sees for one written word: itself, or for a word with
 * CJK characters the pieces searchableText() makes of it (`芯片补贴` ->
 * 芯片 片补 补贴; `昇腾910B` -> 昇腾 910B).
 */
function searchedWords(word: string): string[] {
  const pieces = searchableText(word).split(/\s+/u).filter((piece) => WORD_CHAR.test(piece));
  return pieces.length === 0 ? [word] : pieces;
}

/** Words next to each other, in order; a prefix applies to the last. */
function adjacent(words: readonly string[], prefix: boolean): string {
  const operands = words.map((word, index) => (prefix && index === words.length - 1 ? `${operand(word)}:*` : operand(word)));
  return operands.length === 1 ? operands[0]! : `(${operands.join(' <-> ')})`;
}

/** The `to_tsquery('english', ...)` text of a parsed query; compound parts are always parenthesised. */
export function toTsQuery(node: RuleQueryNode): string {
  switch (node.kind) {
    case 'term':
      return adjacent(searchedWords(node.word), node.prefix);
    case 'phrase':
      return adjacent(node.words.flatMap(searchedWords), false);
    case 'set':
      return node.terms.length === 1 ? toTsQuery(node.terms[0]!) : node.terms.map(toTsQuery).join(' | ');
    case 'not':
      return `!${group(node.operand)}`;
    case 'and':
      return node.operands.map(group).join(' & ');
    case 'or':
      return node.operands.map(group).join(' | ');
  }
}

function group(node: RuleQueryNode): string {
  return node.kind === 'and' || node.kind === 'or' || (node.kind === 'set' && node.terms.length > 1) ? `(${toTsQuery(node)})` : toTsQuery(node);
}

/** Parses and compiles in one step, each `@name` from `termSets`. */
export function compileRuleQuery(text: string, termSets: TermSets = NO_TERM_SETS): string {
  return toTsQuery(parseRuleQuery(text, termSets));
}

/** The canonical text of a parsed query: parsing it again gives the same tree. */
export function formatRuleQuery(node: RuleQueryNode): string {
  switch (node.kind) {
    case 'term':
      return node.prefix ? `${node.word}*` : node.word;
    case 'phrase':
      return `"${node.words.join(' ')}"`;
    case 'set':
      return `@${node.name}`;
    case 'not':
      return `-${formatGroup(node.operand)}`;
    case 'and':
      return node.operands.map(formatGroup).join(' ');
    case 'or':
      return node.operands.map(formatGroup).join(' OR ');
  }
}

function formatGroup(node: RuleQueryNode): string {
  return node.kind === 'and' || node.kind === 'or' ? `(${formatRuleQuery(node)})` : formatRuleQuery(node);
}

/** The words a query asks for (not those it excludes), as written: what a reviewer is shown as matched terms. */
export function positiveWords(node: RuleQueryNode): string[] {
  switch (node.kind) {
    case 'term':
      return [node.prefix ? `${node.word}*` : node.word];
    case 'phrase':
      return [node.words.join(' ')];
    case 'set':
      return [...new Set(node.terms.flatMap(positiveWords))];
    case 'not':
      return [];
    case 'and':
    case 'or':
      return [...new Set(node.operands.flatMap(positiveWords))];
  }
}

/** The terms rules had before queries: every `all`, at least one `any`, no `none`, each a phrase. */
export interface LegacyRuleTerms {
  all: readonly string[];
  any: readonly string[];
  none: readonly string[];
}

/**
 * The query that says what terms said: each term a phrase (a quote inside a
 * term becomes a space), `any` terms grouped with OR, `none` terms negated.
 * Terms without a letter or digit are dropped (they never matched a word).
 * The migration `20261129300000_rule_queries` does the same in SQL.
 */
export function legacyTermsToQuery(terms: LegacyRuleTerms): string {
  const phrase = (term: string): string | null => {
    const words = term.replace(/"/g, ' ').split(/\s+/u).filter((word) => WORD_CHAR.test(word));
    return words.length === 0 ? null : `"${words.join(' ')}"`;
  };
  const phrases = (list: readonly string[]): string[] => list.map(phrase).filter((text): text is string => text !== null);
  const any = phrases(terms.any);
  return [
    ...phrases(terms.all),
    ...(any.length === 0 ? [] : [any.length === 1 ? any[0]! : `(${any.join(' OR ')})`]),
    ...phrases(terms.none).map((text) => `-${text}`),
  ].join(' ');
}
