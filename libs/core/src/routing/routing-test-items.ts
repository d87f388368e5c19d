import { type RoutingExample } from './train-routing-model.js';

/**
 * A small synthetic labelled set for the unit tests: two targets with their
 * own words (English and Chinese), contradicting items with cues, and
 * unrelated items. Deterministic: the same list every time.
 */
export function syntheticRoutingExamples(): RoutingExample[] {
  const photonic = ['photonic', 'optical', 'light-based', 'silicon photonics'];
  const subsidy = ['subsidy', 'voucher', 'grant', 'fund'];
  const filler = ['weather', 'football', 'election', 'recipe', 'concert', 'traffic', 'holiday', 'museum'];
  const examples: RoutingExample[] = [];
  for (let index = 0; index < 12; index += 1) {
    examples.push({ title: `Lab unveils ${photonic[index % 4]} processor prototype`, summary: `The ${photonic[(index + 1) % 4]} chip runs inference, team ${index} says.`, targets: { photonics: 'supports' } });
    examples.push({ title: `City announces computing ${subsidy[index % 4]} for AI firms`, summary: `The ${subsidy[(index + 2) % 4]} covers chip purchases in district ${index}.`, targets: { subsidies: 'supports' } });
    examples.push({ title: `Local ${filler[index % 8]} draws crowds`, summary: `Residents discuss the ${filler[(index + 3) % 8]} on day ${index}.`, targets: {} });
  }
  for (let index = 0; index < 4; index += 1) {
    examples.push({ title: `Province halts ${subsidy[index]} scheme for chips`, summary: 'The programme was scrapped after budget cuts.', targets: { subsidies: 'contradicts' } });
    examples.push({ title: `${photonic[index]} processor project shelved`, summary: 'Funding was cut and the lab abandons the design.', targets: { photonics: 'contradicts' } });
    examples.push({ title: '光计算芯片取得突破', summary: `研究团队发布光计算处理器样片${index}。`, targets: { photonics: 'supports' } });
    examples.push({ title: '多地发放算力补贴', summary: `地方政府发布算力券补贴政策${index}。`, targets: { subsidies: 'supports' } });
  }
  return examples;
}
