import { parseRuleQuery, toTsQuery, type RuleQueryNode, type TermSets } from '#core';

/** One word or phrase a query asks for, as written (`npu*`, `entity list`) and compiled for `to_tsquery('english', ...)`. */
export interface RuleTerm {
  label: string;
  tsQuery: string;
}

/**
 * The words and phrases a query asks for (not those it excludes), each
 * compiled on its own: testing each against an item's search vector says
 * which of them the item contains, the "matched terms" a reviewer is shown.
 * A term set counts as its terms (`@deepseek` shows as `深度求索` when that
 * alias matched).
 */
export function ruleTerms(query: string, termSets?: TermSets): RuleTerm[] {
  const terms = new Map<string, RuleTerm>();
  const visit = (node: RuleQueryNode): void => {
    switch (node.kind) {
      case 'term':
        terms.set(node.prefix ? `${node.word}*` : node.word, { label: node.prefix ? `${node.word}*` : node.word, tsQuery: toTsQuery(node) });
        return;
      case 'phrase':
        terms.set(node.words.join(' '), { label: node.words.join(' '), tsQuery: toTsQuery(node) });
        return;
      case 'set':
        node.terms.forEach(visit);
        return;
      case 'not':
        return;
      case 'and':
      case 'or':
        node.operands.forEach(visit);
    }
  };
  visit(parseRuleQuery(query, termSets));
  return [...terms.values()];
}
