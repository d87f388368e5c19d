import { createHash } from 'node:crypto';

import { DomainError } from '#core';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  cursor?: string;
  limit: number;
}

/**
 * Keyset pagination over time-ordered UUIDv7 ids: the cursor is the last id
 * seen, so pages stay stable while rows are added and cost the same at any depth.
 */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID.test(id)) {
    throw new DomainError('invalid', 'invalid-cursor', 'cursor is not one this API returned', 'cursor');
  }
  return id;
}

export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? Buffer.from(last.id, 'utf8').toString('base64url') : null,
  };
}

/** The Prisma `where`/`take` for one page in ascending id order; fetches one extra row to know if more follow. */
export function pageQuery(request: PageRequest): { where: { id?: { gt: string } }; take: number; orderBy: { id: 'asc' } } {
  const after = decodeCursor(request.cursor);
  return { where: after ? { id: { gt: after } } : {}, take: request.limit + 1, orderBy: { id: 'asc' } };
}

/** The place a ranked list stopped: the ranking values of the last row and its id. */
export interface RankedPosition {
  values: number[];
  id: string;
}

/** Tells one ranked listing from another (the query and filters), so a cursor is only taken back by the listing that gave it. */
function scopeTag(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 10);
}

/**
 * A cursor for a list ordered by computed values (a search rank, an inbox
 * priority) and then id: keyset pagination on (values..., id), so a page costs
 * the same at any depth and rows added meanwhile do not shift it. The cursor
 * carries the listing's scope; another query's cursor is refused.
 */
export function encodeRankedCursor(scope: string, position: RankedPosition): string {
  return Buffer.from(JSON.stringify([scopeTag(scope), ...position.values, position.id]), 'utf8').toString('base64url');
}

export function decodeRankedCursor(cursor: string | undefined, scope: string, arity: number): RankedPosition | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.length === arity + 2 &&
    parsed[0] === scopeTag(scope) &&
    parsed.slice(1, -1).every((value) => typeof value === 'number' && Number.isFinite(value)) &&
    typeof parsed.at(-1) === 'string' &&
    UUID.test(parsed.at(-1) as string);
  if (!valid) throw new DomainError('invalid', 'invalid-cursor', 'cursor is not one this listing returned (a cursor holds only for the query that gave it)', 'cursor');
  return { values: (parsed as unknown[]).slice(1, -1) as number[], id: (parsed as unknown[]).at(-1) as string };
}

/** One page of ranked rows fetched with one extra row: the items, and the cursor after the last one when more follow. */
export function toRankedPage<T extends { id: string }>(rows: T[], limit: number, scope: string, valuesOf: (row: T) => number[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeRankedCursor(scope, { values: valuesOf(last), id: last.id }) : null };
}
