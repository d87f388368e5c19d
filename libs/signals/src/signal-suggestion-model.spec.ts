import { SignalSuggestionModel, SUGGESTION_SETTINGS, type SuggestionTarget, type TrainingItem } from './signal-suggestion-model.js';

const parity: SuggestionTarget = { prediction: 'p-parity', predictionSlug: 'china-domain-parity', direction: 'supports', strength: 'moderate' };
const words = (text: string): string[] => text.split(' ');

const training: TrainingItem[] = [
  { lexemes: words('autonom crane contain port'), predictions: ['p-parity'] },
  { lexemes: words('autonom crane termin logist'), predictions: ['p-parity'] },
  { lexemes: words('autonom crane contain yard'), predictions: ['p-parity'] },
  { lexemes: words('crane rental price rise'), predictions: [] },
  ...['footbal leagu result', 'stock market close', 'museum exhibit open', 'council budget vote', 'rain spring averag'].map((text) => ({ lexemes: words(text), predictions: [] })),
];

describe('SignalSuggestionModel', () => {
  const model = SignalSuggestionModel.train(training, [parity]);

  it('suggests a prediction for an item resembling those accepted for it, naming the words that weighed most', () => {
    const [suggestion, ...rest] = model.suggest(words('autonom crane new contain termin'));
    expect(rest).toEqual([]);
    expect(suggestion).toMatchObject({ ...parity, terms: expect.arrayContaining(['autonom', 'crane', 'contain']) });
    expect(suggestion!.probability).toBeGreaterThanOrEqual(SUGGESTION_SETTINGS.minProbability);
    expect(suggestion!.terms[0]).toBe('autonom');
  });

  it('suggests nothing for unrelated items, or on one shared word alone', () => {
    expect(model.suggest(words('chess tournament record crowd'))).toEqual([]);
    expect(model.suggest(words('crane rental market'))).toEqual([]);
  });

  it('learns a prediction only once enough items were accepted for it', () => {
    const sparse = SignalSuggestionModel.train(training.slice(1), [parity]);
    expect(sparse.isEmpty).toBe(true);
    expect(sparse.suggest(words('autonom crane contain termin'))).toEqual([]);
  });
});
