import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../gateway/store/sqlite.js';
import { storeContract } from './contract.js';

const paths = new WeakMap<object, string>();

storeContract(
  'SQLite',
  async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'posgw-store-')), 'journal.db');
    const store = new SqliteStore({ path });
    paths.set(store, path);
    await store.init();
    return store;
  },
  async (store) => {
    // no close first: a reopen after a crash must see what was committed
    const again = new SqliteStore({ path: paths.get(store)! });
    await again.init();
    return again;
  },
);

describe('SQLite journal files from before change numbers', () => {
  it('gains the change_seq column on open, and reconciliation reads the old rows from -1', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { SCHEMA } = await import('../../../gateway/store/schema.js');
    const path = join(mkdtempSync(join(tmpdir(), 'posgw-migrate-')), 'old.db');
    const old = new Database(path);
    old.exec(SCHEMA.replace(/^\s*--.*\n/gm, '').replace(/^\s*change_seq INTEGER NOT NULL DEFAULT 0,\n/m, ''));
    expect((old.prepare('PRAGMA table_info(transactions)').all() as { name: string }[]).some((c) => c.name === 'change_seq')).toBe(false);
    old.prepare(`INSERT INTO transactions (terminal_id, batch_no, stan, local_date, mti_class, merchant_id, mti, proc_code, local_time,
      amount, currency, fingerprint, rrn, rrn_seq, state, created_at, updated_at) VALUES ('T1', '000001', '000001', '1121', '02',
      'M1', '0200', '000000', '101500', 100, '840', 'fp', '532500000001', 1, 'approved', 1, 1)`).run();
    old.close();
    const store = new SqliteStore({ path });
    const all = await store.changedTransactions(-1, 10);
    expect(all.rows.map((r) => r.rrn)).toEqual(['532500000001']);
    await store.recordOutcome(all.rows[0].id, { state: 'approved', responseCode: '00', at: 2 });
    expect((await store.changedTransactions(all.last, 10)).rows).toHaveLength(1);
    await store.close();
  });
});

describe('SQLite journal files with the old batch index', () => {
  it('lose it on open; batch totals come through the key index and stay the same', async () => {
    const { default: Database } = await import('better-sqlite3');
    const path = join(mkdtempSync(join(tmpdir(), 'posgw-migrate-')), 'old.db');
    const first = new SqliteStore({ path });
    const tx = await first.insertTransaction({
      terminalId: 'T1', batchNo: '000001', stan: '000001', localDate: '1121', mtiClass: '020', merchantId: 'M1', mti: '0200',
      procCode: '000000', localTime: '101500', invoice: null, amount: 1234, currency: '840', panHash: null, panMasked: null,
      entryMode: null, fingerprint: 'fp', acquirerId: 'stub', route: 'default: stub', upstreamStan: '000001', rrn: '532500000001',
      transmittedAt: '1121101500', state: 'forwarding', responseCode: null, authCode: null, captured: false, originalId: null, createdAt: 1,
    });
    await first.recordOutcome(tx.id, { state: 'approved', responseCode: '00', captured: true, at: 2 });
    await first.close();
    const old = new Database(path);
    old.exec('CREATE INDEX transactions_batch ON transactions (terminal_id, batch_no, captured)');
    old.close();
    const store = new SqliteStore({ path });
    const indexes = new Database(path, { readonly: true });
    const names = (indexes.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transactions'`).all() as { name: string }[]).map((r) => r.name);
    indexes.close();
    expect(names).not.toContain('transactions_batch');
    expect(await store.journalTotals('T1', '000001')).toEqual({ saleCount: 1, saleAmount: 1234, refundCount: 0, refundAmount: 0 });
    await store.close();
  });
});

describe('SQLite journal observer', () => {
  it('is told of each commit, with its number of writes, and of each sync of the WAL, with its duration', async () => {
    const commits: number[] = [];
    const syncs: number[] = [];
    const path = join(mkdtempSync(join(tmpdir(), 'posgw-store-')), 'journal.db');
    const store = new SqliteStore({ path, observer: { committed: (n) => commits.push(n), synced: (ms) => syncs.push(ms) } });
    const exception = (detail: string) => ({ kind: 'REVERSAL_ABANDONED' as const, txId: null, terminalId: 'T1', merchantId: 'M1', detail, createdAt: 1 });
    // three writes in one turn share a commit; one more, after they resolved, makes a second
    await Promise.all([store.addException(exception('a')), store.addException(exception('b')), store.addException(exception('c'))]);
    await store.addException(exception('d'));
    expect(commits).toEqual([3, 1]);
    expect(syncs).toHaveLength(2);
    for (const ms of syncs) expect(ms).toBeGreaterThanOrEqual(0);
    await store.close();
  });
});
