import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { createPostgresBackend, Queue, setDefaultBackendFactory, Worker, type ConnectionOptions } from 'bullmq';
import pg from 'pg';

import { PGliteSocketServer, startEmbeddedPostgres } from '#db';

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

  it('answers a result larger than a Unix socket takes at once, and the statement after it, intact', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bellwether-socket-'));
    const unixServer = new PGliteSocketServer(db);
    await unixServer.listenOnPath(join(directory, '.s.PGSQL.5432'));
    const client = new pg.Client({ connectionString: `postgresql://postgres@localhost:5432/postgres?host=${encodeURIComponent(directory)}` });
    try {
      await client.connect();
      // A quarter of a megabyte, plain and multi-byte: PGlite hands it out in views of its memory that the next statement reuses.
      const plain = 'x'.repeat(260_000);
      const document = JSON.stringify({ terms: Array.from({ length: 8_000 }, (_, index) => [`芯片补贴 ${index}`, index / 7]) });
      await client.query('CREATE TABLE large_answer (id int PRIMARY KEY, document jsonb)');
      await client.query('INSERT INTO large_answer VALUES (1, $1::jsonb)', [document]);
      for (let round = 0; round < 3; round++) {
        expect((await client.query<{ text: string }>('SELECT $1::text AS text', [plain])).rows[0]!.text).toBe(plain);
        expect((await client.query<{ n: number }>('SELECT $1::int AS n', [round])).rows).toEqual([{ n: round }]);
        expect(JSON.stringify((await client.query<{ document: unknown }>('SELECT document FROM large_answer WHERE id = $1', [1])).rows[0]!.document)).toBe(document);
        expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      }
    } finally {
      await client.end();
      await unixServer.close();
      await rm(directory, { recursive: true, force: true });
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

  it('hands a NOTIFY to the clients that LISTEN on its channel, not to the client that raised it', async () => {
    const listener = new pg.Client({ connectionString: url });
    const bystander = new pg.Client({ connectionString: url });
    const notifier = new pg.Client({ connectionString: url });
    await Promise.all([listener.connect(), bystander.connect(), notifier.connect()]);
    try {
      const heard: Record<string, string[]> = { listener: [], bystander: [], notifier: [] };
      for (const [name, client] of [['listener', listener], ['bystander', bystander], ['notifier', notifier]] as const) {
        client.on('notification', (message) => heard[name]!.push(`${message.channel}:${message.payload}`));
      }
      await listener.query('-- as BullMQ writes it\nLISTEN "Jobs_Channel";');
      await bystander.query('LISTEN other_channel');
      await notifier.query(`SELECT pg_notify('Jobs_Channel', 'notify')`);
      await notifier.query(`NOTIFY other_channel, 'ping'`);
      await listener.query('SELECT 1');
      expect(heard).toEqual({ listener: ['Jobs_Channel:notify'], bystander: ['other_channel:ping'], notifier: [] });
    } finally {
      await Promise.all([listener.end(), bystander.end(), notifier.end()]);
    }
  });

  it('lets a BullMQ worker on the embedded database take a new job at once, with a delayed job pending', async () => {
    // Without the notification the worker sleeps until the delayed job is due, an hour away.
    const WAIT_MS = 15_000;
    const dataDir = await mkdtemp(join(tmpdir(), 'bw-pglite-bullmq-'));
    const embedded = await startEmbeddedPostgres(dataDir);
    setDefaultBackendFactory(createPostgresBackend);
    const connection = { connectionString: embedded.url, migrate: true, max: 4 } as unknown as ConnectionOptions;
    const queue = new Queue('socket-notify', { connection });
    const taken: string[] = [];
    let worker: Worker | undefined;
    try {
      await queue.waitUntilReady();
      worker = new Worker(
        'socket-notify',
        (job) => {
          taken.push(job.name);
          return Promise.resolve();
        },
        { connection, concurrency: 8 },
      );
      await queue.add('later', {}, { delay: 3_600_000 });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const added = Date.now();
      await queue.addBulk([{ name: 'now', data: {} }]);
      while (!taken.includes('now') && Date.now() - added < WAIT_MS) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(taken).toEqual(['now']);
    } finally {
      await worker?.close();
      await queue.close();
      setDefaultBackendFactory(undefined);
      await embedded.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
