import pg from 'pg';
import { PostgresStore } from '../../../gateway/store/postgres.js';
import type { JournalObserver } from '../../../gateway/store/types.js';

/** The test database: PostgreSQL on this machine (CI runs where it runs). POSGW_TEST_PG_URL points elsewhere. */
export const PG_URL = process.env.POSGW_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A connection for the tests' own statements; fails with the address when PostgreSQL is not there. */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`PostgreSQL is not reachable at ${PG_URL.replace(/\/\/[^@/]*@/, '//')} (these tests need it; POSGW_TEST_PG_URL names another): ${(e as Error).message}`);
  }
  return client;
}

/** A fresh schema name per store: each test writes in its own, dropped by dropSchemas. */
export function schemaName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function openStore(schema: string, observer?: JournalObserver): Promise<PostgresStore> {
  const store = new PostgresStore({ url: PG_URL, schema, readConnections: 2, observer });
  await store.init();
  return store;
}

export async function dropSchemas(schemas: Iterable<string>): Promise<void> {
  const client = await adminClient();
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await client.end();
  }
}
