import pg from 'pg';

import { Prisma } from './generated/prisma/client.js';

/**
 * Whether a write failed on a unique constraint, however it was sent: Prisma's
 * model calls (P2002), Prisma's raw queries (P2010 carrying the server's
 * SQLSTATE) or the pool's own statements (SQLSTATE 23505).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    return error.code === 'P2002' || (error.code === 'P2010' && (error.meta as { code?: string } | undefined)?.code === '23505');
  }
  return error instanceof pg.DatabaseError && error.code === '23505';
}
