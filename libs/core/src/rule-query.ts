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
 *   -a   /   NOT a            not; applies to a word, a phrase or a group
 *   ( ... )                   grouping
 *
 * Operators are upper-case; a lower-case "and", "or" or "not" is a word (and a
 * stop word, ignored). A query must ask for something: one that only excludes
 * (`-rumour`, `a OR -b`) would match nearly every item and is refused.
 */

export type RuleQueryNode =
  | { kind: 'term'; word: string; prefix: boolean }
  | { kind: 'phrase'; words: string[] }
  | { kind: 'not'; operand: RuleQueryNode }
  | { kind: 'and'; operands: RuleQueryNode[] }
  | { kind: 'or'; operands: RuleQueryNode[] };

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

/** Longest query accepted, in characters. */
export const MAX_RULE_QUERY_LENGTH = 4_000;

type Token =
  | { type: 'word'; text: string; prefix: boolean; at: number }
  | { type: 'phrase'; words: string[]; at: number }
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
    } else {
      let end = index;
      while (end < text.length && !SPACE.test(text[end]!) && !'()"'.includes(text[end]!)) end += 1;
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

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
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
    return next !== undefined && ['word', 'phrase', 'not', 'minus', 'open'].includes(next.type);
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
}

function describe(token: Token): string {
  switch (token.type) {
    case 'word':
      return `"${token.text}"`;
    case 'phrase':
      return 'phrase';
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
      return true;
    case 'not':
      return false;
    case 'and':
      return node.operands.some(isPositive);
    case 'or':
      return node.operands.every(isPositive);
  }
}

/** Parses a query; throws RuleQuerySyntaxError naming what is wrong and where. */
export function parseRuleQuery(text: string): RuleQueryNode {
  if (text.length > MAX_RULE_QUERY_LENGTH) throw new RuleQuerySyntaxError(`longer than ${MAX_RULE_QUERY_LENGTH} characters`, MAX_RULE_QUERY_LENGTH + 1);
  const node = new Parser(tokenize(text), text.length).parse();
  if (!isPositive(node)) throw new RuleQuerySyntaxError('the query only excludes: say what it should match too', 1);
  return node;
}

/** A `to_tsquery` operand: quoted, so the database splits and stems it exactly as it does the text searched. */
function operand(word: string): string {
  return `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** The `to_tsquery('english', ...)` text of a parsed query; compound parts are always parenthesised. */
export function toTsQuery(node: RuleQueryNode): string {
  switch (node.kind) {
    case 'term':
      return node.prefix ? `${operand(node.word)}:*` : operand(node.word);
    case 'phrase':
      return node.words.length === 1 ? operand(node.words[0]!) : `(${node.words.map(operand).join(' <-> ')})`;
    case 'not':
      return `!${group(node.operand)}`;
    case 'and':
      return node.operands.map(group).join(' & ');
    case 'or':
      return node.operands.map(group).join(' | ');
  }
}

function group(node: RuleQueryNode): string {
  return node.kind === 'and' || node.kind === 'or' ? `(${toTsQuery(node)})` : toTsQuery(node);
}

/** Parses and compiles in one step. */
export function compileRuleQuery(text: string): string {
  return toTsQuery(parseRuleQuery(text));
}

/** The canonical text of a parsed query: parsing it again gives the same tree. */
export function formatRuleQuery(node: RuleQueryNode): string {
  switch (node.kind) {
    case 'term':
      return node.prefix ? `${node.word}*` : node.word;
    case 'phrase':
      return `"${node.words.join(' ')}"`;
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
