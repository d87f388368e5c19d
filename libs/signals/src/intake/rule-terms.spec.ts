import { ruleTerms } from './rule-terms.js';

describe('ruleTerms', () => {
  it('lists the words and phrases a query asks for, compiled one by one, leaving out exclusions', () => {
    expect(ruleTerms('(deepseek OR "high-flyer") (hire OR recruit*) -marketing -"job fair"')).toEqual([
      { label: 'deepseek', tsQuery: "'deepseek'" },
      { label: 'high-flyer', tsQuery: "'high-flyer'" },
      { label: 'hire', tsQuery: "'hire'" },
      { label: 'recruit*', tsQuery: "'recruit':*" },
    ]);
  });

  it('keeps a phrase whole and names each term once', () => {
    expect(ruleTerms('"entity list" deepseek "entity list" OR deepseek')).toEqual([
      { label: 'entity list', tsQuery: "('entity' <-> 'list')" },
      { label: 'deepseek', tsQuery: "'deepseek'" },
    ]);
  });

  it('lists a term set as its terms, so a reviewer sees which alias matched', () => {
    expect(ruleTerms('@deepseek (chip* OR 芯片)', new Map([['deepseek', ['deepseek', '深度求索']]]))).toEqual([
      { label: 'deepseek', tsQuery: "'deepseek'" },
      { label: '深度求索', tsQuery: "('深度' <-> '度求' <-> '求索')" },
      { label: 'chip*', tsQuery: "'chip':*" },
      { label: '芯片', tsQuery: "'芯片'" },
    ]);
  });
});
