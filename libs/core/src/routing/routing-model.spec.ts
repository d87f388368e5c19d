import fc from 'fast-check';

import { syntheticRoutingExamples } from './routing-test-items.js';
import { RoutingModel, RoutingModelFormatError, ROUTING_MODEL_VERSION } from './routing-model.js';
import { DEFAULT_ROUTING_TRAINING_OPTIONS, type RoutingTrainingOptions, crossValidateRouting, trainRoutingModel } from './train-routing-model.js';
import { textFeatures } from './text-features.js';

const examples = syntheticRoutingExamples();
const logistic: RoutingTrainingOptions = { ...DEFAULT_ROUTING_TRAINING_OPTIONS, method: { kind: 'logistic-regression', l2: 0.001, classBalance: 1 }, weighting: { counts: 'binary', normalise: true }, pruneFraction: 0.01 };
const centroid: RoutingTrainingOptions = { ...logistic, method: { kind: 'nearest-centroid' } };
const { model, evaluation } = trainRoutingModel(examples);

describe('trainRoutingModel', () => {
  it('learns every target with enough examples, in sorted order', () => {
    expect(model.targets).toEqual(['photonics', 'subsidies']);
    expect(model.version).toBe(ROUTING_MODEL_VERSION);
  });

  it.each([
    ['complement naive Bayes', DEFAULT_ROUTING_TRAINING_OPTIONS],
    ['logistic regression', logistic],
    ['nearest centroid', centroid],
  ])('separates the synthetic targets with %s', (_, options) => {
    const trained = trainRoutingModel(examples, options);
    expect(trained.evaluation.macro.f1).toBeGreaterThan(0.9);
    const routed = (title: string, summary: string): string[] => trained.model.route({ title, summary }).map((relevance) => relevance.target);
    expect(routed('New optical processor shown at conference', 'A photonic accelerator prototype.')).toEqual(['photonics']);
    expect(routed('Computing vouchers for AI start-ups', 'A grant covers chip purchases.')).toEqual(['subsidies']);
    expect(routed('Museum reopens after holiday', 'Crowds return for the concert.')).toEqual([]);
  });

  it('routes Chinese items by their character bigrams', () => {
    expect(model.route({ title: '光计算处理器研制成功', summary: null }).map((relevance) => relevance.target)).toEqual(['photonics']);
    expect(model.route({ title: '发放算力券', summary: '补贴政策' }).map((relevance) => relevance.target)).toEqual(['subsidies']);
  });

  it('reports cross-validated figures for every target and the direction', () => {
    expect(evaluation.targets.map((target) => target.target)).toEqual(['photonics', 'subsidies']);
    expect(evaluation.direction.pairs).toBe(40);
    expect(evaluation.direction.contradicting).toBe(8);
    expect(evaluation.direction.accuracy).toBeGreaterThan(evaluation.direction.alwaysSupportsAccuracy);
    expect(crossValidateRouting(examples)).toEqual(evaluation);
  });

  it('is deterministic: the same examples give the same JSON, byte for byte', () => {
    expect(JSON.stringify(trainRoutingModel(examples).model.toJSON())).toBe(JSON.stringify(model.toJSON()));
    expect(JSON.stringify(trainRoutingModel(examples, logistic).model.toJSON())).toBe(JSON.stringify(trainRoutingModel(examples, logistic).model.toJSON()));
  });

  it('skips targets with too few relevant examples and refuses bad weights', () => {
    const few = [...examples, { title: 'Rare thing', summary: 'Once', targets: { rare: 'supports' as const } }];
    expect(trainRoutingModel(few).model.targets).toEqual(['photonics', 'subsidies']);
    expect(() => trainRoutingModel([{ ...examples[0]!, weight: -1 }, ...examples])).toThrow(RangeError);
  });

});

describe('RoutingModel', () => {
  it('round-trips through JSON: the same bytes and the same scores', () => {
    const json = JSON.stringify(model.toJSON());
    const read = RoutingModel.fromJSON(JSON.parse(json));
    expect(JSON.stringify(read.toJSON())).toBe(json);
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string()), (title, summary) => {
        expect(read.score({ title, summary })).toEqual(model.score({ title, summary }));
      }),
      { numRuns: 50 },
    );
  });

  it('stores only non-zero weights over sorted features', () => {
    const json = model.toJSON();
    expect(json.features).toEqual([...json.features].sort());
    for (const target of json.targets) {
      for (let position = 1; position < target.weights.length; position += 2) expect(target.weights[position]).not.toBe(0);
    }
  });

  it('refuses a model of another version or shape', () => {
    const json = model.toJSON();
    expect(() => RoutingModel.fromJSON({ ...json, version: 99 })).toThrow(RoutingModelFormatError);
    expect(() => RoutingModel.fromJSON({ ...json, targets: [{ ...json.targets[0]!, weights: [json.features.length, 1] }] })).toThrow(/names no feature/);
    expect(() => RoutingModel.fromJSON({ ...json, targets: [{ ...json.targets[0]!, bias: 'high' }] })).toThrow(/bias/);
    expect(() => RoutingModel.fromJSON('model')).toThrow(RoutingModelFormatError);
  });

  it('routes exactly the targets whose probability reaches the threshold', () => {
    const thresholds = new Map(model.toJSON().targets.map((target) => [target.target, target.threshold]));
    for (const example of examples) {
      for (const relevance of model.score(example)) {
        const threshold = thresholds.get(relevance.target)!;
        expect(relevance.relevant).toBe(threshold !== null && relevance.probability >= threshold);
        expect(relevance.probability).toBeGreaterThanOrEqual(0);
        expect(relevance.probability).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keeps the precise threshold at or above the balanced one', () => {
    for (const target of model.toJSON().targets) {
      expect(target.threshold).not.toBeNull();
      expect(target.preciseThreshold!).toBeGreaterThanOrEqual(target.threshold!);
    }
  });

  it('scores the most probable target first', () => {
    const scores = model.score({ title: 'Photonic processor gets a voucher', summary: null });
    expect(scores[0]!.probability).toBeGreaterThanOrEqual(scores[1]!.probability);
  });

  it('explains a score with real features of the item, strongest first, and their readable words', () => {
    const item = { title: 'Lab shows optical processor', summary: '光计算样片' };
    const explanation = model.explain(item, 'photonics');
    const itemFeatures = new Set(textFeatures(item, model.toJSON().text));
    const modelFeatures = new Set(model.toJSON().features);
    expect(explanation.features.length).toBeGreaterThan(0);
    expect(explanation.features.length).toBeLessThanOrEqual(5);
    for (const feature of explanation.features) {
      expect(itemFeatures.has(feature.feature)).toBe(true);
      expect(modelFeatures.has(feature.feature)).toBe(true);
      expect(feature.contribution).toBeGreaterThan(0);
    }
    const contributions = explanation.features.map((feature) => feature.contribution);
    expect(contributions).toEqual([...contributions].sort((a, b) => b - a));
    expect(explanation.features.map((feature) => feature.text)).toEqual(expect.arrayContaining(['optical']));
    expect(() => model.explain(item, 'nowhere')).toThrow(RangeError);
  });

  it('gives the direction and the cue that decided it', () => {
    const against = model.explain({ title: 'Province halts voucher scheme', summary: 'Subsidy scrapped.' }, 'subsidies');
    expect(against.direction).toBe('contradicts');
    expect(against.directionCue).not.toBeNull();
    expect(['halts', 'scrapped']).toContain(against.directionCue!.cue);
    const towards = model.explain({ title: 'City announces computing voucher', summary: null }, 'subsidies');
    expect(towards.direction).toBe('supports');
    // Chinese cues the training never showed borrow what their families learned from English ones (stop, decline).
    const chinese = model.explain({ title: '某市暂停并削减算力券补贴', summary: null }, 'subsidies');
    expect(chinese.direction).toBe('contradicts');
    expect(['暂停', '削减']).toContain(chinese.directionCue!.cue);
  });
});
