import fc from 'fast-check';

import {
  compileRuleQuery,
  formatRuleQuery,
  isPositive,
  legacyTermsToQuery,
  parseRuleQuery,
  positiveWords,
  parseTermSetTerm,
  RuleQuerySyntaxError,
  termSetReferences,
  toTsQuery,
  UnknownTermSetError,
  type RuleQueryNode,
  type TermSets,
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

describe('Chinese terms', () => {
  it('compiles a CJK run as the phrase of its character bigrams, as searchableText indexes it', () => {
    expect(compileRuleQuery('芯片补贴')).toBe("('芯片' <-> '片补' <-> '补贴')");
    expect(compileRuleQuery('芯片')).toBe("'芯片'");
    expect(compileRuleQuery('深度求索 OR deepseek')).toBe("('深度' <-> '度求' <-> '求索') | 'deepseek'");
  });

  it('keeps a single character a term of its own, which matches only a lone character', () => {
    expect(compileRuleQuery('华')).toBe("'华'");
  });

  it('splits CJK from the letters and digits next to it, and phrases join their words', () => {
    expect(compileRuleQuery('昇腾910B')).toBe("('昇腾' <-> '910B')");
    expect(compileRuleQuery('"美国 商务部" -暂停')).toBe("('美国' <-> '商务' <-> '务部') & !'暂停'");
  });

  it('puts a prefix on the last bigram', () => {
    expect(compileRuleQuery('芯片补*')).toBe("('芯片' <-> '片补':*)");
    expect(compileRuleQuery('芯*')).toBe("'芯':*");
  });
});

describe('term sets', () => {
  const sets: TermSets = new Map([
    ['deepseek', ['deepseek', '"high-flyer"', '深度求索']],
    ['hiring', ['hire', 'recruit*', '"job ad"']],
    ['single', ['ofac']],
  ]);

  it('reads @name as any of the set\'s terms', () => {
    expect(parseRuleQuery('@single', sets)).toEqual({ kind: 'set', name: 'single', terms: [term('ofac')] });
    expect(compileRuleQuery('@deepseek @hiring -marketing', sets)).toBe(
      "('deepseek' | 'high-flyer' | ('深度' <-> '度求' <-> '求索')) & ('hire' | 'recruit':* | ('job' <-> 'ad')) & !'marketing'",
    );
    expect(compileRuleQuery('@single OR bis', sets)).toBe("'ofac' | 'bis'");
    expect(compileRuleQuery('chip* -@hiring', sets)).toBe("'chip':* & !('hire' | 'recruit':* | ('job' <-> 'ad'))");
  });

  it('formats a set back as @name and lists its terms among the positive words', () => {
    const node = parseRuleQuery('(@deepseek OR lab) -@hiring', sets);
    expect(formatRuleQuery(node)).toBe('(@deepseek OR lab) -@hiring');
    expect(positiveWords(node)).toEqual(['deepseek', 'high-flyer', '深度求索', 'lab']);
  });

  it.each([
    ['@deepseek @huawei', 'unknown term set "@huawei"', 11],
    ['chip (@nope OR x)', 'unknown term set "@nope"', 7],
    ['@', 'a term set is named by lower-case letters, digits and _ after @', 1],
    ['a @Upper', 'a term set is named by lower-case letters, digits and _ after @', 3],
    ['@hiring*', 'a term set takes no prefix *', 8],
  ])('refuses %j: %s at position %d', (query, reason, position) => {
    expect(() => compileRuleQuery(query, sets)).toThrow(expect.objectContaining({ reason, position }));
  });

  it('names the unknown set', () => {
    const attempt = () => parseRuleQuery('deepseek @curbs');
    expect(attempt).toThrow(UnknownTermSetError);
    expect(attempt).toThrow(expect.objectContaining({ termSet: 'curbs', position: 10, message: 'unknown term set "@curbs" at position 10' }));
  });

  it('refuses a set without usable terms, at its @', () => {
    expect(() => compileRuleQuery('x @empty', new Map([['empty', []]]))).toThrow(expect.objectContaining({ reason: 'term set "@empty" has no terms', position: 3 }));
  });

  it('lists the sets a query names, without needing them', () => {
    expect(termSetReferences('@deepseek (@curbs OR "@not a set") -@deepseek')).toEqual([
      { name: 'deepseek', position: 1 },
      { name: 'curbs', position: 12 },
    ]);
    expect(termSetReferences('"unclosed @x')).toEqual([]);
  });
});

describe('parseTermSetTerm', () => {
  it('reads a word, a prefix or a phrase, in English or Chinese', () => {
    expect(parseTermSetTerm('deepseek')).toEqual(term('deepseek'));
    expect(parseTermSetTerm(' deploy* ')).toEqual(term('deploy', true));
    expect(parseTermSetTerm('"entity list"')).toEqual({ kind: 'phrase', words: ['entity', 'list'] });
    expect(parseTermSetTerm('实体清单')).toEqual(term('实体清单'));
  });

  it.each([
    ['entity list', 'a term is one word, prefix* or "phrase": quote several words as a phrase', 8],
    ['OR', 'a term is one word, prefix* or "phrase"', 1],
    ['a OR b', 'a term is one word, prefix* or "phrase"', 3],
    ['@hiring', "a term set's terms are words, prefixes or phrases, not other sets", 1],
    ['(chip)', 'a term is one word, prefix* or "phrase"', 2],
    ['  ', 'empty term', 1],
    ['"job ad', 'unclosed quote', 1],
  ])('refuses %j: %s at position %d', (text, reason, position) => {
    expect(() => parseTermSetTerm(text)).toThrow(expect.objectContaining({ reason, position }));
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
        case 'set':
          return node.terms.some((one) => evaluateTree(one, words));
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
