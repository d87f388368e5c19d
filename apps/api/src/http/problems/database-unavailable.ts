/**
 * Whether an error says the database cannot be reached right now (stopped,
 * restarting, failing over, out of connections, a lock not granted in time) rather than that a query was
 * wrong: such a request deserves a 503 the client may retry, not a 500.
 * Prisma wraps the driver's error, sometimes twice, so the whole cause chain is read.
 */
const UNREACHABLE_CODES = new Set([
  // Prisma: can't reach the server, timed out, connection closed, pool exhausted.
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024',
  // Node's sockets.
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND',
  // PostgreSQL: shutting down or starting up, and the connection exception class.
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006',
  // PostgreSQL: a row lock not granted within lock_timeout (SqlPool's transactions): busy, not wrong.
  '55P03',
]);

// The last one is pg-pool's: no connection came free within SqlPool's connection timeout.
const UNREACHABLE_MESSAGE =
  /Can't reach database server|Connection terminated|connection error and is not queryable|terminating connection due to administrator command|the database system is (starting up|shutting down)|Timed out fetching a new connection|timeout exceeded when trying to connect/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const record = current as { code?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (typeof record.code === 'string' && UNREACHABLE_CODES.has(record.code)) return true;
    if (typeof record.originalCode === 'string' && UNREACHABLE_CODES.has(record.originalCode)) return true;
    if (typeof record.message === 'string' && UNREACHABLE_MESSAGE.test(record.message)) return true;
    queue.push(record.cause, record.meta?.driverAdapterError);
  }
  return false;
}
