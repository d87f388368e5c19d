import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { Injectable, Logger } from '@nestjs/common';

import { AppConfig } from '#config';
import { isUuid } from '#core';
import { PrismaService, type WebSubSubscription } from '#db';

import { SourceFetchError, SourceFetcher } from './source-fetcher.js';

/** The lease asked for: ten days (hubs may grant less; the grant is what counts). */
export const WEBSUB_LEASE_SECONDS = 10 * 24 * 3600;
/** A subscription is renewed this long before its lease runs out, or at a tenth of a short lease. */
const RENEW_BEFORE_SECONDS = 24 * 3600;
/** A hub that has not verified a request after this long is taken to have refused it. */
const VERIFY_WITHIN_MS = 10 * 60 * 1000;
/** A refused or unverified subscription is asked for again after this long, while the feed still names its hub. */
const RETRY_FAILED_AFTER_MS = 6 * 3600 * 1000;

/** The signature methods of W3C WebSub 8 (sha1 is allowed there; the stronger ones are preferred). */
const SIGNATURE_ALGORITHMS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

export interface WebSubVerification {
  /** What to answer the hub: its challenge (200) when we asked for this, else null (404). */
  challenge: string | null;
  reason: string;
}

/**
 * WebSub subscriptions of feed sources (W3C WebSub recommendation): a feed that names a hub
 * (`<link rel="hub">`) is subscribed to at that hub, with the callback PUBLIC_URL/websub/<sourceId>
 * and a secret of its own; the hub verifies the intent with a GET to the callback (answered with its
 * challenge only for a request we made, for that topic), then pushes new content there, signed with
 * the secret (X-Hub-Signature). Leases are renewed before they run out; a source deleted or whose
 * feed no longer names a hub is unsubscribed. Polling carries on beside it as the fallback.
 */
@Injectable()
export class WebSubSubscriptionsService {
  private readonly logger = new Logger(WebSubSubscriptionsService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly fetcher: SourceFetcher,
  ) {}

  callbackUrl(sourceId: string): string {
    return `${this.config.publicUrl}/websub/${sourceId}`;
  }

  /**
   * After a fetch: subscribe when the feed names a hub that this source is not (being) subscribed at,
   * and unsubscribe when it names none any more. Never throws: a hub that refuses leaves polling as it was.
   */
  async reconcile(sourceId: string, hubUrl: string | null, topicUrl: string | null, now = new Date()): Promise<void> {
    try {
      const current = await this.prisma.webSubSubscription.findUnique({ where: { sourceId } });
      if (!hubUrl) {
        if (current) await this.unsubscribe(sourceId);
        return;
      }
      const topic = topicUrl ?? hubUrl;
      const same = current && current.hubUrl === hubUrl && current.topicUrl === topic;
      if (same && current.state !== 'failed') return;
      if (same && current.state === 'failed' && now.getTime() - current.updatedAt.getTime() < RETRY_FAILED_AFTER_MS) return;
      if (current && !same) await this.unsubscribe(sourceId);
      await this.subscribe(sourceId, hubUrl, topic, now);
    } catch (error) {
      this.logger.error({ err: error, sourceId }, 'WebSub reconciliation failed; polling carries on');
    }
  }

  /** Asks the hub for a subscription (or its renewal, with the same secret); the hub's verification GET makes it active. */
  async subscribe(sourceId: string, hubUrl: string, topicUrl: string, now = new Date(), renewal?: WebSubSubscription): Promise<WebSubSubscription> {
    const secret = renewal?.secret ?? randomBytes(32).toString('base64url');
    const subscription = renewal
      ? await this.prisma.webSubSubscription.update({ where: { sourceId }, data: { requestedAt: now, lastError: null } })
      : await this.prisma.webSubSubscription.upsert({
          where: { sourceId },
          create: { sourceId, hubUrl, topicUrl, secret, state: 'pending', requestedAt: now },
          update: { hubUrl, topicUrl, secret, state: 'pending', requestedAt: now, verifiedAt: null, expiresAt: null, leaseSeconds: null, lastError: null },
        });
    const refusal = await this.askHub(hubUrl, {
      'hub.mode': 'subscribe',
      'hub.topic': topicUrl,
      'hub.callback': this.callbackUrl(sourceId),
      'hub.secret': secret,
      'hub.lease_seconds': String(WEBSUB_LEASE_SECONDS),
    });
    if (refusal) {
      this.logger.warn({ sourceId, hubUrl, error: refusal }, 'The WebSub hub refused the subscription; polling carries on');
      return this.prisma.webSubSubscription.update({ where: { sourceId }, data: { ...(renewal ? {} : { state: 'failed' }), lastError: refusal } });
    }
    this.logger.log({ sourceId, hubUrl, topicUrl, renewal: Boolean(renewal) }, 'WebSub subscription requested');
    return subscription;
  }

  /** Asks the hub to stop, then forgets the subscription (a source deleted, or its feed names no hub now). */
  async unsubscribe(sourceId: string): Promise<void> {
    const current = await this.prisma.webSubSubscription.findUnique({ where: { sourceId } });
    if (!current) return;
    // Forgotten first: the hub's verification of the unsubscription finds no subscription to keep, and confirms it.
    await this.prisma.webSubSubscription.deleteMany({ where: { sourceId } });
    const refusal = await this.askHub(current.hubUrl, { 'hub.mode': 'unsubscribe', 'hub.topic': current.topicUrl, 'hub.callback': this.callbackUrl(sourceId) });
    if (refusal) this.logger.warn({ sourceId, hubUrl: current.hubUrl, error: refusal }, 'The WebSub hub refused the unsubscription; its pushes will be refused');
  }

  /**
   * The hub's verification of intent (WebSub 5.3): a subscription is confirmed only while we are
   * waiting for (or renewing) that very subscription, with the topic we asked for; an unsubscription
   * only when we hold none for the topic. `denied` records the hub's refusal.
   */
  async verifyIntent(sourceId: string, query: Record<string, unknown>, now = new Date()): Promise<WebSubVerification> {
    const mode = typeof query['hub.mode'] === 'string' ? query['hub.mode'] : '';
    const topic = typeof query['hub.topic'] === 'string' ? query['hub.topic'] : '';
    const challenge = typeof query['hub.challenge'] === 'string' ? query['hub.challenge'] : '';
    const current = isUuid(sourceId) ? await this.prisma.webSubSubscription.findUnique({ where: { sourceId } }) : null;
    if (mode === 'denied') {
      if (current && current.topicUrl === topic) {
        const reason = typeof query['hub.reason'] === 'string' ? query['hub.reason'] : 'no reason given';
        await this.prisma.webSubSubscription.update({ where: { sourceId }, data: { state: 'failed', lastError: `denied by the hub: ${reason}` } });
      }
      return { challenge: null, reason: 'denial recorded' };
    }
    if (!challenge) return { challenge: null, reason: 'no hub.challenge' };
    if (mode === 'unsubscribe') {
      return current && current.topicUrl === topic && current.state !== 'failed' ? { challenge: null, reason: 'still subscribed' } : { challenge, reason: 'unsubscribed' };
    }
    if (mode !== 'subscribe') return { challenge: null, reason: `unknown hub.mode "${mode}"` };
    if (!current || current.topicUrl !== topic || current.state === 'failed') return { challenge: null, reason: 'no such subscription requested' };
    const lease = Number(query['hub.lease_seconds']);
    const leaseSeconds = Number.isInteger(lease) && lease > 0 ? lease : null;
    await this.prisma.webSubSubscription.update({
      where: { sourceId },
      data: { state: 'active', verifiedAt: now, leaseSeconds, expiresAt: leaseSeconds ? new Date(now.getTime() + leaseSeconds * 1000) : null, lastError: null },
    });
    this.logger.log({ sourceId, topic, leaseSeconds }, 'WebSub subscription verified');
    return { challenge, reason: 'verified' };
  }

  /**
   * Whether a pushed body comes from the hub of an active subscription: `X-Hub-Signature: <method>=<hex HMAC
   * of the body with the secret>` (WebSub 8). A body that fails is to be ignored, not stored.
   */
  async authenticatePush(sourceId: string, body: Buffer, signature: string | undefined, now = new Date()): Promise<{ ok: boolean; reason: string }> {
    const current = isUuid(sourceId) ? await this.prisma.webSubSubscription.findUnique({ where: { sourceId } }) : null;
    if (!current || current.state !== 'active') return { ok: false, reason: 'no active subscription' };
    const match = /^(sha1|sha256|sha384|sha512)=([0-9a-f]+)$/i.exec(signature?.trim() ?? '');
    if (!match || !SIGNATURE_ALGORITHMS.has(match[1]!.toLowerCase())) return { ok: false, reason: 'no valid X-Hub-Signature' };
    const expected = createHmac(match[1]!.toLowerCase(), current.secret).update(body).digest();
    const given = Buffer.from(match[2]!, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      await this.prisma.webSubSubscription.update({ where: { sourceId }, data: { lastError: 'a push with a wrong signature was ignored' } });
      return { ok: false, reason: 'signature does not match' };
    }
    await this.prisma.webSubSubscription.update({ where: { sourceId }, data: { lastPushAt: now } });
    return { ok: true, reason: 'signed' };
  }

  /**
   * The lease job: renews active subscriptions before their lease runs out, gives up on requests the hub
   * never verified, and asks again for refused ones after a while (the next fetch does too).
   */
  async renewDue(now = new Date()): Promise<{ renewed: number; expired: number; retried: number }> {
    const outcome = { renewed: 0, expired: 0, retried: 0 };
    const active = await this.prisma.webSubSubscription.findMany({ where: { state: 'active', expiresAt: { not: null } } });
    for (const subscription of active) {
      const lease = subscription.leaseSeconds ?? WEBSUB_LEASE_SECONDS;
      const renewAt = subscription.expiresAt!.getTime() - Math.min(RENEW_BEFORE_SECONDS, lease / 10) * 1000;
      if (renewAt > now.getTime() || now.getTime() - subscription.requestedAt.getTime() < VERIFY_WITHIN_MS) continue;
      await this.subscribe(subscription.sourceId, subscription.hubUrl, subscription.topicUrl, now, subscription);
      outcome.renewed += 1;
    }
    const unverified = await this.prisma.webSubSubscription.updateMany({
      where: { state: 'pending', requestedAt: { lt: new Date(now.getTime() - VERIFY_WITHIN_MS) } },
      data: { state: 'failed', lastError: 'the hub did not verify the subscription within 10 minutes' },
    });
    outcome.expired = unverified.count;
    const failed = await this.prisma.webSubSubscription.findMany({ where: { state: 'failed', updatedAt: { lt: new Date(now.getTime() - RETRY_FAILED_AFTER_MS) } } });
    for (const subscription of failed) {
      await this.subscribe(subscription.sourceId, subscription.hubUrl, subscription.topicUrl, now);
      outcome.retried += 1;
    }
    if (outcome.renewed + outcome.expired + outcome.retried > 0) this.logger.log(outcome, 'WebSub leases looked after');
    return outcome;
  }

  /** The subscription of each of these sources, for the sources API and page. */
  async ofSources(sourceIds: readonly string[]): Promise<Map<string, WebSubSubscription>> {
    if (sourceIds.length === 0) return new Map();
    const rows = await this.prisma.webSubSubscription.findMany({ where: { sourceId: { in: [...sourceIds] } } });
    return new Map(rows.map((row) => [row.sourceId, row]));
  }

  /** A form POST to the hub; null when it accepted (2xx), else what went wrong. */
  private async askHub(hubUrl: string, fields: Record<string, string>): Promise<string | null> {
    try {
      const answer = await this.fetcher.postForm(hubUrl, fields);
      return answer.status >= 200 && answer.status < 300 ? null : `the hub answered HTTP ${answer.status}${answer.body ? `: ${answer.body.slice(0, 200)}` : ''}`;
    } catch (error) {
      if (error instanceof SourceFetchError) return error.message;
      throw error;
    }
  }
}
