import { performance } from 'node:perf_hooks';

import { AnalysisSeedService } from '#apps/api/src/seed/analysis-seed.service.js';
import { createWorkerApp } from '#apps/worker/src/worker-app.js';
import { loadConfig } from '#config';
import { DatabaseConnection, PrismaService } from '#db';
import { PredictionsService } from '#predictions';
import { IndicatorsService, RoutingModelsService, RulesService, SourceIngestionService, TermSetsService } from '#signals';
import { serve, startLocalHttpServer } from '#test/local-http-server.js';
import { createTestDatabase } from '#test/test-database.js';

const FEEDS = 200;
const ITEMS_PER_FEED = 100;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MANY_RULES = 200;
const TARGET_RATIO = 0.5;
const MEMORY_TARGET_MB = 300;

/**
 * Three topics the first rules look for, written as news is (so the routing
 * model finds them relevant too, and explains each route), and two no rule
 * or model does.
 */
const TOPICS = [
  'Huawei Ascend 910C chips power a new AI training cluster',
  'DeepSeek hiring chip engineers for an in-house AI accelerator',
  'Province offers chip subsidies for domestic AI processors',
  'weather report',
  'sports results',
];
const FEW_RULES = ['"huawei ascend"', 'deepseek hiring', '"chip subsidies"'];

/** Words for the other rules: news vocabulary, some of it in the items, so rules hit, miss and exclude. */
const WORDS = [
  'export', 'sanction', 'entity', 'blacklist', 'commerce', 'nvidia', 'gpu', 'asic', 'fpga', 'photonic', 'optical', 'neuromorphic', 'risc', 'fab', 'lithography',
  'foundry', 'smic', 'yield', 'wafer', 'memory', 'hbm', 'cloud', 'datacenter', 'model', 'training', 'inference', 'benchmark', 'robot', 'factory', 'logistics',
  'port', 'grid', 'province', 'fund', 'grant', 'loan', 'tax', 'startup', 'ipo', 'merger', 'huawei', 'chip', 'hiring', 'subsidies', 'shipments', 'engineers',
  'report', 'weather', 'sports', 'results', 'market', 'price', 'tariff', 'ban', 'license', 'vendor', 'server', 'cluster', 'accelerator', 'compiler',
];

/** A rule shaped like the seeded ones: alternatives, a second condition, an exclusion, some prefixes and phrases. */
function syntheticRule(index: number): string {
  const word = (offset: number): string => WORDS[(index * 7 + offset * 13) % WORDS.length]!;
  const prefix = index % 3 === 0 ? '*' : '';
  return `(${word(0)}${prefix} OR "${word(1)} ${word(2)}" OR ${word(3)}) (${word(4)} OR ${word(5)}*) -${word(6)}`;
}

function feedXml(feed: number, run: string): string {
  const items = Array.from({ length: ITEMS_PER_FEED }, (_, index) => {
    const topic = TOPICS[(feed + index) % TOPICS.length]!;
    return (
      `<item><title><![CDATA[${topic}: story ${feed}-${index}]]></title><link>/${run}/${feed}/posts/${index}</link>` +
      `<guid isPermaLink="false">${run}-${feed}-${index}</guid><pubDate>Fri, 27 Nov 2026 10:00:00 GMT</pubDate>` +
      `<description>&lt;p&gt;A summary of ${topic.toLowerCase()} with &lt;b&gt;some&lt;/b&gt; markup, story ${index} of feed ${feed}.&lt;/p&gt;</description></item>`
    );
  }).join('');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench feed ${feed}</title><link>http://127.0.0.1/</link>${items}</channel></rss>`;
}

async function inParallel<T>(inputs: readonly T[], limit: number, work: (input: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < inputs.length) await work(inputs[next++]!);
    }),
  );
}

interface Pass {
  rules: number;
  model: boolean;
  items: number;
  seconds: number;
  pending: number;
  suggested: number;
  /** Items with a route the model made or joined (via model or both). */
  modelRouted: number;
  failures: number;
}

/**
 * 20,000 items (200 local feeds of 100) ingested by the worker as the ingest
 * processor would (fetch, parse, dedupe, store, match every rule, record the
 * matches with their ranks and terms, score every item with the routing model
 * when one is active), three times in the same run, each on a fresh
 * PostgreSQL database holding the seeded analysis (its rules disabled): 3
 * rules; 200 rules; 200 rules and the routing model the seed trains. The
 * 200-rule pass must keep at least half the items per second of the 3-rule
 * pass, and the pass with the model at least half those of the same 200 rules
 * alone; memory is the process's peak RSS over all three.
 */
export async function run(): Promise<void> {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const runs = ['few', 'many', 'model'] as const;
  const bodies = new Map(runs.map((name) => [name, Array.from({ length: FEEDS }, (_, feed) => Buffer.from(feedXml(feed, name), 'utf8'))]));
  const server = await startLocalHttpServer(
    Object.fromEntries(runs.flatMap((name) => bodies.get(name)!.map((body, feed) => [`/${name}/${feed}.xml`, serve(body, { 'content-type': 'application/rss+xml' })]))),
  );

  const pass = async (name: (typeof runs)[number], queries: readonly string[], model: boolean): Promise<Pass> => {
    const database = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: database.url, QUEUE_PREFIX: `bwbench-routing-${name}`, LOG_LEVEL: 'silent', OUTBOUND_ALLOWLIST: '127.0.0.1', SCHEDULERS: 'false', AUDIT_SIGNING_KEY: process.env.AUDIT_SIGNING_KEY });
    const worker = await createWorkerApp(config, new DatabaseConnection(database.url, 'postgres'));
    await worker.init();
    try {
      const prisma = worker.get(PrismaService);
      const rules = worker.get(RulesService);
      // The seeded analysis (predictions, indicators, links, term sets, the first routing model), as a deployment has it.
      await new AnalysisSeedService(worker.get(PredictionsService), worker.get(IndicatorsService), rules, worker.get(TermSetsService), worker.get(RoutingModelsService)).seed();
      await prisma.rule.updateMany({ data: { enabled: false } });
      if (!model) await prisma.routingModel.updateMany({ where: { status: 'active' }, data: { status: 'retired' } });
      await rules.addOrImproveSeeded(queries.map((query, index) => ({ name: `bench rule ${index}`, query, impacts: [] })));
      const sources = await prisma.source.createManyAndReturn({
        data: bodies.get(name)!.map((_, feed) => ({ name: `bench ${feed}`, kind: 'feed' as const, url: `${server.origin}/${name}/${feed}.xml`, intervalSeconds: 1800, enabled: false })),
        select: { id: true },
      });
      const ingestion = worker.get(SourceIngestionService);
      let items = 0;
      let failures = 0;
      const start = performance.now();
      await inParallel(sources, CONCURRENCY, async (source) => {
        const outcome = await ingestion.fetchSource(source.id);
        items += outcome.newItems;
        if (outcome.error) failures += 1;
      });
      const seconds = (performance.now() - start) / 1000;
      const pending = await prisma.signalItem.count({ where: { status: 'pending' } });
      const suggested = await prisma.signalItem.count({ where: { status: 'suggested' } });
      const [{ modelRouted }] = await prisma.$queryRaw<[{ modelRouted: number }]>`
        SELECT count(*)::int AS "modelRouted" FROM "SignalItem" WHERE "routes" @> '[{"via": "both"}]' OR "routes" @> '[{"via": "model"}]'`;
      return { rules: queries.length, model, items, seconds, pending, suggested, modelRouted, failures };
    } finally {
      await worker.close();
      await database.drop();
    }
  };

  try {
    const manyRules = [...FEW_RULES, ...Array.from({ length: MANY_RULES - FEW_RULES.length }, (_, index) => syntheticRule(index))];
    const few = await pass('few', FEW_RULES, false);
    const many = await pass('many', manyRules, false);
    const withModel = await pass('model', manyRules, true);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const rate = (p: Pass): number => p.items / p.seconds;
    const ratio = rate(many) / rate(few);
    const modelRatio = rate(withModel) / rate(many);
    for (const p of [few, many, withModel]) {
      out(
        `${String(p.rules).padStart(3)} rules${p.model ? ' + model' : ''}: ${p.items} items in ${p.seconds.toFixed(2)} s = ${Math.round(rate(p))} items/s ` +
          `(${p.pending} pending review, ${p.suggested} suggested, ${p.modelRouted} routed by the model; failed fetches: ${p.failures})`,
      );
    }
    out(`200 rules keep ${ratio.toFixed(2)}x the items/s of 3 (target at least ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`);
    out(`200 rules and the model keep ${modelRatio.toFixed(2)}x the items/s of the rules alone (target at least ${TARGET_RATIO}: ${modelRatio >= TARGET_RATIO ? 'met' : 'NOT met'})`);
    out(`peak RSS ${peakRssMb.toFixed(0)} MB (target < ${MEMORY_TARGET_MB} MB: ${peakRssMb < MEMORY_TARGET_MB ? 'met' : 'NOT met'})`);
    if (ratio < TARGET_RATIO || modelRatio < TARGET_RATIO || peakRssMb >= MEMORY_TARGET_MB || few.failures + many.failures + withModel.failures > 0) process.exitCode = 1;
  } finally {
    await server.close();
  }
}
