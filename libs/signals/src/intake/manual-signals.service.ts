import { Injectable } from '@nestjs/common';

import { DomainError } from '#core';

import { canonicalUrl, signalContentHash } from './signal-identity.js';
import { SignalItemsRepository, type NewSignalItem } from './signal-items.repository.js';
import { type RoutedItem, SignalRoutingService } from './signal-routing.service.js';

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
  /** New items no rule matched that the routing model finds relevant (suggested for review). */
  suggested: number;
  /** The new items' ids, in the order submitted. */
  createdIds: string[];
  /** The new items as routed, in the same order: status and, per target, who routed it there, the score and the proposed direction. */
  items: RoutedItem[];
}

/** Items an analyst pastes in by hand: deduped and routed exactly like fetched ones. */
@Injectable()
export class ManualSignalsService {
  constructor(
    private readonly items: SignalItemsRepository,
    private readonly routing: SignalRoutingService,
  ) {}

  async submit(items: readonly ManualSignal[]): Promise<ManualSubmission> {
    if (items.length === 0 || items.length > MAX_MANUAL_SIGNALS) {
      throw new DomainError('invalid', 'bad-batch-size', `Submit between 1 and ${MAX_MANUAL_SIGNALS} items at once`, 'items');
    }
    const rows = new Map<string, NewSignalItem>();
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
      if (!rows.has(dedupeKey)) rows.set(dedupeKey, { dedupeKey, sourceId: null, externalId: null, url, title, summary, publishedAt: item.publishedAt ?? null, contentHash });
    });

    const created = await this.items.insertNew([...rows.values()]);
    const { outcome, items: routed } = await this.routing.routeAndTell(created);
    return {
      received: items.length,
      new: created.length,
      duplicates: items.length - created.length,
      matched: outcome.matched,
      autoAccepted: outcome.autoAccepted,
      suggested: outcome.suggested,
      createdIds: created.map((item) => item.id),
      items: routed,
    };
  }
}
