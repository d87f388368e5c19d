import { performance } from 'node:perf_hooks';

import { createWorkerApp } from '#apps/worker/src/worker-app.js';
import { loadConfig } from '#config';
import { DatabaseConnection, PrismaService } from '#db';
import { RulesService, SourceIngestionService } from '#signals';
import { serve, startLocalHttpServer } from '#test/local-http-server.js';
import { createTestDatabase } from '#test/test-database.js';

const FEEDS = 200;
const ITEMS_PER_FEED = 100;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MANY_RULES = 200;
const TARGET_RATIO = 0.5;
const MEMORY_TARGET_MB = 300;

/** The ingest bench's mix: three topics the first rules look for, two no rule does. */
const TOPICS = ['Huawei Ascend shipments rise', 'DeepSeek hiring chip engineers', 'provincial AI chip subsidies', 'weather report', 'sports results'];
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
  items: number;
  seconds: number;
  pending: number;
  failures: number;
}

/**
 * 20,000 items (200 local feeds of 100) ingested by the worker as the ingest
 * processor would (fetch, parse, dedupe, store, match every rule, record the
 * matches with their ranks and terms), once against 3 rules and once against
 * 200, each on a fresh PostgreSQL database, in the same run. The 200-rule pass
 * must keep at least half the items per second of the 3-rule pass; memory is
 * the process's peak RSS over both.
 */
export async function run(): Promise<void> {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const runs = ['few', 'many'] as const;
  const bodies = new Map(runs.map((name) => [name, Array.from({ length: FEEDS }, (_, feed) => Buffer.from(feedXml(feed, name), 'utf8'))]));
  const server = await startLocalHttpServer(
    Object.fromEntries(runs.flatMap((name) => bodies.get(name)!.map((body, feed) => [`/${name}/${feed}.xml`, serve(body, { 'content-type': 'application/rss+xml' })]))),
  );

  const pass = async (name: (typeof runs)[number], queries: readonly string[]): Promise<Pass> => {
    const database = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: database.url, QUEUE_PREFIX: `bwbench-routing-${name}`, LOG_LEVEL: 'silent', OUTBOUND_ALLOWLIST: '127.0.0.1', SCHEDULERS: 'false' });
    const worker = await createWorkerApp(config, new DatabaseConnection(database.url, 'postgres'));
    await worker.init();
    try {
      const prisma = worker.get(PrismaService);
      const rules = worker.get(RulesService);
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
      return { rules: queries.length, items, seconds, pending, failures };
    } finally {
      await worker.close();
      await database.drop();
    }
  };

  try {
    const few = await pass('few', FEW_RULES);
    const many = await pass('many', [...FEW_RULES, ...Array.from({ length: MANY_RULES - FEW_RULES.length }, (_, index) => syntheticRule(index))]);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const rate = (p: Pass): number => p.items / p.seconds;
    const ratio = rate(many) / rate(few);
    for (const p of [few, many]) {
      out(`${String(p.rules).padStart(3)} rules: ${p.items} items in ${p.seconds.toFixed(2)} s = ${Math.round(rate(p))} items/s (${p.pending} pending review; failed fetches: ${p.failures})`);
    }
    out(`200 rules keep ${ratio.toFixed(2)}x the items/s of 3 (target at least ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`);
    out(`peak RSS ${peakRssMb.toFixed(0)} MB (target < ${MEMORY_TARGET_MB} MB: ${peakRssMb < MEMORY_TARGET_MB ? 'met' : 'NOT met'})`);
    if (ratio < TARGET_RATIO || peakRssMb >= MEMORY_TARGET_MB || few.failures + many.failures > 0) process.exitCode = 1;
  } finally {
    await server.close();
  }
}
