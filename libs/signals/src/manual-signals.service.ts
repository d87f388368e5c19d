import { Injectable } from '@nestjs/common';

import { DomainError } from '#core';
import { PrismaService } from '#db';

import { canonicalUrl, signalContentHash } from './signal-identity.js';
import { SignalRoutingService, type StoredSignalItem } from './signal-routing.service.js';
import { uuidV7 } from './uuid-v7.js';

export const MAX_MANUAL_SIGNALS = 1_000;

export interface ManualSignal {
  title: string;
  url?: string | null;
  summary?: string | null;
  publishedAt?: Date | null;
}

export interface ManualSubmission {
  received: number;
  /** Stored by this submission. */
  new: number;
  /** Already stored, by an earlier submission or earlier in this one. */
  duplicates: number;
  /** New items that matched a rule (pending review or auto-accepted). */
  matched: number;
  autoAccepted: number;
  /** The new items' ids, in the order submitted. */
  createdIds: string[];
}

/** Items an analyst pastes in by hand: deduped and routed exactly like fetched ones. */
@Injectable()
export class ManualSignalsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly routing: SignalRoutingService,
  ) {}

  async submit(items: readonly ManualSignal[]): Promise<ManualSubmission> {
    if (items.length === 0 || items.length > MAX_MANUAL_SIGNALS) {
      throw new DomainError('invalid', 'bad-batch-size', `Submit between 1 and ${MAX_MANUAL_SIGNALS} items at once`, 'items');
    }
    const rows = new Map<string, { url: string | null; title: string; summary: string | null; publishedAt: Date | null; contentHash: string }>();
    items.forEach((item, index) => {
      const title = item.title.trim();
      if (title.length === 0) throw new DomainError('invalid', 'blank-title', `items[${index}].title is blank`, `items[${index}].title`);
      const summary = item.summary?.trim() || null;
      const url = item.url?.trim() || null;
      const canonical = url === null ? null : canonicalUrl(url);
      if (url !== null && canonical === null) {
        throw new DomainError('invalid', 'bad-url', `items[${index}].url must be an absolute http(s) URL`, `items[${index}].url`);
      }
      if (item.publishedAt && Number.isNaN(item.publishedAt.getTime())) {
        throw new DomainError('invalid', 'bad-date', `items[${index}].publishedAt is not a date`, `items[${index}].publishedAt`);
      }
      const contentHash = signalContentHash({ title, summary });
      const dedupeKey = `manual:${canonical ?? contentHash}`;
      // A repeat within the batch is a duplicate like any other; the first occurrence is the one stored.
      if (!rows.has(dedupeKey)) rows.set(dedupeKey, { url, title, summary, publishedAt: item.publishedAt ?? null, contentHash });
    });

    // ON CONFLICT DO NOTHING on the unique dedupeKey: concurrent submissions of the same item store it once, and
    // RETURNING hands back only the rows this statement inserted, which are exactly the ones to route. Raw SQL over
    // unnest() passes one array per column; Prisma's createMany would bind 8,000 parameters for 1,000 items and
    // take several times as long.
    const values = [...rows.values()];
    const created = await this.prisma.$queryRaw<(StoredSignalItem & { dedupeKey: string })[]>`
      INSERT INTO "SignalItem" ("id", "sourceId", "dedupeKey", "url", "title", "summary", "publishedAt", "contentHash", "status")
      SELECT item.id, NULL, item."dedupeKey", item.url, item.title, item.summary, item."publishedAt", item."contentHash", 'unmatched'::"SignalStatus"
      FROM unnest(
        ${values.map(() => uuidV7())}::uuid[],
        ${[...rows.keys()]}::text[],
        ${values.map((row) => row.url)}::text[],
        ${values.map((row) => row.title)}::text[],
        ${values.map((row) => row.summary)}::text[],
        ${values.map((row) => row.publishedAt?.toISOString() ?? null)}::timestamp(3)[],
        ${values.map((row) => row.contentHash)}::text[]
      ) WITH ORDINALITY AS item(id, "dedupeKey", url, title, summary, "publishedAt", "contentHash", position)
      ORDER BY item.position
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING "id", "sourceId", "title", "summary", "url", "publishedAt", "dedupeKey"`;
    const outcome = await this.routing.route(created);
    const order = new Map([...rows.keys()].map((key, index) => [key, index] as const));
    created.sort((a, b) => order.get(a.dedupeKey)! - order.get(b.dedupeKey)!);
    return {
      received: items.length,
      new: created.length,
      duplicates: items.length - created.length,
      matched: outcome.matched,
      autoAccepted: outcome.autoAccepted,
      createdIds: created.map((item) => item.id),
    };
  }
}
