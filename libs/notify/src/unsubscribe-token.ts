import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A subscriber's signing key: random, kept in the database, never shown. */
export function newUnsubscribeKey(): string {
  return randomBytes(32).toString('base64url');
}

function signature(subscriberId: string, key: string): string {
  return createHmac('sha256', key).update(`unsubscribe:${subscriberId}`).digest('base64url');
}

/** `<subscriber id>.<HMAC-SHA256 of it under the subscriber's key>`: works without an API key, and only for that subscriber. */
export function unsubscribeToken(subscriberId: string, key: string): string {
  return `${subscriberId}.${signature(subscriberId, key)}`;
}

/** The subscriber id a token names, before its signature is checked (the key is looked up by it). */
export function tokenSubscriberId(token: string): string | null {
  const match = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/.exec(token);
  return match ? match[1]! : null;
}

export function verifyUnsubscribeToken(token: string, key: string): boolean {
  const id = tokenSubscriberId(token);
  if (!id) return false;
  const expected = Buffer.from(unsubscribeToken(id, key));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
