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
});
