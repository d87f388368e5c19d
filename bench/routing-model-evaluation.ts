/**
 * The learned routing model, measured honestly: methods and settings are
 * compared by 5-fold cross-validation on the development set alone, the best
 * by macro-F1 is chosen in three stages (learner, then text features, then
 * the direction model's penalty), and only then is the chosen model trained
 * on the whole development set and scored, once, on the test set. No setting
 * here was changed because of a test figure.
 *
 * `npm run build && node dist/bench/routing-model-evaluation.js` prints the
 * tables; `evaluateRoutingModel()` returns the same figures as data.
 */
import { pathToFileURL } from 'node:url';

import {
  DEFAULT_ROUTING_TRAINING_OPTIONS,
  type DirectionSettings,
  type RelevanceMethod,
  type RoutingEvaluation,
  type RoutingTrainingOptions,
  type TextFeatureSettings,
  crossValidateRouting,
  describeRelevanceMethod,
  findDirectionCues,
  measureRoutingModel,
  trainRoutingModel,
} from '#core';
import { type LabelledItem, ROUTING_DEVELOPMENT_SET } from '#signals';

import { SEED_TERM_SETS } from '../apps/api/src/seed/analysis.seed-data.js';
import { ROUTING_TEST_SET } from '../tests/fixtures/routing/test-set.js';

export interface CandidateResult {
  name: string;
  options: RoutingTrainingOptions;
  crossValidation: RoutingEvaluation;
}

export interface RoutingOptionsComparison {
  /** Stage 1: learners, on the default text features. */
  methods: CandidateResult[];
  /** Stage 2: text feature variants, on the best learner. */
  features: CandidateResult[];
  /** Stage 3: the direction model's settings (its figures do not depend on the learner). */
  directions: CandidateResult[];
  /** The library's defaults: the choice of the three stages, which know nothing of term sets. */
  withoutConcepts: CandidateResult;
  /** Stage 4: the seed term sets as concept features, alone and with conjunctions, on the choice so far. */
  concepts: CandidateResult[];
  chosen: CandidateResult;
  /** Whether the chosen options are the library's defaults (they should be: the defaults were set from this run). */
  chosenIsDefault: boolean;
}

export interface RoutingModelEvaluation extends RoutingOptionsComparison {
  /** Accuracy on the labelled-relevant pairs of calling every item with a cue 'contradicts': the baseline for the direction model. */
  anyCueBaseline: { development: number; test: number };
  test: {
    all: RoutingEvaluation;
    chineseOrMixed: RoutingEvaluation;
    english: RoutingEvaluation;
  };
  /** Training includes its own 5-fold cross-validation; scoring is of one item against every target, over 20,000 items. */
  model: { bytes: number; features: number; trainingMilliseconds: number; trainingCpuMilliseconds: number; scoringMicrosecondsPerItem: number; scoringCpuMicrosecondsPerItem: number };
}

const ENGLISH_ONLY = (item: LabelledItem): boolean => item.language === 'en';

function withOptions(base: RoutingTrainingOptions, change: { method?: RelevanceMethod; text?: Partial<TextFeatureSettings>; direction?: DirectionSettings } & Partial<Omit<RoutingTrainingOptions, 'text'>>): RoutingTrainingOptions {
  return { ...base, ...change, text: { ...base.text, ...change.text } };
}

/** The learners and their penalties or smoothing; naive Bayes reads raw presence, the others length-normalised vectors. */
function methodCandidates(): { name: string; options: RoutingTrainingOptions }[] {
  const base = DEFAULT_ROUTING_TRAINING_OPTIONS;
  const normalised = { counts: 'binary', normalise: true } as const;
  const raw = { counts: 'binary', normalise: false } as const;
  const candidates: { name: string; options: RoutingTrainingOptions }[] = [];
  for (const l2 of [0.0001, 0.0003, 0.001, 0.003]) {
    for (const classBalance of [0.5, 1]) {
      const method: RelevanceMethod = { kind: 'logistic-regression', l2, classBalance };
      candidates.push({ name: describeRelevanceMethod(method), options: withOptions(base, { method, weighting: normalised, pruneFraction: 0.01 }) });
    }
  }
  for (const [variant, alphas] of [['multinomial', [0.1, 0.3]], ['complement', [0.03, 0.1, 0.3]], ['bernoulli', [0.03, 0.1]]] as const) {
    for (const alpha of alphas) {
      for (const pruneFraction of [0.01, 0.2]) {
        const method: RelevanceMethod = { kind: 'naive-bayes', variant, alpha };
        candidates.push({ name: `${describeRelevanceMethod(method)}, pruned below ${pruneFraction}`, options: withOptions(base, { method, weighting: raw, pruneFraction }) });
      }
    }
  }
  candidates.push({ name: 'nearest centroid', options: withOptions(base, { method: { kind: 'nearest-centroid' }, weighting: normalised, pruneFraction: 0.01 }) });
  return candidates;
}

function featureCandidates(best: RoutingTrainingOptions): { name: string; options: RoutingTrainingOptions }[] {
  return [
    { name: 'as chosen', options: best },
    { name: 'no stemming', options: withOptions(best, { text: { stem: false } }) },
    { name: 'no word bigrams', options: withOptions(best, { text: { wordBigrams: false } }) },
    { name: 'with CJK unigrams', options: withOptions(best, { text: { cjkUnigrams: true } }) },
    { name: 'with marked title features', options: withOptions(best, { text: { titleFeatures: true } }) },
    { name: 'with character 4-grams', options: withOptions(best, { text: { characterNgrams: 4 } }) },
    { name: 'vocabulary: features in 2+ items', options: withOptions(best, { minDocuments: 2 }) },
  ];
}

/** The seed's term sets as the model takes them: by name, terms as written. */
export function seedConceptSets(): Record<string, readonly string[]> {
  return Object.fromEntries(SEED_TERM_SETS.map((set) => [set.name, set.terms]));
}

function conceptCandidates(best: RoutingTrainingOptions): { name: string; options: RoutingTrainingOptions }[] {
  const termSets = seedConceptSets();
  return [
    { name: 'no concepts', options: best },
    { name: 'concepts (@name)', options: { ...best, concepts: { termSets, conjunctions: false } } },
    { name: 'concepts and their pairs (@a&@b)', options: { ...best, concepts: { termSets, conjunctions: true } } },
  ];
}

function directionCandidates(best: RoutingTrainingOptions): { name: string; options: RoutingTrainingOptions }[] {
  const candidates: { name: string; options: RoutingTrainingOptions }[] = [];
  for (const l2 of [0.001, 0.003, 0.01]) {
    for (const classBalance of [0, 0.5]) candidates.push({ name: `direction l2 ${l2}, class balance ${classBalance}`, options: withOptions(best, { direction: { l2, classBalance } }) });
  }
  return candidates;
}

/** The first best: among equal figures, the simpler (earlier) candidate stays. */
function best(results: readonly CandidateResult[], figure: (evaluation: RoutingEvaluation) => number): CandidateResult {
  return results.reduce((winner, result) => (figure(result.crossValidation) > figure(winner.crossValidation) + 1e-12 ? result : winner));
}

function anyCueAccuracy(items: readonly LabelledItem[]): number {
  let pairs = 0;
  let correct = 0;
  for (const item of items) {
    const hasCue = findDirectionCues(`${item.title}\n${item.summary}`).length > 0;
    for (const direction of Object.values(item.targets)) {
      pairs += 1;
      if ((direction === 'contradicts') === hasCue) correct += 1;
    }
  }
  return correct / pairs;
}


/** The three stages of choice, on the development set alone: what whoever tunes the model runs. */
export function compareRoutingOptions(development: readonly LabelledItem[] = ROUTING_DEVELOPMENT_SET): RoutingOptionsComparison {
  const run = (candidates: { name: string; options: RoutingTrainingOptions }[]): CandidateResult[] =>
    candidates.map((candidate) => ({ ...candidate, crossValidation: crossValidateRouting(development, candidate.options) }));
  const methods = run(methodCandidates());
  const bestMethod = best(methods, (evaluation) => evaluation.macro.f1);
  const features = run(featureCandidates(bestMethod.options));
  const bestFeatures = best(features, (evaluation) => evaluation.macro.f1);
  const directions = run(directionCandidates(bestFeatures.options));
  const withoutConcepts = best(directions, (evaluation) => evaluation.direction.accuracy);
  const concepts = run(conceptCandidates(withoutConcepts.options));
  const chosen = best(concepts, (evaluation) => evaluation.macro.f1);
  return { methods, features, directions, withoutConcepts, concepts, chosen, chosenIsDefault: JSON.stringify(withoutConcepts.options) === JSON.stringify(DEFAULT_ROUTING_TRAINING_OPTIONS) };
}

export function evaluateRoutingModel(development: readonly LabelledItem[] = ROUTING_DEVELOPMENT_SET, test: readonly LabelledItem[] = ROUTING_TEST_SET): RoutingModelEvaluation {
  const comparison = compareRoutingOptions(development);
  const { chosen } = comparison;

  // Once, at the end: the chosen model on the whole development set, scored on the test set.
  // CPU time as well as elapsed time: on a shared machine the elapsed time measures the neighbours too.
  const started = performance.now();
  const startedCpu = process.cpuUsage();
  const { model } = trainRoutingModel(development, chosen.options);
  const trainingMilliseconds = performance.now() - started;
  const trainingCpuMilliseconds = process.cpuUsage(startedCpu).user / 1000;
  const scoringRounds = 20_000;
  const scoringStarted = performance.now();
  const scoringStartedCpu = process.cpuUsage();
  for (let round = 0; round < scoringRounds; round += 1) model.score(test[round % test.length]!);
  const scoringMicrosecondsPerItem = ((performance.now() - scoringStarted) * 1000) / scoringRounds;
  const scoringCpuMicrosecondsPerItem = process.cpuUsage(scoringStartedCpu).user / scoringRounds;
  const json = JSON.stringify(model.toJSON());

  return {
    ...comparison,
    anyCueBaseline: { development: anyCueAccuracy(development), test: anyCueAccuracy(test) },
    test: {
      all: measureRoutingModel(model, test),
      chineseOrMixed: measureRoutingModel(model, test.filter((item) => !ENGLISH_ONLY(item))),
      english: measureRoutingModel(model, test.filter(ENGLISH_ONLY)),
    },
    model: { bytes: Buffer.byteLength(json), features: model.toJSON().features.length, trainingMilliseconds, trainingCpuMilliseconds, scoringMicrosecondsPerItem, scoringCpuMicrosecondsPerItem },
  };
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`.padStart(6);

function printCandidates(title: string, results: readonly CandidateResult[]): void {
  console.log(`\n${title}`);
  console.log(`  ${'candidate'.padEnd(62)} macro P   macro R  macro F1  micro F1  direction`);
  for (const { name, crossValidation: e } of results) {
    console.log(`  ${name.padEnd(62)} ${percent(e.macro.precision)}   ${percent(e.macro.recall)}   ${percent(e.macro.f1)}    ${percent(e.micro.f1)}    ${percent(e.direction.accuracy)}`);
  }
}

function printTargets(evaluation: RoutingEvaluation): void {
  console.log(`  ${'target'.padEnd(34)} precision  recall      F1   (tp/fp/fn)`);
  for (const t of evaluation.targets) {
    console.log(`  ${t.target.padEnd(34)} ${percent(t.precision)}    ${percent(t.recall)}  ${percent(t.f1)}   (${t.truePositives}/${t.falsePositives}/${t.falseNegatives})`);
  }
  const m = evaluation.micro;
  console.log(`  ${'micro (all decisions pooled)'.padEnd(34)} ${percent(m.precision)}    ${percent(m.recall)}  ${percent(m.f1)}   (${m.truePositives}/${m.falsePositives}/${m.falseNegatives})`);
  console.log(`  ${'macro (targets averaged)'.padEnd(34)} ${percent(evaluation.macro.precision)}    ${percent(evaluation.macro.recall)}  ${percent(evaluation.macro.f1)}`);
  const d = evaluation.direction;
  console.log(`  direction: ${percent(d.accuracy)} of ${d.pairs} relevant pairs (always 'supports': ${percent(d.alwaysSupportsAccuracy)}); contradicting found ${d.contradictingFound}/${d.contradicting}`);
}

function printComparison(comparison: RoutingOptionsComparison): void {
  console.log('Routing model: 5-fold cross-validation on the development set (thresholds of each fold chosen on the other folds)');
  printCandidates('Stage 1, learners (default text features):', comparison.methods);
  printCandidates('Stage 2, text features (best learner):', comparison.features);
  printCandidates('Stage 3, direction model:', comparison.directions);
  printCandidates('Stage 4, concepts from the seed term sets:', comparison.concepts);
  const chosen = comparison.chosen;
  console.log(`\nChosen: ${describeRelevanceMethod(chosen.options.method)}; text ${JSON.stringify(chosen.options.text)}; weighting ${JSON.stringify(chosen.options.weighting)};`);
  console.log(`  vocabulary min ${chosen.options.minDocuments} item(s), pruned below ${chosen.options.pruneFraction} of each target's largest weight; direction ${JSON.stringify(chosen.options.direction)}`);
  console.log(`  concepts: ${chosen.options.concepts ? `${Object.keys(chosen.options.concepts.termSets).length} term sets${chosen.options.concepts.conjunctions ? ', with pairs' : ''}` : 'none'}`);
  console.log(`  the library's defaults ${comparison.chosenIsDefault ? 'are' : 'are NOT'} the options of stages 1-3`);
  console.log('\nChosen options, cross-validated per target (development set):');
  printTargets(chosen.crossValidation);
}

export function printRoutingModelEvaluation(evaluation: RoutingModelEvaluation): void {
  printComparison(evaluation);
  console.log(`  baseline "any cue means contradicts": development ${percent(evaluation.anyCueBaseline.development)}, test ${percent(evaluation.anyCueBaseline.test)}`);
  console.log('\nTest set, once: trained on the whole development set');
  printTargets(evaluation.test.all);
  console.log('\nTest set, Chinese and mixed items:');
  printTargets(evaluation.test.chineseOrMixed);
  console.log('\nTest set, English items:');
  printTargets(evaluation.test.english);
  const m = evaluation.model;
  console.log(`\nModel: ${(m.bytes / 1024).toFixed(0)} KB of JSON, ${m.features} features`);
  console.log(`  trained (with its cross-validation) in ${m.trainingMilliseconds.toFixed(0)} ms, ${m.trainingCpuMilliseconds.toFixed(0)} ms of CPU`);
  console.log(`  scores an item against every target in ${m.scoringMicrosecondsPerItem.toFixed(1)} µs, ${m.scoringCpuMicrosecondsPerItem.toFixed(1)} µs of CPU (20,000 items)`);
}

// `--cross-validation-only` runs the comparison without touching the test set: use it while tuning.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--cross-validation-only')) printComparison(compareRoutingOptions());
  else printRoutingModelEvaluation(evaluateRoutingModel());
}
