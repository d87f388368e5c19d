/**
 * How well the seed rules route, on the labelled sets: the DEVELOPMENT part
 * (libs/signals/src/intake/labelled-routing/development-set.ts; rules and term
 * sets are tuned on it) and the TEST part (tests/fixtures/routing/test-set.ts;
 * nobody tunes on it, and its misses are never listed). Items are indexed as
 * SignalItem."searchVector" is written (title weight A, summary weight B, CJK
 * text as character bigrams by searchableText), and every rule is compiled with
 * the seed term sets, as routing compiles it, on the database's own full-text
 * search.
 *
 * Printed for each part: precision and recall per target and overall, for all
 * items and for Chinese-or-mixed items against English ones, and the direction
 * of rule routing (the matched rule's impact direction against the label).
 *
 * `npm run eval:routing` prints both parts (on an in-process PGlite, no server
 * needed), with the routing model's columns (model alone, rules + model);
 * `-- --development-only` leaves the test part alone, for tuning, and
 * `-- --rules-only` leaves the model out.
 * tests/routing-evaluation.e2e-spec.ts keeps the development figures up.
 *
 * Other routers join as columns: `evaluateRoutingParts(query, extraColumns)`
 * takes a function that gets each part's items and the rules' decisions and
 * answers more decisions (a model alone, rules and model merged with
 * `mergeDecisions`), each scored the same way.
 */
import { pathToFileURL } from 'node:url';

import { PGlite } from '@electric-sql/pglite';

import { compileRuleQuery, routingEvaluation, searchableText, type RoutingEvaluation, type TermSets } from '#core';
import { type LabelledDirection as Direction, type LabelledItem, ROUTING_DEVELOPMENT_SET } from '#signals';

import { SEED_RULES, SEED_TERM_SETS } from '../apps/api/src/seed/analysis.seed-data.js';
import { ROUTING_TEST_SET } from '../tests/fixtures/routing/test-set.js';

/** Runs one query with positional parameters; a PGlite or pg client both fit. */
export type Query = <T>(text: string, parameters: unknown[]) => Promise<{ rows: T[] }>;

/** What a router decided, per item (same order as the items): each target routed to, with the direction given. */
export type RoutingDecisions = readonly ReadonlyMap<string, Direction>[];

/** A rule as the evaluation reads it: the target the labels name, its query, and which way it says items bear on the target. */
export interface EvaluatedRule {
  name: string;
  target: string;
  query: string;
  impacts: readonly { prediction: string; direction: Direction }[];
}

/** Direction on the labelled-relevant pairs a router routed (an unrouted pair has no direction to judge). */
export interface RoutedDirection {
  pairs: number;
  correct: number;
  accuracy: number;
  /** Routed pairs labelled 'contradicts', and how many of them the router called so. */
  contradicting: number;
  contradictingFound: number;
  /** Pairs labelled 'contradicts' in all (routed or not). */
  contradictingLabelled: number;
}

export interface RoutingFigures {
  items: number;
  /** Precision and recall per target, micro (every decision pooled) and macro (targets averaged); ignore its `direction`. */
  routing: RoutingEvaluation;
  direction: RoutedDirection;
}

export interface PartFigures {
  all: RoutingFigures;
  chineseOrMixed: RoutingFigures;
  english: RoutingFigures;
}

export interface RoutingColumn {
  name: string;
  decisions: RoutingDecisions;
}

export interface PartEvaluation {
  part: 'development' | 'test';
  items: readonly LabelledItem[];
  columns: (RoutingColumn & { figures: PartFigures })[];
}

/** The targets the seed rules route to, in rule order. */
export const ROUTING_TARGETS: readonly string[] = [...new Set(SEED_RULES.map((rule) => rule.target))];

/** The seed term sets as compilation takes them. */
export function seedTermSets(): TermSets {
  return new Map(SEED_TERM_SETS.map((set) => [set.name, set.terms]));
}

/** Which way a rule says its items bear on its target: the impact on the target itself, else its first impact. */
export function ruleDirection(rule: EvaluatedRule): Direction {
  return (rule.impacts.find((impact) => impact.prediction === rule.target) ?? rule.impacts[0])?.direction ?? 'supports';
}

const MATCH_SQL = `
  WITH item AS (
    SELECT i.n, setweight(to_tsvector('english', i.title), 'A') || setweight(to_tsvector('english', i.summary), 'B') AS v
    FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS i(title, summary, n)
  ), rule AS MATERIALIZED (
    SELECT r.n, to_tsquery('english', r.q) AS q FROM unnest($3::text[]) WITH ORDINALITY AS r(q, n)
  )
  SELECT item.n::int AS item, rule.n::int AS rule FROM item JOIN rule ON item.v @@ rule.q`;

/**
 * The rules' decisions: an item goes to every target a rule of it matches,
 * with the direction of the first matching rule of that target in rule order
 * (accepting an item records the first matched rule's impact per prediction).
 */
export async function ruleDecisions(
  query: Query,
  items: readonly LabelledItem[],
  rules: readonly EvaluatedRule[] = SEED_RULES,
  termSets: TermSets = seedTermSets(),
): Promise<RoutingDecisions> {
  const { rows } = await query<{ item: number; rule: number }>(MATCH_SQL, [
    items.map((item) => searchableText(item.title)),
    items.map((item) => searchableText(item.summary)),
    rules.map((rule) => compileRuleQuery(rule.query, termSets)),
  ]);
  const matched = items.map(() => new Set<number>());
  for (const row of rows) matched[row.item - 1]!.add(row.rule - 1);
  return matched.map((ruleIndexes) => {
    const decided = new Map<string, Direction>();
    [...ruleIndexes].sort((a, b) => a - b).forEach((index) => {
      const rule = rules[index]!;
      if (!decided.has(rule.target)) decided.set(rule.target, ruleDirection(rule));
    });
    return decided;
  });
}

/** Two routers together: an item goes wherever either sends it; where both do, the first one's direction stands. */
export function mergeDecisions(first: RoutingDecisions, second: RoutingDecisions): RoutingDecisions {
  return first.map((decided, index) => new Map([...second[index]!, ...decided]));
}

const isEnglish = (item: LabelledItem): boolean => item.language === 'en';

function figures(items: readonly LabelledItem[], decisions: RoutingDecisions, targets: readonly string[]): RoutingFigures {
  const routing = routingEvaluation(
    items,
    targets,
    (index, target) => decisions[index]!.has(target),
    (index, target) => decisions[index]!.get(target) ?? 'supports',
  );
  const direction: RoutedDirection = { pairs: 0, correct: 0, accuracy: 1, contradicting: 0, contradictingFound: 0, contradictingLabelled: 0 };
  items.forEach((item, index) => {
    for (const target of targets) {
      const expected = item.targets[target];
      if (expected === undefined) continue;
      if (expected === 'contradicts') direction.contradictingLabelled += 1;
      const given = decisions[index]!.get(target);
      if (given === undefined) continue;
      direction.pairs += 1;
      if (given === expected) direction.correct += 1;
      if (expected === 'contradicts') {
        direction.contradicting += 1;
        if (given === 'contradicts') direction.contradictingFound += 1;
      }
    }
  });
  direction.accuracy = direction.pairs === 0 ? 1 : direction.correct / direction.pairs;
  return { items: items.length, routing, direction };
}

/** Figures of one router on one part: all items, Chinese-or-mixed ones and English ones. */
export function scoreDecisions(items: readonly LabelledItem[], decisions: RoutingDecisions, targets: readonly string[] = ROUTING_TARGETS): PartFigures {
  const subset = (keep: (item: LabelledItem) => boolean): RoutingFigures => {
    const indexes = items.flatMap((item, index) => (keep(item) ? [index] : []));
    return figures(
      indexes.map((index) => items[index]!),
      indexes.map((index) => decisions[index]!),
      targets,
    );
  };
  return { all: figures(items, decisions, targets), chineseOrMixed: subset((item) => !isEnglish(item)), english: subset(isEnglish) };
}

/** Items a router routed wrongly or missed, or gave the wrong direction: for whoever tunes on the development part. */
export function routingMistakes(items: readonly LabelledItem[], decisions: RoutingDecisions, targets: readonly string[] = ROUTING_TARGETS): string[] {
  const mistakes: string[] = [];
  for (const target of targets) {
    items.forEach((item, index) => {
      const expected = item.targets[target];
      const given = decisions[index]!.get(target);
      const text = `[${target}] ${item.id} ${item.title}`;
      if (expected !== undefined && given === undefined) mistakes.push(`  missed: ${text}`);
      else if (expected === undefined && given !== undefined) mistakes.push(`  wrongly routed: ${text}`);
      else if (expected !== undefined && given !== expected) mistakes.push(`  wrong direction (${given}, labelled ${expected}): ${text}`);
    });
  }
  return mistakes;
}

/** Something that adds columns to a part: it gets the part's items and the rules' decisions on them. */
export type ExtraColumns = (part: PartEvaluation['part'], items: readonly LabelledItem[], rules: RoutingDecisions) => RoutingColumn[] | Promise<RoutingColumn[]>;

/** The rules alone (and any extra columns) on the development part and, unless left out, the test part. */
export async function evaluateRoutingParts(query: Query, extraColumns?: ExtraColumns, options: { test?: boolean } = {}): Promise<PartEvaluation[]> {
  const parts: [PartEvaluation['part'], readonly LabelledItem[]][] = [['development', ROUTING_DEVELOPMENT_SET]];
  if (options.test !== false) parts.push(['test', ROUTING_TEST_SET]);
  const evaluations: PartEvaluation[] = [];
  for (const [part, items] of parts) {
    const rules = await ruleDecisions(query, items);
    const columns = [{ name: 'rules alone', decisions: rules }, ...((await extraColumns?.(part, items, rules)) ?? [])];
    evaluations.push({ part, items, columns: columns.map((column) => ({ ...column, figures: scoreDecisions(items, column.decisions) })) });
  }
  return evaluations;
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`.padStart(6);

function formatFigures(name: string, figures: RoutingFigures): string[] {
  const { routing, direction } = figures;
  const line = (label: string, one: { precision: number; recall: number; truePositives: number; falsePositives: number; falseNegatives: number }): string =>
    `  ${label.padEnd(34)} ${percent(one.precision)}    ${percent(one.recall)}   ${String(one.truePositives).padStart(4)} ${String(one.falsePositives).padStart(4)} ${String(one.falseNegatives).padStart(4)}`;
  return [
    `${name} (${figures.items} items)`,
    `  ${'target'.padEnd(34)} precision  recall     tp   fp   fn`,
    ...routing.targets.map((target) => line(target.target, target)),
    line('overall (every decision pooled)', routing.micro),
    `  ${'macro (targets averaged)'.padEnd(34)} ${percent(routing.macro.precision)}    ${percent(routing.macro.recall)}`,
    `  direction of routed relevant pairs: ${percent(direction.accuracy)} of ${direction.pairs}; contradicting called so ${direction.contradictingFound}/${direction.contradicting} routed (${direction.contradictingLabelled} labelled)`,
  ];
}

export function formatPartEvaluation(evaluation: PartEvaluation, options: { mistakes?: boolean } = {}): string {
  const lines = [`== ${evaluation.part.toUpperCase()} part: ${evaluation.items.length} labelled items ==`];
  for (const column of evaluation.columns) {
    lines.push(`-- ${column.name} --`);
    lines.push(...formatFigures('all items', column.figures.all));
    lines.push(...formatFigures('Chinese and mixed items', column.figures.chineseOrMixed));
    lines.push(...formatFigures('English items', column.figures.english));
  }
  // The test part's misses are never listed: nobody may tune on them.
  if (options.mistakes && evaluation.part === 'development') lines.push('mistakes of the rules:', ...routingMistakes(evaluation.items, evaluation.columns[0]!.decisions));
  return lines.join('\n');
}

async function main(): Promise<void> {
  const database = await PGlite.create();
  try {
    const query: Query = (text, parameters) => database.query(text, parameters);
    // The learned stage beside the rules (bench/routing-model-columns.ts), unless --rules-only; imported here, so neither module needs the other to load.
    const extraColumns = process.argv.includes('--rules-only') ? undefined : (await import('./routing-model-columns.js')).modelColumns();
    const evaluations = await evaluateRoutingParts(query, extraColumns, { test: !process.argv.includes('--development-only') });
    for (const evaluation of evaluations) process.stdout.write(`${formatPartEvaluation(evaluation, { mistakes: process.argv.includes('--mistakes') })}\n\n`);
  } finally {
    await database.close();
  }
}

// Not a top-level await: main imports a module that imports this one, which must have finished loading.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
