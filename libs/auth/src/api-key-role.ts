import type { ApiKeyRole } from '#db';

const RANK: Record<ApiKeyRole, number> = { viewer: 0, analyst: 1, admin: 2 };

/** viewer < analyst < admin: a role may do everything a lower one may. */
export function roleSatisfies(held: ApiKeyRole, required: ApiKeyRole): boolean {
  return RANK[held] >= RANK[required];
}

/** The lower of two roles: what a person may do through a key that holds less than they do. */
export function lowerRole(a: ApiKeyRole, b: ApiKeyRole): ApiKeyRole {
  return RANK[a] <= RANK[b] ? a : b;
}
