/**
 * Precision and recall of the seed rules over the labelled evaluation set
 * (tests/fixtures/routing-evaluation.ts), on the database's own full-text
 * search: the items' tsvector is built as the SignalItem."searchVector"
 * column is, each rule's query compiled as routing compiles it.
 *
 * `npm run eval:routing` prints the table (on an in-process PGlite, no server
 * needed); tests/routing-evaluation.e2e-spec.ts keeps the figures up.
 */
import { pathToFileURL } from 'node:url';

import { PGlite } from '@electric-sql/pglite';

import { SEED_RULES } from '../apps/api/src/seed/analysis.seed-data.js';
import { compileRuleQuery } from '#core';
import { ROUTING_EVALUATION_SET, type LabelledItem } from '../tests/fixtures/routing-evaluation.js';

export interface TargetScore {
  target: string;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export interface RoutingEvaluation {
  targets: TargetScore[];
  overall: TargetScore;
  /** Items routed wrongly or missed, for whoever tunes the rules. */
  mistakes: { title: string; target: string; kind: 'false positive' | 'false negative' }[];
}

/** Runs one query with positional parameters; a PGlite or pg client both fit. */
export type Query = <T>(text: string, parameters: unknown[]) => Promise<{ rows: T[] }>;

const MATCH_SQL = `
  WITH item AS (
    SELECT i.n, setweight(to_tsvector('english', i.title), 'A') || setweight(to_tsvector('english', coalesce(i.summary, '')), 'B') AS v
    FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS i(title, summary, n)
  ), rule AS MATERIALIZED (
    SELECT r.target, to_tsquery('english', r.q) AS q FROM unnest($3::text[], $4::text[]) AS r(target, q)
  )
  SELECT item.n::int AS n, rule.target FROM item JOIN rule ON item.v @@ rule.q`;

function score(target: string, truePositives: number, falsePositives: number, falseNegatives: number): TargetScore {
  return {
    target,
    truePositives,
    falsePositives,
    falseNegatives,
    precision: truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives),
    recall: truePositives + falseNegatives === 0 ? 1 : truePositives / (truePositives + falseNegatives),
  };
}

export async function evaluateRouting(
  query: Query,
  items: readonly LabelledItem[] = ROUTING_EVALUATION_SET,
  rules: readonly { target: string; query: string }[] = SEED_RULES,
): Promise<RoutingEvaluation> {
  const { rows } = await query<{ n: number; target: string }>(MATCH_SQL, [
    items.map((item) => item.title),
    items.map((item) => item.summary),
    rules.map((rule) => rule.target),
    rules.map((rule) => compileRuleQuery(rule.query)),
  ]);
  const routed = new Set(rows.map((row) => `${row.n - 1}|${row.target}`));
  const targets = [...new Set(rules.map((rule) => rule.target))];
  const mistakes: RoutingEvaluation['mistakes'] = [];
  const scores = targets.map((target) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    items.forEach((item, index) => {
      const expected = item.targets.includes(target);
      const got = routed.has(`${index}|${target}`);
      if (expected && got) tp += 1;
      else if (got) {
        fp += 1;
        mistakes.push({ title: item.title, target, kind: 'false positive' });
      } else if (expected) {
        fn += 1;
        mistakes.push({ title: item.title, target, kind: 'false negative' });
      }
    });
    return score(target, tp, fp, fn);
  });
  const sum = (key: 'truePositives' | 'falsePositives' | 'falseNegatives'): number => scores.reduce((total, one) => total + one[key], 0);
  return { targets: scores, overall: score('overall', sum('truePositives'), sum('falsePositives'), sum('falseNegatives')), mistakes };
}

export function formatEvaluation(evaluation: RoutingEvaluation, itemCount: number): string {
  const pad = (text: string, width: number): string => text.padEnd(width);
  const line = (one: TargetScore): string =>
    `${pad(one.target, 32)} ${one.precision.toFixed(2).padStart(9)} ${one.recall.toFixed(2).padStart(6)} ${String(one.truePositives).padStart(4)} ${String(one.falsePositives).padStart(4)} ${String(one.falseNegatives).padStart(4)}`;
  return [
    `${itemCount} labelled items`,
    `${pad('target', 32)} precision recall   tp   fp   fn`,
    ...evaluation.targets.map(line),
    line(evaluation.overall),
    ...evaluation.mistakes.map((mistake) => `  ${mistake.kind}: [${mistake.target}] ${mistake.title}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const database = await PGlite.create();
  try {
    const evaluation = await evaluateRouting((text, parameters) => database.query(text, parameters));
    process.stdout.write(`${formatEvaluation(evaluation, ROUTING_EVALUATION_SET.length)}\n`);
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
