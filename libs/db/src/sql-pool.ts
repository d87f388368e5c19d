import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';

import { DatabaseConnection } from './database-connection.js';
import type { PrismaTransaction } from './prisma.service.js';

/**
 * Where a hot path runs its parameterised SQL: its own transaction on the pool
 * (`SqlPool.transaction`) or a caller's Prisma transaction (`asSqlSession`), so the
 * same statements serve both. Values are bound, never spliced into the text.
 * Both hand back the same shapes when uuids and enums are selected as `::text`:
 * numbers, text, booleans, and timestamps as Dates (the columns hold UTC).
 */
export interface SqlSession {
  /**
   * With `prepared`, a name unique to this text: a pool connection parses and plans
   * it once and then only binds values (a hot statement's text is sent once per
   * connection, not per request). A Prisma session ignores it.
   */
  query<Row>(text: string, values?: readonly unknown[], prepared?: string): Promise<Row[]>;
}

const TIMESTAMP_WITHOUT_TIME_ZONE = 1114;

/** `timestamp(3)` columns hold UTC; pg would read them in the process's local zone. */
const UTC_TIMESTAMPS: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
    oid === TIMESTAMP_WITHOUT_TIME_ZONE && format !== 'binary'
      ? (value: string) => new Date(`${value.replace(' ', 'T')}Z`)
      : (pg.types.getTypeParser(oid, format) as (value: string) => unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * How long a statement may wait for a row lock before the request fails as busy (503): one
 * policy for every transaction, Prisma's and the hot paths', set on each connection. (PGlite
 * serves one session and ignores startup options; it has no other session to wait for.)
 */
export const LOCK_TIMEOUT_MS = 25_000;
/** How long a request may wait for a free connection before it fails as busy (503). */
const CONNECT_TIMEOUT_MS = 20_000;

/**
 * The one `pg` pool of a process. Prisma's adapter runs on it, and the few
 * paths where Prisma's per-statement cost dominated (the evidence transaction,
 * the most read pages, the fan-out's delivery log) run their SQL on it directly.
 */
@Injectable()
export class SqlPool implements OnApplicationShutdown {
  readonly pool: pg.Pool;
  /** PGlite serves every connection from one session, where a second connection preparing the same name would collide. */
  private readonly prepares: boolean;

  constructor(connection: DatabaseConnection) {
    this.prepares = connection.kind === 'postgres';
    // PGlite serves every connection from one session, so a large pool only queues.
    const max = connection.kind === 'pglite' ? 4 : 10;
    this.pool = new pg.Pool({
      connectionString: connection.url,
      max,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      types: UTC_TIMESTAMPS,
      options: `-c lock_timeout=${LOCK_TIMEOUT_MS}`,
    });
    // An idle connection the server dropped is replaced on next use; without a listener its error would end the process.
    this.pool.on('error', () => undefined);
  }

  /** One statement outside any transaction: a read. */
  async query<Row>(text: string, values: readonly unknown[] = [], prepared?: string): Promise<Row[]> {
    return (await this.pool.query({ text, values: values as unknown[], name: this.prepares ? prepared : undefined })).rows as Row[];
  }

  /** Runs `work` in one transaction on one connection: committed when it returns, rolled back when it throws. */
  async transaction<T>(work: (sql: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The server ending the connection between two statements (a restart, a terminated backend) is an 'error' event on
    // the client, which would end the process unheard; the next statement fails with it instead, and the client is discarded.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work({
        query: async <Row>(text: string, values: readonly unknown[] = [], prepared?: string) =>
          (await client.query({ text, values: values as unknown[], name: this.prepares ? prepared : undefined })).rows as Row[],
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError as Error));
      throw error;
    } finally {
      client.off('error', onError);
      // A connection that broke or could not even roll back is discarded, not handed to the next request.
      client.release(broken);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/** A caller's transaction, Prisma's or the pool's, as a SqlSession, so a hot path's statements can join either. */
export function asSqlSession(tx: PrismaTransaction | SqlSession): SqlSession {
  if (!('$queryRawUnsafe' in tx)) return tx;
  return { query: <Row>(text: string, values: readonly unknown[] = []) => tx.$queryRawUnsafe<Row[]>(text, ...values) };
}
