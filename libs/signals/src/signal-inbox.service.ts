import { Injectable } from '@nestjs/common';

import { DomainError, NotFoundError } from '#core';
import { pageQuery, Prisma, PrismaService, toPage, type Page, type PageRequest, type PrismaTransaction, type SignalItem, type SignalStatus } from '#db';
import { EvidenceService, type RecordedEvidence, type RecordEvidenceInput } from '#predictions';

import { isHttpUrl } from './signal-identity.js';
import { impactsToApply, parseSignalMatches, type SignalMatch } from './signal-matches.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SignalItemView extends Omit<SignalItem, 'matches'> {
  matches: SignalMatch[];
}

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

/** The review inbox: matched items wait as `pending` until an analyst (or an auto-accepting rule) accepts or rejects them. */
@Injectable()
export class SignalInboxService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly evidence: EvidenceService,
  ) {}

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
    const item = UUID.test(id) ? await this.prisma.signalItem.findUnique({ where: { id: id.toLowerCase() } }) : null;
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
          const impacts = acceptance.impacts ?? impactsToApply(parseSignalMatches(item.matches));
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
      return toSignalItemView(rejected);
    }, { maxWait: 20_000, timeout: 30_000 });
  }

  private async lockItem(tx: PrismaTransaction, id: string): Promise<SignalItem> {
    if (!UUID.test(id)) throw new NotFoundError('Signal', id, 'id');
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "SignalItem" WHERE "id" = ${id.toLowerCase()}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new NotFoundError('Signal', id, 'id');
    return tx.signalItem.findUniqueOrThrow({ where: { id: id.toLowerCase() } });
  }
}

export function toSignalItemView(item: SignalItem): SignalItemView {
  return { ...item, matches: parseSignalMatches(item.matches) };
}
