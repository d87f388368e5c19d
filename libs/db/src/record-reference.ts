import { isUuid } from '#core';

/**
 * The API addresses predictions and indicators by id or by slug. These helpers
 * are the one place that tells the two apart: a UUID (any case) is an id, kept
 * in lower case as the database keeps it; anything else is a slug.
 */
export type RecordReference = { id: string } | { slug: string };

export function recordReference(reference: string): RecordReference {
  return isUuid(reference) ? { id: reference.toLowerCase() } : { slug: reference };
}

/** The ids and the slugs among `references`, for one `id = ANY(...) OR slug = ANY(...)` query. */
export function splitReferences(references: readonly string[]): { ids: string[]; slugs: string[] } {
  const ids: string[] = [];
  const slugs: string[] = [];
  for (const reference of references) {
    const parsed = recordReference(reference);
    if ('id' in parsed) ids.push(parsed.id);
    else slugs.push(parsed.slug);
  }
  return { ids, slugs };
}

/** Whether `row` is the record `reference` names. */
export function isReferenceTo(row: { id: string; slug: string }, reference: string): boolean {
  const parsed = recordReference(reference);
  return 'id' in parsed ? row.id === parsed.id : row.slug === parsed.slug;
}
