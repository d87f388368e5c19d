import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

import { PGliteSocketServer } from '#db';

/**
 * The embedded database's socket front: many clients, one PGlite session. These
 * are the interleavings that broke the per-message multiplexer we replaced.
 */
describe('PGliteSocketServer', () => {
  let db: PGlite;
  let server: PGliteSocketServer;
  let url: string;

  beforeAll(async () => {
    db = await PGlite.create();
    server = new PGliteSocketServer(db);
    url = `postgresql://postgres@127.0.0.1:${await server.listen()}/postgres?sslmode=disable`;
    await db.exec('CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL); INSERT INTO counter VALUES (1, 0);');
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  it('keeps concurrent extended-protocol queries from different clients apart', async () => {
    const pools = [new pg.Pool({ connectionString: url, max: 5 }), new pg.Pool({ connectionString: url, max: 5 })];
    try {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => pools[i % 2]!.query<{ n: number; s: string }>('SELECT $1::int AS n, $2::text AS s', [i, `item-${i}`])),
      );
      results.forEach((result, i) => expect(result.rows).toEqual([{ n: i, s: `item-${i}` }]));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('runs concurrent read-modify-write transactions without a lost update', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    try {
      await Promise.all(
        Array.from({ length: 40 }, async () => {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            const { rows } = await client.query<{ value: number }>('SELECT value FROM counter WHERE id = 1 FOR UPDATE');
            await client.query('UPDATE counter SET value = $1 WHERE id = 1', [rows[0]!.value + 1]);
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        }),
      );
      const { rows } = await pool.query<{ value: number }>('SELECT value FROM counter WHERE id = 1');
      expect(rows[0]!.value).toBe(40);
    } finally {
      await pool.end();
    }
  });

  it('rolls back the transaction of a client that disconnects inside it, and serves the others', async () => {
    const quitter = new pg.Client({ connectionString: url });
    quitter.on('error', () => undefined);
    await quitter.connect();
    await quitter.query('BEGIN');
    await quitter.query('UPDATE counter SET value = -1 WHERE id = 1');
    // The other client cannot even finish connecting while the quitter holds the session.
    const other = new pg.Client({ connectionString: url });
    const pending = other.connect().then(() => other.query<{ value: number }>('SELECT value FROM counter WHERE id = 1'));
    quitter.connection.stream.destroy();
    const { rows } = await pending;
    expect(rows[0]!.value).not.toBe(-1);
    await other.end();
  });
});
