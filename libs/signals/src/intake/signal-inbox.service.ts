import { Injectable, type OnModuleInit } from '@nestjs/common';

import { DomainError, isUuid, NotFoundError } from '#core';
import {
  decodeRankedCursor,
  isUniqueViolation,
  type Page,
  pageQuery,
  type PageRequest,
  Prisma,
  PrismaService,
  type PrismaTransaction,
  type SignalItem,
  type SignalStatus,
  type StoryStatus,
  toPage,
  toRankedPage,
} from '#db';
import { OutboxWriter } from '#events';
import { EvidenceService, type RecordedEvidence, type RecordEvidenceInput, type SignalEvidenceRetraction } from '#predictions';

import { isHttpUrl, siteOf } from './signal-identity.js';
import { matchedTerms, parseSignalMatches, type SignalMatch } from './signal-matches.js';
import { defaultImpacts, parseSignalRoutes, routedByRule, type SignalRoute, type SignalSuggestion, suggestionsOf } from './signal-routes.js';
import { StoriesRepository, type StoryRow } from './stories.repository.js';

export interface SignalItemView extends Omit<SignalItem, 'matches' | 'routes' | 'storySignature'> {
  matches: SignalMatch[];
  /** Per target: who routed it there (rule, model or both), the model's score, the proposed direction, why, and the impacts accepting records. */
  routes: SignalRoute[];
  /** For a suggested item (only the model routed it): the predictions its routes would move, as before routes existed. */
  suggestions: SignalSuggestion[];
  /** The words and phrases of the matched rules found in the item, or the words and concepts the model's routes rest on. */
  matchedTerms: string[];
}

/** One report of a story, as its card and page list it. */
export interface StoryItemSummary {
  id: string;
  title: string;
  url: string | null;
  sourceId: string | null;
  /** The feed's name, or for an item submitted by hand, the link's site. */
  sourceName: string | null;
  publishedAt: Date | null;
  status: SignalStatus;
}

/** A story as a card shows it: its decision and who reported it. */
export interface StorySummary {
  id: string;
  status: StoryStatus;
  /** Distinct sources among its items (a feed; for items submitted by hand, the link's site). */
  sourceCount: number;
  /** "reported by 3 sources". */
  reportedBy: string;
  /** Its items, the card's own first, then by publication. */
  items: StoryItemSummary[];
}

/** An inbox card: a story, shown as its most relevant waiting item, with the place the inbox gives it. */
export interface ReviewItem extends SignalItemView {
  /** log2(relevance) + days since 1970 of when it was published (or stored): one day newer counts as twice as relevant. */
  priority: number;
  story: StorySummary;
}

/** The inbox's half-life of relevance: an item this much newer outranks one twice as relevant. */
export const INBOX_RELEVANCE_HALF_LIFE_SECONDS = 86_400;

export interface SignalAcceptance {
  /** The reviewer's own impacts; without them, those its routes propose (each target's, in the proposed direction). */
  impacts?: RecordEvidenceInput['impacts'];
  reliability?: number;
  /** Defaults to the item's title. */
  summary?: string;
}

export interface AcceptedSignal {
  /** The item the evidence was recorded from (the one accepted, or the story's most relevant). */
  item: SignalItemView;
  evidence: RecordedEvidence;
  /** The story, every item of it now accepted. */
  story: StorySummary;
}

export function reportedBy(sources: number): string {
  return `reported by ${sources} source${sources === 1 ? '' : 's'}`;
}

/** What routing made of an item, to put it back as it was when a decision is undone or it leaves a decided story. */
export function routedStatus(view: Pick<SignalItemView, 'matches' | 'routes'>): 'pending' | 'suggested' | 'unmatched' {
  if (view.matches.length > 0) return 'pending';
  if (view.routes.length > 0) return routedByRule(view.routes) ? 'pending' : 'suggested';
  return 'unmatched';
}

/** The story's item to record its evidence from: a pending one before a suggested one, the most relevant, the earliest. */
function leadOf<T extends Pick<SignalItemView, 'status' | 'relevance' | 'createdAt' | 'id'>>(items: readonly T[]): T {
  const rank = (status: SignalStatus) => (status === 'pending' ? 0 : status === 'suggested' ? 1 : 2);
  return [...items].sort((a, b) => rank(a.status) - rank(b.status) || (b.relevance ?? -1) - (a.relevance ?? -1) || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))[0]!;
}

/**
 * The review inbox: matched items wait as `pending` (and items resembling
 * accepted ones as `suggested`) until an analyst (or an auto-accepting rule)
 * accepts or rejects them. The inbox shows a story once (its reports grouped
 * when stored, docs/rules-and-search.md#stories), and a decision on any of
 * its items is the story's: accepting records one evidence item for the
 * story and accepts every item of it; rejecting rejects them all. Retracting
 * that evidence puts the story back in the inbox: the predictions library
 * calls the listener registered here inside its retraction transaction, so it
 * never depends on this library.
 */
@Injectable()
export class SignalInboxService implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly evidence: EvidenceService,
    private readonly outbox: OutboxWriter,
    private readonly stories: StoriesRepository,
  ) {}

  onModuleInit(): void {
    this.evidence.onSignalEvidenceRetracted((tx, retraction) => this.reopen(tx, retraction));
  }

  /**
   * The inbox in review order, one card per story: stories with a pending
   * item first, then those with suggested ones, each by the priority of its
   * best waiting item — relevance (the best ts_rank_cd among the matched
   * rules, or the suggestion's probability) discounted by age, so one day
   * newer counts as twice as relevant — then newest story id. The card is that
   * item, with the story's items and sources. The priority does not depend on
   * the clock, so keyset pages stay stable.
   */
  async review(request: PageRequest & { sourceId?: string }): Promise<Page<ReviewItem>> {
    const scope = `inbox:${request.sourceId ?? ''}`;
    const after = decodeRankedCursor(request.cursor, scope, 2);
    const ranked = await this.prisma.$queryRaw<{ id: string; leadId: string; tier: number; priority: number }[]>`
      WITH waiting AS (
        SELECT coalesce(item."storyId", item."id") AS story, item."id" AS item,
               CASE WHEN item."status" = 'pending' THEN 0 ELSE 1 END AS tier,
               (log(2::numeric, greatest(coalesce(item."relevance", 0), 1e-6)::numeric)::float8
                 + extract(epoch FROM least(coalesce(item."publishedAt", item."createdAt"), item."createdAt"))::float8 / ${INBOX_RELEVANCE_HALF_LIFE_SECONDS}) AS priority
        FROM "SignalItem" AS item
        WHERE item."status" IN ('pending', 'suggested')
          ${request.sourceId ? Prisma.sql`AND item."sourceId" = ${request.sourceId}::uuid` : Prisma.empty}
      ), ranked AS (
        SELECT DISTINCT ON (story) story AS "id", item AS "leadId", tier, priority FROM waiting ORDER BY story, tier, priority DESC, item DESC
      )
      SELECT "id"::text AS "id", "leadId"::text AS "leadId", tier, priority FROM ranked
      ${after ? Prisma.sql`WHERE tier > ${after.values[0]!} OR (tier = ${after.values[0]!} AND (priority, "id") < (${after.values[1]!}::float8, ${after.id}::uuid))` : Prisma.empty}
      ORDER BY tier, priority DESC, "id" DESC
      LIMIT ${request.limit + 1}`;
    const stories = await this.storySummaries(
      ranked.map((row) => row.id),
      new Map(ranked.map((row) => [row.id, row.leadId] as const)),
    );
    const leads = new Map((await this.prisma.signalItem.findMany({ where: { id: { in: ranked.map((row) => row.leadId) } } })).map((row) => [row.id, row]));
    const items = ranked
      .filter((row) => leads.has(row.leadId) && stories.has(row.id))
      .map((row) => ({ ...toSignalItemView(leads.get(row.leadId)!), priority: row.priority, tier: row.tier, story: stories.get(row.id)!, cursorId: row.id }));
    const page = toRankedPage(
      items.map((item) => ({ ...item, id: item.cursorId, itemId: item.id })),
      request.limit,
      scope,
      (item) => [item.tier, item.priority],
    );
    return { items: page.items.map(({ tier: _tier, cursorId: _cursorId, itemId, ...item }) => ({ ...item, id: itemId })), nextCursor: page.nextCursor };
  }

  /**
   * Stories as cards show them: their items (with each source's name) and how
   * many sources reported them. `first` names the item each card leads with.
   */
  async storySummaries(storyIds: readonly string[], first: ReadonlyMap<string, string> = new Map()): Promise<Map<string, StorySummary>> {
    if (storyIds.length === 0) return new Map();
    const [stories, items] = await Promise.all([
      this.prisma.story.findMany({ where: { id: { in: [...storyIds] } }, select: { id: true, status: true } }),
      this.prisma.signalItem.findMany({
        where: { OR: [{ storyId: { in: [...storyIds] } }, { id: { in: [...storyIds] }, storyId: null }] },
        select: { id: true, storyId: true, title: true, url: true, sourceId: true, publishedAt: true, createdAt: true, status: true, source: { select: { name: true } } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      }),
    ]);
    const status = new Map(stories.map((story) => [story.id, story.status] as const));
    const byStory = new Map<string, typeof items>();
    for (const item of items) {
      const story = item.storyId ?? item.id;
      (byStory.get(story) ?? byStory.set(story, []).get(story)!).push(item);
    }
    const summaries = new Map<string, StorySummary>();
    for (const id of storyIds) {
      const members = byStory.get(id) ?? [];
      const lead = first.get(id);
      members.sort((a, b) => Number(b.id === lead) - Number(a.id === lead) || (a.publishedAt ?? a.createdAt).getTime() - (b.publishedAt ?? b.createdAt).getTime());
      const sources = new Set(members.map((item) => item.sourceId ?? siteOf(item.url) ?? item.id));
      summaries.set(id, {
        id,
        status: status.get(id) ?? 'open',
        sourceCount: sources.size,
        reportedBy: reportedBy(sources.size),
        items: members.map((item) => ({
          id: item.id,
          title: item.title,
          url: item.url,
          sourceId: item.sourceId,
          sourceName: item.source?.name ?? siteOf(item.url),
          publishedAt: item.publishedAt,
          status: item.status,
        })),
      });
    }
    return summaries;
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

  /** How many stories wait for review (the inbox badge): those with an item in this status. */
  async count(status: SignalStatus): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ count: number }[]>`
      SELECT count(DISTINCT coalesce("storyId", "id"))::int AS count FROM "SignalItem" WHERE "status" = ${status}::"SignalStatus"`;
    return row?.count ?? 0;
  }

  async get(id: string): Promise<SignalItemView> {
    const item = isUuid(id) ? await this.prisma.signalItem.findUnique({ where: { id: id.toLowerCase() } }) : null;
    if (!item) throw new NotFoundError('Signal', id, 'id');
    return toSignalItemView(item);
  }

  /**
   * Accepts the item's story with the item as its evidence's source (see
   * acceptStory): 409 if the story is already accepted.
   */
  async accept(id: string, acceptance: SignalAcceptance, actor: string): Promise<AcceptedSignal> {
    const item = await this.get(id);
    return this.acceptStory(item.storyId ?? item.id, acceptance, actor, { leadItemId: item.id, conflictCode: 'signal-already-accepted' });
  }

  /**
   * Records a story as ONE evidence item (storyId = the story's id, so the
   * predictions count it once however many outlets reported it) from its
   * lead item (the one accepted, or the story's most relevant waiting item:
   * its title is the default summary, its link the source), and accepts every
   * item of the story. One transaction with the story's row locked: a second
   * accept, even a concurrent one of another of its items, waits for the
   * first and then finds the story accepted (409), so a story yields exactly
   * one evidence record. The unique Evidence.signalItemId and Story.evidenceId
   * are the backstops. The evidence's `sameStory` warnings (earlier evidence
   * this looks like) come back with it.
   */
  async acceptStory(
    storyId: string,
    acceptance: SignalAcceptance,
    actor: string,
    options: { leadItemId?: string; conflictCode?: string } = {},
  ): Promise<AcceptedSignal> {
    const conflictCode = options.conflictCode ?? 'story-already-accepted';
    const accepted = await this.withConflicts(conflictCode, storyId, () =>
      this.prisma.$transaction(
        async (tx) => {
          const story = await this.lockStory(tx, storyId);
          if (story.status === 'accepted') {
            throw new DomainError('conflict', conflictCode, `Story "${storyId}" is already accepted as evidence ${story.evidenceId ?? ''}`.trim(), 'id');
          }
          const items = (await this.lockItems(tx, story.id)).map(toSignalItemView);
          if (items.length === 0) throw new DomainError('conflict', 'story-empty', `Story "${storyId}" has no items left to accept`, 'id');
          const lead = items.find((item) => item.id === options.leadItemId) ?? leadOf(items);
          const impacts = acceptance.impacts ?? [lead, ...items.filter((item) => item !== lead)].map((item) => defaultImpacts(item.routes, item.matches)).find((found) => found.length > 0) ?? [];
          if (impacts.length === 0) {
            throw new DomainError('invalid', 'no-impacts', 'The signal was routed to nothing with impacts: say which predictions it bears on in impacts', 'impacts');
          }
          const evidence = await this.evidence.recordWithin(
            tx,
            {
              summary: acceptance.summary ?? lead.title,
              // Feeds carry odd links; one the engine would refuse is left out rather than blocking the review.
              sourceUrl: lead.url && isHttpUrl(lead.url) ? lead.url : null,
              observedAt: lead.publishedAt ?? lead.createdAt,
              ...(acceptance.reliability === undefined ? {} : { reliability: acceptance.reliability }),
              impacts,
              signalItemId: lead.id,
              storyId: story.id,
            },
            actor,
          );
          const reviewedAt = new Date();
          await tx.signalItem.updateMany({ where: { storyId: story.id }, data: { status: 'accepted', reviewedBy: actor, reviewedAt, rejectionReason: null } });
          const recorded = await tx.signalItem.update({ where: { id: lead.id }, data: { evidenceId: evidence.id } });
          await this.stories.decide(tx, story.id, { status: 'accepted', evidenceId: evidence.id, actor });
          return { item: toSignalItemView(recorded), evidence, storyId: story.id };
        },
        { maxWait: 20_000, timeout: 30_000 },
      ),
    );
    const summary = (await this.storySummaries([accepted.storyId], new Map([[accepted.storyId, accepted.item.id]]))).get(accepted.storyId)!;
    return { item: accepted.item, evidence: accepted.evidence, story: summary };
  }

  /** Rejects the item's story (see rejectStory) and answers the item. Accepted items are not rejected: retract their evidence instead. */
  async reject(id: string, reason: string, actor: string): Promise<SignalItemView> {
    const item = await this.get(id);
    await this.rejectStory(item.storyId ?? item.id, reason, actor, 'signal');
    return this.get(id);
  }

  /** Keeps the story and all its items, with the reason, out of the inbox. An accepted story is not rejected: retract its evidence instead. */
  async rejectStory(storyId: string, reason: string, actor: string, subject: 'signal' | 'story' = 'story'): Promise<StorySummary> {
    if (reason.trim().length === 0) throw new DomainError('invalid', 'reason-required', `reason must say why the ${subject} is rejected`, 'reason');
    await this.prisma.$transaction(async (tx) => {
      const story = await this.lockStory(tx, storyId);
      if (story.status === 'accepted') {
        throw new DomainError('conflict', `${subject}-already-accepted`, `${subject === 'signal' ? 'Signal' : 'Story'} "${storyId}" is accepted; retract evidence ${story.evidenceId ?? ''} instead`.trim(), 'id');
      }
      if (story.status === 'rejected') throw new DomainError('conflict', `${subject}-already-rejected`, `${subject === 'signal' ? 'Signal' : 'Story'} "${storyId}" is already rejected`, 'id');
      await this.lockItems(tx, story.id);
      await tx.signalItem.updateMany({ where: { storyId: story.id }, data: { status: 'rejected', rejectionReason: reason, reviewedBy: actor, reviewedAt: new Date() } });
      await this.stories.decide(tx, story.id, { status: 'rejected', actor, reason });
    }, { maxWait: 20_000, timeout: 30_000 });
    return (await this.storySummaries([storyId])).get(storyId)!;
  }

  /**
   * The evidence a story was accepted as is retracted: the story goes back to
   * the inbox to be judged again, every item as routing left it (pending if
   * rules matched it, suggested if the model proposed it; the item the
   * evidence came from pending at least), unreviewed and without evidence,
   * and it announces itself with `signal.pending_review` through that item,
   * once, as a newly routed story does. The item says when and why it came
   * back (reopenedAt, reopenReason: the retraction's reason); the retracted
   * evidence keeps its link to the item.
   */
  private async reopen(tx: PrismaTransaction, retraction: SignalEvidenceRetraction): Promise<void> {
    await tx.$queryRaw`SELECT "id" FROM "SignalItem" WHERE "id" = ${retraction.signalItemId}::uuid FOR UPDATE`;
    const item = await tx.signalItem.findUnique({ where: { id: retraction.signalItemId } });
    if (!item || item.status !== 'accepted' || item.evidenceId !== retraction.evidenceId) return;
    const story = await this.lockStory(tx, item.storyId ?? item.id);
    const members = (await this.lockItems(tx, story.id)).map(toSignalItemView);
    for (const member of members) {
      if (member.status !== 'accepted') continue;
      const lead = member.id === item.id;
      const status = routedStatus(member);
      await tx.signalItem.update({
        where: { id: member.id },
        data: {
          status: lead && status === 'unmatched' ? 'pending' : status,
          reviewedBy: null,
          reviewedAt: null,
          rejectionReason: null,
          ...(lead ? { evidenceId: null, reopenedAt: new Date(), reopenReason: retraction.reason } : {}),
        },
      });
    }
    await this.stories.decide(tx, story.id, { status: 'open', actor: null });
    const view = toSignalItemView(item);
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
          storyId: story.id,
          reopenReason: retraction.reason,
        },
      },
    ]);
  }

  /** The story's row, locked; an item stored before stories is given its story (its own id) first. */
  private async lockStory(tx: PrismaTransaction, storyId: string): Promise<StoryRow> {
    if (!isUuid(storyId)) throw new NotFoundError('Story', storyId, 'id');
    const id = storyId.toLowerCase();
    const story = await this.stories.lock(tx, id);
    if (story) return story;
    if (await this.stories.adopt(tx, id)) return (await this.stories.lock(tx, id))!;
    throw new NotFoundError('Story', storyId, 'id');
  }

  /** The story's items, their rows locked in id order (the order every writer takes them in). */
  private async lockItems(tx: PrismaTransaction, storyId: string): Promise<SignalItem[]> {
    await tx.$queryRaw`SELECT "id" FROM "SignalItem" WHERE "storyId" = ${storyId}::uuid ORDER BY "id" FOR UPDATE`;
    return tx.signalItem.findMany({ where: { storyId }, orderBy: { id: 'asc' } });
  }

  /** A unique violation behind a decision is a concurrent one that won: the story is decided. */
  private async withConflicts<T>(code: string, storyId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('conflict', code, `Story "${storyId}" is already accepted`, 'id');
      throw error;
    }
  }
}

export function toSignalItemView({ storySignature: _signature, ...item }: SignalItem): SignalItemView {
  const matches = parseSignalMatches(item.matches);
  const routes = parseSignalRoutes(item.routes);
  return {
    ...item,
    matches,
    routes,
    // What the model proposes where no rule matched, as the API has always shown it.
    suggestions: matches.length === 0 ? suggestionsOf(routes) : [],
    matchedTerms: matches.length > 0 ? matchedTerms(matches) : [...new Set(routes.flatMap((route) => route.terms))],
  };
}
