import type { TargetRelevance } from '#core';

import type { SignalMatch } from './signal-matches.js';
import { defaultImpacts, type ModelOpinion, parseSignalRoutes, proposedImpacts, routedByRule, type RoutingContext, routeItem, suggestionsOf } from './signal-routes.js';

const HIRING = { kind: 'indicator' as const, id: 'i-hiring', slug: 'deepseek-hardware-hiring' };
const BLACKLIST = { kind: 'prediction' as const, id: 'p-blacklist', slug: 'deepseek-blacklisted-12m' };
const ALT = { kind: 'prediction' as const, id: 'p-alt', slug: 'china-alt-compute-acceleration' };

const context: RoutingContext = {
  targets: new Map([HIRING, BLACKLIST, ALT].map((target) => [target.slug, target])),
  rules: [
    { indicator: { id: HIRING.id, slug: HIRING.slug }, impacts: [{ prediction: BLACKLIST.id, predictionSlug: BLACKLIST.slug, direction: 'supports', strength: 'weak' }] },
    { indicator: null, impacts: [{ prediction: BLACKLIST.id, predictionSlug: BLACKLIST.slug, direction: 'supports', strength: 'moderate' }] },
    { indicator: null, impacts: [{ prediction: ALT.id, predictionSlug: ALT.slug, direction: 'supports', strength: 'moderate' }] },
  ],
  links: [{ indicatorId: HIRING.id, prediction: ALT.id, predictionSlug: ALT.slug, likelihoodRatioUp: 1.2 }],
};

function relevance(target: string, probability: number, relevant: boolean, direction: TargetRelevance['direction'] = 'supports'): TargetRelevance {
  return { target, probability, relevant, confident: relevant, direction, contradictsProbability: direction === 'contradicts' ? 0.9 : 0.05 };
}

function opinion(scores: TargetRelevance[], cue: string | null = null): ModelOpinion {
  return { scores, explain: (target) => ({ terms: [`word-of-${target}`, '@deepseek + @curbs'], cue }) };
}

const blacklistRule: SignalMatch = {
  ruleId: 'r1',
  ruleName: 'DeepSeek blacklisting',
  indicator: null,
  impacts: [{ prediction: BLACKLIST.id, predictionSlug: BLACKLIST.slug, direction: 'supports', strength: 'moderate' }],
  autoAccept: false,
  terms: ['deepseek', 'entity list'],
};

describe('routeItem', () => {
  it('marks a target a rule and the model both route as via both, with the model\'s score and words after the rule\'s', () => {
    const { routes } = routeItem([blacklistRule], opinion([relevance(BLACKLIST.slug, 0.9, true)]), context);
    expect(routes).toEqual([
      {
        target: BLACKLIST.slug,
        targetKind: 'prediction',
        targetId: BLACKLIST.id,
        via: 'both',
        score: 0.9,
        direction: 'supports',
        terms: ['deepseek', 'entity list', `word-of-${BLACKLIST.slug}`, '@deepseek + @curbs'],
        cue: null,
        impacts: [{ prediction: BLACKLIST.id, predictionSlug: BLACKLIST.slug, direction: 'supports', strength: 'moderate' }],
      },
    ]);
    expect(routedByRule(routes)).toBe(true);
  });

  it('turns a supporting rule\'s impacts when the model reads a contradicting cue, and names the cue', () => {
    const { routes } = routeItem([blacklistRule], opinion([relevance(BLACKLIST.slug, 0.9, true, 'contradicts')], 'denies'), context);
    expect(routes[0]).toMatchObject({ via: 'both', direction: 'contradicts', cue: 'denies', impacts: [{ prediction: BLACKLIST.id, direction: 'contradicts', strength: 'moderate' }] });
    expect(defaultImpacts(routes, [blacklistRule])).toEqual([{ prediction: BLACKLIST.id, direction: 'contradicts', strength: 'moderate' }]);
  });

  it('keeps the rule\'s words only, and no model terms, where the model does not find the item relevant', () => {
    const { routes } = routeItem([blacklistRule], opinion([relevance(BLACKLIST.slug, 0.1, false)]), context);
    expect(routes[0]).toMatchObject({ via: 'rule', score: 0.1, terms: ['deepseek', 'entity list'] });
  });

  it('proposes a model-only prediction with the strength its own rules give it', () => {
    const { routes } = routeItem([], opinion([relevance(ALT.slug, 0.7, true), relevance(BLACKLIST.slug, 0.2, false)]), context);
    expect(routes).toEqual([expect.objectContaining({ target: ALT.slug, via: 'model', score: 0.7, impacts: [{ prediction: ALT.id, predictionSlug: ALT.slug, direction: 'supports', strength: 'moderate' }] })]);
    expect(routedByRule(routes)).toBe(false);
    expect(suggestionsOf(routes)).toEqual([{ prediction: ALT.id, predictionSlug: ALT.slug, direction: 'supports', strength: 'moderate', probability: 0.7, terms: [`word-of-${ALT.slug}`, '@deepseek + @curbs'] }]);
  });

  it('proposes a model-only indicator with the impacts of the rules that target it, turned to the model\'s direction', () => {
    const { routes } = routeItem([], opinion([relevance(HIRING.slug, 0.8, true, 'contradicts')], 'hiring freeze'), context);
    expect(routes[0]).toMatchObject({ target: HIRING.slug, targetKind: 'indicator', via: 'model', direction: 'contradicts', impacts: [{ prediction: BLACKLIST.id, direction: 'contradicts', strength: 'weak' }] });
  });

  it('falls back to the indicator\'s links when no rule targets it', () => {
    const withoutRules = { ...context, rules: [] };
    const { routes } = routeItem([], opinion([relevance(HIRING.slug, 0.8, true)]), withoutRules);
    expect(routes[0]!.impacts).toEqual([{ prediction: ALT.id, predictionSlug: ALT.slug, direction: 'supports', strength: 'weak' }]);
    const falling = routeItem([], opinion([relevance(HIRING.slug, 0.8, true, 'contradicts')]), withoutRules);
    expect(falling.routes[0]!.impacts[0]!.direction).toBe('contradicts');
  });

  it('leaves alone model targets that do not exist here, and routes by rules alone without a model', () => {
    expect(routeItem([], opinion([relevance('gone-prediction', 0.99, true)]), context).routes).toEqual([]);
    expect(routeItem([blacklistRule], null, context).routes).toEqual([expect.objectContaining({ via: 'rule', score: null })]);
  });
});

describe('stored routes', () => {
  it('parse back, dropping what is malformed', () => {
    const { routes } = routeItem([blacklistRule], opinion([relevance(BLACKLIST.slug, 0.9, true)]), context);
    expect(parseSignalRoutes(JSON.parse(JSON.stringify(routes)))).toEqual(routes);
    expect(parseSignalRoutes([{ target: 'x' }, null, 'y', { ...routes[0], via: 'guess' }])).toEqual([]);
    expect(parseSignalRoutes('nope')).toEqual([]);
  });

  it('propose the matched rules\' impacts for an item routed before routes were stored', () => {
    expect(proposedImpacts([], [blacklistRule])).toEqual([{ prediction: BLACKLIST.id, predictionSlug: BLACKLIST.slug, direction: 'supports', strength: 'moderate' }]);
  });
});
