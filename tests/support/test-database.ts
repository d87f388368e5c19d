import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { applyMigrations, MIGRATIONS_DIRECTORY } from '#db';

/** The server the e2e suites use; each suite gets a database of its own on it. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database, so suites never share rows; dropped (connections and all) after the suite. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `bw_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  if (options.migrate ?? true) await applyMigrations(url.toString(), MIGRATIONS_DIRECTORY);
  return { name, url: url.toString(), drop: async () => void (await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

export async function adminQuery(sql: string, databaseUrl = TEST_DATABASE_URL): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}
