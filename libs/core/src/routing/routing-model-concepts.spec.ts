import { syntheticRoutingExamples } from './routing-test-items.js';
import { RoutingModel, RoutingModelFormatError } from './routing-model.js';
import { trainingOptionsWithConcepts, trainRoutingModel } from './train-routing-model.js';

const termSets = { photonic: ['photonic*', 'optical', '"light-based"', '光计算'], money: ['subsid*', 'voucher*', 'grant*', 'fund*', '补贴', '算力券'] };

describe('a routing model with concepts', () => {
  const examples = syntheticRoutingExamples().map((example, index) => ({ ...example, group: index % 2 === 0 ? 'even' : 'odd' }));
  const { model, evaluation, groups } = trainRoutingModel(examples, trainingOptionsWithConcepts(termSets));

  it('stores its term sets, so scoring reads items as training did, and round-trips through JSON', () => {
    expect(model.termSets).toEqual(termSets);
    const json = JSON.stringify(model.toJSON());
    const read = RoutingModel.fromJSON(JSON.parse(json));
    expect(JSON.stringify(read.toJSON())).toBe(json);
    const item = { title: 'Province offers vouchers for optical computing', summary: null };
    expect(read.score(item)).toEqual(model.score(item));
  });

  it('learns from concepts: an unseen word of a set counts', () => {
    // "fund" is in the set; "funding" is a new inflection the prefix meets.
    expect(model.route({ title: 'City announces funding for AI firms', summary: 'Funding covers chip purchases.' }).map((relevance) => relevance.target)).toContain('subsidies');
    expect(model.explain({ title: 'Lab unveils optical processor', summary: null }, 'photonics', 10).features.map((feature) => feature.text)).toContain('@photonic');
  });

  it('reports each group\'s out-of-fold figures apart', () => {
    expect(Object.keys(groups)).toEqual(['even', 'odd']);
    const pooled = groups.even!.micro.truePositives + groups.odd!.micro.truePositives;
    expect(pooled).toBe(evaluation.micro.truePositives);
  });

  it('refuses stored concepts with a term that does not parse', () => {
    const json = model.toJSON();
    expect(() => RoutingModel.fromJSON({ ...json, concepts: { termSets: { bad: ['two words'] }, conjunctions: true } })).toThrow(RoutingModelFormatError);
    expect(() => RoutingModel.fromJSON({ ...json, concepts: { termSets: { bad: 'x' }, conjunctions: true } })).toThrow(RoutingModelFormatError);
  });
});
