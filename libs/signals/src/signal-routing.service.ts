import { Injectable, Logger } from '@nestjs/common';

import { DomainError } from '#core';
import { PrismaService, type SignalItem, type SignalStatus } from '#db';
import { PredictionsService } from '#predictions';

import { RulesService } from './rules.service.js';
import { SignalInboxService } from './signal-inbox.service.js';
import { impactsToApply, rulesMatching, type RoutableRule, type SignalMatch } from './signal-matches.js';

export type StoredSignalItem = Pick<SignalItem, 'id' | 'sourceId' | 'title' | 'summary' | 'url' | 'publishedAt'>;

export interface RoutingOutcome {
  /** Items that matched at least one rule, auto-accepted ones included. */
  matched: number;
  unmatched: number;
  autoAccepted: number;
}

/** Who the audit trail names when a rule accepts an item without a reviewer. */
export const AUTO_ACCEPT_ACTOR = 'system:auto-accept';

/** Rows per UPDATE statement: keeps the statement's parameters well inside Postgres limits. */
const UPDATE_CHUNK = 2_000;

/**
 * Matches newly stored signal items against the enabled rules: a match makes
 * the item `pending` in the review inbox with the matched rules snapshotted in
 * `matches`; no match leaves it `unmatched`; a matching rule with autoAccept
 * accepts it at once through the inbox, so there is one way to accept.
 */
@Injectable()
export class SignalRoutingService {
  private readonly logger = new Logger(SignalRoutingService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly rules: RulesService,
    private readonly predictions: PredictionsService,
    private readonly inbox: SignalInboxService,
  ) {}

  async route(items: readonly StoredSignalItem[]): Promise<RoutingOutcome> {
    const outcome: RoutingOutcome = { matched: 0, unmatched: 0, autoAccepted: 0 };
    if (items.length === 0) return outcome;

    const rules = await this.rules.enabledRules();
    const slugs = await this.predictionSlugs(rules);
    const routed = items.map((item) => {
      const matched = rulesMatching(rules, item);
      const matches = matched.map((rule) => toSignalMatch(rule, slugs));
      const status: SignalStatus = matches.length > 0 ? 'pending' : 'unmatched';
      return { id: item.id, status, matches };
    });

    for (let start = 0; start < routed.length; start += UPDATE_CHUNK) {
      const chunk = routed.slice(start, start + UPDATE_CHUNK);
      // One statement per chunk rather than one per item: a feed batch or a manual submission of 1,000 items stays one round trip.
      // Items someone has already reviewed are left alone, so routing the same items again is harmless.
      await this.prisma.$executeRaw`
        UPDATE "SignalItem" AS item
        SET "status" = routed.status::"SignalStatus", "matches" = routed.matches::jsonb
        FROM unnest(${chunk.map((row) => row.id)}::uuid[], ${chunk.map((row) => row.status)}::text[], ${chunk.map((row) => JSON.stringify(row.matches))}::text[])
          AS routed(id, status, matches)
        WHERE item."id" = routed.id AND item."reviewedAt" IS NULL`;
    }

    for (const { id, matches } of routed) {
      if (matches.length === 0) {
        outcome.unmatched += 1;
        continue;
      }
      outcome.matched += 1;
      const autoAccepting = matches.filter((match) => match.autoAccept);
      if (autoAccepting.length > 0 && (await this.autoAccept(id, autoAccepting))) outcome.autoAccepted += 1;
    }
    return outcome;
  }

  /**
   * Records only the auto-accepting rules' impacts: the others' are the kind
   * a person reviews. If the engine refuses (a prediction resolved meanwhile,
   * say), the item stays pending for a person to decide.
   */
  private async autoAccept(id: string, matches: SignalMatch[]): Promise<boolean> {
    try {
      await this.inbox.accept(id, { impacts: impactsToApply(matches) }, AUTO_ACCEPT_ACTOR);
      return true;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn({ signalItemId: id, code: error.code, reason: error.message }, 'Auto-accept refused; the item waits for review');
      return false;
    }
  }

  /** Slugs make the snapshot readable to a reviewer; a prediction deleted since the rule was written just has none. */
  private async predictionSlugs(rules: readonly RoutableRule[]): Promise<Map<string, string>> {
    const ids = new Set(rules.flatMap((rule) => rule.impacts.map((impact) => impact.prediction)));
    const slugs = new Map<string, string>();
    for (const id of ids) {
      try {
        slugs.set(id, (await this.predictions.get(id)).slug);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    return slugs;
  }
}

function toSignalMatch(rule: RoutableRule, slugs: ReadonlyMap<string, string>): SignalMatch {
  return {
    ruleId: rule.id,
    ruleName: rule.name,
    indicator: rule.indicator,
    impacts: rule.impacts.map((impact) => ({ ...impact, predictionSlug: slugs.get(impact.prediction) ?? null })),
    autoAccept: rule.autoAccept,
  };
}
