import { DomainError } from '#core';

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
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
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
