import fc from 'fast-check';

import {
  compileRuleQuery,
  formatRuleQuery,
  isPositive,
  legacyTermsToQuery,
  parseRuleQuery,
  positiveWords,
  RuleQuerySyntaxError,
  toTsQuery,
  type RuleQueryNode,
} from './rule-query.js';

const term = (word: string, prefix = false): RuleQueryNode => ({ kind: 'term', word, prefix });

describe('parseRuleQuery', () => {
  it('reads words, prefixes and phrases', () => {
    expect(parseRuleQuery('deepseek')).toEqual(term('deepseek'));
    expect(parseRuleQuery('npu*')).toEqual(term('npu', true));
    expect(parseRuleQuery('"entity  list"')).toEqual({ kind: 'phrase', words: ['entity', 'list'] });
    expect(parseRuleQuery('high-flyer')).toEqual(term('high-flyer'));
    expect(parseRuleQuery("o'brien 910b")).toEqual({ kind: 'and', operands: [term("o'brien"), term('910b')] });
  });

  it('treats juxtaposition as AND and binds OR tighter than AND', () => {
    const expected = { kind: 'and', operands: [{ kind: 'or', operands: [term('deepseek'), { kind: 'phrase', words: ['high-flyer'] }] }, term('sanction', true)] };
    expect(parseRuleQuery('deepseek OR "high-flyer" sanction*')).toEqual(expected);
    expect(parseRuleQuery('deepseek OR "high-flyer" AND sanction*')).toEqual(expected);
    expect(parseRuleQuery('a AND b AND c')).toEqual({ kind: 'and', operands: [term('a'), term('b'), term('c')] });
    expect(parseRuleQuery('a OR b OR c')).toEqual({ kind: 'or', operands: [term('a'), term('b'), term('c')] });
  });

  it('negates words, phrases and groups with - and NOT', () => {
    expect(parseRuleQuery('ascend -wellness')).toEqual({ kind: 'and', operands: [term('ascend'), { kind: 'not', operand: term('wellness') }] });
    expect(parseRuleQuery('ascend NOT wellness')).toEqual(parseRuleQuery('ascend -wellness'));
    expect(parseRuleQuery('chip -"united states"')).toEqual({
      kind: 'and',
      operands: [term('chip'), { kind: 'not', operand: { kind: 'phrase', words: ['united', 'states'] } }],
    });
    expect(parseRuleQuery('chip -(us OR eu)')).toEqual({
      kind: 'and',
      operands: [term('chip'), { kind: 'not', operand: { kind: 'or', operands: [term('us'), term('eu')] } }],
    });
  });

  it('groups with parentheses', () => {
    expect(parseRuleQuery('(a b) OR c')).toEqual({ kind: 'or', operands: [{ kind: 'and', operands: [term('a'), term('b')] }, term('c')] });
    expect(parseRuleQuery('((a))')).toEqual(term('a'));
  });

  it('reads lower-case and/or/not as words', () => {
    expect(parseRuleQuery('rock and roll')).toEqual({ kind: 'and', operands: [term('rock'), term('and'), term('roll')] });
  });

  it.each([
    ['', 'empty query', 1],
    ['   ', 'empty query', 1],
    ['"entity list', 'unclosed quote', 1],
    ['a "  "', 'empty phrase', 3],
    ['(a OR b', 'unclosed (', 1],
    ['a OR b)', 'unmatched )', 7],
    ['a ()', 'empty parentheses', 3],
    ['a OR', 'OR needs something after it', 5],
    ['OR a', 'OR needs something before it', 1],
    ['a AND', 'AND needs something after it', 6],
    ['AND a', 'AND needs something before it', 1],
    ['a (OR b)', 'OR needs something before it', 4],
    ['a -', '- must be followed by what it excludes', 3],
    ['a - b', '- must be followed by what it excludes', 3],
    ['a NOT', 'NOT must be followed by what it excludes', 6],
    ['a*b', '* may only end a word', 2],
    ['"job ad"*', 'a prefix * follows a single word, not a phrase', 9],
    ['chip &&', '"&&" has no letter or digit to search for', 6],
    ['-rumour', 'the query only excludes: say what it should match too', 1],
    ['a OR -b', 'the query only excludes: say what it should match too', 1],
  ])('refuses %j: %s at position %d', (query, reason, position) => {
    const attempt = () => parseRuleQuery(query);
    expect(attempt).toThrow(RuleQuerySyntaxError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ reason, position, message: `${reason} at position ${position}` });
    }
  });

  it('refuses a query longer than the limit', () => {
    expect(() => parseRuleQuery('a '.repeat(2_001))).toThrow(/longer than 4000 characters/);
  });
});

describe('toTsQuery', () => {
  it('emits to_tsquery text with quoted operands, phrases with <->, prefixes with :*', () => {
    expect(compileRuleQuery('deepseek OR "high-flyer" AND (hire OR "job ad") -marketing')).toBe(
      "('deepseek' | 'high-flyer') & ('hire' | ('job' <-> 'ad')) & !'marketing'",
    );
    expect(compileRuleQuery('npu* -(us OR eu)')).toBe("'npu':* & !('us' | 'eu')");
    expect(compileRuleQuery(`o'brien back\\slash`)).toBe("'o''brien' & 'back\\\\slash'");
  });
});

describe('legacyTermsToQuery', () => {
  it('turns all/any/none terms into phrases joined as the old rule matched', () => {
    expect(legacyTermsToQuery({ all: ['export controls'], any: [], none: ['rumour'] })).toBe('"export controls" -"rumour"');
    expect(legacyTermsToQuery({ all: ['deepseek'], any: ['hardware engineer', 'asic'], none: [] })).toBe('"deepseek" ("hardware engineer" OR "asic")');
    expect(legacyTermsToQuery({ all: [], any: ['say "hi"', '--'], none: [] })).toBe('"say hi"');
    expect(parseRuleQuery(legacyTermsToQuery({ all: ['a'], any: ['b c', 'd'], none: ['e'] }))).toBeTruthy();
  });
});

describe('positiveWords', () => {
  it('lists what the query asks for, not what it excludes', () => {
    expect(positiveWords(parseRuleQuery('ascend* (huawei OR "910b") -wellness NOT (prices)'))).toEqual(['ascend*', 'huawei', '910b']);
  });
});

/** Words as people type them: letters, digits and inner punctuation, never an operator. */
const word = fc
  .stringMatching(/^[a-zA-Z0-9\u00e9\u4e2d][a-zA-Z0-9\u00e9\u4e2d'.:&|!\\+-]{0,8}$/)
  .filter((text) => !['AND', 'OR', 'NOT'].includes(text));

const tree: fc.Arbitrary<RuleQueryNode> = fc.letrec<{ node: RuleQueryNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('term' as const), word, prefix: fc.boolean() }),
    fc.record({ kind: fc.constant('phrase' as const), words: fc.array(word, { minLength: 1, maxLength: 4 }) }),
    fc.record({ kind: fc.constant('not' as const), operand: tie('node') }),
    fc.record({ kind: fc.constant('and' as const), operands: fc.array(tie('node'), { minLength: 2, maxLength: 4 }) }),
    fc.record({ kind: fc.constant('or' as const), operands: fc.array(tie('node'), { minLength: 2, maxLength: 4 }) }),
  ),
})).node;

/** Any tree made acceptable: one that only excludes gets something to ask for. */
const positiveTree = tree.map((node): RuleQueryNode => (isPositive(node) ? node : { kind: 'and', operands: [term('anchor'), node] }));

describe('rule queries (properties)', () => {
  it('parses its own canonical text back to the same tree', () => {
    fc.assert(
      fc.property(positiveTree, (node) => {
        expect(parseRuleQuery(formatRuleQuery(node))).toEqual(node);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a syntax error with a position inside the query (or just after it)', () => {
    const alphabet = fc.constantFrom('a', 'b', ' ', '"', '(', ')', '-', '*', 'OR', 'AND', 'NOT', 'é', '\'', '&', '\n');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 20 }).map((parts) => parts.join('')), (text) => {
        try {
          parseRuleQuery(text);
        } catch (error) {
          expect(error).toBeInstanceOf(RuleQuerySyntaxError);
          const { position } = error as RuleQuerySyntaxError;
          expect(position).toBeGreaterThanOrEqual(1);
          expect(position).toBeLessThanOrEqual(text.length + 1);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('emits balanced parentheses and quotes, one operand per word', () => {
    fc.assert(
      fc.property(positiveTree, (node) => {
        const text = toTsQuery(node);
        const outside = text.replace(/'(?:[^']|'')*'/g, 'W');
        expect(outside).not.toContain("'");
        let depth = 0;
        for (const char of outside) {
          depth += char === '(' ? 1 : char === ')' ? -1 : 0;
          expect(depth).toBeGreaterThanOrEqual(0);
        }
        expect(depth).toBe(0);
        expect(outside).toMatch(/^[W:*&|!<>\-() ]+$/);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with a direct evaluation of the tree over a set of words', () => {
    // The compiled text, read back with the operators' own precedence, must mean what the tree means.
    const evaluateTree = (node: RuleQueryNode, words: ReadonlySet<string>): boolean => {
      switch (node.kind) {
        case 'term':
          return words.has(node.word);
        case 'phrase':
          return node.words.every((one) => words.has(one));
        case 'not':
          return !evaluateTree(node.operand, words);
        case 'and':
          return node.operands.every((one) => evaluateTree(one, words));
        case 'or':
          return node.operands.some((one) => evaluateTree(one, words));
      }
    };
    /** A small reader of to_tsquery text: ! binds tightest, then <-> (read as & — enough for sets of words), then &, then |. */
    const evaluateText = (text: string, words: ReadonlySet<string>): boolean => {
      const tokens = text.match(/'(?:[^']|'')*'(?::\*)?|<->|[!&|()]/g) ?? [];
      let index = 0;
      const primary = (): boolean => {
        const token = tokens[index++]!;
        if (token === '!') return !primary();
        if (token === '(') {
          const value = either();
          index += 1; // ')'
          return value;
        }
        return words.has(token.replace(/:\*$/, '').slice(1, -1).replace(/''/g, "'").replace(/\\\\/g, '\\'));
      };
      const both = (): boolean => {
        let value = primary();
        while (tokens[index] === '&' || tokens[index] === '<->') {
          index += 1;
          value = primary() && value;
        }
        return value;
      };
      const either = (): boolean => {
        let value = both();
        while (tokens[index] === '|') {
          index += 1;
          value = both() || value;
        }
        return value;
      };
      return either();
    };
    const vocabulary = ['a1', 'b2', 'c3', 'd4'];
    const small = fc.letrec<{ node: RuleQueryNode }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.record({ kind: fc.constant('term' as const), word: fc.constantFrom(...vocabulary), prefix: fc.constant(false) }),
        fc.record({ kind: fc.constant('not' as const), operand: tie('node') }),
        fc.record({ kind: fc.constant('and' as const), operands: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) }),
        fc.record({ kind: fc.constant('or' as const), operands: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) }),
      ),
    })).node;
    fc.assert(
      fc.property(small, fc.subarray(vocabulary), (node, present) => {
        const words = new Set(present);
        expect(evaluateText(toTsQuery(node), words)).toBe(evaluateTree(node, words));
      }),
      { numRuns: 1_000 },
    );
  });
});
