export { DATA_DIR_CLAIM_FILE, isRunning as isProcessRunning } from './embedded/data-dir-claim.js';
export { DatabaseConnection } from './database-connection.js';
export { DbModule } from './db.module.js';
export { startEmbeddedPostgres } from './embedded/embedded-postgres.js';
export { startEmbeddedPostgresThread } from './embedded/embedded-postgres-thread.js';
export { PGliteSocketServer } from './embedded/pglite-socket-server.js';
export * from './generated/prisma/client.js';
export { applyMigrations, MIGRATIONS_DIRECTORY, readMigrations } from './migrations.js';
export { openDatabase } from './open-database.js';
export { PrismaService, type PrismaTransaction } from './prisma.service.js';
export { SqlPool, asSqlSession, type SqlSession } from './sql-pool.js';
export { IdempotencyKeysRepository, type IdempotencyClaim } from './idempotency-keys.repository.js';
export { decodeCursor, decodeRankedCursor, pageQuery, toPage, toRankedPage, type Page, type PageRequest } from './cursor-page.js';
export { isReferenceTo, recordReference, splitReferences } from './record-reference.js';
export { WriteTransactions } from './write-transactions.js';
export { isUniqueViolation } from './unique-violation.js';
export {
  ARCHIVE_FORMAT,
  ARCHIVE_LIMITS,
  ARCHIVE_VERSION,
  ARCHIVE_VERSIONS_READ,
  keysetPage,
  pickColumns,
  readArchiveRows,
  type ArchiveColumn,
  type ArchiveRow,
  type ArchiveTable,
} from './archive-table.js';
