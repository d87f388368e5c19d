import { Injectable } from '@nestjs/common';

import {
  canonicalUrl,
  deltaLogOdds,
  DomainError,
  EMPTY_STORY,
  NotFoundError,
  recordInStory,
  retractFromStory,
  storyContribution,
  strongestOf,
  uuidV7,
  type StoryChange,
} from '#core';
import { asSqlSession, WriteTransactions, type PrismaTransaction, type SqlSession } from '#db';
import { OutboxWriter, outboxColumns, type OutboxEventInput } from '#events';

import { chainedAuditEntry } from '../chain/audit-entry.js';
import { AuditTrailService } from '../chain/audit-trail.service.js';
import { confidenceChangedPayload } from '../chain/confidence-event.js';
import { assertOpenForMoves, PredictionChainRepository, type AuditEntryRow } from '../chain/prediction-chain.repository.js';
import { ForecastDivergenceService, teamForecastOf } from '../forecasts/forecast-divergence.service.js';
import { impactRatio, MAX_CLOCK_SKEW_MS, type RecordEvidenceInput } from './evidence-input.js';
import { writeEvidence } from './evidence-statements.js';
import { EvidenceStoriesRepository, type SameStoryMatch, type StoryStanding } from './evidence-stories.repository.js';

/** A story's part in one move of one prediction. */
export interface StoryMove {
  id: string;
  /** The evidence the story counts on this prediction after the move (null once none of it is live). */
  counted: string | null;
  /** Recorded but not counted: the evidence of the same story that is counted instead. */
  countedOnceWith: string | null;
  /** This evidence's own dL = r * ln(LR) on this prediction. */
  itemDeltaLogOdds: number;
  /** What the story added to the prediction's log-odds before the move and after it. */
  deltaLogOddsBefore: number;
  deltaLogOddsAfter: number;
}

/** Earlier evidence the recorded evidence looks like the same story as: the warning in the response. */
export interface SameStoryWarning {
  evidenceId: string;
  storyId: string;
  summary: string;
  recordedAt: Date;
  matchedBy: SameStoryMatch;
}

/** How many same-story warnings a response lists. */
export const MAX_SAME_STORY_WARNINGS = 10;

export interface EvidenceMove {
  predictionId: string;
  slug: string;
  likelihoodRatio: number;
  /** What the prediction moved: the change of the story's contribution (0 for a weaker repeat). */
  deltaLogOdds: number;
  probabilityBefore: number;
  probabilityAfter: number;
  story: StoryMove;
}

export interface RecordedEvidence {
  id: string;
  storyId: string;
  /** Recorded as a story of its own although it looked like the same story as `sameStory`. */
  independent: boolean;
  /** Earlier evidence of the same predictions it looks like the same story as, best match first. */
  sameStory: SameStoryWarning[];
  impacts: EvidenceMove[];
}

export interface RetractedEvidence {
  id: string;
  retractedAt: Date;
  impacts: EvidenceMove[];
}

/** Evidence that came from a signal item was retracted; runs in the retraction's transaction. */
export interface SignalEvidenceRetraction {
  evidenceId: string;
  signalItemId: string;
  reason: string;
  actor: string;
}

/**
 * The port through which the signals library hears of retractions without
 * this library knowing it: a listener registered at start-up runs inside the
 * retraction's transaction, so the retraction and its consequences commit or
 * fail together.
 */
export type SignalEvidenceRetractionListener = (tx: PrismaTransaction, retraction: SignalEvidenceRetraction) => Promise<void>;

const invalid = (code: string, message: string, field: string) => new DomainError('invalid', code, message, field);

/** What one audit entry did to one prediction, as evidence responses and events report it. */
function evidenceMove(
  prediction: { id: string; slug: string },
  likelihoodRatio: number,
  entry: { deltaLogOdds: number; probabilityBefore: number; probabilityAfter: number },
  story: StoryMove,
): EvidenceMove {
  return {
    predictionId: prediction.id,
    slug: prediction.slug,
    likelihoodRatio,
    deltaLogOdds: entry.deltaLogOdds,
    probabilityBefore: entry.probabilityBefore,
    probabilityAfter: entry.probabilityAfter,
    story,
  };
}

function storyMove(storyId: string, itemDeltaLogOdds: number, change: StoryChange): StoryMove {
  return {
    id: storyId,
    counted: change.after.strongestEvidenceId,
    countedOnceWith: change.countedOnceWith,
    itemDeltaLogOdds,
    deltaLogOddsBefore: change.before.appliedDeltaLogOdds,
    deltaLogOddsAfter: change.after.appliedDeltaLogOdds,
  };
}

/** The story facts an audit entry keeps in its (hashed) detail, so explain and verification read them from the trail. */
function storyDetail(move: StoryMove): { id: string; before: number; after: number; counted: string | null; countedOnceWith: string | null } {
  return { id: move.id, before: move.deltaLogOddsBefore, after: move.deltaLogOddsAfter, counted: move.counted, countedOnceWith: move.countedOnceWith };
}

/** An entry that left the probability where it was (a repeat of a story, a retracted repeat) announces no confidence change. */
function moved(entry: { logOddsBefore: number; logOddsAfter: number }): boolean {
  return entry.logOddsAfter !== entry.logOddsBefore;
}

/** The event payload's view of a move: the move, and the story it counted in. */
function movePayload(move: EvidenceMove) {
  const { story, ...rest } = move;
  return { ...rest, story: { id: story.id, counted: story.counted, countedOnceWith: story.countedOnceWith } };
}

/**
 * Records and retracts evidence. Recording moves every prediction it bears on,
 * in one transaction: lock the predictions (ascending id), find the story it
 * belongs to, compute each dL = r * ln(LR) and what it changes in its story's
 * contribution (a story counts once, as its strongest live item), write the
 * evidence, its impacts, the story's standing, one chain entry per prediction
 * and the outbox events. Reads are EvidenceQueriesService's.
 */
@Injectable()
export class EvidenceService {
  private readonly retractionListeners: SignalEvidenceRetractionListener[] = [];

  constructor(
    private readonly transactions: WriteTransactions,
    private readonly chain: PredictionChainRepository,
    private readonly auditTrail: AuditTrailService,
    private readonly divergence: ForecastDivergenceService,
    private readonly outbox: OutboxWriter,
    private readonly stories: EvidenceStoriesRepository,
  ) {}

  /** Registers what must happen, in the same transaction, when evidence that came from a signal item is retracted. */
  onSignalEvidenceRetracted(listener: SignalEvidenceRetractionListener): void {
    this.retractionListeners.push(listener);
  }

  /** Records evidence in a transaction of its own. */
  async record(input: RecordEvidenceInput, actor: string): Promise<RecordedEvidence> {
    return this.transactions.runSql((sql) => this.recordWithin(sql, input, actor));
  }

  /**
   * Records evidence inside the caller's transaction, which commits it (accepting a
   * signal, a reading that crosses a threshold). The confidence write in as few
   * statements as it takes: lock (ids and slugs resolved in the same statement),
   * find the story (one statement, and one more to read its standing when it has
   * one), compute every entry here, write everything in one statement, and only
   * when a move parts the model from the team forecast, one more for that event.
   *
   * The story: the one the caller names; else that of earlier evidence of the
   * same predictions with the same canonical link, or with a near-same summary
   * observed within a week (not for a reading's crossing: a measurement); else
   * a new one. `independent` makes it a new one whatever it matched, with the
   * reason in the trail. Every match on the same predictions is reported back
   * as a warning.
   */
  async recordWithin(tx: PrismaTransaction | SqlSession, input: RecordEvidenceInput, actor: string): Promise<RecordedEvidence> {
    // Reported evidence may not claim a time ahead of the clock; evidence derived from a reading or a
    // feed item carries the time its source was checked for. Scoring goes by recording time regardless.
    if (input.indicatorReadingId == null && input.signalItemId == null && input.observedAt.getTime() > Date.now() + MAX_CLOCK_SKEW_MS) {
      throw invalid('observed-in-future', `observedAt may be at most ${MAX_CLOCK_SKEW_MS / 60_000} minutes ahead of the server's clock`, 'observedAt');
    }
    // Requests are shaped by the API's DTOs; a library caller gets the same answer rather than a RangeError.
    if (input.reliability !== undefined && !(input.reliability >= 0 && input.reliability <= 1)) {
      throw invalid('reliability-out-of-range', 'reliability must be within [0, 1]', 'reliability');
    }
    if (input.independent && input.independent.reason.trim().length === 0) {
      throw invalid('reason-required', 'independent.reason must say why this is not the same story', 'independent.reason');
    }
    const sql = asSqlSession(tx);
    const reliability = input.reliability ?? 1;
    const impacts = input.impacts.map(impactRatio);
    const heads = await this.chain.lockEach(sql, impacts.map((impact) => impact.prediction), (index) => `impacts[${index}].prediction`);
    heads.forEach((head, index) => {
      const first = heads.indexOf(head);
      if (first !== index) throw invalid('duplicate-impact', `impacts[${index}].prediction names the same prediction as impacts[${first}]`, `impacts[${index}].prediction`);
    });
    heads.forEach((head, index) => assertOpenForMoves(head, `impacts[${index}].prediction`));

    const at = new Date();
    const evidenceId = uuidV7(at.getTime());
    const predictionIds = heads.map((head) => head.id);
    // A reading's crossing is a measurement, not a report: its link names the data source (the same for every
    // reading) and its words are a template, so it joins a story only when the caller names one.
    const measured = input.indicatorReadingId != null;
    const link = input.sourceUrl && !measured ? canonicalUrl(input.sourceUrl) : null;
    const matches = await this.stories.sameStory(sql, {
      predictionIds,
      storyId: input.storyId ?? null,
      canonicalUrl: link,
      summary: measured ? null : input.summary,
      observedAt: input.observedAt,
    });
    const sameStory: SameStoryWarning[] = matches
      .filter((match) => match.sharesPrediction && !match.retracted)
      .slice(0, MAX_SAME_STORY_WARNINGS)
      .map(({ evidenceId: id, storyId, summary, recordedAt, matchedBy }) => ({ evidenceId: id, storyId, summary, recordedAt, matchedBy }));
    const independent = input.independent ? { reason: input.independent.reason } : null;
    const joined = independent ? null : (matches[0] ?? null);
    const storyId = joined?.storyId ?? (independent ? null : input.storyId) ?? uuidV7(at.getTime());
    const standings: Map<string, StoryStanding> = joined ? await this.stories.standings(sql, storyId, predictionIds) : new Map<string, StoryStanding>();

    const deltas = impacts.map((impact) => deltaLogOdds(impact.likelihoodRatio, reliability));
    const changes = heads.map((head, index) => recordInStory(standings.get(head.id) ?? EMPTY_STORY, { evidenceId, deltaLogOdds: deltas[index]! }));
    const storyMoves = changes.map((change, index) => storyMove(storyId, deltas[index]!, change));
    const entries: AuditEntryRow[] = impacts.map((impact, index) => ({
      id: uuidV7(at.getTime()),
      ...chainedAuditEntry(heads[index]!, {
        kind: 'evidence',
        deltaLogOdds: changes[index]!.move,
        actor,
        evidenceId,
        detail: {
          likelihoodRatio: impact.likelihoodRatio,
          reliability,
          story: storyDetail(storyMoves[index]!),
          ...(sameStory.length > 0 ? { sameStory: sameStory.map((match) => ({ evidenceId: match.evidenceId, matchedBy: match.matchedBy })) } : {}),
          ...(independent ? { independent } : {}),
        },
        at,
      }),
    }));
    const moves = entries.map((entry, index) => evidenceMove(heads[index]!, impacts[index]!.likelihoodRatio, entry, storyMoves[index]!));
    const events: OutboxEventInput[] = [
      {
        type: 'evidence.recorded',
        predictionId: null,
        payload: {
          evidenceId,
          summary: input.summary,
          sourceUrl: input.sourceUrl ?? null,
          observedAt: input.observedAt.toISOString(),
          reliability,
          actor,
          impacts: moves.map(movePayload),
        },
      },
      // A story is announced once: a prediction that did not move has no confidence change to tell.
      ...entries.filter(moved).map((entry) => ({ type: 'prediction.confidence_changed' as const, predictionId: entry.predictionId, payload: confidenceChangedPayload(entry) })),
    ];
    const latestForecasts = await writeEvidence(sql, {
      evidence: {
        id: evidenceId,
        summary: input.summary,
        sourceUrl: input.sourceUrl ?? null,
        observedAt: input.observedAt,
        reliability,
        actor,
        indicatorReadingId: input.indicatorReadingId ?? null,
        signalItemId: input.signalItemId ?? null,
        storyId,
        namedStoryId: input.storyId ?? null,
        canonicalUrl: link,
        independenceReason: independent?.reason ?? null,
      },
      impacts: impacts.map((impact, index) => ({
        id: uuidV7(at.getTime()),
        predictionId: heads[index]!.id,
        likelihoodRatio: impact.likelihoodRatio,
        deltaLogOdds: deltas[index]!,
        direction: impact.direction,
        strength: impact.strength,
      })),
      stories: changes.map((change, index) => ({ id: uuidV7(at.getTime()), predictionId: heads[index]!.id, ...change.after })),
      entries,
      signer: this.chain.headSigner,
      outbox: outboxColumns(events),
      at,
    });

    const crossings = entries
      .map((entry, index) =>
        moved(entry)
          ? this.divergence.crossingAfterModelMove(heads[index]!, entry.probabilityBefore, entry.probabilityAfter, teamForecastOf(latestForecasts.get(entry.predictionId) ?? []), actor)
          : null,
      )
      .filter((event): event is OutboxEventInput => event !== null);
    await this.outbox.write(sql, crossings);
    return { id: evidenceId, storyId, independent: independent !== null, sameStory, impacts: moves };
  }

  /**
   * Retraction deletes nothing: on each prediction the evidence bears on, its
   * story is recomputed without it and a compensating entry moves the
   * prediction by the change of the story's contribution: nothing when the
   * evidence was a repeat the story did not count, back to the next strongest
   * item when it was the counted one, and back by all the story added when it
   * was the last. The evidence is marked retracted.
   */
  async retract(evidenceId: string, reason: string, actor: string): Promise<RetractedEvidence> {
    return this.transactions.run(async (tx) => {
      // The evidence row first, then the predictions: every retraction takes its locks in that order. NO KEY:
      // retracting another item of the story points the story's standing at this one (a foreign key's KEY SHARE
      // lock), and must not wait on this row while this retraction waits on the prediction it holds.
      const [row] = await tx.$queryRaw<{ retractedAt: Date | null; signalItemId: string | null; storyId: string }[]>`
        SELECT "retractedAt", "signalItemId", "storyId"::text AS "storyId" FROM "Evidence" WHERE "id" = ${evidenceId}::uuid FOR NO KEY UPDATE`;
      if (!row) throw new NotFoundError('Evidence', evidenceId, 'id');
      if (row.retractedAt) throw new DomainError('conflict', 'evidence-retracted', `Evidence "${evidenceId}" was already retracted`, 'id');
      const impacts = await tx.evidenceImpact.findMany({ where: { evidenceId }, orderBy: { predictionId: 'asc' } });
      const locked = await this.chain.lock(tx, impacts.map((impact) => impact.predictionId));
      const headOf = (predictionId: string) => locked.find((head) => head.id === predictionId)!;
      for (const impact of impacts) assertOpenForMoves(headOf(impact.predictionId), 'id');

      const retractedAt = new Date();
      const standings = await this.stories.standings(tx, row.storyId, impacts.map((impact) => impact.predictionId));
      const moves: EvidenceMove[] = [];
      const events: OutboxEventInput[] = [];
      for (const impact of impacts) {
        const head = headOf(impact.predictionId);
        const known = standings.get(impact.predictionId);
        // Only the counted item's retraction needs the rest of the story: the next strongest takes over.
        const remaining = !known || known.strongestEvidenceId === evidenceId ? await this.stories.liveItems(tx, row.storyId, impact.predictionId, evidenceId) : [];
        const standing = known ?? standingOf([{ evidenceId, deltaLogOdds: impact.deltaLogOdds }, ...remaining]);
        const change = retractFromStory(standing, evidenceId, remaining);
        const story = storyMove(row.storyId, impact.deltaLogOdds, change);
        const entry = await this.auditTrail.append(tx, head, {
          kind: 'retraction',
          deltaLogOdds: change.move,
          actor,
          evidenceId,
          reason,
          detail: { story: storyDetail(story) },
        });
        await this.stories.saveStanding(tx, row.storyId, impact.predictionId, { ...change.after, liveItems: Math.max(0, standing.liveItems - 1) }, retractedAt);
        moves.push(evidenceMove(head, impact.likelihoodRatio, entry, story));
        if (moved(entry)) events.push({ type: 'prediction.confidence_changed', predictionId: head.id, payload: confidenceChangedPayload(entry) });
      }
      await tx.evidence.update({ where: { id: evidenceId }, data: { retractedAt, retractionReason: reason, retractedBy: actor } });
      events.unshift({
        type: 'evidence.retracted',
        predictionId: null,
        payload: { evidenceId, reason, actor, impacts: moves.map(movePayload) },
      });
      await this.outbox.write(tx, events);
      if (row.signalItemId) {
        for (const listener of this.retractionListeners) await listener(tx, { evidenceId, signalItemId: row.signalItemId, reason, actor });
      }
      return { id: evidenceId, retractedAt, impacts: moves };
    });
  }
}

/** A story's standing from its live items, for a story the ledger does not know (it counts its strongest). */
function standingOf(live: { evidenceId: string; deltaLogOdds: number }[]): StoryStanding {
  const strongest = strongestOf(live);
  return {
    strongestEvidenceId: strongest?.evidenceId ?? null,
    strongestDeltaLogOdds: strongest?.deltaLogOdds ?? 0,
    appliedDeltaLogOdds: storyContribution(strongest?.deltaLogOdds ?? null),
    liveItems: live.length,
  };
}
