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

/**
 * One rule per watch item and per prediction, as full-text queries (see the
 * README for the syntax). Each names its target by slug: an indicator (the
 * items count towards it) or, for the predictions' own news, none. Measured
 * against tests/fixtures/routing-evaluation.ts (`npm run eval:routing`).
 */
export const SEED_RULES: readonly {
  name: string;
  /** The indicator or prediction slug the evaluation set labels items with. */
  target: IndicatorSlug | PredictionSlug;
  indicator: IndicatorSlug | null;
  query: string;
  impacts: { prediction: PredictionSlug; direction: 'supports' | 'contradicts'; strength: 'weak' | 'moderate' | 'strong' }[];
}[] = [
  {
    name: 'DeepSeek hardware hiring',
    target: 'deepseek-hardware-hiring',
    indicator: 'deepseek-hardware-hiring',
    query:
      '(deepseek OR "high-flyer" OR "liang wenfeng") ' +
      '(hire OR recruit* OR "job ad" OR "job ads" OR "job posting" OR "job postings" OR "job listing" OR "job listings" OR vacanc* OR headhunt* OR poach* OR talent) ' +
      '(chip* OR asic* OR fpga* OR silicon OR semiconductor* OR hardware OR accelerator* OR "circuit design" OR verilog OR npu* OR gpu*) ' +
      '-marketing -"hiring freeze"',
    impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports', strength: 'weak' }],
  },
  {
    name: 'Huawei Ascend adoption',
    target: 'huawei-ascend-adoption',
    indicator: 'huawei-ascend-adoption',
    query:
      '((ascend* (huawei OR hisilicon OR 910b OR 910c OR 920 OR npu* OR chip* OR processor* OR cluster* OR accelerator* OR mindspore OR cann)) ' +
      'OR cloudmatrix OR "atlas 900" OR "atlas 800" OR ((huawei OR hisilicon) (npu* OR "ai chip" OR "ai processor" OR "ai accelerator" OR "ai chips" OR "ai processors" OR "ai accelerators"))) ' +
      '-wellness -"ascend pharma" -"ascendis"',
    impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'supports', strength: 'weak' }],
  },
  {
    name: 'Chinese AI chip subsidies',
    target: 'china-ai-chip-subsidies',
    indicator: 'china-ai-chip-subsidies',
    query:
      '(subsid* OR "big fund" OR voucher* OR "tax break" OR "tax breaks" OR "tax credit" OR "tax credits" OR "tax incentive" OR "tax incentives" OR "state fund" OR "government fund" OR "guidance fund" OR "investment fund") ' +
      '(chip* OR semiconductor* OR "computing power" OR gpu* OR npu* OR processor* OR accelerator*) ' +
      '(china OR chinese OR beijing OR shanghai OR shenzhen OR guangdong OR hangzhou OR provinc* OR miit OR ndrc OR "state council" OR domest* OR "big fund" OR "national ic") ' +
      '-("chips act" OR intel OR "united states" OR washington OR european OR "european union" OR japan OR "south korea" OR india OR taiwan OR tsmc OR micron)',
    impacts: [{ prediction: 'china-alt-compute-acceleration', direction: 'supports', strength: 'weak' }],
  },
  {
    name: 'DeepSeek blacklisting and sanctions',
    target: 'deepseek-blacklisted-12m',
    indicator: null,
    query:
      '(deepseek OR "high-flyer" OR "liang wenfeng") ' +
      '("entity list" OR blacklist* OR sanction* OR "export control" OR "export controls" OR "export curbs" OR "export restrictions" OR ban OR bans OR banned OR banning OR bis OR "commerce department" OR "military end-user" OR ofac OR "treasury department")',
    impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports', strength: 'moderate' }],
  },
  {
    name: 'Chinese funding of alternative AI compute',
    target: 'china-alt-compute-acceleration',
    indicator: null,
    query:
      '(optical OR photonic* OR analog OR analogue OR neuromorphic OR "brain-inspired" OR "risc-v" OR memristor* OR "in-memory" OR "compute-in-memory" OR "light-based" OR "non-gpu") ' +
      '(comput* OR chip* OR processor* OR accelerator* OR ai) ' +
      '(fund* OR invest* OR subsid* OR grant* OR financ* OR backing OR backs OR back OR programme* OR program* OR "big fund" OR billion* OR million* OR rais*) ' +
      '(china OR chinese OR beijing OR shanghai OR shenzhen OR hangzhou OR wuhan OR tsinghua OR "chinese academy" OR provinc* OR "state council" OR miit OR most)',
    impacts: [{ prediction: 'china-alt-compute-acceleration', direction: 'supports', strength: 'moderate' }],
  },
  {
    name: 'Chinese frontier AI on domestic stacks',
    target: 'us-china-ai-bifurcation',
    indicator: null,
    query:
      '((train* OR serv* OR inferenc* OR run OR runs OR deploy* OR port*) ' +
      '(model* OR llm* OR qwen OR deepseek OR ernie OR glm OR kimi OR hunyuan OR doubao OR minimax) ' +
      '(ascend* OR cambricon OR kunlun OR mindspore OR paddlepaddle OR homegrown OR "home-grown" OR ((domest* OR local OR chinese OR indigenous) (chip* OR accelerator* OR processor* OR hardware OR silicon)))) ' +
      'OR ((ban* OR bar* OR prohibit* OR halt* OR stop* OR forbid* OR discourag*) (nvidia OR h20 OR h200 OR "rtx pro") (purchas* OR buy* OR order* OR procure*) (china OR chinese OR beijing OR regulator* OR cac OR miit OR ndrc))',
    impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'supports', strength: 'moderate' }],
  },
  {
    name: 'Chinese AI in manufacturing, logistics and government',
    target: 'china-domain-parity',
    indicator: null,
    query:
      '(benchmark* OR survey* OR study OR studies OR index OR ranking* OR ranked OR ranks OR evaluat* OR assessment* OR report OR leaderboard* OR audit*) ' +
      '(manufactur* OR factory OR factories OR logistic* OR "supply chain" OR port OR ports OR warehous* OR shipping OR "government services" OR "public services" OR "e-government" OR "city services" OR industrial) ' +
      '(ai OR "artificial intelligence" OR model* OR llm* OR robot* OR automat*) ' +
      '(china OR chinese OR beijing OR shanghai OR shenzhen OR hangzhou OR guangdong)',
    impacts: [{ prediction: 'china-domain-parity', direction: 'supports', strength: 'weak' }],
  },
];
