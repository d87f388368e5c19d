import { Injectable, Logger } from '@nestjs/common';

import {
  DEFAULT_ROUTING_TRAINING_OPTIONS,
  type EvidenceDirection,
  routingEvaluation,
  RoutingModel,
  type RoutingExample,
  type RoutingTrainingOptions,
  trainingOptionsWithConcepts,
  trainRoutingModel,
} from '#core';
import { type Prisma, PrismaService, type RoutingModelStatus, WriteTransactions } from '#db';
import { JobQueues } from '#jobs';
import { EvidenceQueriesService } from '#predictions';

import { ROUTING_DEVELOPMENT_SET } from './labelled-routing/development-set.js';
import {
  type DecidedItem,
  decisionExamples,
  decisionWeight,
  judgeCandidate,
  LABELLED_GROUP,
  labelledExamples,
  type RoutingModelEvaluation,
} from './routing-model-training.js';
import { parseSignalRoutes } from './signal-routes.js';
import { TermSetsRepository } from './term-sets.repository.js';

/** One stored version, without the model's weights. */
export interface RoutingModelVersion {
  id: string;
  version: number;
  status: RoutingModelStatus;
  trainedAt: Date;
  examples: number;
  evaluation: RoutingModelEvaluation;
  reason: string;
}

/** The active version and every version, newest first. */
export interface RoutingModelHistory {
  active: RoutingModelVersion | null;
  versions: RoutingModelVersion[];
}

/** The model routing uses, loaded. */
export interface ActiveRoutingModel {
  version: number;
  model: RoutingModel;
}

export interface RetrainOutcome {
  /** The version stored; null when the schedule found nothing new to learn from and trained nothing. */
  version: number | null;
  status: RoutingModelStatus | 'skipped';
  reason: string;
  examples: number;
  decisions: number;
}

/** The most recent decisions training reads. */
const MAX_DECISIONS = 5_000;
/** The latest share of decisions held out to compare a candidate with the active version... */
const HOLDOUT_SHARE = 0.2;
/** ...when at least this many of them are newer than the active version. */
const MIN_HOLDOUT = 10;
/** Serialises the writes of new versions across the cluster (pg_advisory_xact_lock). */
const VERSION_LOCK = 7_301_001;

/** Who trains: the seed, the schedule, or a person asking. */
export type RetrainTrigger = 'seed' | 'schedule' | `request:${string}`;

/**
 * The learned second stage of routing, stored: every version with its
 * evaluation, one active. The seed trains the first version from the labelled
 * development set; a retrain (the daily job, or an admin's request) trains a
 * candidate on that set plus the analysts' decisions and keeps it only if it
 * scores no worse than the active version (judgeCandidate); otherwise it is
 * stored as rejected, with the reason, and the active version stays.
 *
 * Each process keeps the active model in memory and asks the database for
 * the active version's number before each routed batch (one indexed row),
 * loading the model again only when that number changes.
 */
@Injectable()
export class RoutingModelsService {
  private readonly logger = new Logger(RoutingModelsService.name);
  private cached: ActiveRoutingModel | null = null;
  private loading: Promise<ActiveRoutingModel | null> | null = null;

  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: WriteTransactions,
    private readonly termSets: TermSetsRepository,
    private readonly evidence: EvidenceQueriesService,
    private readonly queues: JobQueues,
  ) {}

  /** Queues a retrain for the worker; requests within the same minute are one job. */
  async requestRetrain(actor: string, now = new Date()): Promise<{ jobId: string }> {
    const jobId = `retrain-routing-model-${Math.floor(now.getTime() / 60_000)}`;
    await this.queues.enqueue('retrain-routing-model', { requestedBy: actor }, { jobId });
    return { jobId };
  }

  /** The active model, or null when none is stored (or the stored one cannot be read: routing then uses rules alone). */
  async active(): Promise<ActiveRoutingModel | null> {
    const [row] = await this.prisma.$queryRaw<{ version: number }[]>`SELECT "version" FROM "RoutingModel" WHERE "status" = 'active'`;
    if (!row) return (this.cached = null);
    if (this.cached?.version === row.version) return this.cached;
    this.loading ??= this.load(row.version).finally(() => (this.loading = null));
    return this.loading;
  }

  async history(): Promise<RoutingModelHistory> {
    const rows = await this.prisma.routingModel.findMany({
      select: { id: true, version: true, status: true, trainedAt: true, examples: true, evaluation: true, reason: true },
      orderBy: { version: 'desc' },
    });
    const versions = rows.map((row) => ({ ...row, evaluation: row.evaluation as unknown as RoutingModelEvaluation }));
    return { active: versions.find((version) => version.status === 'active') ?? null, versions };
  }

  /** Trains and stores the first version if there is none (the seed; idempotent, and a replica seeding at once is harmless). */
  async ensureFirstVersion(): Promise<RetrainOutcome | null> {
    if ((await this.prisma.routingModel.count()) > 0) return null;
    return this.retrain('seed');
  }

  /**
   * Trains a candidate on the labelled development set and the analysts'
   * decisions, with the current term sets as concepts, and stores it: active
   * (the old version retired) if it scores no worse than the active one,
   * else rejected with the reason.
   */
  async retrain(trigger: RetrainTrigger): Promise<RetrainOutcome> {
    const active = await this.prisma.routingModel.findFirst({ where: { status: 'active' }, select: { version: true, trainedAt: true, evaluation: true, model: true } });
    const decided = trigger === 'seed' ? [] : await this.decisions();
    const termSets = Object.fromEntries([...(await this.termSets.termSets())].map(([name, terms]) => [name, [...terms]]));
    if (trigger === 'schedule' && active && !this.changedSince(active, decided, termSets)) {
      return { version: null, status: 'skipped', reason: `nothing new since version ${active.version}: no decision and no term set changed`, examples: 0, decisions: 0 };
    }
    // The newest decisions, if enough of them came after the active version, are held out: neither model trained on them.
    const newer = active ? decided.filter((item) => item.reviewedAt > active.trainedAt) : [];
    const holdoutSize = Math.min(newer.length, Math.ceil(decided.length * HOLDOUT_SHARE));
    const holdout = active && holdoutSize >= MIN_HOLDOUT ? newer.slice(0, holdoutSize) : [];
    const training = decided.slice(holdout.length);
    const options: RoutingTrainingOptions = Object.keys(termSets).length > 0 ? trainingOptionsWithConcepts(termSets) : DEFAULT_ROUTING_TRAINING_OPTIONS;
    const examples: RoutingExample[] = [...labelledExamples(ROUTING_DEVELOPMENT_SET), ...decisionExamples(training, decisionWeight(training.length))];

    const started = performance.now();
    const trained = trainRoutingModel(examples, options);
    const holdoutExamples = decisionExamples(holdout, 1);
    const evaluation: RoutingModelEvaluation = {
      crossValidation: trained.evaluation,
      labelled: trained.groups[LABELLED_GROUP]!,
      holdout:
        holdout.length === 0
          ? null
          : (() => {
              const candidateFigures = this.measure(trained.model, holdoutExamples);
              return {
                decisions: holdout.length,
                micro: candidateFigures.micro,
                macroF1: candidateFigures.macro.f1,
                activeMicroF1: active ? this.measureStored(active.model, holdoutExamples) : null,
              };
            })(),
      labelledExamples: ROUTING_DEVELOPMENT_SET.length,
      decisions: training.length,
      termSets: Object.keys(termSets).length,
    };
    const verdict =
      trigger === 'seed'
        ? { accepted: true, reason: 'trained at seed time from the labelled development set' }
        : judgeCandidate(evaluation, active ? { version: active.version, evaluation: active.evaluation as unknown as RoutingModelEvaluation } : null);
    const status: RoutingModelStatus = verdict.accepted ? 'active' : 'rejected';
    const reason = `${trigger === 'seed' ? '' : `${trigger === 'schedule' ? 'scheduled retrain' : `retrain requested by ${trigger.slice('request:'.length)}`}: `}${verdict.reason}`;
    const version = await this.store({ status, examples: examples.length, evaluation, model: trained.model.toJSON(), reason }, trigger === 'seed');
    if (version === null) return { version: 1, status: 'active', reason: 'another process seeded the first version', examples: examples.length, decisions: 0 };
    this.logger.log(
      { version, status, examples: examples.length, decisions: training.length, holdout: holdout.length, labelledMacroF1: evaluation.labelled.macro.f1, milliseconds: Math.round(performance.now() - started) },
      status === 'active' ? 'Routing model trained and in use' : 'Routing model trained and rejected; the active version stays',
    );
    return { version, status, reason, examples: examples.length, decisions: training.length };
  }

  /** Micro and macro figures of a model on decided items, over the targets they bear on or the model knows. */
  private measure(model: RoutingModel, items: readonly RoutingExample[]): ReturnType<typeof routingEvaluation> {
    const targets = [...new Set([...model.targets, ...items.flatMap((item) => Object.keys(item.targets))])].sort();
    const routed = items.map((item) => new Map(model.route(item).map((relevance) => [relevance.target, relevance.direction])));
    return routingEvaluation(
      items,
      targets,
      (index, target) => routed[index]!.has(target),
      (index, target) => routed[index]!.get(target) ?? 'supports',
    );
  }

  /** Whether an analyst decided anything since the active version was trained, or the term sets differ from those it reads. */
  private changedSince(active: { trainedAt: Date; model: unknown }, decided: readonly { reviewedAt: Date }[], termSets: Record<string, string[]>): boolean {
    if (decided.some((item) => item.reviewedAt > active.trainedAt)) return true;
    const stored = (active.model as { concepts?: { termSets?: Record<string, string[]> } | null }).concepts?.termSets ?? {};
    const canonical = (sets: Record<string, string[]>): string => JSON.stringify(Object.keys(sets).sort().map((name) => [name, sets[name]]));
    return canonical(stored) !== canonical(termSets);
  }

  /** The active version's micro F1 on the holdout; null if it cannot be read (stored by an older release). */
  private measureStored(json: unknown, items: readonly RoutingExample[]): number | null {
    try {
      return this.measure(RoutingModel.fromJSON(json), items).micro.f1;
    } catch {
      return null;
    }
  }

  /**
   * Writes a version numbered after every other; an active one retires the
   * version it replaces, in the same transaction. `onlyFirst` writes nothing
   * (answers null) when some version exists already: the seed of another replica won.
   */
  private async store(version: { status: RoutingModelStatus; examples: number; evaluation: RoutingModelEvaluation; model: object; reason: string }, onlyFirst: boolean): Promise<number | null> {
    return this.transactions.run(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${VERSION_LOCK})`;
      const [{ next }] = await tx.$queryRaw<{ next: number }[]>`SELECT coalesce(max("version"), 0)::int + 1 AS next FROM "RoutingModel"`;
      if (onlyFirst && next! > 1) return null;
      if (version.status === 'active') await tx.routingModel.updateMany({ where: { status: 'active' }, data: { status: 'retired' } });
      await tx.routingModel.create({
        data: {
          version: next!,
          status: version.status,
          examples: version.examples,
          evaluation: version.evaluation as unknown as Prisma.InputJsonValue,
          model: version.model as Prisma.InputJsonValue,
          reason: version.reason,
        },
      });
      return next!;
    }, 'batch');
  }

  private async load(version: number): Promise<ActiveRoutingModel | null> {
    const row = await this.prisma.routingModel.findUnique({ where: { version }, select: { version: true, model: true } });
    if (!row) return this.cached;
    try {
      this.cached = { version: row.version, model: RoutingModel.fromJSON(row.model) };
      return this.cached;
    } catch (error) {
      this.logger.error({ err: error, version }, 'The active routing model cannot be read; routing uses the rules alone');
      return null;
    }
  }

  /**
   * Analysts' decisions, newest first: items a person accepted or rejected
   * (a rule's auto-accept is not a decision), with the predictions the
   * accepted ones' evidence moved, asked of the predictions library.
   */
  private async decisions(): Promise<(DecidedItem & { reviewedAt: Date })[]> {
    const rows = await this.prisma.signalItem.findMany({
      where: { status: { in: ['accepted', 'rejected'] }, reviewedAt: { not: null }, NOT: { reviewedBy: { startsWith: 'system:' } } },
      select: { title: true, summary: true, status: true, routes: true, evidenceId: true, reviewedAt: true },
      orderBy: [{ reviewedAt: 'desc' }, { id: 'desc' }],
      take: MAX_DECISIONS,
    });
    const impacts = await this.evidence.impactsOf(rows.flatMap((row) => (row.evidenceId ? [row.evidenceId] : [])));
    const byEvidence = new Map<string, { slug: string; direction: EvidenceDirection }[]>();
    for (const impact of impacts) {
      const list = byEvidence.get(impact.evidenceId) ?? byEvidence.set(impact.evidenceId, []).get(impact.evidenceId)!;
      list.push({ slug: impact.slug, direction: impact.direction ?? (impact.likelihoodRatio >= 1 ? 'supports' : 'contradicts') });
    }
    return rows.map((row) => ({
      title: row.title,
      summary: row.summary,
      status: row.status as 'accepted' | 'rejected',
      routes: parseSignalRoutes(row.routes),
      impacts: row.evidenceId ? (byEvidence.get(row.evidenceId) ?? []) : [],
      reviewedAt: row.reviewedAt!,
    }));
  }
}
