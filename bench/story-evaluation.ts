/**
 * How well the same-story detector groups, on the labelled story pairs: the
 * DEVELOPMENT part (tests/fixtures/stories/story-pairs.development.ts; every
 * feature, setting and threshold is chosen on it) and the TEST part
 * (tests/fixtures/stories/story-pairs.test.ts; nobody tunes on it, and its
 * mistakes are never listed).
 *
 * Printed: for the development part, 5-fold cross-validated precision and
 * recall of "same story" for each candidate rule (overall and by languages:
 * en, zh, en-zh), and the model trained on the whole part (the weights that
 * DEFAULT_SAME_STORY_MODEL holds); then, once, the chosen detector
 * (DEFAULT_SAME_STORY_MODEL) on the test part.
 *
 * `npm run eval:stories`; `-- --development-only --mistakes` is the tuning
 * view (the test part untouched, the development part's mistakes listed).
 */
import { pathToFileURL } from 'node:url';

import {
  countDecisions,
  crossValidateSameStory,
  DEFAULT_SAME_STORY_MODEL,
  DEFAULT_SAME_STORY_TRAINING,
  decideSameStory,
  isNearSameSummary,
  type SameStoryModelInput,
  type SameStoryCounts,
  type SameStoryExample,
  sameStoryFeatures,
  storyGrams,
  storyKeys,
  StorySignatureReader,
  trainSameStoryModel,
} from '#core';

import { SEED_TERM_SETS } from '../apps/api/src/seed/analysis.seed-data.js';
import { type StoryPair, type StoryPairItem } from '../tests/fixtures/stories/story-pair.js';
import { STORY_PAIRS_DEVELOPMENT } from '../tests/fixtures/stories/story-pairs.development.js';
import { STORY_PAIRS_TEST } from '../tests/fixtures/stories/story-pairs.test.js';

const FOLDS = 5;
const LANGUAGES = ['en', 'zh', 'en-zh'] as const;

export interface StoryEvaluationRow {
  name: string;
  counts: SameStoryCounts;
  byLanguages: Record<(typeof LANGUAGES)[number], SameStoryCounts>;
}

const reader = new StorySignatureReader(Object.fromEntries(SEED_TERM_SETS.map((set) => [set.name, set.terms])));

function compared(item: StoryPairItem) {
  const input = { title: item.title, summary: item.summary, url: item.url, publishedAt: new Date(item.publishedAt) };
  return { signature: reader.read(input), grams: storyGrams(input) };
}

export function storyExamples(pairs: readonly StoryPair[]): SameStoryExample[] {
  return pairs.map((pair) => ({ features: sameStoryFeatures(compared(pair.a), compared(pair.b)), same: pair.label === 'same', stratum: `${pair.label}:${pair.languages}` }));
}

/** Pairs the detector groups although they share no candidate key: grouping on insert would never compare them (should be none). */
function unreachable(pairs: readonly StoryPair[]): string[] {
  return pairs
    .filter((pair) => {
      const [a, b] = [compared(pair.a), compared(pair.b)];
      if (!decideSameStory(sameStoryFeatures(a, b), DEFAULT_SAME_STORY_MODEL).same) return false;
      const keys = new Set(storyKeys(a.signature));
      return !storyKeys(b.signature).some((key) => keys.has(key));
    })
    .map((pair) => pair.id);
}

function row(name: string, pairs: readonly StoryPair[], predicted: readonly boolean[]): StoryEvaluationRow {
  const decisions = pairs.map((pair, index) => ({ same: pair.label === 'same', predicted: predicted[index]!, languages: pair.languages }));
  return {
    name,
    counts: countDecisions(decisions),
    byLanguages: Object.fromEntries(LANGUAGES.map((languages) => [languages, countDecisions(decisions.filter((decision) => decision.languages === languages))])) as StoryEvaluationRow['byLanguages'],
  };
}

const ratio = (numerator: number, denominator: number): string => (denominator === 0 ? '  -  ' : (numerator / denominator).toFixed(3));
function figures(counts: SameStoryCounts): string {
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = counts;
  return `P ${ratio(tp, tp + fp)} R ${ratio(tp, tp + fn)} (${tp} of ${tp + fn} same grouped, ${fp} wrong)`;
}

function print(rows: readonly StoryEvaluationRow[]): void {
  for (const entry of rows) {
    process.stdout.write(`  ${entry.name}\n    all    ${figures(entry.counts)}\n`);
    for (const languages of LANGUAGES) process.stdout.write(`    ${languages.padEnd(6)} ${figures(entry.byLanguages[languages])}\n`);
  }
}

/** The model inputs compared by cross-validation; the chosen ones are DEFAULT_SAME_STORY_TRAINING's. */
const INPUT_CHOICES: readonly [string, readonly SameStoryModelInput[]][] = [
  ['concepts alone', ['conceptSimilarity']],
  ['without the follow-up cue', ['textSimilarity', 'titleSimilarity', 'conceptSimilarity', 'sharedNumbers', 'sharedDate', 'crossScript']],
  ['every input', ['textSimilarity', 'titleSimilarity', 'conceptSimilarity', 'sharedNumbers', 'sharedDate', 'crossScript', 'followUpMismatch', 'gapDays']],
  ['CHOSEN', DEFAULT_SAME_STORY_TRAINING.inputs],
];

/** The rules compared on the development part, each out of fold where it learns anything. */
export function developmentRows(pairs: readonly StoryPair[]): StoryEvaluationRow[] {
  const examples = storyExamples(pairs);
  const summaryText = (item: StoryPairItem) => item.title;
  return [
    row('same canonical link only', pairs, examples.map((example) => example.features.sameLink)),
    row('near-same summary (isNearSameSummary on titles, as evidence uses it) or link', pairs, pairs.map((pair, index) => examples[index]!.features.sameLink || isNearSameSummary(summaryText(pair.a), summaryText(pair.b)))),
    row('link, or within the window with no veto (no model)', pairs, examples.map((example) => decideSameStory(example.features, { ...DEFAULT_SAME_STORY_MODEL, inputs: [], weights: [], bias: 0, threshold: 0 }).same)),
    ...INPUT_CHOICES.map(([name, inputs]) =>
      row(`${name}: link, window ${DEFAULT_SAME_STORY_TRAINING.windowHours} h, vetoes, logistic model on ${inputs.join(' + ')}; ${FOLDS}-fold out of fold`, pairs, crossValidateSameStory(examples, FOLDS, { ...DEFAULT_SAME_STORY_TRAINING, inputs })),
    ),
  ];
}

function main(): void {
  const args = new Set(process.argv.slice(2));
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Same-story detector: DEVELOPMENT part, ${STORY_PAIRS_DEVELOPMENT.length} pairs (tune here)`);
  print(developmentRows(STORY_PAIRS_DEVELOPMENT));
  const trained = trainSameStoryModel(storyExamples(STORY_PAIRS_DEVELOPMENT));
  out(`  model trained on the whole development part (DEFAULT_SAME_STORY_MODEL should hold these):`);
  out(`    inputs    ${trained.inputs.join(', ')}`);
  out(`    weights   [${trained.weights.map((weight) => weight.toFixed(4)).join(', ')}]`);
  out(`    bias      ${trained.bias.toFixed(4)}  threshold ${trained.threshold.toFixed(4)}  window ${trained.windowHours} h`);
  const stale = trained.inputs.join() !== DEFAULT_SAME_STORY_MODEL.inputs.join() || trained.weights.some((weight, index) => Math.abs(weight - DEFAULT_SAME_STORY_MODEL.weights[index]!) > 1e-3) || Math.abs(trained.bias - DEFAULT_SAME_STORY_MODEL.bias) > 1e-3 || Math.abs(trained.threshold - DEFAULT_SAME_STORY_MODEL.threshold) > 1e-3;
  out(`    DEFAULT_SAME_STORY_MODEL ${stale ? 'DIFFERS from this: update libs/core/src/stories/same-story.ts' : 'matches'}`);
  const inSample = storyExamples(STORY_PAIRS_DEVELOPMENT).map((example) => decideSameStory(example.features, DEFAULT_SAME_STORY_MODEL).same);
  print([row('DEFAULT_SAME_STORY_MODEL in sample (development)', STORY_PAIRS_DEVELOPMENT, inSample)]);
  const missed = unreachable(STORY_PAIRS_DEVELOPMENT);
  out(`  grouped pairs that share no candidate key (the index would never compare them): ${missed.length === 0 ? 'none' : missed.join(', ')}`);
  if (args.has('--mistakes')) {
    out('  development mistakes (in sample):');
    STORY_PAIRS_DEVELOPMENT.forEach((pair, index) => {
      if (inSample[index] === (pair.label === 'same')) return;
      const decision = decideSameStory(storyExamples([pair])[0]!.features, DEFAULT_SAME_STORY_MODEL);
      out(`    ${pair.id} ${pair.label} ${pair.languages}: ${decision.reason} ${decision.score?.toFixed(3) ?? ''} | ${pair.a.title} | ${pair.b.title}`);
    });
  }
  if (args.has('--development-only')) return;
  out('');
  out(`TEST part, ${STORY_PAIRS_TEST.length} pairs (scored once per method change; never tuned on, mistakes not listed)`);
  const testExamples = storyExamples(STORY_PAIRS_TEST);
  print([row('DEFAULT_SAME_STORY_MODEL', STORY_PAIRS_TEST, testExamples.map((example) => decideSameStory(example.features, DEFAULT_SAME_STORY_MODEL).same))]);
}

// Only when run as the script itself (an import, or a bundle of something else, must never score the test part).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && import.meta.url.endsWith('/story-evaluation.js')) main();
