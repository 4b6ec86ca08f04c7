import { createServer } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalError, PostgresStore } from '../../../gateway/store/postgres.js';
import { journalLockSql } from '../../../gateway/store/postgres-schema.js';
import { DuplicateKeyError, type JournalObserver, type NewTransaction, type Store } from '../../../gateway/store/types.js';
import { storeContract } from './contract.js';
import { adminClient, dropSchemas, openStore, PG_URL, schemaName } from './postgres-fixture.js';

const schemas = new Set<string>();
const stores: Store[] = [];
const schemaOf = new WeakMap<Store, string>();

async function fresh(observer?: JournalObserver): Promise<PostgresStore> {
  const schema = schemaName('posgw_test');
  schemas.add(schema);
  const store = await openStore(schema, observer);
  stores.push(store);
  schemaOf.set(store, schema);
  return store;
}

afterAll(async () => {
  // stores a test reopened without closing, or left open by a failure
  await Promise.allSettled(stores.map((s) => s.close()));
  await dropSchemas(schemas);
});

storeContract('PostgreSQL', fresh, async (store) => {
  // no close first: a reopen after a crash must see what was committed
  const schema = schemaOf.get(store)!;
  const again = await openStore(schema);
  stores.push(again);
  schemaOf.set(again, schema);
  return again;
});

let n = 0;
function tx(over: Partial<NewTransaction> = {}): NewTransaction {
  n++;
  const no = String(n).padStart(6, '0');
  return {
    terminalId: 'TERM0001', batchNo: '000001', stan: no, localDate: '1121', mtiClass: '02', merchantId: 'MERCHANT0000001', mti: '0200',
    procCode: '000000', localTime: '101500', invoice: no, amount: 1000, currency: '840', panHash: 'ab'.repeat(32),
    panMasked: '476173******0119', entryMode: '051', fingerprint: `fp${n}`, acquirerId: 'stub', route: 'default: stub', upstreamStan: no,
    rrn: `5325${String(n).padStart(8, '0')}`, transmittedAt: '1121101500', state: 'forwarding', responseCode: null, authCode: null,
    captured: false, originalId: null, createdAt: 1_000, ...over,
  };
}

describe('PostgreSQL journal', () => {
  let admin: pg.Client;
  /** Another session: one inside a transaction sees pg_stat_activity as it was at its first look. */
  let watcher: pg.Client;
  beforeAll(async () => {
    admin = await adminClient();
    watcher = await adminClient();
  });
  afterAll(async () => {
    await admin?.end();
    await watcher?.end();
  });

  /** The transaction id (xmin) that wrote each row: rows written by one commit share it. */
  async function writers(store: PostgresStore, ids: number[]): Promise<string[]> {
    const { rows } = await admin.query(`SELECT id, xmin::text AS x FROM ${store.schema}.transactions WHERE id = ANY($1) ORDER BY id`, [ids]);
    return rows.map((r: { x: string }) => r.x);
  }

  it('commits the writes of one turn in one transaction, and writes of later turns in their own', async () => {
    const store = await fresh();
    const burst = await Promise.all([1, 2, 3, 4].map(() => store.insertTransaction(tx())));
    const alone = await store.insertTransaction(tx());
    const xs = await writers(store, [...burst.map((t) => t.id), alone.id]);
    expect(new Set(xs.slice(0, 4)).size).toBe(1);
    expect(xs[4]).not.toBe(xs[0]);
    await store.close();
  });

  it('rejects only the duplicate of a group; the rest of the group commits together', async () => {
    const store = await fresh();
    const first = await store.insertTransaction(tx());
    const results = await Promise.allSettled([
      store.insertTransaction(tx()),
      store.insertTransaction({ ...tx(), stan: first.stan }),
      store.appendEvents([{ merchantId: 'M', type: 'transaction.approved', at: 1, data: {} }]),
      store.insertTransaction(tx()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateKeyError);
    const [a, , , b] = results.map((r) => (r.status === 'fulfilled' ? (r.value as { id: number }) : undefined));
    const xs = await writers(store, [a!.id, b!.id]);
    expect(xs[0]).toBe(xs[1]);
    expect(await store.lastEventSeq('M')).toBe(1);
    await store.close();
  });

  it('keeps amounts as BIGINT minor units beyond 32 bits, and cards only as hash and masked PAN', async () => {
    const store = await fresh();
    const t = await store.insertTransaction(tx({ amount: 9_007_199_254_740 }));
    expect((await store.getTransaction(t.id))?.amount).toBe(9_007_199_254_740);
    const { rows } = await admin.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'transactions' AND column_name IN ('amount', 'pan_hash', 'pan_masked') ORDER BY column_name`,
      [store.schema],
    );
    expect(rows).toEqual([
      { column_name: 'amount', data_type: 'bigint' },
      { column_name: 'pan_hash', data_type: 'text' },
      { column_name: 'pan_masked', data_type: 'text' },
    ]);
    await store.close();
  });

  it('makes writers wait for the journal lock, so they commit one after another', async () => {
    const store = await fresh();
    await admin.query('BEGIN');
    await admin.query(journalLockSql(store.schema));
    let settled = false;
    const write = store.insertTransaction(tx()).finally(() => (settled = true));
    // the writer is blocked on the lock held here: nothing of it is committed or resolved
    await lockWaiter(watcher, store.schema);
    expect(settled).toBe(false);
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${store.schema}.transactions`)).rows[0].n).toBe(0);
    await admin.query('COMMIT');
    const t = await write;
    expect(await store.getTransaction(t.id)).toMatchObject({ id: t.id });
    await store.close();
  });

  it('reads what changed after N without missing a change while two stores write the same schema', async () => {
    const one = await fresh();
    const two = await openStore(one.schema);
    stores.push(two);
    const made: number[] = [];
    const seen = new Map<number, number>();
    let after = -1;
    const read = async () => {
      const page = await one.changedTransactions(after, 7);
      for (const r of page.rows) seen.set(r.id, r.updatedAt);
      after = page.last;
    };
    for (let round = 0; round < 15; round++) {
      const writes = [one, two, one, two].map(async (s, i) => {
        const t = await s.insertTransaction(tx());
        made.push(t.id);
        await s.recordOutcome(t.id, { state: 'approved', responseCode: '00', captured: true, at: 2_000 + round * 10 + i });
      });
      await Promise.all([...writes, read()]);
    }
    for (let i = 0; i < 20 && seen.size < made.length; i++) await read();
    // every row read in its last state: nothing committed under a number already read past
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([...made].sort((a, b) => a - b));
    const final = await one.transactions();
    for (const t of final) expect(seen.get(t.id), `row ${t.id}`).toBe(t.updatedAt);
    await two.close();
    await one.close();
  });

  it('rejects a write whose connection dies, without a gap in the event numbering, then reconnects; its observer hears both', async () => {
    const heard: string[] = [];
    const store = await fresh({
      committed: () => undefined,
      synced: () => undefined,
      writeFailed: (e) => heard.push(`refused ${(e as JournalError).code}`),
      writesResumed: () => heard.push('resumed'),
    });
    await store.appendEvents([{ merchantId: 'A', type: 'batch.closed', at: 1, data: {} }]);
    // hold the lock so the next group waits on its connection, then end that connection from the server side
    await admin.query('BEGIN');
    await admin.query(journalLockSql(store.schema));
    const doomed = Promise.allSettled([
      store.appendEvents([{ merchantId: 'A', type: 'batch.closed', at: 2, data: {} }]),
      store.insertTransaction(tx()),
    ]);
    await admin.query('SELECT pg_terminate_backend($1)', [await lockWaiter(watcher, store.schema)]);
    await admin.query('COMMIT');
    const [events, insert] = await doomed;
    expect(events.status).toBe('rejected');
    expect(insert.status).toBe('rejected');
    const error = (insert as PromiseRejectedResult).reason as JournalError;
    expect(error).toBeInstanceOf(JournalError);
    expect(error.code).toBe('JOURNAL_WRITE_FAILED');
    expect(error.message).toContain('127.0.0.1:5432');
    // nothing of the failed group is visible, and the next write takes the number the failed one had
    expect(await store.inFlight()).toEqual([]);
    const [next] = await store.appendEvents([{ merchantId: 'A', type: 'credit.received', at: 3, data: {} }]);
    expect(next.seq).toBe(2);
    // one group failed (both writes), and the next one committed
    expect(heard).toEqual(['refused JOURNAL_WRITE_FAILED', 'resumed']);
    expect((await store.eventsSince('A', 0, 10)).map((e) => e.seq)).toEqual([1, 2]);
    await store.close();
  });

  it('fails to open with an error naming the address when PostgreSQL is not there', async () => {
    const port = await unusedPort();
    const store = new PostgresStore({ url: `postgres://postgres:secret@127.0.0.1:${port}/test`, schema: 'nowhere', connectTimeoutMs: 2000 });
    const e = await store.init().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(JournalError);
    expect((e as JournalError).code).toBe('JOURNAL_UNREACHABLE');
    expect((e as Error).message).toContain(`127.0.0.1:${port}/test`);
    expect((e as Error).message).not.toContain('secret');
    await store.close();
  });

  it('refuses a bad url or schema name in the constructor, naming the option', () => {
    expect(() => new PostgresStore({ url: 'mysql://x', schema: 'a' })).toThrow(/"url"/);
    expect(() => new PostgresStore({ url: PG_URL, schema: 'Drop Table' })).toThrow(/"schema"/);
  });
});

/** The pid of the store's writer once it waits for the journal lock held by the test. */
async function lockWaiter(watcher: pg.Client, schema: string): Promise<number> {
  for (let i = 0; i < 250; i++) {
    const { rows } = await watcher.query(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`, [`%posgw-journal:${schema}'%`]);
    if (rows.length > 0) return (rows[0] as { pid: number }).pid;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no writer waited for the journal lock within 5 s');
}

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
