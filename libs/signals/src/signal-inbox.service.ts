import { Injectable, type OnModuleInit } from '@nestjs/common';

import { DomainError, isUuid, NotFoundError } from '#core';
import {
  decodeRankedCursor,
  pageQuery,
  Prisma,
  PrismaService,
  toPage,
  toRankedPage,
  type Page,
  type PageRequest,
  type PrismaTransaction,
  type SignalItem,
  type SignalStatus,
} from '#db';
import { OutboxWriter } from '#events';
import { EvidenceService, type RecordedEvidence, type RecordEvidenceInput, type SignalEvidenceRetraction } from '#predictions';

import { isHttpUrl } from './signal-identity.js';
import { impactsToApply, matchedTerms, parseSignalMatches, type RuleImpact, type SignalMatch } from './signal-matches.js';
import type { SignalSuggestion } from './signal-suggestion-model.js';
import { SignalSuggestionsService } from './signal-suggestions.service.js';

export interface SignalItemView extends Omit<SignalItem, 'matches' | 'suggestions'> {
  matches: SignalMatch[];
  suggestions: SignalSuggestion[];
  /** The words and phrases of the matched rules found in the item, or the words a suggestion rests on. */
  matchedTerms: string[];
}

/** An inbox item with the place the inbox gives it. */
export interface ReviewItem extends SignalItemView {
  /** log2(relevance) + days since 1970 of when it was published (or stored): one day newer counts as twice as relevant. */
  priority: number;
}

/** The inbox's half-life of relevance: an item this much newer outranks one twice as relevant. */
export const INBOX_RELEVANCE_HALF_LIFE_SECONDS = 86_400;

export interface SignalAcceptance {
  /** The reviewer's own impacts; without them, the impacts of the rules the item matched. */
  impacts?: RecordEvidenceInput['impacts'];
  reliability?: number;
  /** Defaults to the item's title. */
  summary?: string;
}

export interface AcceptedSignal {
  item: SignalItemView;
  evidence: RecordedEvidence;
}

/**
 * The review inbox: matched items wait as `pending` (and items resembling
 * accepted ones as `suggested`) until an analyst (or an auto-accepting rule)
 * accepts or rejects them. Retracting the evidence of an accepted item puts
 * the item back in the inbox: the predictions library calls the listener
 * registered here inside its retraction transaction, so it never depends on
 * this library.
 */
@Injectable()
export class SignalInboxService implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly evidence: EvidenceService,
    private readonly outbox: OutboxWriter,
    private readonly suggestions: SignalSuggestionsService,
  ) {}

  onModuleInit(): void {
    this.evidence.onSignalEvidenceRetracted((tx, retraction) => this.reopen(tx, retraction));
  }

  /**
   * The inbox in review order: pending items first, then suggested ones, each
   * by priority — relevance (the best ts_rank_cd among the matched rules, or
   * the suggestion's probability) discounted by age, so one day newer counts
   * as twice as relevant — then newest id. The priority does not depend on
   * the clock, so keyset pages stay stable.
   */
  async review(request: PageRequest & { sourceId?: string }): Promise<Page<ReviewItem>> {
    const scope = `inbox:${request.sourceId ?? ''}`;
    const after = decodeRankedCursor(request.cursor, scope, 2);
    const ranked = await this.prisma.$queryRaw<{ id: string; tier: number; priority: number }[]>`
      WITH ranked AS (
        SELECT item."id",
               CASE WHEN item."status" = 'pending' THEN 0 ELSE 1 END AS tier,
               (log(2::numeric, greatest(coalesce(item."relevance", 0), 1e-6)::numeric)::float8
                 + extract(epoch FROM least(coalesce(item."publishedAt", item."createdAt"), item."createdAt"))::float8 / ${INBOX_RELEVANCE_HALF_LIFE_SECONDS}) AS priority
        FROM "SignalItem" AS item
        WHERE item."status" IN ('pending', 'suggested')
          ${request.sourceId ? Prisma.sql`AND item."sourceId" = ${request.sourceId}::uuid` : Prisma.empty}
      )
      SELECT "id", tier, priority FROM ranked
      ${after ? Prisma.sql`WHERE tier > ${after.values[0]!} OR (tier = ${after.values[0]!} AND (priority, "id") < (${after.values[1]!}::float8, ${after.id}::uuid))` : Prisma.empty}
      ORDER BY tier, priority DESC, "id" DESC
      LIMIT ${request.limit + 1}`;
    const rows = new Map((await this.prisma.signalItem.findMany({ where: { id: { in: ranked.map((row) => row.id) } } })).map((row) => [row.id, row]));
    const items = ranked.filter((row) => rows.has(row.id)).map((row) => ({ ...toSignalItemView(rows.get(row.id)!), priority: row.priority, tier: row.tier }));
    const page = toRankedPage(items, request.limit, scope, (item) => [item.tier, item.priority]);
    return { items: page.items.map(({ tier: _tier, ...item }) => item), nextCursor: page.nextCursor };
  }

  async list(request: PageRequest & { status?: SignalStatus; sourceId?: string }): Promise<Page<SignalItemView>> {
    const query = pageQuery(request);
    const rows = await this.prisma.signalItem.findMany({
      ...query,
      where: {
        ...query.where,
        ...(request.status ? { status: request.status } : {}),
        ...(request.sourceId ? { sourceId: request.sourceId } : {}),
      },
    });
    const page = toPage(rows, request.limit);
    return { items: page.items.map(toSignalItemView), nextCursor: page.nextCursor };
  }

  /** How many items wait in one status (the inbox badge). */
  async count(status: SignalStatus): Promise<number> {
    return this.prisma.signalItem.count({ where: { status } });
  }

  async get(id: string): Promise<SignalItemView> {
    const item = isUuid(id) ? await this.prisma.signalItem.findUnique({ where: { id: id.toLowerCase() } }) : null;
    if (!item) throw new NotFoundError('Signal', id, 'id');
    return toSignalItemView(item);
  }

  /**
   * Records the item as evidence through the confidence engine, in one
   * transaction with the item's row locked: a second accept, even a
   * concurrent one, waits for the first and then finds the item accepted
   * (409), so an item yields exactly one evidence record. The unique
   * Evidence.signalItemId is the backstop.
   */
  async accept(id: string, acceptance: SignalAcceptance, actor: string): Promise<AcceptedSignal> {
    try {
      return await this.prisma.$transaction(
        async (tx) => {
          const item = await this.lockItem(tx, id);
          if (item.status === 'accepted') {
            throw new DomainError('conflict', 'signal-already-accepted', `Signal "${id}" is already accepted as evidence ${item.evidenceId ?? ''}`.trim(), 'id');
          }
          const impacts = acceptance.impacts ?? defaultImpacts(toSignalItemView(item));
          if (impacts.length === 0) {
            throw new DomainError('invalid', 'no-impacts', 'The signal matched no rule with impacts: say which predictions it bears on in impacts', 'impacts');
          }
          const evidence = await this.evidence.record(
            {
              summary: acceptance.summary ?? item.title,
              // Feeds carry odd links; one the engine would refuse is left out rather than blocking the review.
              sourceUrl: item.url && isHttpUrl(item.url) ? item.url : null,
              observedAt: item.publishedAt ?? item.createdAt,
              ...(acceptance.reliability === undefined ? {} : { reliability: acceptance.reliability }),
              impacts,
              signalItemId: item.id,
            },
            actor,
            tx,
          );
          const accepted = await tx.signalItem.update({
            where: { id: item.id },
            data: { status: 'accepted', evidenceId: evidence.id, reviewedBy: actor, reviewedAt: new Date(), rejectionReason: null },
          });
          return { item: toSignalItemView(accepted), evidence };
        },
        { maxWait: 20_000, timeout: 30_000 },
      );
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new DomainError('conflict', 'signal-already-accepted', `Signal "${id}" is already accepted`, 'id');
      }
      throw error;
    } finally {
      // A person's decision teaches the suggestion model; a rule's auto-accept (a system actor) does not change what people judge.
      if (!actor.startsWith('system:')) this.suggestions.forget();
    }
  }

  /** Keeps the item, with the reason, out of the pending list. Accepted items are not rejected: retract their evidence instead. */
  async reject(id: string, reason: string, actor: string): Promise<SignalItemView> {
    if (reason.trim().length === 0) throw new DomainError('invalid', 'reason-required', 'reason must say why the signal is rejected', 'reason');
    return this.prisma.$transaction(async (tx) => {
      const item = await this.lockItem(tx, id);
      if (item.status === 'accepted') {
        throw new DomainError('conflict', 'signal-already-accepted', `Signal "${id}" is accepted; retract evidence ${item.evidenceId ?? ''} instead`.trim(), 'id');
      }
      if (item.status === 'rejected') {
        throw new DomainError('conflict', 'signal-already-rejected', `Signal "${id}" is already rejected`, 'id');
      }
      const rejected = await tx.signalItem.update({
        where: { id: item.id },
        data: { status: 'rejected', rejectionReason: reason, reviewedBy: actor, reviewedAt: new Date() },
      });
      this.suggestions.forget();
      return toSignalItemView(rejected);
    }, { maxWait: 20_000, timeout: 30_000 });
  }

  /**
   * The evidence an item was accepted as is retracted: the item goes back to
   * the inbox to be judged again (pending if rules matched it, suggested if
   * the model proposed it, else pending), unreviewed and without evidence,
   * and announces itself with `signal.pending_review` as a newly routed one does.
   * It says when and why it came back (reopenedAt, reopenReason: the
   * retraction's reason); the retracted evidence keeps its link to the item.
   */
  private async reopen(tx: PrismaTransaction, retraction: SignalEvidenceRetraction): Promise<void> {
    await tx.$queryRaw`SELECT "id" FROM "SignalItem" WHERE "id" = ${retraction.signalItemId}::uuid FOR UPDATE`;
    const item = await tx.signalItem.findUnique({ where: { id: retraction.signalItemId } });
    if (!item || item.status !== 'accepted' || item.evidenceId !== retraction.evidenceId) return;
    const view = toSignalItemView(item);
    const status = view.matches.length === 0 && view.suggestions.length > 0 ? 'suggested' : 'pending';
    await tx.signalItem.update({
      where: { id: item.id },
      data: { status, evidenceId: null, reviewedBy: null, reviewedAt: null, rejectionReason: null, reopenedAt: new Date(), reopenReason: retraction.reason },
    });
    await this.outbox.write(tx, [
      {
        type: 'signal.pending_review',
        predictionId: null,
        payload: {
          signalItemId: item.id,
          title: item.title,
          url: item.url,
          sourceId: item.sourceId,
          rules: view.matches.map((match) => match.ruleName),
          reopenReason: retraction.reason,
        },
      },
    ]);
    this.suggestions.forget();
  }

  private async lockItem(tx: PrismaTransaction, id: string): Promise<SignalItem> {
    if (!isUuid(id)) throw new NotFoundError('Signal', id, 'id');
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "SignalItem" WHERE "id" = ${id.toLowerCase()}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new NotFoundError('Signal', id, 'id');
    return tx.signalItem.findUniqueOrThrow({ where: { id: id.toLowerCase() } });
  }
}

export function toSignalItemView(item: SignalItem): SignalItemView {
  const matches = parseSignalMatches(item.matches);
  const suggestions = parseSignalSuggestions(item.suggestions);
  return { ...item, matches, suggestions, matchedTerms: matches.length > 0 ? matchedTerms(matches) : [...new Set(suggestions.flatMap((suggestion) => suggestion.terms))] };
}

/** `SignalItem.suggestions` is JSON written by the suggestion step; malformed entries are ignored. */
export function parseSignalSuggestions(json: unknown): SignalSuggestion[] {
  if (!Array.isArray(json)) return [];
  return json.filter(
    (entry): entry is SignalSuggestion =>
      typeof entry === 'object' && entry !== null && typeof (entry as SignalSuggestion).prediction === 'string' && Array.isArray((entry as SignalSuggestion).terms),
  );
}

/** What accepting records without the reviewer's own impacts: the matched rules', else the suggestions'. */
function defaultImpacts(item: SignalItemView): RuleImpact[] {
  if (item.matches.length > 0) return impactsToApply(item.matches);
  return item.suggestions.map(({ prediction, direction, strength }) => ({ prediction, direction, strength }));
}
