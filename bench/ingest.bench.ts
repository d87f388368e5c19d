import { performance } from 'node:perf_hooks';

import { XMLParser } from 'fast-xml-parser';
import { parseFeed } from 'feedsmith';

import { createWorkerApp } from '#apps/worker/src/worker-app.js';
import { loadConfig } from '#config';
import { DatabaseConnection, PrismaService } from '#db';
import { decodeResponseText, parseFeedDocument, RulesService, SignalItemsRepository, SourceIngestionService, TermSetsService } from '#signals';
import { serve, startLocalHttpServer } from '#test/local-http-server.js';
import { createTestDatabase } from '#test/test-database.js';

import { SEED_TERM_SETS } from '../apps/api/src/seed/analysis.seed-data.js';

const FEEDS = 200;
const ITEMS_PER_FEED = 100;
/** As many fetches at once as one worker runs (the ingest processor's concurrency). */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MEMORY_TARGET_MB = 300;

/** Words the seeded starter rules look for, so a share of the items goes through matching into the inbox. */
const TOPICS = ['Huawei Ascend shipments rise', 'DeepSeek hiring chip engineers', 'provincial AI chip subsidies', 'weather report', 'sports results'];

function feedXml(feed: number): string {
  const items = Array.from({ length: ITEMS_PER_FEED }, (_, index) => {
    const topic = TOPICS[(feed + index) % TOPICS.length]!;
    return (
      `<item><title><![CDATA[${topic}: story ${feed}-${index}]]></title><link>/feeds/${feed}/posts/${index}</link>` +
      `<guid isPermaLink="false">bench-${feed}-${index}</guid><pubDate>Fri, 27 Nov 2026 10:00:00 GMT</pubDate>` +
      `<description>&lt;p&gt;A summary of ${topic.toLowerCase()} with &lt;b&gt;some&lt;/b&gt; markup, story ${index} of feed ${feed}.&lt;/p&gt;</description></item>`
    );
  }).join('');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench feed ${feed}</title><link>http://127.0.0.1/</link>${items}</channel></rss>`;
}

/** Parsing rounds per contender; each is timed at its best round, so a neighbour's burst of CPU does not decide the ratio. */
const PARSE_ROUNDS = 5;
const PARSE_TARGET_RATIO = 0.7;

/**
 * Bellwether's parse-and-normalise (decode, parseFeedDocument) against the
 * XML parser underneath it alone (fast-xml-parser, no hooks, no stop nodes)
 * and against feedsmith's whole-feed parser, on the same bytes, rounds
 * interleaved. Items per second of each, best round.
 */
function measureParsing(bodies: readonly Buffer[], origin: string): { items: number; perSecond: Record<'bellwether' | 'xmlParser' | 'feedsmith', number> } {
  const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: false, htmlEntities: false, parseTagValue: false, parseAttributeValue: false, trimValues: false, ignoreDeclaration: true, ignorePiTags: true, jPath: false });
  const text = (body: Buffer): string => decodeResponseText(body, 'application/rss+xml');
  const contenders = {
    bellwether: (body: Buffer, feed: number): void => void parseFeedDocument(text(body), `${origin}/feeds/${feed}.xml`),
    xmlParser: (body: Buffer): void => void xmlParser.parse(text(body)),
    feedsmith: (body: Buffer): void => void parseFeed(text(body)),
  };
  const best = { bellwether: Infinity, xmlParser: Infinity, feedsmith: Infinity };
  for (let round = 0; round < PARSE_ROUNDS; round += 1) {
    for (const [name, parse] of Object.entries(contenders) as [keyof typeof contenders, (body: Buffer, feed: number) => void][]) {
      const start = performance.now();
      bodies.forEach((body, feed) => parse(body, feed));
      best[name] = Math.min(best[name], (performance.now() - start) / 1000);
    }
  }
  const items = bodies.length * ITEMS_PER_FEED;
  return { items, perSecond: { bellwether: items / best.bellwether, xmlParser: items / best.xmlParser, feedsmith: items / best.feedsmith } };
}

async function inParallel<T>(inputs: readonly T[], limit: number, work: (input: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < inputs.length) await work(inputs[next++]!);
    }),
  );
}

/**
 * 200 local feeds of 100 items (20,000 items) through the whole pipeline: a
 * real HTTP fetch on 127.0.0.1, decoding, parsing, dedupe, rule matching and
 * storage in PostgreSQL at 127.0.0.1, run by the worker application as the
 * ingest processor would. The baseline is parsing the same bytes alone, in the
 * same run; memory is this process's peak RSS (the worker plus the small feed server).
 */
export async function run(): Promise<void> {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  // BENCH_INGEST=grouping runs only the grouping pass (and BENCH_STORED_IN_WINDOW sizes it), for looking into it.
  if (process.env.BENCH_INGEST === 'grouping') return measureGrouping(out);
  const bodies = Array.from({ length: FEEDS }, (_, feed) => Buffer.from(feedXml(feed), 'utf8'));
  const server = await startLocalHttpServer(Object.fromEntries(bodies.map((body, feed) => [`/feeds/${feed}.xml`, serve(body, { 'content-type': 'application/rss+xml' })])));
  const database = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: database.url, QUEUE_PREFIX: 'bwbench-ingest', LOG_LEVEL: 'silent', OUTBOUND_ALLOWLIST: '127.0.0.1', SCHEDULERS: 'false', AUDIT_SIGNING_KEY: process.env.AUDIT_SIGNING_KEY });
  const worker = await createWorkerApp(config, new DatabaseConnection(database.url, 'postgres'));
  await worker.init();
  try {
    const prisma = worker.get(PrismaService);
    const ingestion = worker.get(SourceIngestionService);
    const rules = worker.get(RulesService);
    await rules.addOrImproveSeeded(['"huawei ascend"', 'deepseek hiring', '"chip subsidies"'].map((query, index) => ({ name: `bench rule ${index}`, query, impacts: [] })));
    (globalThis as { gc?: () => void }).gc?.();
    out(`worker booted: RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB, heap used ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB, external ${(process.memoryUsage().external / 1048576).toFixed(0)} MB`);
    // Disabled: only this bench fetches them.
    const sources = await prisma.source.createManyAndReturn({
      data: bodies.map((_, feed) => ({ name: `bench ${feed}`, kind: 'feed' as const, url: `${server.origin}/feeds/${feed}.xml`, intervalSeconds: 1800, enabled: false })),
      select: { id: true },
    });
    const totalBytes = bodies.reduce((sum, body) => sum + body.length, 0);

    // Baseline: the same bytes through the same decoder and parser, nothing else.
    const parseStart = performance.now();
    let parsedItems = 0;
    for (const [feed, body] of bodies.entries()) {
      parsedItems += parseFeedDocument(decodeResponseText(body, 'application/rss+xml'), `${server.origin}/feeds/${feed}.xml`).entries.length;
    }
    const parseSeconds = (performance.now() - parseStart) / 1000;

    const pass = async (): Promise<{ seconds: number; newItems: number; duplicates: number; errors: Map<string, number> }> => {
      const start = performance.now();
      const totals = { newItems: 0, duplicates: 0, errors: new Map<string, number>() };
      await inParallel(sources, CONCURRENCY, async (source) => {
        const outcome = await ingestion.fetchSource(source.id);
        totals.newItems += outcome.newItems;
        totals.duplicates += outcome.duplicateItems;
        if (outcome.error) totals.errors.set(outcome.error, (totals.errors.get(outcome.error) ?? 0) + 1);
      });
      return { seconds: (performance.now() - start) / 1000, ...totals };
    };
    const first = await pass();
    const second = await pass();
    const pending = await prisma.signalItem.count({ where: { status: 'pending' } });
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    // After the pipeline's peak is read: the comparison's rounds of throwaway trees are the bench's, not the worker's.
    const parsing = measureParsing(bodies, server.origin);
    const errors = (map: Map<string, number>): string => (map.size === 0 ? 'none' : [...map].map(([error, count]) => `${count}x ${error}`).join('; '));

    out(`feeds ${FEEDS} x ${ITEMS_PER_FEED} items, ${(totalBytes / 1024 / 1024).toFixed(1)} MiB of RSS XML, ${CONCURRENCY} fetches at once`);
    out(`parse only (baseline):   ${parsedItems} items in ${parseSeconds.toFixed(2)} s = ${Math.round(parsedItems / parseSeconds)} items/s`);
    const parseRatio = parsing.perSecond.bellwether / parsing.perSecond.xmlParser;
    out(
      `parse and normalise, best of ${PARSE_ROUNDS}: ${Math.round(parsing.perSecond.bellwether)} items/s; fast-xml-parser alone ${Math.round(parsing.perSecond.xmlParser)} items/s ` +
        `(ratio ${parseRatio.toFixed(2)}, target at least ${PARSE_TARGET_RATIO}: ${parseRatio >= PARSE_TARGET_RATIO ? 'met' : 'NOT met'}); ` +
        `feedsmith's parseFeed ${Math.round(parsing.perSecond.feedsmith)} items/s (ratio ${(parsing.perSecond.bellwether / parsing.perSecond.feedsmith).toFixed(2)})`,
    );
    out(
      `fetch+parse+dedupe+rules+store: ${first.newItems} new items in ${first.seconds.toFixed(2)} s = ${Math.round(first.newItems / first.seconds)} items/s ` +
        `(${pending} matched a rule; failures: ${errors(first.errors)})`,
    );
    out(`ratio: the full pipeline takes ${(first.seconds / parseSeconds).toFixed(1)}x the time of parsing alone`);
    out(`second pass, nothing new: ${second.duplicates} duplicates recognised in ${second.seconds.toFixed(2)} s (failures: ${errors(second.errors)})`);
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    out(`memory now: heap ${(memory.heapTotal / 1048576).toFixed(0)} MB (used ${(memory.heapUsed / 1048576).toFixed(0)}), external ${(memory.external / 1048576).toFixed(0)} MB`);
    out(`peak RSS: ${peakRssMb.toFixed(0)} MB (target under ${MEMORY_TARGET_MB} MB: ${peakRssMb < MEMORY_TARGET_MB ? 'met' : 'NOT met'})`);
  } finally {
    await worker.close();
    await database.drop();
    await server.close();
  }
  await measureGrouping(out);
}

/** Stored items in the grouping window when the grouping pass runs. */
const STORED_IN_WINDOW = Number(process.env.BENCH_STORED_IN_WINDOW ?? 50_000);
const GROUPING_TARGET_RATIO = 0.7;

/** mulberry32: the same news every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ACTORS = [
  'DeepSeek', 'Huawei', 'Cambricon', 'SMIC', 'Moore Threads', 'Biren', 'Baidu', 'Alibaba', 'Tencent', 'Zhipu', 'Moonshot', 'iFlytek', 'Hygon', 'Kunlunxin', 'MetaX',
  'Enflame', 'Nvidia', 'Intel', 'Samsung', 'TSMC', 'Siemens', 'Toyota', 'Unilever', 'Maersk', 'Airbus', 'Shell', 'Nestle', 'Sony', 'BYD', 'CATL',
];
const DEEDS = ['raises', 'launches a fund worth', 'wins a tender worth', 'opens a lab costing', 'buys chips worth', 'cuts prices by', 'signs a deal worth', 'ships servers worth', 'hires engineers for', 'plans a cluster worth'];
const PLACES = ['Shanghai', 'Shenzhen', 'Beijing', 'Hangzhou', 'Wuhan', 'Hefei', 'Chengdu', 'Guangzhou', 'Suzhou', 'Nanjing', 'Berlin', 'Tokyo', 'Seoul', 'Austin', 'Paris'];
const CHINESE_ACTORS = ['华为', '寒武纪', '中芯国际', '摩尔线程', '百度', '阿里巴巴', '腾讯', '智谱', '科大讯飞', '海光'];
const CHINESE_PLACES = ['上海', '深圳', '北京', '杭州', '武汉', '合肥', '成都', '广州'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];

/** News-like items (a tenth in Chinese), each of its own event: an actor, a deed, an amount, a place, a day; published within the window's 72 hours before `end`. */
function newsItem(next: () => number, index: number, end: number): { title: string; summary: string; link: string; published: Date } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const amount = 1 + Math.floor(next() * 980);
  const share = 5 + Math.floor(next() * 90);
  const published = new Date(end - Math.floor(next() * 72 * 3_600_000));
  if (index % 10 === 9) {
    const actor = pick(CHINESE_ACTORS);
    const place = pick(CHINESE_PLACES);
    return { title: `${actor}在${place}投资${amount}亿元建设算力中心`, summary: `${published.getUTCMonth() + 1}月${published.getUTCDate()}日，${actor}宣布在${place}投资${amount}亿元，国产芯片占比${share}%。`, link: `https://cn.example.com/${index}`, published };
  }
  const actor = pick(ACTORS);
  const place = pick(PLACES);
  return {
    title: `${actor} ${pick(DEEDS)} ${amount} million yuan in ${place}`,
    summary: `${actor} said on ${pick(WEEKDAYS)} that ${share}% of the ${amount} million yuan will go to work in ${place}.`,
    link: `https://news.example.com/${index}`,
    published,
  };
}

function newsFeedXml(items: readonly { title: string; summary: string; link: string; published: Date }[], feed: number): string {
  const entries = items
    .map((item, index) => `<item><title>${item.title}</title><link>${item.link}</link><guid isPermaLink="false">news-${feed}-${index}</guid><pubDate>${item.published.toUTCString()}</pubDate><description>${item.summary}</description></item>`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News ${feed}</title>${entries}</channel></rss>`;
}

/**
 * Grouping into stories with 50,000 stored items in the window: 200 feeds of
 * news-like items (every item its own event: an actor, a deed, an amount, a
 * place, a day; a tenth in Chinese) fetched through the whole pipeline with
 * grouping off (STORY_GROUPING=false: each item a story of its own, what the
 * pipeline did before stories) and with it on, in alternating rounds of 5,000
 * items (10,000 each way), against the same database holding the seed's term
 * sets and 50,000 stored, grouped items published within the same 72 hours.
 */
async function measureGrouping(out: (line: string) => boolean): Promise<void> {
  const end = Date.UTC(2026, 10, 27, 12);
  const next = random(20261207);
  const server = await startLocalHttpServer();
  const database = await createTestDatabase();
  const connection = new DatabaseConnection(database.url, 'postgres');
  const boot = async (grouping: 'true' | 'false') => {
    const app = await createWorkerApp(loadConfig({ DATABASE_URL: database.url, QUEUE_PREFIX: 'bwbench-grouping', LOG_LEVEL: 'silent', OUTBOUND_ALLOWLIST: '127.0.0.1', SCHEDULERS: 'false', STORY_GROUPING: grouping, AUDIT_SIGNING_KEY: process.env.AUDIT_SIGNING_KEY }), connection);
    await app.init();
    return app;
  };
  try {
    let worker = await boot('true');
    await worker.get(TermSetsService).addOrImproveSeeded(SEED_TERM_SETS);
    await worker.get(RulesService).addOrImproveSeeded(['"huawei ascend"', 'deepseek hiring', '"chip subsidies"'].map((query, index) => ({ name: `bench rule ${index}`, query, impacts: [] })));
    const setupStart = performance.now();
    const repository = worker.get(SignalItemsRepository);
    for (let start = 0; start < STORED_IN_WINDOW; start += 2_000) {
      const batch = Array.from({ length: Math.min(2_000, STORED_IN_WINDOW - start) }, (_, offset) => {
        const item = newsItem(next, start + offset, end);
        return { dedupeKey: `stored:${start + offset}`, sourceId: null, externalId: null, url: item.link.replace('news.', 'stored.'), title: item.title, summary: item.summary, publishedAt: item.published, contentHash: `stored:${start + offset}` };
      });
      await repository.insertNew(batch);
    }
    const prisma = worker.get(PrismaService);
    // Stored as a routed feed would have left them: not items a crash left for the next fetch to route.
    await prisma.signalItem.updateMany({ where: { routedAt: null }, data: { routedAt: new Date() } });
    const stories = await prisma.story.count();
    out(`grouping: ${STORED_IN_WINDOW} items stored within 72 hours (in ${stories} stories) in ${((performance.now() - setupStart) / 1000).toFixed(0)} s`);
    await worker.close();

    // Rounds of 50 feeds (5,000 items), off and on in turn, so the machine's other work weighs on both alike.
    const ROUND_FEEDS = FEEDS / 4;
    const pass = async (grouping: 'true' | 'false', round: number): Promise<{ items: number; seconds: number; stories: number }> => {
      const bodies = Array.from({ length: ROUND_FEEDS }, (_, feed) =>
        newsFeedXml(
          Array.from({ length: ITEMS_PER_FEED }, (_, index) => newsItem(next, (round * ROUND_FEEDS + feed) * ITEMS_PER_FEED + index, end)),
          round * ROUND_FEEDS + feed,
        ),
      );
      bodies.forEach((body, feed) => server.routes.set(`/news/${round}/${feed}.xml`, serve(body, { 'content-type': 'application/rss+xml' })));
      worker = await boot(grouping);
      try {
        const sources = await worker.get(PrismaService).source.createManyAndReturn({
          data: bodies.map((_, feed) => ({ name: `news ${round}-${feed}`, kind: 'feed' as const, url: `${server.origin}/news/${round}/${feed}.xml`, intervalSeconds: 1800, enabled: false })),
          select: { id: true },
        });
        const ingestion = worker.get(SourceIngestionService);
        const storiesBefore = await worker.get(PrismaService).story.count();
        const start = performance.now();
        let items = 0;
        await inParallel(sources, CONCURRENCY, async (source) => {
          const outcome = await ingestion.fetchSource(source.id);
          items += outcome.newItems;
        });
        const seconds = (performance.now() - start) / 1000;
        return { items, seconds, stories: (await worker.get(PrismaService).story.count()) - storiesBefore };
      } finally {
        await worker.close();
      }
    };
    const totals = { off: { items: 0, seconds: 0, stories: 0 }, on: { items: 0, seconds: 0, stories: 0 } };
    for (let round = 0; round < 4; round += 1) {
      const mode = round % 2 === 0 ? 'off' : 'on';
      const result = await pass(mode === 'on' ? 'true' : 'false', round + 1);
      totals[mode].items += result.items;
      totals[mode].seconds += result.seconds;
      totals[mode].stories += result.stories;
    }
    const { off, on } = totals;
    const ratio = on.items / on.seconds / (off.items / off.seconds);
    out(`grouping off (each item a story of its own): ${off.items} new items in ${off.seconds.toFixed(2)} s = ${Math.round(off.items / off.seconds)} items/s`);
    out(`grouping on, ${STORED_IN_WINDOW}+ stored items in the window: ${on.items} new items in ${on.seconds.toFixed(2)} s = ${Math.round(on.items / on.seconds)} items/s, ${on.stories} stories for them`);
    out(`ratio on/off: ${ratio.toFixed(2)}x (target at least ${GROUPING_TARGET_RATIO}x: ${ratio >= GROUPING_TARGET_RATIO ? 'met' : 'NOT met'})`);
  } finally {
    await database.drop();
    await server.close();
  }
}
