import { Injectable } from '@nestjs/common';

import { DomainError, isUuid, NotFoundError } from '#core';
import { type DigestFrequency, isUniqueViolation, type Page, pageQuery, type PageRequest, PrismaService, type Subscriber, toPage } from '#db';
import { PredictionsService } from '#predictions';

import { isTimeZone } from './digest-period.js';
import { followedPredictionIds } from './followed-predictions.js';
import { newUnsubscribeKey, tokenSubscriberId, verifyUnsubscribeToken } from './unsubscribe-token.js';

export interface SubscriberInput {
  email: string;
  frequency: DigestFrequency;
  timezone?: string;
  sendHour?: number;
  sendWeekday?: number;
  /** Prediction ids or slugs; empty means all. */
  predictions?: string[];
}

export type SubscriberChanges = Partial<SubscriberInput> & { subscribed?: boolean };

/** A subscriber as shown: never the key that signs its unsubscribe links. */
export type SubscriberView = Omit<Subscriber, 'unsubscribeToken'>;

const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;
const HIDDEN = { unsubscribeToken: true } as const;

/** Digest subscribers: who gets which digest, when, in their time zone. */
@Injectable()
export class SubscribersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly predictions: PredictionsService,
  ) {}

  async list(request: PageRequest): Promise<Page<SubscriberView>> {
    return toPage(await this.prisma.subscriber.findMany({ ...pageQuery(request), omit: HIDDEN }), request.limit);
  }

  async get(id: string, field = 'id'): Promise<SubscriberView> {
    const subscriber = isUuid(id) ? await this.prisma.subscriber.findUnique({ where: { id: id.toLowerCase() }, omit: HIDDEN }) : null;
    if (!subscriber) throw new NotFoundError('Subscriber', id, field);
    return subscriber;
  }

  async create(input: SubscriberInput): Promise<SubscriberView> {
    try {
      return await this.prisma.subscriber.create({
        omit: HIDDEN,
        data: {
          email: checkedEmail(input.email),
          frequency: input.frequency,
          timezone: checkedTimeZone(input.timezone ?? 'UTC'),
          sendHour: checkedRange(input.sendHour ?? 8, 0, 23, 'sendHour'),
          sendWeekday: checkedRange(input.sendWeekday ?? 1, 0, 6, 'sendWeekday'),
          predictionIds: await followedPredictionIds(this.predictions, input.predictions ?? []),
          unsubscribeToken: newUnsubscribeKey(),
        },
      });
    } catch (error) {
      throw duplicateEmail(error) ?? error;
    }
  }

  async update(id: string, changes: SubscriberChanges): Promise<SubscriberView> {
    const current = await this.get(id);
    try {
      return await this.prisma.subscriber.update({
        where: { id: current.id },
        omit: HIDDEN,
        data: {
          email: changes.email !== undefined ? checkedEmail(changes.email) : undefined,
          frequency: changes.frequency,
          timezone: changes.timezone !== undefined ? checkedTimeZone(changes.timezone) : undefined,
          sendHour: changes.sendHour !== undefined ? checkedRange(changes.sendHour, 0, 23, 'sendHour') : undefined,
          sendWeekday: changes.sendWeekday !== undefined ? checkedRange(changes.sendWeekday, 0, 6, 'sendWeekday') : undefined,
          predictionIds: changes.predictions !== undefined ? await followedPredictionIds(this.predictions, changes.predictions) : undefined,
          unsubscribedAt: changes.subscribed === undefined ? undefined : changes.subscribed ? null : (current.unsubscribedAt ?? new Date()),
        },
      });
    } catch (error) {
      throw duplicateEmail(error) ?? error;
    }
  }

  async delete(id: string): Promise<void> {
    const subscriber = await this.get(id);
    await this.prisma.subscriber.delete({ where: { id: subscriber.id } });
  }

  /** The one-click unsubscribe: the token is the whole credential. Idempotent; a bad token is a 404, whatever is wrong with it. */
  async unsubscribe(token: string, now = new Date()): Promise<SubscriberView> {
    const id = tokenSubscriberId(token);
    const subscriber = id ? await this.prisma.subscriber.findUnique({ where: { id } }) : null;
    if (!subscriber || !verifyUnsubscribeToken(token, subscriber.unsubscribeToken)) {
      throw new DomainError('not_found', 'unsubscribe-link-invalid', 'This unsubscribe link is not valid (it may have been cut short)', 'token');
    }
    return this.prisma.subscriber.update({ where: { id: subscriber.id }, omit: HIDDEN, data: { unsubscribedAt: subscriber.unsubscribedAt ?? now } });
  }
}

function checkedEmail(email: string): string {
  const trimmed = email.trim();
  if (!EMAIL.test(trimmed) || trimmed.length > 320) throw new DomainError('invalid', 'invalid-email', 'email must be an email address', 'email');
  return trimmed;
}

function checkedTimeZone(timezone: string): string {
  if (!isTimeZone(timezone)) throw new DomainError('invalid', 'invalid-timezone', `timezone "${timezone}" is not an IANA time zone such as Europe/Berlin`, 'timezone');
  return timezone;
}

function checkedRange(value: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new DomainError('invalid', `invalid-${field.toLowerCase()}`, `${field} must be a whole number from ${min} to ${max}`, field);
  return value;
}

function duplicateEmail(error: unknown): DomainError | null {
  return isUniqueViolation(error)
    ? new DomainError('conflict', 'subscriber-exists', 'A subscriber with this email already exists', 'email')
    : null;
}
