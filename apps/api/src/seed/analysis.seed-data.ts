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
 * Named lists of terms that rules refer to as `@name` (docs/rules-and-search.md):
 * each term a word, prefix* or "phrase", English and Chinese (a Chinese term
 * matches as the phrase of its character bigrams). Entities first, then what
 * happens to them, then the cues that turn a story around. Tuned on the
 * development part of tests/fixtures/routing/ only (`npm run eval:routing`).
 */
export const SEED_TERM_SETS: readonly { name: string; description: string; terms: readonly string[] }[] = [
  {
    name: 'deepseek',
    description: 'DeepSeek, its parent High-Flyer, its founder and its best-known models',
    terms: ['deepseek', '"deep seek"', '"high-flyer"', 'highflyer', '"liang wenfeng"', 'r1', '深度求索', '幻方', '幻方量化', '梁文锋'],
  },
  {
    name: 'huawei_ascend',
    description: "Huawei's AI compute: Ascend chips, its systems and its software stack (names that mean nothing else)",
    terms: [
      '"ascend 910"', '"ascend 910b"', '"ascend 910c"', '"ascend 920"', '910b', '910c', 'cloudmatrix', '"atlas 900"', '"atlas 800"', '"atlas 300i"', '"atlas 300"',
      'cann', '"huawei atlas"', '昇腾', 'CloudMatrix', '超节点',
    ],
  },
  {
    name: 'huawei',
    description: 'Huawei and its chip unit',
    terms: ['huawei', 'hisilicon', '"huawei-made"', '华为', '海思'],
  },
  {
    name: 'consumer_devices',
    description: 'Phones, laptops and cars: what Huawei news is about when it is not AI compute',
    terms: ['phone*', 'smartphone*', 'handset*', 'kirin', 'mate', 'pura', 'harmonyos', 'laptop*', 'tablet*', 'wearable*', '手机', '麒麟', '鸿蒙', '新机', '笔记本', '问界', '汽车'],
  },
  {
    name: 'chinese_chip_firms',
    description: 'Chinese AI chip and chipmaking companies (Huawei apart)',
    terms: [
      'cambricon', '"moore threads"', 'biren', 'metax', 'enflame', 'iluvatar', '"iluvatar corex"', 'hygon', 'kunlunxin', 'kunlun', 'smic', '"hua hong"', '"t-head"', 'sophgo', 'loongson',
      '寒武纪', '摩尔线程', '壁仞', '沐曦', '燧原', '天数智芯', '海光', '昆仑芯', '中芯国际', '华虹', '平头哥', '算能', '龙芯',
    ],
  },
  {
    name: 'chinese_ai_labs',
    description: 'Chinese makers of frontier models, and the models',
    terms: [
      'deepseek', '"high-flyer"', 'alibaba', 'baidu', 'tencent', 'bytedance', 'qwen', 'tongyi', 'ernie', 'kimi', 'moonshot', 'zhipu', 'glm', 'minimax', 'stepfun', 'sensetime', 'iflytek', 'spark', 'pangu', 'doubao', 'hunyuan', 'baichuan',
      '"01.ai"', '"frontier model"', '"frontier models"', '"frontier llm"', 'llm', 'llms', '"large language model"', '"large language models"', 'chatbot',
      '深度求索', '阿里', '阿里巴巴', '百度', '腾讯', '字节', '字节跳动', '通义', '千问', '文心', '文心一言', '月之暗面', '智谱', '星火', '讯飞', '盘古', '豆包', '混元', '阶跃星辰', '商汤', '百川', '智谱清言',
    ],
  },
  {
    name: 'chinese_places',
    description: 'China, its provinces and big and mid-sized cities, Beijing as the government, and the national bodies that act for it',
    terms: [
      'china', 'chinese', 'beijing', 'shanghai', 'shenzhen', 'guangdong', 'guangzhou', 'hangzhou', 'zhejiang', 'jiangsu', 'nanjing', 'suzhou', 'wuxi', 'wuhan', 'hubei', 'chengdu', 'sichuan', 'chongqing',
      'tianjin', '"xi\'an"', 'xian', 'shaanxi', 'hefei', 'anhui', 'henan', 'zhengzhou', 'shandong', 'jinan', 'qingdao', 'fujian', 'xiamen', 'fuzhou', 'hunan', 'changsha', 'jiangxi', 'guizhou',
      'guiyang', '"gui\'an"', 'yunnan', 'kunming', 'guangxi', 'hainan', 'hebei', 'shanxi', 'liaoning', 'shenyang', 'dalian', 'jilin', 'heilongjiang', 'harbin', '"inner mongolia"', 'ningxia',
      'gansu', 'qinghai', 'xinjiang', 'ningbo', 'dongguan', 'foshan', 'haidian', 'zhongguancun', 'pudong', '"east lake"', 'provinc*', 'municipal*', 'miit', 'ndrc', '"state council"', 'sasac',
      'cac', '"chinese academy"', 'cas', 'nsfc', 'tsinghua', '"peking university"', '"zhejiang university"', '"zhejiang lab"',
      '中国', '我国', '国内', '国家', '中央', '地方', '各地', '多地', '北京', '上海', '深圳', '广东', '广州', '杭州', '浙江', '江苏', '南京', '苏州', '无锡', '武汉', '湖北', '成都', '四川', '重庆',
      '天津', '西安', '陕西', '合肥', '安徽', '河南', '郑州', '山东', '济南', '青岛', '福建', '厦门', '湖南', '长沙', '江西', '贵州', '贵阳', '云南', '广西', '海南', '河北', '山西', '辽宁', '吉林',
      '黑龙江', '内蒙古', '宁夏', '甘肃', '新疆', '宁波', '东莞', '海淀', '中关村', '浦东', '光谷', '雄安', '工信部', '发改委', '科技部', '财政部', '国务院', '国资委', '央企', '国企', '经信委', '经信局',
    ],
  },
  {
    name: 'foreign_places',
    description: 'Other countries and their chip programmes: subsidies or bans there are not China\'s',
    terms: [
      '"chips act"', 'intel', 'micron', 'tsmc', 'samsung', '"sk hynix"', 'rapidus', 'texas', 'california', 'arizona', 'ohio', 'india', 'indian', 'japan', 'japanese', 'korea', 'korean', 'taiwan',
      'taiwanese', 'vietnam', 'europe', 'european', 'eu', 'germany', 'german', 'dresden', 'italy', 'italian', 'france', 'french', 'britain', 'british', 'uk', 'canada', 'toronto', 'boston',
      'australia', 'australian', 'singapore', 'malaysia', 'berlin', 'stuttgart', 'garante',
      '韩国', '日本', '印度', '欧盟', '欧洲', '台湾', '越南', '德国', '柏林', '意大利', '澳大利亚', '英国', '法国',
    ],
  },
  {
    name: 'domestic',
    description: 'Made or owned in China, as news says it',
    terms: [
      'domest*', 'homegrown', '"home-grown"', 'indigenous', 'local', 'locally', '"chinese-made"', '"china-made"', '"in-house"', 'sovereign', 'self-develop*', '"self-reliance"',
      '国产', '国产化', '自主', '自主可控', '国产替代', '自研', '本土', '本地', '信创',
    ],
  },
  {
    name: 'us_government',
    description: 'The US government and the bodies that blacklist or sanction',
    terms: [
      '"united states"', 'washington', '"white house"', 'commerce', '"commerce department"', 'bis', '"bureau of industry"', 'treasury', 'ofac', 'congress', 'senate', 'lawmaker*', 'fcc',
      'pentagon', 'federal', 'administration', 'american', 'officials', '"state department"', 'legislat*', 'senator*', 'congressional', '"select committee"',
      '美国', '美方', '美国商务部', '工业与安全局', '美国财政部', '美国政府', '白宫', '国会', '参议院', '众议院', '华盛顿', '联邦',
    ],
  },
  {
    name: 'curbs',
    description: 'Blacklists, sanctions, export controls and bans',
    terms: [
      '"entity list"', 'blacklist*', 'sanction*', '"export control"', '"export controls"', '"export curb"', '"export curbs"', '"export restriction"', '"export restrictions"', '"export measures"',
      '"trade restrictions"', '"new restrictions"', 'ban', 'bans', 'banned', 'banning', 'curb*', '"covered list"', '"military end-user"', '"federal register"', 'prohibit*', 'embargo*',
      '"licence requirement"', '"license requirement"', 'penalt*', 'crackdown', '"export ban"', '"chip ban"',
      '实体清单', '制裁', '出口管制', '禁令', '黑名单', '封禁', '禁用', '拉黑', '封杀', '断供', '出口限制',
    ],
  },
  {
    name: 'restrictions',
    description: 'Weaker words for restricting, which say "curbs" only when a government says them',
    terms: [
      'restrict*', 'block*', 'bar', 'bars', 'barred', 'barring', 'probe*', 'investigat*', 'scrutin*', 'cut', 'review',
      '限制', '禁止', '审查', '管制', '管控', '打压', '封锁', '列入', '调查',
    ],
  },
  {
    name: 'hiring',
    description: 'Hiring and recruiting (not the people: "DeepSeek engineers" is news about work, not hiring)',
    terms: [
      'hire', 'hires', 'hired', 'hiring', 'recruit*', '"job ad"', '"job ads"', '"job posting"', '"job postings"', '"job listing"', '"job listings"', 'posting*', 'vacanc*', 'headhunt*', 'poach*',
      'talent', 'headcount', 'job', 'jobs', '"job openings"', 'recruitment', 'careers', 'positions', 'hunt*', 'scout*', 'seek*', '"new hires"',
      '招聘', '招募', '校招', '社招', '岗位', '职位', '人才', '猎头', '挖角', '扩招', '招人', '组建', '年薪', '高薪',
    ],
  },
  {
    name: 'chip_design_jargon',
    description: 'What chip and hardware engineers work on',
    terms: [
      'chip', 'chips', 'asic*', 'fpga*', 'silicon', 'semiconductor*', 'hardware', 'accelerator*', '"circuit design"', 'circuit*', 'verilog', 'rtl', 'npu*', 'gpu*', 'tape-out*', 'tapeout*',
      '"physical design"', 'verification', 'post-silicon', 'pre-silicon', 'serdes', 'hbm', 'mixed-signal', 'eda', 'network-on-chip', 'chiplet*', 'packaging', 'pcb', '"signal integrity"',
      'interconnect*', 'emulation', 'dft', 'soc', 'microarchitect*', '"chip design"', '"chip designers"', 'chip-design', 'tpu*', 'synthesis', '"timing closure"', 'wafer*',
      '"custom silicon"', '"in-house chip"', '"inference chip"', '"training chip"',
      '芯片', '芯片设计', '流片', '芯片验证', '验证工程师', '物理设计', '可测性', 'DFT', '先进封装', '封装', '高速接口', '硬件', '集成电路', '微电子', '电路', '模拟电路', '数字前端', '版图', '布局布线',
      '半导体', '自研芯片',
    ],
  },
  {
    name: 'ai_chips',
    description: 'AI chips and AI compute',
    terms: [
      '"ai chip"', '"ai chips"', 'chip', 'chips', 'chipmaker*', 'gpu*', 'npu*', 'accelerator*', 'processor*', 'silicon', '"computing power"', 'compute', 'semiconductor*', '"neural processing"',
      '"inference cards"', '"inference card"', 'dcu*', 'xpu*',
      '算力', '芯片', 'AI芯片', '智能芯片', '加速卡', '智算', '处理器', 'GPU', 'NPU', '半导体', '集成电路',
    ],
  },
  {
    name: 'alt_compute',
    description: 'Non-GPU AI compute: optical, neuromorphic, analog, in-memory, RISC-V',
    terms: [
      'photonic*', 'optical', 'optoelectronic*', 'photoelectronic*', '"light-based"', 'neuromorphic', '"brain-inspired"', '"brain-like"', 'spiking*', 'analog', 'analogue', '"in-memory"',
      '"compute-in-memory"', '"computing-in-memory"', 'memristor*', '"risc-v"', '"non-gpu"', '"alternatives to gpus"', '"novel computing"', '"new computing architectures"', '"non-von neumann"',
      '"processing-in-memory"', '"near-memory"', '"event-driven"', 'spintronic*', '"probabilistic computing"',
      '光计算', '光学计算', '光芯片', '光子', '光电', '光子芯片', '光电融合', '类脑', '存算一体', '存内计算', '模拟计算', '忆阻器', '新型计算', '神经形态', '脉冲神经', 'RISC-V',
    ],
  },
  {
    name: 'not_alt_compute',
    description: 'Optics and analog that are not AI compute',
    terms: ['fibre', 'fiber', 'zoom', 'lens', '"optical module"', '"optical modules"', 'transceiver*', '"analog devices"', '光纤', '光缆', '光模块', '镜头'],
  },
  {
    name: 'subsidies',
    description: 'State money: subsidies, grants, vouchers, tax breaks and state-guided funds',
    terms: [
      'subsid*', 'grant', 'grants', 'voucher*', '"tax break"', '"tax breaks"', '"tax credit"', '"tax credits"', '"tax incentive"', '"tax incentives"', '"tax rate"', '"tax exemption"', 'incentive*',
      'rebate*', 'reimburs*', '"cash reward"', '"cash rewards"', '"big fund"', '"guidance fund"', '"state fund"', '"state-backed"', '"state-owned"', '"state funding"',
      '"state money"', '"state support"', '"state capital"', '"state grant"', '"government grant"', '"government grants"', '"government fund"', '"government funds"', '"national ic"',
      '"ic fund"', '"industry investment fund"', '"municipal fund"', '"provincial fund"', '"provincial funds"', '"provincial funding"', '"provincial capital"', '"funding pool"', '"national funding"',
      '"national grant"', '"technology fund"', '"special fund"', '"tax relief"', 'preferential', '"low-interest"', '"cheap loans"', '"matching funds"', 'co-fund*',
      '补贴', '补助', '资助', '扶持', '专项资金', '专项', '大基金', '引导基金', '产业投资基金', '产业基金', '国资', '算力券', '奖励', '奖补', '减税', '免税', '退税', '税收优惠', '税收减免', '贴息',
      '拨款', '资金支持', '资金奖励', '政策支持', '经费',
    ],
  },
  {
    name: 'research',
    description: 'Science and research labs: their grants fund research, not chip buyers or makers',
    terms: [
      'research*', 'laboratory', 'laboratories', 'university', 'universities', 'academy', '"science foundation"', 'nsfc', 'tsinghua', 'scientists',
      '科研', '研究', '实验室', '大学', '科学院', '科技部', '重点研发',
    ],
  },
  {
    name: 'money',
    description: 'Funding of any kind',
    terms: [
      'fund', 'funds', 'funded', 'funding', 'invest', 'investor*', 'financ*', 'backing', 'backs', 'back', 'backed', 'budget*', 'billion*', 'million*', 'yuan', 'raise', 'raises', 'raised', 'capital', 'round',
      'spend*', 'earmark*', 'pour*', 'programme*', 'program*', 'grant*', 'subsid*',
      '资金', '基金', '投资', '注资', '入股', '融资', '募资', '增资', '领投', '亿元', '万元', '预算', '专项', '补贴', '扶持', '研发计划', '经费', '计划', '拨款',
    ],
  },
  {
    name: 'models',
    description: 'AI models, as news names them',
    terms: ['model', 'models', 'llm*', '"language model"', 'chatbot*', '"generative ai"', '模型', '大模型', '大语言模型', '基座模型', '多模态'],
  },
  {
    name: 'runs_on',
    description: 'Training, serving or moving a model onto hardware',
    terms: [
      'train', 'trains', 'trained', 'training', 'serve', 'serves', 'served', 'serving', 'inferenc*', 'run', 'runs', 'running', 'deploy*', 'ported', 'porting', 'ports', 'migrat*', 'moved', 'moves',
      'shift*', 'switch*', 'power', 'powers', 'powered', 'tune*', 'pre-training', 'use', 'used', 'uses', 'using', 'buy*', 'purchas*', 'procure*', 'adopt*',
      '训练', '推理', '部署', '适配', '迁移', '基于', '运行', '使用', '预训练', '微调', '采购', '采用', '跑在', '搭载', '上线', '支撑', '赋能', '依托',
    ],
  },
  {
    name: 'adoption',
    description: 'Deploying, buying or building on a platform',
    terms: [
      'powered', 'deploy*', 'migrat*', 'adopt*', 'order*', 'tender*', 'procure*', 'purchas*', 'buy*', 'install*', 'trial*', 'test*', 'switch*',
      'train*', 'inferenc*', 'cluster*', 'server*', 'instance*', 'capacity', 'ship*', 'customer*', 'ecosystem', 'developer*', 'standardis*', 'standardiz*',
      '部署', '采用', '适配', '基于', '迁移', '训练', '推理', '集群', '上线', '采购', '订单', '中标', '落地', '生态', '服务器',
    ],
  },
  {
    name: 'nvidia',
    description: 'Nvidia and its China chips',
    terms: ['nvidia', 'h20', 'h200', 'h800', '"rtx pro"', 'cuda', 'blackwell', '英伟达', 'H20', 'H200', 'CUDA'],
  },
  {
    name: 'back_to_nvidia',
    description: 'Chinese buyers allowed back to Nvidia, or going back to it',
    terms: [
      'resum*', 'return*', 'revert*', 'allow*', 'clears', 'cleared', 'eases', 'eased', 'easing', 'abandon*',
      '恢复', '回归', '转回', '迁回', '放行', '允许', '放宽', '放弃',
    ],
  },
  {
    name: 'china_pushes_domestic',
    description: 'Chinese authorities steering buyers off foreign chips and onto domestic ones',
    terms: [
      'ban', 'bans', 'banned', 'bar', 'barred', 'prohibit*', 'halt*', 'stop', 'stops', 'forbid*', 'discourag*', 'exclud*', 'requir*', 'mandat*', 'must', 'inspect*', 'checks', 'summon*',
      '"move away"', 'ditch*', 'replac*', '"security risks"', 'priorit*',
      '约谈', '禁止', '叫停', '要求', '优先', '安全风险', '替代', '不得', '限购', '窗口指导', '安全审查',
    ],
  },
  {
    name: 'chinese_authorities',
    description: 'Who in China tells companies what to buy',
    terms: [
      'beijing', 'regulator*', 'government', 'state', 'officials', 'ministry', 'miit', 'ndrc', 'cac', 'sasac', 'china', 'chinese', 'public',
      '监管', '网信办', '工信部', '发改委', '国资委', '政府', '央企', '国企', '有关部门',
    ],
  },
  {
    name: 'evaluation',
    description: 'Benchmarks, surveys, rankings and assessments',
    terms: [
      'benchmark*', 'survey*', 'study', 'studies', 'index', 'ranking*', 'ranked', 'ranks', 'rated', 'evaluat*', 'assess*', 'report', 'reports', 'leaderboard*', 'audit*', 'review', 'contest',
      'challenge', 'competition', '"think tank"', 'analysis', 'lighthouse', 'consultancy',
      '评估', '调查', '指数', '排名', '榜单', '报告', '测评', '评测', '名单', '灯塔', '基准', '评分', '白皮书',
    ],
  },
  {
    name: 'domains',
    description: 'Manufacturing, logistics and government services, where the parity prediction is judged',
    terms: [
      'manufactur*', 'factory', 'factories', '"industrial ai"', '"industrial models"', '"industrial llms"', '"industrial tasks"', '"industrial automation"', '"industrial deployment"',
      '"industrial robots"', 'plant', 'plants', 'logistic*', '"supply chain"', '"supply chains"', '"port automation"', '"container port"', '"container ports"', 'seaport*', 'warehous*', 'courier*', 'parcel*',
      '"express networks"', '"government services"', '"public services"', '"social services"', '"city services"', '"e-government"', '"digital government"', '"public sector"', '"public-sector"',
      '"public administration"', '"public agencies"', 'permits', '"defect detection"', 'defect-detection', '"quality control"', 'inspection',
      '制造', '制造业', '智能制造', '工厂', '智能工厂', '工业', '工业互联网', '生产线', '产线', '物流', '智慧物流', '供应链', '港口', '码头', '仓储', '快递', '政务', '电子政务', '数字政府',
      '城市大脑', '公共服务', '灯塔工厂', '质检',
    ],
  },
  {
    name: 'ai',
    description: 'AI and automation, as news names them',
    terms: [
      'ai', '"artificial intelligence"', 'model*', 'llm*', 'robot*', 'automat*', 'smart', 'intelligent', 'chatbot*', '"machine vision"', 'algorithm*',
      'AI', '人工智能', '智能', '智慧', '大模型', '模型', '机器人', '自动化', '算法',
    ],
  },
  {
    name: 'negation',
    description: 'What turns a story around: denials, reversals, cuts, halts (for contradicting rules)',
    terms: [
      'deni*', 'deny', 'denial', 'scrap*', 'shelv*', 'cancel*', 'halt*', 'suspend*', 'paus*', 'abandon*', 'withdr*', 'revers*', 'rescind*', 'lift', 'lifts', 'lifted', 'lifting',
      'delist*', 'pull', 'pulls', 'pulled', 'fold', 'folds', 'folded', 'disband*', 'layoff*', 'freez*', 'trim*', 'slash*', 'drop', 'drops', 'dropped',
      'end', 'ends', 'ended', 'ending', 'axe*', 'kill*', 'postpon*', 'delay*', 'fail*', 'setback*', 'resum*', 'return*', 'revert*', 'exempt*', 'waiver*', 'reprieve', 'loosen*',
      'reject*', 'rebuff*', 'dismiss*', 'retract*', 'backtrack*', 'u-turn', 'quit*', 'exit*', 'departure*',
      '否认', '暂停', '取消', '叫停', '放弃', '终止', '撤销', '撤回', '停止', '削减', '收紧', '推迟', '延期', '搁置', '不会', '不做', '暂不', '暂无', '没有', '无意', '退出', '移出', '解除', '放行',
      '转回', '迁回', '回归', '受阻', '不足', '失败', '恢复采购', '下调', '豁免', '辟谣', '不实', '澄清', '解散', '裁撤', '缩减', '延迟', '流产', '告吹', '放缓',
    ],
  },
  {
    name: 'funding_cuts',
    description: 'Money taken away',
    terms: ['cut', 'cuts', 'trim*', 'slash*', 'scrap*', 'end', 'ends', 'ended', 'halt*', 'suspend*', 'stop*', 'tighten*', 'shelv*', 'cancel*', '削减', '暂停', '叫停', '取消', '收紧', '停止', '终止', '压缩', '退坡', '下调'],
  },
  {
    name: 'comparison',
    description: 'China level with, ahead of or catching up with others',
    terms: [
      'parity', 'par', 'match', 'matches', 'matched', 'ahead', 'outpac*', 'overtak*', 'surpass*', 'outperform*', '"closing the gap"',
      '领先', '超越', '超过', '比肩', '持平', '并跑', '追平', '赶超', '差距',
    ],
  },
  {
    name: 'behind',
    description: 'China trailing the US, not level with it',
    terms: [
      'behind', 'lag', 'lags', 'lagging', 'trail*', '"outperform chinese"', '"outperforms chinese"', '"ahead of china"', '"ahead of chinese"', '"beat chinese"', '"lead china"',
      '差距仍大', '远不及', '落后', '不及', '差距较大',
    ],
  },
];

/**
 * One rule per watch item and per prediction, and one for news that bears
 * against each, as full-text queries over the term sets above (see
 * docs/rules-and-search.md). Each names its target by slug: an indicator (the
 * items count towards it) or, for the predictions' own news, none. A
 * supporting rule leaves out the items its contradicting twin takes, so an
 * item bears one way. Measured against the labelled sets in
 * tests/fixtures/routing/ (`npm run eval:routing`).
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
    query: '@deepseek @hiring @chip_design_jargon -@negation -"hiring freeze"',
    impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports', strength: 'weak' }],
  },
  {
    name: 'Huawei Ascend adoption',
    target: 'huawei-ascend-adoption',
    indicator: 'huawei-ascend-adoption',
    query: '(@huawei_ascend OR (ascend* (@huawei OR @ai_chips OR cluster* OR server*)) OR (@huawei (npu* OR "ai chip" OR "ai chips" OR "ai processor" OR "ai processors" OR "ai accelerator" OR "ai accelerators" OR accelerator* OR "inference cards" OR "neural processing" OR NPU OR AI芯片 OR 算力))) -@consumer_devices -@negation',
    impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'supports', strength: 'weak' }],
  },
  {
    name: 'Chinese AI chip subsidies',
    target: 'china-ai-chip-subsidies',
    indicator: 'china-ai-chip-subsidies',
    query: '@subsidies (@ai_chips OR @alt_compute OR @chinese_chip_firms OR @huawei_ascend OR "data centres" OR 数据中心) (@chinese_places OR @domestic OR @chinese_chip_firms) -@foreign_places -@research -@funding_cuts',
    impacts: [{ prediction: 'china-alt-compute-acceleration', direction: 'supports', strength: 'weak' }],
  },
  {
    name: 'DeepSeek blacklisting and sanctions',
    target: 'deepseek-blacklisted-12m',
    indicator: null,
    query: '@deepseek (@curbs OR (@restrictions @us_government)) -@foreign_places -@negation',
    impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports', strength: 'moderate' }],
  },
  {
    name: 'Chinese funding of alternative AI compute',
    target: 'china-alt-compute-acceleration',
    indicator: null,
    query: '@alt_compute (@money OR @subsidies) (@chinese_places OR @domestic) -@foreign_places -@not_alt_compute -@funding_cuts',
    impacts: [{ prediction: 'china-alt-compute-acceleration', direction: 'supports', strength: 'moderate' }],
  },
  {
    name: 'Chinese frontier AI on domestic stacks',
    target: 'us-china-ai-bifurcation',
    indicator: null,
    query:
      '((@runs_on @chinese_ai_labs (@huawei_ascend OR ascend* OR @huawei OR @chinese_chip_firms OR (@domestic (@ai_chips OR hardware OR platform* OR 平台)) OR paddlepaddle OR 飞桨)) ' +
      'OR (@runs_on @models (@chinese_chip_firms OR (@domestic (@ai_chips OR hardware OR platform* OR 平台)) OR paddlepaddle OR 飞桨)) ' +
      'OR (@china_pushes_domestic (@nvidia OR "foreign ai" OR foreign OR 国外) (purchas* OR buy* OR order* OR procure* OR import* OR 采购 OR 进口 OR 约谈 OR 安全风险) @chinese_authorities) ' +
      'OR (@china_pushes_domestic @domestic (@ai_chips OR hardware OR platform* OR 算力) @chinese_authorities)) -@back_to_nvidia',
    impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'supports', strength: 'moderate' }],
  },
  {
    name: 'Chinese AI in manufacturing, logistics and government',
    target: 'china-domain-parity',
    indicator: null,
    query: '(@evaluation OR @comparison) @domains (@ai OR lighthouse OR 灯塔) (@chinese_places OR 美国 OR 美方) -@behind',
    impacts: [{ prediction: 'china-domain-parity', direction: 'supports', strength: 'weak' }],
  },
  {
    name: 'DeepSeek hardware hiring reversed',
    target: 'deepseek-hardware-hiring',
    indicator: 'deepseek-hardware-hiring',
    query: '@deepseek (@chip_design_jargon OR "own chips" OR 芯片) (@negation OR "hiring freeze") (@hiring OR build* OR plan* OR team* OR 涉足 OR 自研 OR 做芯片)',
    impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'contradicts', strength: 'weak' }],
  },
  {
    name: 'Huawei Ascend setbacks',
    target: 'huawei-ascend-adoption',
    indicator: 'huawei-ascend-adoption',
    query: '(@huawei_ascend OR (ascend* (@huawei OR @ai_chips OR cluster* OR server*)) OR (@huawei (@ai_chips))) @negation -@consumer_devices',
    impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'contradicts', strength: 'weak' }],
  },
  {
    name: 'Chinese AI chip subsidies cut',
    target: 'china-ai-chip-subsidies',
    indicator: 'china-ai-chip-subsidies',
    query: '@subsidies (@ai_chips OR @alt_compute OR @chinese_chip_firms OR 算力 OR "computing") (@chinese_places OR @domestic) @funding_cuts -@foreign_places',
    impacts: [{ prediction: 'china-alt-compute-acceleration', direction: 'contradicts', strength: 'weak' }],
  },
  {
    name: 'DeepSeek blacklist ruled out or lifted',
    target: 'deepseek-blacklisted-12m',
    indicator: null,
    query: '@deepseek (@curbs OR (@restrictions @us_government)) @negation -@foreign_places',
    impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'contradicts', strength: 'moderate' }],
  },
  {
    name: 'Chinese funding of alternative AI compute cut',
    target: 'china-alt-compute-acceleration',
    indicator: null,
    query: '@alt_compute (@money OR @subsidies) @funding_cuts -@foreign_places -@not_alt_compute',
    impacts: [{ prediction: 'china-alt-compute-acceleration', direction: 'contradicts', strength: 'moderate' }],
  },
  {
    name: 'Chinese AI back on Nvidia',
    target: 'us-china-ai-bifurcation',
    indicator: null,
    query:
      '(@nvidia @back_to_nvidia (@chinese_places OR @chinese_ai_labs OR @chinese_authorities OR bytedance OR 字节跳动 OR @models)) ' +
      'OR ((@huawei_ascend OR ascend* OR @domestic OR 国产芯片) (@runs_on OR @adoption) @negation (@nvidia OR @models OR @chinese_ai_labs))',
    impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'contradicts', strength: 'moderate' }],
  },
  {
    name: 'Chinese AI behind in manufacturing, logistics and government',
    target: 'china-domain-parity',
    indicator: null,
    query: '(@evaluation OR @comparison) @domains (@ai OR lighthouse) (@chinese_places OR 美国 OR 美方) @behind',
    impacts: [{ prediction: 'china-domain-parity', direction: 'contradicts', strength: 'weak' }],
  },
];
