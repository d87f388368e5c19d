import { Injectable, Logger } from '@nestjs/common';

import { UsersService } from '#auth';
import {
  canonicalUrl,
  deltaLogOdds,
  EMPTY_STORY,
  GENESIS_HASH,
  inForecastOrder,
  likelihoodRatioFor,
  logit,
  onLogOddsGrid,
  probabilityFromLogOdds,
  quietDayLikelihoodRatio,
  recordInStory,
  scorePredictionTracks,
  scoringMoves,
  uuidV7,
  type StoryState,
} from '#core';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, PrismaService } from '#db';
import { advanceHead, AuditSigningKeyService, chainedAuditEntry, type ChainHead } from '#predictions';

import { ArchiveService } from '../export/archive.service.js';
import { SEED_INDICATORS } from './analysis.seed-data.js';
import { DEMO_ANALYSTS, DEMO_EVIDENCE, DEMO_PREDICTIONS, DEMO_RANDOM_SEED, DEMO_READINGS, type DemoPrediction } from './demo.seed-data.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const SEED_ACTOR = 'system:seed';
const QUIET_DAY_ACTOR = 'system:quiet-days';

/** What a start with DEMO=true did: loaded the year (with the rows per table), or found it, or found other data and left it alone. */
export type DemoLoad =
  | { outcome: 'loaded'; tables: Record<string, number> }
  | { outcome: 'in-place' }
  | { outcome: 'not-empty'; predictions: number };

/** An analyst of the demo as the record names them. */
interface DemoAnalyst {
  actor: string;
  name: string;
}

/** What signs the demo's chain heads: the instance's own key, so its audit verification vouches for them as for its own. */
interface DemoSigner {
  keyId: string;
  publicKey: string;
  activatedAt: string;
  signHead: AuditSigningKeyService['signHead'];
}

type Row = Record<string, unknown>;

/**
 * Loads the demo's year (demo.seed-data.ts) into an empty instance, for
 * `npm run demo` (DEMO=true). A year of history has times in the past, and the
 * services stamp what they record with the present, so the year is written as an
 * export document and loaded through the import, the one write path that takes
 * recorded times: it re-verifies every chain, signature and derived value
 * (#core verifyArchive) before it writes anything, so a demo that does not add
 * up is refused rather than loaded. The document is built with the arithmetic
 * the services use (#core, `chainedAuditEntry`) and signed with the instance's
 * own key. People are made through UsersService first (forecasts name them);
 * the analysis seed runs after and adds the rules, term sets, links and the
 * routing model around what was loaded.
 */
@Injectable()
export class DemoSeedService {
  private readonly logger = new Logger(DemoSeedService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly users: UsersService,
    private readonly archive: ArchiveService,
    private readonly signingKeys: AuditSigningKeyService,
  ) {}

  /** Loads the year into an empty instance; an instance that holds any prediction is left as it is (the demo's, or someone's data). */
  async loadIfEmpty(now = new Date()): Promise<DemoLoad> {
    const predictions = await this.prisma.prediction.count();
    if (predictions > 0) {
      const demo = await this.prisma.prediction.count({ where: { slug: { in: DEMO_PREDICTIONS.map((prediction) => prediction.slug) } } });
      return demo === DEMO_PREDICTIONS.length ? { outcome: 'in-place' } : { outcome: 'not-empty', predictions };
    }
    const analysts: DemoAnalyst[] = [];
    for (const analyst of DEMO_ANALYSTS) {
      const user = (await this.users.findActiveByEmail(analyst.email)) ?? (await this.users.create({ name: analyst.name, email: analyst.email, role: 'analyst' }));
      analysts.push({ actor: `user:${user.id}`, name: user.name });
    }
    const key = (await this.signingKeys.list()).find((candidate) => candidate.keyId === this.signingKeys.keyId)!;
    const signer: DemoSigner = {
      keyId: key.keyId,
      publicKey: key.publicKey,
      activatedAt: key.activatedAt,
      signHead: (head) => this.signingKeys.signHead(head),
    };
    const document = buildDemoArchive(now, analysts, signer, this.archive.tableNames());
    const summary = await this.archive.import(document);
    this.logger.log({ tables: summary.tables }, 'Loaded the demo year');
    return { outcome: 'loaded', tables: summary.tables };
  }
}

/** A small seeded generator (mulberry32): the same year on every load. */
function randomSource(seed: number): { next(): number; normal(): number } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  // Box-Muller: enough for forecasts that stray from the model and readings with noise.
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return { next, normal };
}

/** One thing that happened, in time order. */
type DemoEvent =
  | { at: number; order: number; kind: 'evidence'; index: number }
  | { at: number; order: number; kind: 'quiet-day'; slug: string; day: number }
  | { at: number; order: number; kind: 'forecast'; slug: string; analyst: number }
  | { at: number; order: number; kind: 'resolution'; slug: string };

/** A prediction as it grows through the year. */
interface Chain {
  spec: DemoPrediction;
  row: Row;
  head: ChainHead;
  createdAt: number;
  deadline: number;
  /** When its resolution is recorded (no moves or forecasts after it). */
  closedAt: number;
  occurredAt: number | null;
  entries: Row[];
  forecasts: Row[];
}

/**
 * The demo's year as an export document (the format `GET /v1/export` writes),
 * its times counted back from `now`. Every value an import checks is computed as
 * the services compute it; data that contradicts itself (evidence on a
 * prediction before it existed or after it resolved) throws, naming it.
 */
export function buildDemoArchive(now: Date, analysts: readonly DemoAnalyst[], signer: DemoSigner, tableNames: readonly string[]): unknown {
  const random = randomSource(DEMO_RANDOM_SEED);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const latest = now.getTime() - HOUR_MS;
  /** A time on the day `daysAgo` days before today, `hours` into it (UTC), never later than an hour ago. */
  const dayAt = (daysAgo: number, hours: number) => Math.min(today - daysAgo * DAY_MS + Math.round(hours * HOUR_MS), latest);
  const tables: Record<string, Row[]> = Object.fromEntries(tableNames.map((name) => [name, []]));
  const push = (table: string, row: Row) => tables[table]!.push(row);

  const chains = new Map<string, Chain>();
  const events: DemoEvent[] = [];
  let order = 0;
  const event = (value: DemoEvent) => events.push(value);

  for (const spec of DEMO_PREDICTIONS) {
    const createdAt = dayAt(spec.createdDaysAgo, 6);
    const deadline = createdAt + spec.deadlineAfterDays * DAY_MS;
    const resolution = spec.resolution;
    const occurredAt = resolution ? (resolution.outcome === 'false' ? Math.min(deadline, dayAt(resolution.occurredDaysAgo, 15)) : dayAt(resolution.occurredDaysAgo, 15)) : null;
    const closedAt = resolution ? dayAt(resolution.recordedDaysAgo, 10) : latest;
    const creator = resolution ? analysts[resolution.by]!.actor : SEED_ACTOR;
    const priorLogOdds = onLogOddsGrid(logit(spec.prior));
    const id = uuidV7(createdAt);
    const row: Row = {
      id,
      slug: spec.slug,
      title: spec.title,
      statement: spec.statement,
      resolutionCriteria: spec.resolutionCriteria,
      prior: spec.prior,
      priorLogOdds,
      deadline: new Date(deadline),
      eventByDeadline: spec.eventByDeadline,
      revision: 1,
      resolvedAt: null,
      outcomeOccurredAt: null,
      resolutionNote: null,
      resolutionSourceUrl: null,
      // The deadline job marks a prediction due on its next tick after the deadline.
      dueAt: deadline < closedAt ? new Date(deadline + 5 * 60_000) : null,
      createdAt: new Date(createdAt),
    };
    push('revisions', { id: uuidV7(createdAt), predictionId: id, revision: 1, title: spec.title, statement: spec.statement, resolutionCriteria: spec.resolutionCriteria, editedBy: creator, createdAt: new Date(createdAt) });
    const chain: Chain = { spec, row, head: { id, logOdds: priorLogOdds, auditSequence: 0, auditHash: GENESIS_HASH }, createdAt, deadline, closedAt, occurredAt, entries: [], forecasts: [] };
    chains.set(spec.slug, chain);
    append(chain, { kind: 'prior', deltaLogOdds: 0, actor: creator, detail: { prior: spec.prior }, at: new Date(createdAt) });

    // A quiet day is recorded by the worker a few minutes after the day ends, up to the last day before the deadline's.
    if (spec.eventByDeadline) {
      const lastPossibleDay = Math.floor((deadline - 1) / DAY_MS);
      for (let day = Math.floor(createdAt / DAY_MS) + 1; (day + 1) * DAY_MS + 5 * 60_000 < Math.min(closedAt, latest); day++) {
        if (quietDayLikelihoodRatio(lastPossibleDay - day + 1) === null) break;
        event({ at: (day + 1) * DAY_MS + 5 * 60_000, order: order++, kind: 'quiet-day', slug: spec.slug, day });
      }
    }
    if (resolution) event({ at: closedAt, order: order++, kind: 'resolution', slug: spec.slug });
    // Each analyst forecasts now and then, from a few days after it is made until the event (or now).
    const until = occurredAt ?? latest;
    DEMO_ANALYSTS.forEach((analyst, index) => {
      for (let at = createdAt + (2 + random.next() * 12) * DAY_MS; at < until; at += analyst.cadenceDays * (0.6 + random.next() * 0.8) * DAY_MS) {
        event({ at: Math.round(at), order: order++, kind: 'forecast', slug: spec.slug, analyst: index });
      }
    });
  }
  DEMO_EVIDENCE.forEach((item, index) => event({ at: dayAt(item.daysAgo, 8 + random.next() * 10), order: order++, kind: 'evidence', index }));
  events.sort((a, b) => a.at - b.at || a.order - b.order);

  const stories = new Map<string, string>();
  const standings = new Map<string, StoryState>();
  for (const happened of events) {
    const at = new Date(happened.at);
    switch (happened.kind) {
      case 'evidence': {
        const item = DEMO_EVIDENCE[happened.index]!;
        const actor = analysts[happened.index % analysts.length]!.actor;
        const evidenceId = uuidV7(happened.at);
        const named = item.story ? stories.get(item.story) : undefined;
        const storyId = named ?? uuidV7(happened.at);
        if (item.story) stories.set(item.story, storyId);
        push('evidence', {
          id: evidenceId,
          summary: item.summary,
          sourceUrl: item.sourceUrl,
          observedAt: new Date(happened.at - Math.round((2 + random.next() * 20) * HOUR_MS)),
          reliability: item.reliability,
          actor,
          indicatorReadingId: null,
          signalItemId: null,
          retractedAt: null,
          retractionReason: null,
          retractedBy: null,
          createdAt: at,
          storyId,
          // The second outlet's report was linked to the first's story by the analyst who recorded it.
          namedStoryId: named ?? null,
          canonicalUrl: canonicalUrl(item.sourceUrl),
          independenceReason: null,
        });
        for (const [slug, direction, strength] of item.impacts) {
          const chain = chainOpenAt(chains, slug, happened.at, item.summary);
          const likelihoodRatio = likelihoodRatioFor(direction, strength);
          const delta = deltaLogOdds(likelihoodRatio, item.reliability);
          const key = `${storyId}/${chain.head.id}`;
          const change = recordInStory(standings.get(key) ?? EMPTY_STORY, { evidenceId, deltaLogOdds: delta });
          standings.set(key, change.after);
          push('impacts', { id: uuidV7(happened.at), evidenceId, predictionId: chain.head.id, likelihoodRatio, reliability: item.reliability, deltaLogOdds: delta, direction, strength, createdAt: at });
          append(chain, {
            kind: 'evidence',
            deltaLogOdds: change.move,
            actor,
            evidenceId,
            detail: {
              likelihoodRatio,
              reliability: item.reliability,
              story: { id: storyId, before: change.before.appliedDeltaLogOdds, after: change.after.appliedDeltaLogOdds, counted: change.after.strongestEvidenceId, countedOnceWith: change.countedOnceWith },
            },
            at,
          });
        }
        break;
      }
      case 'quiet-day': {
        const chain = chains.get(happened.slug)!;
        const daysRemaining = Math.floor((chain.deadline - 1) / DAY_MS) - happened.day + 1;
        const likelihoodRatio = quietDayLikelihoodRatio(daysRemaining)!;
        const label = new Date(happened.day * DAY_MS).toISOString().slice(0, 10);
        append(chain, {
          kind: 'quiet_day',
          deltaLogOdds: deltaLogOdds(likelihoodRatio, 1),
          actor: QUIET_DAY_ACTOR,
          reason: `No event on ${label}; ${daysRemaining} days were left`,
          detail: { day: label, daysRemaining, likelihoodRatio },
          at,
        });
        break;
      }
      case 'forecast': {
        const chain = chains.get(happened.slug)!;
        const analyst = DEMO_ANALYSTS[happened.analyst]!;
        // An analyst reads the same news as the model, with a lean of their own and some noise.
        const view = probabilityFromLogOdds(chain.head.logOdds + analyst.bias + analyst.spread * random.normal());
        const probability = Math.min(0.97, Math.max(0.03, Math.round(view * 100) / 100));
        const note = random.next() < 0.3 ? FORECAST_NOTES[Math.floor(random.next() * FORECAST_NOTES.length)]! : null;
        const forecast = { id: uuidV7(happened.at), predictionId: chain.head.id, forecaster: analysts[happened.analyst]!.actor, forecasterName: analysts[happened.analyst]!.name, probability, note, createdAt: at };
        chain.forecasts.push(forecast);
        push('forecasts', forecast);
        break;
      }
      case 'resolution': {
        const chain = chains.get(happened.slug)!;
        const resolution = chain.spec.resolution!;
        append(chain, {
          kind: 'resolution',
          deltaLogOdds: 0,
          actor: analysts[resolution.by]!.actor,
          reason: resolution.note,
          detail: { outcome: resolution.outcome, occurredAt: new Date(chain.occurredAt!).toISOString(), sourceUrl: resolution.sourceUrl },
          at,
        });
        Object.assign(chain.row, {
          status: resolution.outcome === 'true' ? 'resolved_true' : 'resolved_false',
          resolvedAt: at,
          outcomeOccurredAt: new Date(chain.occurredAt!),
          resolutionNote: resolution.note,
          resolutionSourceUrl: resolution.sourceUrl,
        });
        break;
      }
    }
  }

  for (const chain of chains.values()) {
    const last = chain.entries.at(-1)!;
    push('predictions', {
      ...chain.row,
      status: chain.row.status ?? (chain.deadline <= now.getTime() ? 'due' : 'open'),
      logOdds: chain.head.logOdds,
      probability: probabilityFromLogOdds(chain.head.logOdds),
      auditSequence: chain.head.auditSequence,
      auditHash: chain.head.auditHash,
      updatedAt: last.createdAt,
    });
    const resolution = chain.spec.resolution;
    if (!resolution) continue;
    // The scores the resolution keeps, as TrackScoringService computes them at the event time.
    const tracks = scorePredictionTracks(
      { priorLogOdds: chain.row.priorLogOdds as number, createdAt: new Date(chain.createdAt) },
      scoringMoves(chain.entries.map((entry) => ({ kind: entry.kind as string, deltaLogOdds: entry.deltaLogOdds as number, createdAt: entry.createdAt as Date, day: dayOf(entry.detail) }))),
      inForecastOrder(chain.forecasts as unknown as { id: string; forecaster: string; forecasterName: string; probability: number; createdAt: Date }[]),
      new Date(chain.occurredAt!),
      resolution.outcome === 'true' ? 1 : 0,
    );
    for (const track of tracks) push('trackScores', { id: uuidV7(chain.closedAt), predictionId: chain.head.id, ...track, createdAt: new Date(chain.closedAt) });
  }

  const historyStart = dayAt(Math.max(...DEMO_PREDICTIONS.map((prediction) => prediction.createdDaysAgo)), 6);
  for (const indicator of SEED_INDICATORS) {
    const id = uuidV7(historyStart);
    push('indicators', { id, ...indicator, createdAt: new Date(historyStart), updatedAt: new Date(historyStart) });
    const readings = DEMO_READINGS.find((candidate) => candidate.indicator === indicator.slug);
    if (!readings) continue;
    const span = latest - historyStart;
    let index = 0;
    for (let at = historyStart + DAY_MS; at < latest; at += readings.everyDays * (0.8 + random.next() * 0.4) * DAY_MS, index++) {
      const trend = readings.from + ((readings.to - readings.from) * (at - historyStart)) / span;
      const scale = 10 ** readings.digits;
      const value = Math.max(0, Math.round(trend * (1 + readings.noise * random.normal()) * scale) / scale);
      const observedAt = Math.round(at);
      push('readings', {
        id: uuidV7(observedAt),
        indicatorId: id,
        value,
        observedAt: new Date(observedAt),
        note: readings.note,
        sourceUrl: readings.sourceUrl,
        sourceId: null,
        createdById: analysts[index % analysts.length]!.actor,
        createdAt: new Date(observedAt + HOUR_MS),
      });
    }
  }
  push('auditKeys', { id: signer.keyId, publicKey: signer.publicKey, origin: 'local', activatedAt: signer.activatedAt, createdAt: signer.activatedAt });

  // As the export writes it: JSON, times as ISO 8601 strings.
  return JSON.parse(JSON.stringify({ format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, exportedAt: now.toISOString(), tables })) as unknown;

  /** Appends an entry to a prediction's chain and signs the new head, as every write of the trail does. */
  function append(chain: Chain, move: Parameters<typeof chainedAuditEntry>[1] & { at: Date }): void {
    const entry: Row = { id: uuidV7(move.at.getTime()), ...chainedAuditEntry(chain.head, move) };
    advanceHead(chain.head, entry as unknown as Parameters<typeof advanceHead>[1]);
    chain.entries.push(entry);
    push('auditEntries', entry);
    const signedAt = (entry.createdAt as Date).toISOString();
    const { keyId, signature } = signer.signHead({ predictionId: chain.head.id, sequence: entry.sequence as number, hash: entry.hash as string, signedAt });
    push('chainHeads', { id: uuidV7(move.at.getTime()), predictionId: chain.head.id, sequence: entry.sequence, hash: entry.hash, signedAt, keyId, signature });
  }
}

const FORECAST_NOTES = [
  'Reading the review reports as a timing signal, not a decision.',
  'Procurement data moves me more than statements.',
  'Holding until the next tender results.',
  'The trade talks cut both ways.',
  'Tender numbers look stronger than the headlines.',
  'Discounting single-source reports.',
];

/** The prediction an impact names, which must exist and still take moves at `at`. */
function chainOpenAt(chains: ReadonlyMap<string, Chain>, slug: string, at: number, summary: string): Chain {
  const chain = chains.get(slug);
  if (!chain) throw new Error(`Demo evidence "${summary}" names ${slug}, which the demo does not make`);
  if (at < chain.createdAt || at >= chain.closedAt) throw new Error(`Demo evidence "${summary}" falls outside the time ${slug} takes evidence`);
  return chain;
}

function dayOf(detail: unknown): string | null {
  const day = (detail as { day?: unknown } | null)?.day;
  return typeof day === 'string' ? day : null;
}
