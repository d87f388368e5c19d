/**
 * The learned stage beside the rules, measured as the rules are
 * (bench/routing-evaluation.ts): "model alone" and "rules + model" columns.
 *
 * On the development part every figure is out of fold: 5-fold
 * cross-validation, each fold's items scored by a model trained (with the
 * seed term sets as concepts) on the other four. How rules and the model are
 * put together (veto, the model's threshold, whose direction) is chosen here,
 * on those out-of-fold figures alone. On the test part the model is trained
 * once on the whole development part and the chosen combination scored once.
 *
 * The seed rules were tuned on the development part, so there they are
 * in-sample (macro F1 0.98) and any combination seems to gain nothing from the
 * model: a choice made there would favour the rules. The combination is
 * therefore chosen where the rules are out of sample too: the rules of the
 * previous seed (written with items d001-d202 only, before items d203-d470
 * existed; kept below as they were) on items d203-d470, the model out of fold.
 *
 * `npm run build && node dist/bench/routing-model-columns.js` prints the
 * comparison of combinations (development part only).
 */
import { pathToFileURL } from 'node:url';

import { PGlite } from '@electric-sql/pglite';

import {
  DEFAULT_ROUTING_COMBINATION,
  type RoutingCombination,
  type RoutingModel,
  type RoutingTrainingOptions,
  type TargetRelevance,
  assignFolds,
  combineRouting,
  trainRoutingModel,
  trainingOptionsWithConcepts,
} from '#core';
import { type LabelledItem, ROUTING_DEVELOPMENT_SET } from '#signals';

import { seedConceptSets } from './routing-model-evaluation.js';
import { type EvaluatedRule, type ExtraColumns, type Query, type RoutingColumn, type RoutingDecisions, ROUTING_TARGETS, ruleDecisions, scoreDecisions, seedTermSets } from './routing-evaluation.js';

/**
 * The seed rules as they were before term sets (commit 677497f), written with
 * development items d001-d202 only: out of sample on items d203 onwards.
 */
export const EARLIER_SEED_RULES: readonly EvaluatedRule[] = [
  {
    name: 'DeepSeek hardware hiring',
    target: 'deepseek-hardware-hiring',
    query:
      '(deepseek OR "high-flyer" OR "liang wenfeng") ' +
      '(hire OR recruit* OR "job ad" OR "job ads" OR "job posting" OR "job postings" OR "job listing" OR "job listings" OR vacanc* OR headhunt* OR poach* OR talent) ' +
      '(chip* OR asic* OR fpga* OR silicon OR semiconductor* OR hardware OR accelerator* OR "circuit design" OR verilog OR npu* OR gpu*) ' +
      '-marketing -"hiring freeze"',
    impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports' }],
  },
  {
    name: 'Huawei Ascend adoption',
    target: 'huawei-ascend-adoption',
    query:
      '((ascend* (huawei OR hisilicon OR 910b OR 910c OR 920 OR npu* OR chip* OR processor* OR cluster* OR accelerator* OR mindspore OR cann)) ' +
      'OR cloudmatrix OR "atlas 900" OR "atlas 800" OR ((huawei OR hisilicon) (npu* OR "ai chip" OR "ai processor" OR "ai accelerator" OR "ai chips" OR "ai processors" OR "ai accelerators"))) ' +
      '-wellness -"ascend pharma" -"ascendis"',
    impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'supports' }],
  },
  {
    name: 'Chinese AI chip subsidies',
    target: 'china-ai-chip-subsidies',
    query:
      '(subsid* OR "big fund" OR voucher* OR "tax break" OR "tax breaks" OR "tax credit" OR "tax credits" OR "tax incentive" OR "tax incentives" OR "state fund" OR "government fund" OR "guidance fund" OR "investment fund") ' +
      '(chip* OR semiconductor* OR "computing power" OR gpu* OR npu* OR processor* OR accelerator*) ' +
      '(china OR chinese OR beijing OR shanghai OR shenzhen OR guangdong OR hangzhou OR provinc* OR miit OR ndrc OR "state council" OR domest* OR "big fund" OR "national ic") ' +
      '-("chips act" OR intel OR "united states" OR washington OR european OR "european union" OR japan OR "south korea" OR india OR taiwan OR tsmc OR micron)',
    impacts: [{ prediction: 'china-alt-compute-acceleration', direction: 'supports' }],
  },
  {
    name: 'DeepSeek blacklisting and sanctions',
    target: 'deepseek-blacklisted-12m',
    query:
      '(deepseek OR "high-flyer" OR "liang wenfeng") ' +
      '("entity list" OR blacklist* OR sanction* OR "export control" OR "export controls" OR "export curbs" OR "export restrictions" OR ban OR bans OR banned OR banning OR bis OR "commerce department" OR "military end-user" OR ofac OR "treasury department")',
    impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports' }],
  },
  {
    name: 'Chinese funding of alternative AI compute',
    target: 'china-alt-compute-acceleration',
    query:
      '(optical OR photonic* OR analog OR analogue OR neuromorphic OR "brain-inspired" OR "risc-v" OR memristor* OR "in-memory" OR "compute-in-memory" OR "light-based" OR "non-gpu") ' +
      '(comput* OR chip* OR processor* OR accelerator* OR ai) ' +
      '(fund* OR invest* OR subsid* OR grant* OR financ* OR backing OR backs OR back OR programme* OR program* OR "big fund" OR billion* OR million* OR rais*) ' +
      '(china OR chinese OR beijing OR shanghai OR shenzhen OR hangzhou OR wuhan OR tsinghua OR "chinese academy" OR provinc* OR "state council" OR miit OR most)',
    impacts: [{ prediction: 'china-alt-compute-acceleration', direction: 'supports' }],
  },
  {
    name: 'Chinese frontier AI on domestic stacks',
    target: 'us-china-ai-bifurcation',
    query:
      '((train* OR serv* OR inferenc* OR run OR runs OR deploy* OR port*) ' +
      '(model* OR llm* OR qwen OR deepseek OR ernie OR glm OR kimi OR hunyuan OR doubao OR minimax) ' +
      '(ascend* OR cambricon OR kunlun OR mindspore OR paddlepaddle OR homegrown OR "home-grown" OR ((domest* OR local OR chinese OR indigenous) (chip* OR accelerator* OR processor* OR hardware OR silicon)))) ' +
      'OR ((ban* OR bar* OR prohibit* OR halt* OR stop* OR forbid* OR discourag*) (nvidia OR h20 OR h200 OR "rtx pro") (purchas* OR buy* OR order* OR procure*) (china OR chinese OR beijing OR regulator* OR cac OR miit OR ndrc))',
    impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'supports' }],
  },
  {
    name: 'Chinese AI in manufacturing, logistics and government',
    target: 'china-domain-parity',
    query:
      '(benchmark* OR survey* OR study OR studies OR index OR ranking* OR ranked OR ranks OR evaluat* OR assessment* OR report OR leaderboard* OR audit*) ' +
      '(manufactur* OR factory OR factories OR logistic* OR "supply chain" OR port OR ports OR warehous* OR shipping OR "government services" OR "public services" OR "e-government" OR "city services" OR industrial) ' +
      '(ai OR "artificial intelligence" OR model* OR llm* OR robot* OR automat*) ' +
      '(china OR chinese OR beijing OR shanghai OR shenzhen OR hangzhou OR guangdong)',
    impacts: [{ prediction: 'china-domain-parity', direction: 'supports' }],
  },
];

/** The development items the earlier seed rules never saw. */
export const isUnseenByEarlierRules = (item: LabelledItem): boolean => Number(item.id.slice(1)) >= 203;

/** What routing trains: the library's defaults with the seed term sets as concepts. */
export function seedTrainingOptions(): RoutingTrainingOptions {
  return trainingOptionsWithConcepts(seedConceptSets());
}

/** Each item's scores for every target, from a model that never saw it (k-fold, stratified as training stratifies). */
export function outOfFoldScores(items: readonly LabelledItem[], options: RoutingTrainingOptions = seedTrainingOptions(), folds = 5): Map<string, TargetRelevance>[] {
  const strata = items.map((item) =>
    Object.keys(item.targets)
      .sort()
      .map((target) => `${target}:${item.targets[target]}`)
      .join(','),
  );
  const fold = assignFolds(strata, folds);
  const scores: Map<string, TargetRelevance>[] = items.map(() => new Map());
  for (let k = 0; k < folds; k += 1) {
    const { model } = trainRoutingModel(
      items.filter((_, index) => fold[index] !== k),
      { ...options, targets: ROUTING_TARGETS },
    );
    items.forEach((item, index) => {
      if (fold[index] === k) scores[index] = new Map(model.score(item).map((score) => [score.target, score]));
    });
  }
  return scores;
}

export function modelScores(model: RoutingModel, items: readonly LabelledItem[]): Map<string, TargetRelevance>[] {
  return items.map((item) => new Map(model.score(item).map((score) => [score.target, score])));
}

/** The model alone: every target it finds relevant, with its direction. */
export function modelDecisions(scores: readonly ReadonlyMap<string, TargetRelevance>[], when: RoutingCombination['modelRoutesWhen'] = 'relevant'): RoutingDecisions {
  return scores.map((byTarget) => new Map([...byTarget.values()].filter((score) => (when === 'confident' ? score.confident : score.relevant)).map((score) => [score.target, score.direction])));
}

/** Rules and model put together as routing puts them together. */
export function combinedDecisions(rules: RoutingDecisions, scores: readonly ReadonlyMap<string, TargetRelevance>[], combination: RoutingCombination): RoutingDecisions {
  return rules.map((decided, index) => {
    const { routes } = combineRouting(
      [...decided].map(([target, direction]) => ({ target, direction })),
      [...scores[index]!.values()],
      combination,
    );
    return new Map(routes.map((route) => [route.target, route.direction]));
  });
}

/** The combinations compared, the library's default among them. */
export function combinationCandidates(): { name: string; combination: RoutingCombination }[] {
  const candidates: { name: string; combination: RoutingCombination }[] = [];
  for (const direction of ['rule', 'model-unless-rule-contradicts'] as const) {
    for (const modelRoutesWhen of ['relevant', 'confident'] as const) {
      for (const vetoBelow of [null, 0.01, 0.02, 0.05, 0.1, 0.2]) {
        candidates.push({
          name: `model ${modelRoutesWhen}, veto ${vetoBelow === null ? 'never' : `below ${vetoBelow}`}, direction ${direction}`,
          combination: { vetoBelow, modelRoutesWhen, direction },
        });
      }
    }
  }
  return candidates;
}

export interface CombinationResult {
  name: string;
  combination: RoutingCombination;
  macroF1: number;
  microF1: number;
  precision: number;
  recall: number;
  /** Direction on the routed relevant pairs. */
  direction: number;
}

/** Every candidate on the development part, out of fold; the choice is the best macro F1, then the best direction among those within 0.001 of it. */
export function compareCombinations(items: readonly LabelledItem[], rules: RoutingDecisions, scores: readonly ReadonlyMap<string, TargetRelevance>[]): { results: CombinationResult[]; chosen: CombinationResult } {
  const results = combinationCandidates().map(({ name, combination }) => {
    const { all } = scoreDecisions(items, combinedDecisions(rules, scores, combination));
    return { name, combination, macroF1: all.routing.macro.f1, microF1: all.routing.micro.f1, precision: all.routing.micro.precision, recall: all.routing.micro.recall, direction: all.direction.accuracy };
  });
  const bestF1 = Math.max(...results.map((result) => result.macroF1));
  const chosen = results.filter((result) => result.macroF1 >= bestF1 - 0.001).reduce((winner, result) => (result.direction > winner.direction + 1e-12 ? result : winner));
  return { results, chosen };
}

/**
 * The columns for bench/routing-evaluation.ts: on the development part out
 * of fold, on the test part from one model trained on the whole development
 * part; the combination is the library's default.
 */
export function modelColumns(options: RoutingTrainingOptions = seedTrainingOptions()): ExtraColumns {
  let trained: RoutingModel | null = null;
  return (part, items, rules): RoutingColumn[] => {
    let scores: Map<string, TargetRelevance>[];
    if (part === 'development') {
      scores = outOfFoldScores(items, options);
    } else {
      trained ??= trainRoutingModel(ROUTING_DEVELOPMENT_SET, { ...options, targets: ROUTING_TARGETS }).model;
      scores = modelScores(trained, items);
    }
    const suffix = part === 'development' ? ' (5-fold, out of fold)' : ' (trained on the development part)';
    return [
      { name: `model alone${suffix}`, decisions: modelDecisions(scores, DEFAULT_ROUTING_COMBINATION.modelRoutesWhen) },
      { name: `rules + model${suffix}`, decisions: combinedDecisions(rules, scores, DEFAULT_ROUTING_COMBINATION) },
    ];
  };
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`.padStart(6);

function printComparison(title: string, items: readonly LabelledItem[], rules: RoutingDecisions, scores: readonly ReadonlyMap<string, TargetRelevance>[]): CombinationResult {
    const { results, chosen } = compareCombinations(items, rules, scores);
    const rulesAlone = scoreDecisions(items, rules).all;
    const modelAlone = scoreDecisions(items, modelDecisions(scores)).all;
    console.log(`\n${title} (${items.length} items)`);
    console.log(`  ${'candidate'.padEnd(78)} macro F1  micro F1  precision  recall  direction`);
    const line = (name: string, macroF1: number, microF1: number, precision: number, recall: number, direction: number): void =>
      console.log(`  ${name.padEnd(78)} ${percent(macroF1)}    ${percent(microF1)}    ${percent(precision)}   ${percent(recall)}  ${percent(direction)}`);
    line('rules alone', rulesAlone.routing.macro.f1, rulesAlone.routing.micro.f1, rulesAlone.routing.micro.precision, rulesAlone.routing.micro.recall, rulesAlone.direction.accuracy);
    line('model alone', modelAlone.routing.macro.f1, modelAlone.routing.micro.f1, modelAlone.routing.micro.precision, modelAlone.routing.micro.recall, modelAlone.direction.accuracy);
    for (const result of results) line(result.name, result.macroF1, result.microF1, result.precision, result.recall, result.direction);
    console.log(`  best: ${chosen.name}`);
    return chosen;
}

async function main(): Promise<void> {
  const database = await PGlite.create();
  try {
    const query: Query = (text, parameters) => database.query(text, parameters);
    const items = ROUTING_DEVELOPMENT_SET;
    const scores = outOfFoldScores(items);
    console.log('Rules and the model, the model out of fold (5-fold cross-validation on the development part)');
    printComparison('The seed rules (tuned on these items: in-sample) on the whole development part', items, await ruleDecisions(query, items), scores);
    const unseen = items.flatMap((item, index) => (isUnseenByEarlierRules(item) ? [index] : []));
    const earlier = await ruleDecisions(query, unseen.map((index) => items[index]!), EARLIER_SEED_RULES, seedTermSets());
    const chosen = printComparison(
      'The earlier seed rules on items they never saw (d203 onwards): the basis of the choice',
      unseen.map((index) => items[index]!),
      earlier,
      unseen.map((index) => scores[index]!),
    );
    console.log(`\nChosen: ${chosen.name}`);
    console.log(`  the library's default ${JSON.stringify(chosen.combination) === JSON.stringify(DEFAULT_ROUTING_COMBINATION) ? 'is' : 'is NOT'} this combination`);
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
