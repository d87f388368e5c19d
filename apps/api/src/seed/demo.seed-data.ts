/**
 * The demo's year (`npm run demo`, docs/web-app.md#the-demo): what happened, as
 * data. The news is invented for the demo (the outlets' hosts end in `.example`,
 * which never resolves) but reads like the year the analysis is about. Times are
 * days before the day the demo is loaded, so it always shows "the last year";
 * `demo-seed.service.ts` turns this into an archive and imports it.
 */
import type { EvidenceDirection, EvidenceStrength } from '#core';

import { SEED_PREDICTIONS, type SEED_INDICATORS } from './analysis.seed-data.js';

/** The demo's history starts this many days before the day it is loaded. */
export const DEMO_DAYS = 365;

/** Seeds the demo's pseudo-random numbers (jitter, readings, forecasts): one year looks the same on every load. */
export const DEMO_RANDOM_SEED = 20_250_611;

/** The analysts whose forecasts the demo shows, people of the instance (`user:<id>`), each with a habit. */
export const DEMO_ANALYSTS: readonly {
  name: string;
  email: string;
  /** Added to the model's log-odds in each forecast: an optimist reads more into the news than the model does. */
  bias: number;
  /** How far from the model a forecast strays (log-odds, standard deviation). */
  spread: number;
  /** About how many days between two forecasts of one prediction. */
  cadenceDays: number;
}[] = [
  { name: 'Mei Lin', email: 'mei.lin@bellwether.example', bias: 0.15, spread: 0.25, cadenceDays: 35 },
  { name: 'Daniel Okafor', email: 'daniel.okafor@bellwether.example', bias: -0.35, spread: 0.3, cadenceDays: 50 },
  { name: 'Priya Raman', email: 'priya.raman@bellwether.example', bias: 0.4, spread: 0.45, cadenceDays: 42 },
  { name: 'Tomás Herrera', email: 'tomas.herrera@bellwether.example', bias: 0, spread: 0.6, cadenceDays: 70 },
];

export interface DemoPrediction {
  slug: string;
  title: string;
  statement: string;
  resolutionCriteria: string;
  prior: number;
  eventByDeadline: boolean;
  /** Days before the load the prediction was made. */
  createdDaysAgo: number;
  /** Days from its creation to its deadline. */
  deadlineAfterDays: number;
  resolution?: {
    outcome: 'true' | 'false';
    /** Days before the load the event happened (or, for false, the deadline passed). */
    occurredDaysAgo: number;
    /** Days before the load the resolution was recorded. */
    recordedDaysAgo: number;
    note: string;
    sourceUrl: string;
    /** Which analyst resolved it (index into DEMO_ANALYSTS). */
    by: number;
  };
}

/**
 * The analysis's four predictions as the demo made them a year ago (text and priors
 * from the seed), and three shorter ones that have since resolved, so scorecards,
 * calibration and the leaderboard have something to show. Deadlines leave the four
 * open: the "12 months" one was given its year and a month's grace.
 */
export const DEMO_PREDICTIONS: readonly DemoPrediction[] = [
  ...SEED_PREDICTIONS.map((prediction) => ({
    ...prediction,
    createdDaysAgo: DEMO_DAYS,
    deadlineAfterDays: prediction.slug === 'deepseek-blacklisted-12m' ? DEMO_DAYS + 30 : 2 * DEMO_DAYS,
  })),
  {
    slug: 'bis-lists-another-ai-lab-6m',
    title: 'BIS adds another Chinese AI model developer to the Entity List within six months',
    statement: 'Within six months the Bureau of Industry and Security adds at least one more Chinese developer of foundation models to the Entity List.',
    resolutionCriteria:
      'True if a Federal Register final rule published before the deadline adds a Chinese company whose main business is developing foundation models; false otherwise.',
    prior: 0.3,
    eventByDeadline: false,
    createdDaysAgo: 355,
    deadlineAfterDays: 183,
    resolution: {
      outcome: 'true',
      occurredDaysAgo: 206,
      recordedDaysAgo: 204,
      note: 'The final rule names two model developers among eleven Chinese entities.',
      sourceUrl: 'https://www.federalregister.example/documents/entity-list-additions-ai-developers',
      by: 0,
    },
  },
  {
    slug: 'ascend-majority-new-clusters-h2',
    title: 'Most newly announced Chinese AI clusters run on Huawei Ascend over the next half-year',
    statement: 'Over the next six months, more than half of the newly announced Chinese AI training clusters of 1,000 accelerators or more are built on Huawei Ascend.',
    resolutionCriteria:
      'True if, by the deadline, a majority of such clusters announced in the period name Ascend as their accelerator, per vendor or operator announcements; false otherwise.',
    prior: 0.45,
    eventByDeadline: false,
    createdDaysAgo: 335,
    deadlineAfterDays: 182,
    resolution: {
      outcome: 'false',
      occurredDaysAgo: 153,
      recordedDaysAgo: 151,
      note: 'Ascend led but did not reach half: 41% of the 29 clusters announced, with Nvidia H20 and domestic GPUs sharing the rest.',
      sourceUrl: 'https://www.caixinglobal.example/ai-cluster-tally-h2',
      by: 1,
    },
  },
  {
    slug: 'province-chip-subsidy-10bn',
    title: 'A Chinese province announces a CNY 10 billion subsidy for domestic AI chips within nine months',
    statement: 'A provincial government announces a single programme of at least CNY 10 billion for buying or developing domestic AI accelerators within nine months.',
    resolutionCriteria:
      'True if an official provincial notice or two reputable reports describe one programme of at least CNY 10 billion aimed at domestic AI chips before the deadline; false otherwise.',
    prior: 0.5,
    eventByDeadline: false,
    createdDaysAgo: 320,
    deadlineAfterDays: 274,
    resolution: {
      outcome: 'true',
      occurredDaysAgo: 121,
      recordedDaysAgo: 119,
      note: "Guangdong's compute voucher programme sets aside CNY 12 billion for domestic accelerators.",
      sourceUrl: 'https://www.scmp.example/tech/guangdong-compute-vouchers-12-billion',
      by: 2,
    },
  },
];

/** An impact: a prediction, a direction and a strength (the words the API takes), or a likelihood ratio. */
export type DemoImpact = readonly [slug: string, direction: EvidenceDirection, strength: EvidenceStrength];

export interface DemoEvidence {
  /** Days before the load it was recorded; the report itself was observed a few hours before. */
  daysAgo: number;
  summary: string;
  sourceUrl: string;
  reliability: number;
  impacts: readonly DemoImpact[];
  /** Evidence with the same story name is one story: another outlet's report of one event, counted once. */
  story?: string;
}

const S = 'supports' as const;
const C = 'contradicts' as const;

/** The year's news, oldest first. Reliability is the analyst's trust in the report (1: an official notice). */
export const DEMO_EVIDENCE: readonly DemoEvidence[] = [
  { daysAgo: 358, summary: 'House China committee letter urges Commerce to review DeepSeek’s access to US chips', sourceUrl: 'https://www.reuters.example/technology/house-committee-deepseek-letter', reliability: 0.7, impacts: [['deepseek-blacklisted-12m', S, 'weak']] },
  { daysAgo: 352, summary: 'BIS official says agency is "looking closely" at Chinese frontier model developers', sourceUrl: 'https://www.bloomberg.example/news/bis-frontier-model-developers', reliability: 0.6, impacts: [['bis-lists-another-ai-lab-6m', S, 'moderate'], ['deepseek-blacklisted-12m', S, 'weak']] },
  { daysAgo: 345, summary: '工信部：推动国产AI芯片在智算中心规模化应用', sourceUrl: 'https://www.miit.example/n1146290/ai-chips-compute-centres', reliability: 0.9, impacts: [['china-alt-compute-acceleration', S, 'weak'], ['us-china-ai-bifurcation', S, 'weak']] },
  { daysAgo: 338, summary: 'DeepSeek posts job ads for ASIC design and verification engineers in Hangzhou', sourceUrl: 'https://www.scmp.example/tech/deepseek-asic-hiring', reliability: 0.8, impacts: [['china-alt-compute-acceleration', S, 'weak'], ['deepseek-blacklisted-12m', S, 'weak']] },
  { daysAgo: 331, summary: 'Survey: 7 of 10 new Chinese LLM releases still trained mainly on Nvidia hardware', sourceUrl: 'https://www.theinformation.example/articles/chinese-llm-training-hardware-survey', reliability: 0.6, impacts: [['us-china-ai-bifurcation', C, 'moderate'], ['ascend-majority-new-clusters-h2', C, 'weak']] },
  { daysAgo: 324, summary: 'China Mobile tender awards 60% of new AI server lots to Ascend-based systems', sourceUrl: 'https://www.caixinglobal.example/china-mobile-ai-server-tender', reliability: 0.85, impacts: [['ascend-majority-new-clusters-h2', S, 'moderate'], ['us-china-ai-bifurcation', S, 'weak']] },
  { daysAgo: 317, summary: 'Shanghai pledges compute vouchers for start-ups that train on domestic chips', sourceUrl: 'https://www.yicai.example/news/shanghai-compute-vouchers', reliability: 0.8, impacts: [['province-chip-subsidy-10bn', S, 'weak'], ['china-alt-compute-acceleration', S, 'weak']] },
  { daysAgo: 309, summary: 'Commerce Secretary declines to comment on DeepSeek listing at Senate hearing', sourceUrl: 'https://www.politico.example/news/commerce-deepseek-hearing', reliability: 0.5, impacts: [['deepseek-blacklisted-12m', C, 'weak']] },
  { daysAgo: 301, summary: '国家数据局：政务大模型应用试点扩大至20个省份', sourceUrl: 'https://www.xinhuanet.example/tech/gov-llm-pilots-20-provinces', reliability: 0.85, impacts: [['china-domain-parity', S, 'weak']] },
  { daysAgo: 294, summary: 'Huawei’s CloudMatrix 384 supernode enters volume delivery to three cloud providers', sourceUrl: 'https://www.scmp.example/tech/cloudmatrix-volume-delivery', reliability: 0.75, impacts: [['ascend-majority-new-clusters-h2', S, 'moderate'], ['us-china-ai-bifurcation', S, 'weak']], story: 'cloudmatrix-delivery' },
  { daysAgo: 293, summary: '华为CloudMatrix 384超节点向三家云服务商批量交付', sourceUrl: 'https://www.36kr.example/p/cloudmatrix-384-delivery', reliability: 0.7, impacts: [['ascend-majority-new-clusters-h2', S, 'moderate'], ['us-china-ai-bifurcation', S, 'weak']], story: 'cloudmatrix-delivery' },
  { daysAgo: 290, summary: 'GPU start-up Biren cuts a third of its staff as late-stage funding dries up', sourceUrl: 'https://www.scmp.example/tech/biren-staff-cuts', reliability: 0.75, impacts: [['china-alt-compute-acceleration', C, 'moderate']] },
  { daysAgo: 286, summary: 'Reuters: US weighs penalties on Chinese AI firms over use of smuggled accelerators', sourceUrl: 'https://www.reuters.example/world/us-weighs-penalties-smuggled-accelerators', reliability: 0.7, impacts: [['deepseek-blacklisted-12m', S, 'weak'], ['bis-lists-another-ai-lab-6m', S, 'moderate']] },
  { daysAgo: 279, summary: 'Benchmark study ranks Chinese industrial vision systems level with US peers on defect detection', sourceUrl: 'https://www.nature.example/articles/industrial-vision-benchmark', reliability: 0.75, impacts: [['china-domain-parity', S, 'moderate']] },
  { daysAgo: 272, summary: 'Alibaba Cloud says new Qwen training run uses a mix of Nvidia and in-house chips', sourceUrl: 'https://www.cnbc.example/alibaba-qwen-training-chips', reliability: 0.7, impacts: [['us-china-ai-bifurcation', S, 'weak'], ['ascend-majority-new-clusters-h2', C, 'weak']] },
  { daysAgo: 265, summary: 'Guangdong drafts plan to "vigorously support" domestic AI accelerators, amount not given', sourceUrl: 'https://www.scmp.example/tech/guangdong-draft-ai-chip-plan', reliability: 0.6, impacts: [['province-chip-subsidy-10bn', S, 'moderate'], ['china-alt-compute-acceleration', S, 'weak']] },
  { daysAgo: 258, summary: 'DeepSeek denies using restricted chips, says training ran on H800s bought before the 2023 rules', sourceUrl: 'https://www.ft.example/content/deepseek-denies-restricted-chips', reliability: 0.6, impacts: [['deepseek-blacklisted-12m', C, 'moderate']] },
  { daysAgo: 251, summary: 'Optical computing start-up Lightelligence raises CNY 1.5 bn in state-backed round', sourceUrl: 'https://www.36kr.example/p/lightelligence-state-round', reliability: 0.8, impacts: [['china-alt-compute-acceleration', S, 'weak']] },
  { daysAgo: 244, summary: '海关总署：上半年AI服务器进口额同比下降38%', sourceUrl: 'https://www.caixin.example/2025/ai-server-imports-down', reliability: 0.9, impacts: [['us-china-ai-bifurcation', S, 'weak']] },
  { daysAgo: 240, summary: 'Factory survey: fewer than one in ten Chinese plants run AI on production lines beyond pilots', sourceUrl: 'https://www.caixinglobal.example/factory-ai-survey', reliability: 0.7, impacts: [['china-domain-parity', C, 'moderate']] },
  { daysAgo: 236, summary: 'Senators introduce bill that would bar federal use of DeepSeek apps', sourceUrl: 'https://www.axios.example/deepseek-federal-ban-bill', reliability: 0.8, impacts: [['deepseek-blacklisted-12m', S, 'weak']] },
  { daysAgo: 229, summary: 'Baidu says its Kunlun P800 cluster now serves most Ernie inference traffic', sourceUrl: 'https://www.reuters.example/technology/baidu-kunlun-ernie-inference', reliability: 0.75, impacts: [['us-china-ai-bifurcation', S, 'weak'], ['ascend-majority-new-clusters-h2', C, 'weak']] },
  { daysAgo: 221, summary: 'Port operator report: Chinese AI scheduling cuts container dwell time by 18%, on par with Rotterdam', sourceUrl: 'https://www.lloydslist.example/chinese-port-ai-scheduling', reliability: 0.65, impacts: [['china-domain-parity', S, 'weak']] },
  { daysAgo: 217, summary: '审计署：部分地方智算中心补贴资金闲置，相关拨付暂停', sourceUrl: 'https://www.audit-gov.example/gzdt/compute-subsidy-audit', reliability: 0.7, impacts: [['china-alt-compute-acceleration', C, 'moderate']] },
  { daysAgo: 214, summary: 'Commerce sends Entity List package naming Chinese AI developers to interagency review', sourceUrl: 'https://www.bloomberg.example/news/entity-list-package-interagency', reliability: 0.7, impacts: [['bis-lists-another-ai-lab-6m', S, 'strong'], ['deepseek-blacklisted-12m', S, 'weak']] },
  { daysAgo: 206, summary: 'Federal Register: eleven Chinese entities added to the Entity List, two of them model developers', sourceUrl: 'https://www.federalregister.example/documents/entity-list-additions-ai-developers', reliability: 1, impacts: [['bis-lists-another-ai-lab-6m', S, 'strong'], ['deepseek-blacklisted-12m', S, 'weak']] },
  { daysAgo: 199, summary: 'DeepSeek absent from the latest Entity List additions; officials cite its open-weight releases', sourceUrl: 'https://www.wsj.example/tech/deepseek-absent-entity-list', reliability: 0.6, impacts: [['deepseek-blacklisted-12m', C, 'moderate']] },
  { daysAgo: 192, summary: '财新：华为昇腾910C良率提升至六成，多家互联网公司追加订单', sourceUrl: 'https://www.caixin.example/2025/ascend-910c-yield', reliability: 0.65, impacts: [['ascend-majority-new-clusters-h2', S, 'moderate'], ['us-china-ai-bifurcation', S, 'weak']] },
  { daysAgo: 185, summary: 'Nvidia resumes H20 shipments to China under new licence terms', sourceUrl: 'https://www.reuters.example/technology/nvidia-h20-shipments-resume', reliability: 0.85, impacts: [['ascend-majority-new-clusters-h2', C, 'moderate'], ['us-china-ai-bifurcation', C, 'strong']] },
  { daysAgo: 178, summary: 'Beijing tells large platforms to justify new H20 orders, state media reports', sourceUrl: 'https://www.ft.example/content/beijing-h20-orders-guidance', reliability: 0.6, impacts: [['us-china-ai-bifurcation', S, 'weak'], ['china-alt-compute-acceleration', S, 'weak']] },
  { daysAgo: 171, summary: 'MLPerf-style logistics benchmark puts two Chinese route planners in the top five', sourceUrl: 'https://www.ieee-spectrum.example/logistics-ai-benchmark', reliability: 0.7, impacts: [['china-domain-parity', S, 'weak']] },
  { daysAgo: 164, summary: 'Cluster tally: Ascend share of announced Chinese AI clusters stalls near 40% as H20 returns', sourceUrl: 'https://www.theinformation.example/articles/ascend-cluster-share-stalls', reliability: 0.7, impacts: [['ascend-majority-new-clusters-h2', C, 'strong']] },
  { daysAgo: 160, summary: 'Freight forwarders say US route-optimisation software still beats domestic tools on cross-border loads', sourceUrl: 'https://www.joc.example/technology/route-optimisation-cross-border', reliability: 0.6, impacts: [['china-domain-parity', C, 'moderate']] },
  { daysAgo: 157, summary: 'Guangdong officials preview "compute voucher" fund in the tens of billions of yuan', sourceUrl: 'https://www.yicai.example/news/guangdong-compute-voucher-preview', reliability: 0.65, impacts: [['province-chip-subsidy-10bn', S, 'moderate'], ['china-alt-compute-acceleration', S, 'weak']] },
  { daysAgo: 150, summary: 'DeepSeek publishes paper on FP8 training tuned for domestic accelerators', sourceUrl: 'https://www.arxiv.example/abs/deepseek-fp8-domestic', reliability: 0.9, impacts: [['us-china-ai-bifurcation', S, 'weak'], ['deepseek-blacklisted-12m', S, 'weak']] },
  { daysAgo: 142, summary: 'Senior administration official: no decision on DeepSeek, "all options on the table"', sourceUrl: 'https://www.politico.example/news/deepseek-all-options', reliability: 0.5, impacts: [['deepseek-blacklisted-12m', S, 'weak']] },
  { daysAgo: 135, summary: 'China’s national AI fund backs neuromorphic chip maker SynSense in CNY 800 m round', sourceUrl: 'https://www.scmp.example/tech/synsense-national-fund', reliability: 0.8, impacts: [['china-alt-compute-acceleration', S, 'weak']] },
  { daysAgo: 128, summary: 'Study finds US models still lead Chinese ones on frontier reasoning benchmarks by a wide margin', sourceUrl: 'https://www.stanford-hai.example/ai-index-reasoning-gap', reliability: 0.8, impacts: [['china-domain-parity', C, 'moderate']] },
  { daysAgo: 121, summary: '广东省发布算力券专项：120亿元支持国产AI芯片采购与研发', sourceUrl: 'https://www.gd-gov.example/zwgk/compute-vouchers-12bn', reliability: 1, impacts: [['province-chip-subsidy-10bn', S, 'strong'], ['china-alt-compute-acceleration', S, 'weak']], story: 'guangdong-vouchers' },
  { daysAgo: 120, summary: 'Guangdong sets aside CNY 12 billion in compute vouchers for domestic AI chips', sourceUrl: 'https://www.scmp.example/tech/guangdong-compute-vouchers-12-billion', reliability: 0.85, impacts: [['province-chip-subsidy-10bn', S, 'strong'], ['china-alt-compute-acceleration', S, 'weak']], story: 'guangdong-vouchers' },
  { daysAgo: 117, summary: 'ByteDance signs multi-year deal for Nvidia-based capacity in Malaysian data centres', sourceUrl: 'https://www.reuters.example/technology/bytedance-malaysia-nvidia-capacity', reliability: 0.7, impacts: [['us-china-ai-bifurcation', C, 'moderate']] },
  { daysAgo: 112, summary: 'Hospital network reports Chinese diagnostic imaging models match FDA-cleared US tools in trial', sourceUrl: 'https://www.thelancet.example/digital-health/imaging-trial', reliability: 0.7, impacts: [['china-domain-parity', S, 'weak']] },
  { daysAgo: 105, summary: 'US lawmakers press Commerce after DeepSeek model tops open-weight leaderboard', sourceUrl: 'https://www.reuters.example/technology/lawmakers-press-commerce-deepseek', reliability: 0.7, impacts: [['deepseek-blacklisted-12m', S, 'weak']] },
  { daysAgo: 98, summary: 'Tencent says most of its new inference capacity this year is on domestic chips', sourceUrl: 'https://www.bloomberg.example/news/tencent-domestic-inference', reliability: 0.75, impacts: [['us-china-ai-bifurcation', S, 'weak']] },
  { daysAgo: 96, summary: 'Big Fund III filings put lithography and memory ahead of AI accelerators', sourceUrl: 'https://www.bloomberg.example/news/big-fund-iii-priorities', reliability: 0.7, impacts: [['china-alt-compute-acceleration', C, 'moderate']] },
  { daysAgo: 91, summary: 'Analysts: US export rule changes leave room for licensed sales of mid-range accelerators', sourceUrl: 'https://www.semianalysis.example/export-rule-mid-range', reliability: 0.55, impacts: [['us-china-ai-bifurcation', C, 'moderate']] },
  { daysAgo: 84, summary: '中国信通院：智能制造领域国产大模型应用成熟度首次与国际领先水平持平', sourceUrl: 'https://www.caict.example/kxyj/smart-manufacturing-llm-maturity', reliability: 0.75, impacts: [['china-domain-parity', S, 'moderate']] },
  { daysAgo: 77, summary: 'DeepSeek hires former HiSilicon team leads for chip effort, LinkedIn profiles show', sourceUrl: 'https://www.theinformation.example/articles/deepseek-hisilicon-hires', reliability: 0.6, impacts: [['deepseek-blacklisted-12m', S, 'weak'], ['china-alt-compute-acceleration', S, 'weak']] },
  { daysAgo: 70, summary: 'Commerce spokesperson: DeepSeek "under active review" for the Entity List', sourceUrl: 'https://www.wsj.example/tech/deepseek-under-active-review', reliability: 0.8, impacts: [['deepseek-blacklisted-12m', S, 'strong']], story: 'active-review' },
  { daysAgo: 69, summary: 'Commerce confirms DeepSeek review, no timeline given', sourceUrl: 'https://www.bloomberg.example/news/commerce-confirms-deepseek-review', reliability: 0.75, impacts: [['deepseek-blacklisted-12m', S, 'moderate']], story: 'active-review' },
  { daysAgo: 62, summary: 'Ministry of Science announces key programme for photonic and in-memory AI computing', sourceUrl: 'https://www.most.example/xxgk/photonic-in-memory-programme', reliability: 0.9, impacts: [['china-alt-compute-acceleration', S, 'moderate']] },
  { daysAgo: 59, summary: 'New Chinese open models still treat CUDA as the first target; Ascend support lags by weeks', sourceUrl: 'https://www.theinformation.example/articles/chinese-models-cuda-first', reliability: 0.6, impacts: [['us-china-ai-bifurcation', C, 'moderate']] },
  { daysAgo: 55, summary: 'Chinese e-government chatbots handle a third of service requests in pilot cities, audit finds', sourceUrl: 'https://www.sixthtone.example/news/e-government-chatbots-audit', reliability: 0.6, impacts: [['china-domain-parity', S, 'weak']] },
  { daysAgo: 48, summary: 'White House trade deal talks reportedly include pause on new Chinese Entity List additions', sourceUrl: 'https://www.nytimes.example/business/trade-talks-entity-list-pause', reliability: 0.55, impacts: [['deepseek-blacklisted-12m', C, 'strong']] },
  { daysAgo: 44, summary: 'Optical AI chip maker delays tape-out after a state investor pulls out of its second round', sourceUrl: 'https://www.36kr.example/p/optical-chip-tape-out-delay', reliability: 0.65, impacts: [['china-alt-compute-acceleration', C, 'moderate']] },
  { daysAgo: 41, summary: 'Ascend-based clusters make up 45% of new Chinese deployments in the quarter, IDC says', sourceUrl: 'https://www.idc.example/getdoc/china-ai-deployments-q', reliability: 0.75, impacts: [['us-china-ai-bifurcation', S, 'moderate']] },
  { daysAgo: 37, summary: 'Two provinces suspend an AI government-services pilot after citizen complaints', sourceUrl: 'https://www.sixthtone.example/news/ai-services-pilot-suspended', reliability: 0.7, impacts: [['china-domain-parity', C, 'weak']] },
  { daysAgo: 34, summary: '工信部等七部门：到2027年国产算力占新增智算规模比例超过70%', sourceUrl: 'https://www.miit.example/n1146290/domestic-compute-70-percent', reliability: 0.95, impacts: [['us-china-ai-bifurcation', S, 'moderate'], ['china-alt-compute-acceleration', S, 'weak']] },
  { daysAgo: 27, summary: 'Trade talks stall; US officials say export controls are "not on the table"', sourceUrl: 'https://www.reuters.example/world/trade-talks-stall-export-controls', reliability: 0.7, impacts: [['deepseek-blacklisted-12m', S, 'weak']] },
  { daysAgo: 20, summary: 'Auto makers report Chinese in-cabin assistants outscore US rivals in independent tests', sourceUrl: 'https://www.autonews.example/in-cabin-assistant-tests', reliability: 0.6, impacts: [['china-domain-parity', S, 'weak']] },
  { daysAgo: 13, summary: 'Federal Register notice of proposed rulemaking widens foreign direct product rule to model weights', sourceUrl: 'https://www.federalregister.example/documents/fdpr-model-weights-nprm', reliability: 0.9, impacts: [['deepseek-blacklisted-12m', S, 'weak'], ['us-china-ai-bifurcation', S, 'weak']] },
  { daysAgo: 6, summary: 'DeepSeek open-sources inference kernels for Ascend and Cambricon', sourceUrl: 'https://www.github.example/deepseek-ai/domestic-kernels', reliability: 0.9, impacts: [['us-china-ai-bifurcation', S, 'weak']] },
  { daysAgo: 2, summary: 'US lawyers for DeepSeek investors brace for a listing "within weeks", sources say', sourceUrl: 'https://www.bloomberg.example/news/deepseek-investors-brace-listing', reliability: 0.5, impacts: [['deepseek-blacklisted-12m', S, 'moderate']] },
];

/**
 * Each indicator's year of readings: from about `from` to about `to`, every
 * `everyDays`, with noise; the seed's links are added after the demo is loaded,
 * so these readings predate them and move no prediction.
 */
export const DEMO_READINGS: readonly {
  indicator: (typeof SEED_INDICATORS)[number]['slug'];
  from: number;
  to: number;
  everyDays: number;
  /** Relative noise on each reading. */
  noise: number;
  /** Decimal places kept. */
  digits: number;
  sourceUrl: string;
  note: string;
}[] = [
  { indicator: 'deepseek-hardware-hiring', from: 4, to: 19, everyDays: 14, noise: 0.12, digits: 0, sourceUrl: 'https://www.zhipin.example/company/deepseek/jobs', note: 'Counted on the careers page and BOSS Zhipin' },
  { indicator: 'huawei-ascend-adoption', from: 17, to: 29, everyDays: 30, noise: 0.06, digits: 1, sourceUrl: 'https://www.idc.example/china-ai-deployments', note: 'Share of the month’s announced deployments' },
  { indicator: 'china-ai-chip-subsidies', from: 21, to: 47, everyDays: 30, noise: 0.05, digits: 1, sourceUrl: 'https://www.caixin.example/data/ai-chip-subsidies', note: 'Trailing 12 months, central and provincial' },
];
