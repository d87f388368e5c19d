import { DatabaseConnection, SqlPool } from '#db';

import { adminQuery, createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('SqlPool (the SQL hot paths\' transactions, PostgreSQL at 127.0.0.1)', () => {
  let database: TestDatabase;
  let sql: SqlPool;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    await adminQuery('CREATE TABLE "Note" ("id" int PRIMARY KEY, "text" text NOT NULL)', database.url);
    sql = new SqlPool(new DatabaseConnection(database.url, 'postgres'));
  });

  afterAll(async () => {
    await sql.onApplicationShutdown();
    await database.drop();
  });

  const notes = async () => (await adminQuery('SELECT "id" FROM "Note" ORDER BY "id"', database.url)).rows.map((row: { id: number }) => row.id);

  it('commits what the work wrote when it returns, and rolls all of it back when it throws', async () => {
    await sql.transaction((session) => session.query('INSERT INTO "Note" VALUES ($1, $2)', [1, 'kept']));
    await expect(
      sql.transaction(async (session) => {
        await session.query('INSERT INTO "Note" VALUES ($1, $2)', [2, 'lost']);
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(await notes()).toEqual([1]);
  });

  it('bounds how long a statement waits for a row lock', async () => {
    const setting = await sql.transaction((session) => session.query<{ lock_timeout: string }>('SHOW lock_timeout'));
    expect(setting[0]!.lock_timeout).toBe('25s');
  });

  it('prepares a named statement once per connection and reuses it on later transactions', async () => {
    const text = 'SELECT count(*)::int AS "n" FROM "Note" WHERE "id" >= $1';
    for (let round = 0; round < 25; round++) {
      const [row] = await sql.transaction((session) => session.query<{ n: number }>(text, [0], 'count-notes'));
      expect(row!.n).toBe(1);
    }
    const prepared = await sql.transaction((session) => session.query<{ name: string }>('SELECT "name" FROM pg_prepared_statements'));
    expect(prepared.map((row) => row.name)).toEqual(['count-notes']);
  });

  it('reads timestamp columns as UTC whatever the process\'s time zone', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const [row] = await sql.query<{ at: Date }>(`SELECT '2026-01-01 12:00:00.250'::timestamp(3) AS "at"`);
      expect(row!.at.toISOString()).toBe('2026-01-01T12:00:00.250Z');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('discards a connection that died mid-transaction, so the next transaction gets a working one', async () => {
    await expect(
      sql.transaction(async (session) => {
        await session.query('INSERT INTO "Note" VALUES ($1, $2)', [3, 'lost with its connection']);
        await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()', database.url);
        await session.query('SELECT 1');
      }),
    ).rejects.toThrow();
    await sql.transaction((session) => session.query('INSERT INTO "Note" VALUES ($1, $2)', [4, 'kept']));
    expect(await notes()).toEqual([1, 4]);
  });
});
