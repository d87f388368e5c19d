import { Injectable } from '@nestjs/common';

import { DomainError, isUuid, NotFoundError } from '#core';
import { PrismaService, type PrismaTransaction, type SignalItem, type StoryItemChangeKind, type StoryStatus } from '#db';
import { EvidenceQueriesService, type EvidenceWithImpacts, type StoryStanding } from '#predictions';

import { siteOf } from './signal-identity.js';
import { reportedBy, routedStatus, type SignalItemView, toSignalItemView } from './signal-inbox.service.js';
import { StoriesRepository, type StoryRow } from './stories.repository.js';

/** An analyst linked an item into a story or split it off into one of its own. */
export interface StoryChangeView {
  kind: StoryItemChangeKind;
  signalItemId: string;
  /** The story the item went to, and the one it came from. */
  storyId: string;
  fromStoryId: string;
  actor: string;
  createdAt: Date;
}

/** A story's page: its items and sources, its decision, the evidence recorded from it, and its net move on each prediction. */
export interface StoryView {
  id: string;
  status: StoryStatus;
  evidenceId: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  rejectionReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  sourceCount: number;
  reportedBy: string;
  /** Its items in order of publication, each with its source's name. */
  items: (SignalItemView & { sourceName: string | null })[];
  /** Analysts' links and splits into or out of it, oldest first. */
  changes: StoryChangeView[];
  /** Evidence recorded from it (Evidence.storyId), oldest first. */
  evidence: EvidenceWithImpacts[];
  /** What it adds to each prediction now: counted once, as its strongest live item. */
  moves: StoryStanding[];
}

/** How much of a story's evidence its page shows. */
const STORY_EVIDENCE_SHOWN = 100;

/**
 * Stories as analysts see and correct them: a story's page, linking an item
 * into a story the detector did not put it in, and splitting an item off a
 * story it does not belong to. Each change is recorded (StoryItemChange) with
 * who made it. Deciding a story is the inbox's (SignalInboxService).
 */
@Injectable()
export class StoriesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly stories: StoriesRepository,
    private readonly evidence: EvidenceQueriesService,
  ) {}

  async get(id: string): Promise<StoryView> {
    const story = isUuid(id) ? await this.prisma.story.findUnique({ where: { id: id.toLowerCase() } }) : null;
    if (!story) throw new NotFoundError('Story', id, 'id');
    const [items, changes, recorded, moves] = await Promise.all([
      this.prisma.signalItem.findMany({ where: { storyId: story.id }, include: { source: { select: { name: true } } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      this.prisma.storyItemChange.findMany({ where: { OR: [{ storyId: story.id }, { fromStoryId: story.id }] }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      this.evidence.list({ storyId: story.id, limit: STORY_EVIDENCE_SHOWN }),
      this.evidence.storyStandings(story.id),
    ]);
    const evidence = recorded.items;
    // Accepted before its evidence knew stories: the evidence the story was accepted as, under its own story id.
    if (story.evidenceId && !evidence.some((entry) => entry.id === story.evidenceId)) evidence.unshift(await this.evidence.get(story.evidenceId));
    const views = items
      .map(({ source, ...item }) => ({ ...toSignalItemView(item), sourceName: source?.name ?? siteOf(item.url) }))
      .sort((a, b) => (a.publishedAt ?? a.createdAt).getTime() - (b.publishedAt ?? b.createdAt).getTime());
    const sources = new Set(views.map((item) => item.sourceId ?? siteOf(item.url) ?? item.id));
    return {
      id: story.id,
      status: story.status,
      evidenceId: story.evidenceId,
      decidedBy: story.decidedBy,
      decidedAt: story.decidedAt,
      rejectionReason: story.rejectionReason,
      createdAt: story.createdAt,
      updatedAt: story.updatedAt,
      sourceCount: sources.size,
      reportedBy: reportedBy(sources.size),
      items: views,
      changes: changes.map((change) => ({ kind: change.kind, signalItemId: change.signalItemId, storyId: change.storyId, fromStoryId: change.fromStoryId, actor: change.actor, createdAt: change.createdAt })),
      evidence,
      moves,
    };
  }

  /**
   * Puts an item into a story (an analyst's "these report the same event"):
   * it leaves its own story and takes this one's decision (accepted or
   * rejected, reviewed by the analyst) or, if this one is open, waits as
   * routing left it. The item an accepted story's evidence was recorded from
   * stays where it is (409 `signal-is-evidence`: retract the evidence first).
   */
  async link(storyId: string, itemId: string, actor: string): Promise<StoryView> {
    await this.prisma.$transaction(async (tx) => {
      const item = await this.findItem(tx, itemId);
      const from = item.storyId ?? item.id;
      if (from === storyId.toLowerCase()) return;
      const [target] = await this.lockStories(tx, [storyId, from]);
      const locked = await this.lockItem(tx, item.id);
      if (locked.evidenceId) throw isEvidence(locked);
      const view = toSignalItemView(locked);
      await tx.signalItem.update({
        where: { id: locked.id },
        data:
          target!.status === 'open'
            ? { status: routedStatus(view), reviewedBy: null, reviewedAt: null, rejectionReason: null }
            : { status: target!.status, reviewedBy: actor, reviewedAt: new Date(), rejectionReason: target!.status === 'rejected' ? target!.rejectionReason : null },
      });
      await this.stories.move(tx, { itemId: locked.id, from, to: target!.id, kind: 'linked', actor });
    });
    return this.get(storyId);
  }

  /**
   * Takes an item out of a story into a story of its own (an analyst's "this
   * is another event"): open, the item waiting as routing left it, so it is
   * judged on its own. A story's only item, and the item its evidence was
   * recorded from, stay (409).
   */
  async split(storyId: string, itemId: string, actor: string): Promise<{ story: StoryView; split: StoryView }> {
    const created = await this.prisma.$transaction(async (tx) => {
      const [story] = await this.lockStories(tx, [storyId]);
      const item = await this.lockItem(tx, itemId);
      if ((item.storyId ?? item.id) !== story!.id) throw new NotFoundError('Story item', itemId, 'itemId');
      if (item.evidenceId) throw isEvidence(item);
      const members = await tx.signalItem.count({ where: { storyId: story!.id } });
      if (members < 2) throw new DomainError('conflict', 'story-single-item', `Signal "${item.id}" is the only item of story "${story!.id}"`, 'itemId');
      const own = await this.stories.create(tx);
      await tx.signalItem.update({ where: { id: item.id }, data: { status: routedStatus(toSignalItemView(item)), reviewedBy: null, reviewedAt: null, rejectionReason: null } });
      await this.stories.move(tx, { itemId: item.id, from: story!.id, to: own, kind: 'split', actor });
      return own;
    });
    return { story: await this.get(storyId), split: await this.get(created) };
  }

  /** Locks the stories in id order (the order every writer takes them in); answers them in the order asked. */
  private async lockStories(tx: PrismaTransaction, ids: readonly string[]): Promise<StoryRow[]> {
    const wanted = ids.map((id) => {
      if (!isUuid(id)) throw new NotFoundError('Story', id, 'id');
      return id.toLowerCase();
    });
    const locked = new Map<string, StoryRow>();
    for (const id of [...new Set(wanted)].sort()) {
      const story = (await this.stories.lock(tx, id)) ?? ((await this.stories.adopt(tx, id)) ? await this.stories.lock(tx, id) : null);
      if (!story) throw new NotFoundError('Story', id, 'id');
      locked.set(id, story);
    }
    return wanted.map((id) => locked.get(id)!);
  }

  private async findItem(tx: PrismaTransaction, id: string): Promise<SignalItem> {
    const item = isUuid(id) ? await tx.signalItem.findUnique({ where: { id: id.toLowerCase() } }) : null;
    if (!item) throw new NotFoundError('Signal', id, 'itemId');
    return item;
  }

  private async lockItem(tx: PrismaTransaction, id: string): Promise<SignalItem> {
    if (!isUuid(id)) throw new NotFoundError('Signal', id, 'itemId');
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "SignalItem" WHERE "id" = ${id.toLowerCase()}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new NotFoundError('Signal', id, 'itemId');
    return tx.signalItem.findUniqueOrThrow({ where: { id: id.toLowerCase() } });
  }
}

function isEvidence(item: SignalItem): DomainError {
  return new DomainError('conflict', 'signal-is-evidence', `Signal "${item.id}" is what evidence ${item.evidenceId ?? ''} was recorded from: retract that evidence first`.trim(), 'itemId');
}
