export { DATA_DIR_CLAIM_FILE, isRunning as isProcessRunning } from './data-dir-claim.js';
export { DatabaseConnection } from './database-connection.js';
export { DbModule } from './db.module.js';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
export { startEmbeddedPostgresThread } from './embedded-postgres-thread.js';
export { PGliteSocketServer } from './pglite-socket-server.js';
export * from './generated/prisma/client.js';
export { applyMigrations, readMigrations, type MigrationFile } from './migrations.js';
export { MIGRATIONS_DIRECTORY, openDatabase, type OpenDatabase } from './open-database.js';
export { PrismaService, type PrismaTransaction } from './prisma.service.js';
export { SqlPool, asSqlSession, type SqlSession } from './sql-pool.js';
export {
  IDEMPOTENCY_CLAIM_LEASE_SECONDS,
  IDEMPOTENCY_KEY_TTL_SECONDS,
  IdempotencyKeysRepository,
  type IdempotencyClaim,
  type IdempotencyOutcome,
  type IdempotencyRequest,
} from './idempotency-keys.repository.js';
export { decodeCursor, decodeRankedCursor, encodeRankedCursor, pageQuery, toPage, toRankedPage, type Page, type PageRequest, type RankedPosition } from './cursor-page.js';
