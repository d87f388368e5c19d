import { Injectable, Logger } from '@nestjs/common';

import { AppConfig } from '#config';
import { DomainError } from '#core';
import { isUniqueViolation, PrismaService, type Subscriber } from '#db';

import { DigestBuilder, type DigestInputs } from './digest-builder.service.js';
import { lastEndedPeriod, nextSendTime, type DigestPeriod } from './digest-period.js';
import { DigestRenderer, type RenderedDigest } from './digest-renderer.js';
import { MailTransport } from './mail-transport.js';
import { SubscribersService } from './subscribers.service.js';
import { unsubscribeToken } from './unsubscribe-token.js';

/** Digests built and sent at once: as many as the pooled SMTP transport keeps connections (nodemailer's default, 5). */
const SEND_CONCURRENCY = 5;

/** A digest sent on request. */
export interface TestDigestSent {
  runId: string;
  to: string;
  subject: string;
  entryCount: number;
  sentAt: Date;
  messageId: string;
  /** Where it was written, when there is no SMTP server. */
  file: string | null;
  /** The next scheduled digest, which this one does not replace. */
  nextDigestAt: Date;
}

export interface DigestSendOutcome {
  sent: number;
  /** Nothing happened in the period (and DIGEST_SEND_EMPTY is false). */
  empty: number;
  /** Already handled for this period, by this or another worker. */
  skipped: number;
  failed: number;
}

/**
 * Sends each subscriber the digest of its latest ended period, at most once: a
 * DigestRun row, unique per subscriber and period start, is claimed before the
 * mail goes out, so retries and concurrent workers find it taken. A send that
 * fails releases its claim so the next tick tries again.
 */
@Injectable()
export class DigestService {
  private readonly logger = new Logger(DigestService.name);
  private readonly renderer = new DigestRenderer();

  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly builder: DigestBuilder,
    private readonly subscribers: SubscribersService,
    private readonly mail: MailTransport,
  ) {}

  async sendDue(now = new Date()): Promise<DigestSendOutcome> {
    const outcome: DigestSendOutcome = { sent: 0, empty: 0, skipped: 0, failed: 0 };
    const inputsByPeriod = new Map<number, Promise<DigestInputs>>();
    const subscribers = await this.prisma.subscriber.findMany({ where: { unsubscribedAt: null }, orderBy: { id: 'asc' } });
    let next = 0;
    const sendNext = async (): Promise<void> => {
      while (next < subscribers.length) await this.sendOne(subscribers[next++]!, now, inputsByPeriod, outcome);
    };
    await Promise.all(Array.from({ length: SEND_CONCURRENCY }, sendNext));
    if (outcome.sent + outcome.failed > 0) this.logger.log(outcome, 'Digests sent');
    return outcome;
  }

  /** One subscriber's digest of its latest ended period, unless it is not owed, already claimed or (by default) empty. */
  private async sendOne(subscriber: Subscriber, now: Date, inputsByPeriod: Map<number, Promise<DigestInputs>>, outcome: DigestSendOutcome): Promise<void> {
    const period = lastEndedPeriod(subscriber, now);
    // A period that ended before the subscription is not owed.
    if (period.end.getTime() <= subscriber.createdAt.getTime()) return;
    const runId = await this.claim(subscriber, period);
    if (!runId) {
      outcome.skipped += 1;
      return;
    }
    const key = period.start.getTime() * 1e13 + period.end.getTime();
    if (!inputsByPeriod.has(key)) inputsByPeriod.set(key, this.builder.inputs(period, now));
    const digest = this.builder.build(await inputsByPeriod.get(key)!, subscriber.predictionIds);
    if (digest.entryCount === 0 && this.config.DIGEST_SEND_EMPTY !== 'true') {
      outcome.empty += 1;
      return;
    }
    try {
      const unsubscribeUrl = this.unsubscribeUrl(subscriber);
      const rendered = await this.renderer.render(digest, this.addressing(subscriber));
      const sent = await this.mail.send({ to: subscriber.email, ...rendered, headers: unsubscribeHeaders(unsubscribeUrl) });
      await this.prisma.digestRun.update({ where: { id: runId }, data: { sentAt: new Date(), messageId: sent.messageId, entryCount: digest.entryCount } });
      outcome.sent += 1;
    } catch (error) {
      await this.prisma.digestRun.delete({ where: { id: runId } });
      this.logger.error({ subscriberId: subscriber.id, err: error }, 'Sending a digest failed; the next tick tries again');
      outcome.failed += 1;
    }
  }

  /** What the subscriber's next digest holds so far: the period from its last send time until now. Sends nothing. */
  async preview(subscriberId: string, now = new Date()): Promise<RenderedDigest> {
    const subscriber = await this.subscriber(subscriberId);
    const period = { start: lastEndedPeriod(subscriber, now).end, end: now };
    const digest = this.builder.build(await this.builder.inputs(period, now), subscriber.predictionIds);
    return this.renderer.render(digest, this.addressing(subscriber));
  }

  /**
   * The digest as it stands now, sent at once, even when nothing happened yet: what the preview shows,
   * marked as a test in its subject and its DigestRun. Scheduled digests keep their periods, so the next
   * one still covers everything since the last send time.
   */
  async sendNow(subscriberId: string, now = new Date()): Promise<TestDigestSent> {
    const subscriber = await this.subscriber(subscriberId);
    if (subscriber.unsubscribedAt) {
      throw new DomainError('conflict', 'subscriber-unsubscribed', `${subscriber.email} unsubscribed; PATCH {"subscribed": true} subscribes again`, 'id');
    }
    const period = { start: lastEndedPeriod(subscriber, now).end, end: now };
    const digest = this.builder.build(await this.builder.inputs(period, now), subscriber.predictionIds);
    const unsubscribeUrl = this.unsubscribeUrl(subscriber);
    const rendered = await this.renderer.render(digest, { ...this.addressing(subscriber), test: true });
    const run = await this.prisma.digestRun.create({ data: { subscriberId: subscriber.id, periodStart: period.start, periodEnd: period.end, test: true, entryCount: digest.entryCount } });
    try {
      const sent = await this.mail.send({ to: subscriber.email, ...rendered, headers: unsubscribeHeaders(unsubscribeUrl) });
      const sentAt = new Date();
      await this.prisma.digestRun.update({ where: { id: run.id }, data: { sentAt, messageId: sent.messageId } });
      this.logger.log({ subscriberId: subscriber.id, messageId: sent.messageId, file: sent.file }, 'Test digest sent');
      return { runId: run.id, to: subscriber.email, subject: rendered.subject, entryCount: digest.entryCount, sentAt, messageId: sent.messageId, file: sent.file, nextDigestAt: nextSendTime(subscriber, now) };
    } catch (error) {
      await this.prisma.digestRun.delete({ where: { id: run.id } });
      throw new DomainError('unavailable', 'mail-not-sent', `The digest could not be sent: ${(error as Error).message}`);
    }
  }

  /** When the subscriber's next scheduled digest goes out (if anything happened by then). */
  nextDigestAt(subscriber: Pick<Subscriber, 'frequency' | 'timezone' | 'sendHour' | 'sendWeekday'>, now = new Date()): Date {
    return nextSendTime(subscriber, now);
  }

  private async subscriber(idOrRef: string): Promise<Subscriber> {
    const { id } = await this.subscribers.get(idOrRef);
    return this.prisma.subscriber.findUniqueOrThrow({ where: { id } });
  }

  private addressing(subscriber: Subscriber): { frequency: Subscriber['frequency']; timezone: string; unsubscribeUrl: string; publicUrl: string; nextDigestAt: Date } {
    return { frequency: subscriber.frequency, timezone: subscriber.timezone, unsubscribeUrl: this.unsubscribeUrl(subscriber), publicUrl: this.config.publicUrl, nextDigestAt: nextSendTime(subscriber, new Date()) };
  }

  /** Each subscriber's latest digest sent: when, and how many entries it held. */
  async lastSent(subscriberIds: readonly string[]): Promise<Map<string, { sentAt: Date; entryCount: number }>> {
    const runs = await this.prisma.digestRun.findMany({
      where: { subscriberId: { in: [...subscriberIds] }, sentAt: { not: null }, test: false },
      orderBy: [{ subscriberId: 'asc' }, { sentAt: 'desc' }],
      distinct: ['subscriberId'],
      select: { subscriberId: true, sentAt: true, entryCount: true },
    });
    return new Map(runs.map((run) => [run.subscriberId, { sentAt: run.sentAt!, entryCount: run.entryCount }]));
  }

  unsubscribeUrl(subscriber: Pick<Subscriber, 'id' | 'unsubscribeToken'>): string {
    return `${this.config.publicUrl}/v1/unsubscribe/${unsubscribeToken(subscriber.id, subscriber.unsubscribeToken)}`;
  }

  /** The run row for this subscriber and period, or null when another attempt has it. */
  private async claim(subscriber: Subscriber, period: DigestPeriod): Promise<string | null> {
    try {
      const run = await this.prisma.digestRun.create({ data: { subscriberId: subscriber.id, periodStart: period.start, periodEnd: period.end, test: false } });
      return run.id;
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }
}

/**
 * RFC 2369 and RFC 8058 one-click unsubscribe. The value goes out as it is ("prepared"): folded, as
 * nodemailer would fold a long header, it began with a line break and read as a stray double space.
 */
function unsubscribeHeaders(unsubscribeUrl: string): Record<string, string | { prepared: true; value: string }> {
  return { 'List-Unsubscribe': { prepared: true, value: `<${unsubscribeUrl}>` }, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
