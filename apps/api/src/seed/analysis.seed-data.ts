/**
 * The starting content: the four predictions and three "what to watch" items of
 * the analysis of US export blacklists and China's AI stack. Priors, criteria,
 * thresholds and likelihood ratios are analyst defaults, editable through the API;
 * the seed never overwrites them once they exist.
 */
export const SEED_PREDICTIONS = [
  {
    slug: 'deepseek-blacklisted-12m',
    title: 'DeepSeek is added to a US export blacklist within 12 months',
    statement:
      'The US government adds DeepSeek (or its parent High-Flyer) to the Entity List or an equivalent export blacklist within 12 months.',
    resolutionCriteria:
      'True if a Federal Register notice or an official BIS/Treasury announcement names DeepSeek or High-Flyer on the Entity List, the Military End-User List or an equivalent blacklist before the deadline; false otherwise.',
    prior: 0.35,
    eventByDeadline: true,
  },
  {
    slug: 'china-alt-compute-acceleration',
    title: 'China accelerates investment in alternative computing architectures',
    statement:
      'China measurably accelerates funding for non-GPU AI compute (optical, analog, neuromorphic and other domestic architectures) in response to the blacklist.',
    resolutionCriteria:
      'True if announced Chinese state or state-guided funding for alternative AI computing architectures in the 12 months exceeds the previous 12 months, per official announcements or two independent reputable reports; false otherwise.',
    prior: 0.6,
    eventByDeadline: false,
  },
  {
    slug: 'us-china-ai-bifurcation',
    title: 'US and Chinese AI bifurcate into two distinct ecosystems',
    statement:
      'The US ecosystem keeps prioritising scale and raw performance while the Chinese one prioritises efficiency and hardware-software integration on domestic stacks.',
    resolutionCriteria:
      'True if, by the deadline, a majority of newly announced frontier Chinese models are trained or served primarily on domestic accelerators and frameworks, per vendor disclosures or reputable industry reports; false otherwise.',
    prior: 0.55,
    eventByDeadline: false,
  },
  {
    slug: 'china-domain-parity',
    title: 'China reaches AI parity in specific application domains despite the blacklist',
    statement:
      'China matches or exceeds US AI capability in manufacturing, logistics and government services, while the US keeps the lead in foundational research.',
    resolutionCriteria:
      'True if at least two recognised benchmarks or industry assessments published before the deadline rank Chinese deployments level with or ahead of US ones in at least two of manufacturing, logistics and government services; false otherwise.',
    prior: 0.5,
    eventByDeadline: false,
  },
] as const;

export const SEED_INDICATORS = [
  {
    slug: 'deepseek-hardware-hiring',
    name: "DeepSeek's hardware hiring",
    description: 'Open or recently filled hardware-engineering and chip-design roles at DeepSeek.',
    unit: 'open hardware roles',
  },
  {
    slug: 'huawei-ascend-adoption',
    name: 'Huawei Ascend ecosystem adoption',
    description: 'Share of newly announced Chinese AI training and inference deployments on Huawei Ascend.',
    unit: 'percent of new deployments',
  },
  {
    slug: 'china-ai-chip-subsidies',
    name: 'Chinese subsidies for domestic AI chips',
    description: 'Announced central and provincial subsidies for buying or developing domestic AI chips, trailing 12 months.',
    unit: 'CNY billion',
  },
] as const;

type PredictionSlug = (typeof SEED_PREDICTIONS)[number]['slug'];
type IndicatorSlug = (typeof SEED_INDICATORS)[number]['slug'];

export const SEED_LINKS: readonly {
  indicator: IndicatorSlug;
  prediction: PredictionSlug;
  threshold: number;
  likelihoodRatioUp: number;
  likelihoodRatioDown: number;
  note: string;
}[] = [
  { indicator: 'deepseek-hardware-hiring', prediction: 'deepseek-blacklisted-12m', threshold: 20, likelihoodRatioUp: 1.5, likelihoodRatioDown: 1 / 1.5, note: 'Moving into hardware makes DeepSeek an infrastructure target.' },
  { indicator: 'deepseek-hardware-hiring', prediction: 'china-alt-compute-acceleration', threshold: 20, likelihoodRatioUp: 1.2, likelihoodRatioDown: 1 / 1.2, note: 'Model labs building chips is part of the acceleration.' },
  { indicator: 'huawei-ascend-adoption', prediction: 'us-china-ai-bifurcation', threshold: 30, likelihoodRatioUp: 2, likelihoodRatioDown: 0.5, note: 'A domestic default stack is the bifurcation.' },
  { indicator: 'huawei-ascend-adoption', prediction: 'china-domain-parity', threshold: 30, likelihoodRatioUp: 1.5, likelihoodRatioDown: 1 / 1.5, note: 'Integrated domestic stacks serve applied domains.' },
  { indicator: 'china-ai-chip-subsidies', prediction: 'china-alt-compute-acceleration', threshold: 50, likelihoodRatioUp: 2, likelihoodRatioDown: 0.5, note: 'Subsidies fund the alternatives.' },
  { indicator: 'china-ai-chip-subsidies', prediction: 'us-china-ai-bifurcation', threshold: 50, likelihoodRatioUp: 1.5, likelihoodRatioDown: 1 / 1.5, note: 'Subsidised domestic demand deepens the split.' },
];

export const SEED_RULES: readonly {
  name: string;
  indicator: IndicatorSlug;
  allTerms: string[];
  anyTerms: string[];
  noneTerms: string[];
  impacts: { prediction: PredictionSlug; direction: 'supports' | 'contradicts'; strength: 'weak' | 'moderate' | 'strong' }[];
}[] = [
  {
    name: 'DeepSeek hardware hiring',
    indicator: 'deepseek-hardware-hiring',
    allTerms: ['deepseek'],
    anyTerms: ['hardware engineer', 'hardware engineers', 'chip design', 'custom chip', 'asic', 'hiring'],
    noneTerms: [],
    impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports', strength: 'weak' }],
  },
  {
    name: 'Huawei Ascend adoption',
    indicator: 'huawei-ascend-adoption',
    allTerms: ['ascend'],
    anyTerms: ['huawei', '910b', '910c', 'adopts', 'adoption', 'deploys', 'deployment'],
    noneTerms: [],
    impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'supports', strength: 'weak' }],
  },
  {
    name: 'Chinese AI chip subsidies',
    indicator: 'china-ai-chip-subsidies',
    allTerms: [],
    anyTerms: ['chip subsidy', 'chip subsidies', 'semiconductor subsidy', 'semiconductor subsidies', 'big fund', 'domestic ai chips'],
    noneTerms: [],
    impacts: [{ prediction: 'china-alt-compute-acceleration', direction: 'supports', strength: 'weak' }],
  },
];
