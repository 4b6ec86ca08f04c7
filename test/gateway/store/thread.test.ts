import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SqliteThreadStore } from '../../../gateway/store/thread.js';
import { DuplicateKeyError } from '../../../gateway/store/types.js';
import { storeContract } from './contract.js';

const paths = new WeakMap<object, string>();
const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'posgw-thread-')), 'journal.db');

storeContract(
  'SQLite on its own thread',
  async () => {
    const path = tempDb();
    const store = new SqliteThreadStore({ path });
    paths.set(store, path);
    await store.init();
    return store;
  },
  async (store) => {
    const again = new SqliteThreadStore({ path: paths.get(store)! });
    await again.init();
    return again;
  },
);

const tx = (stan: string) => ({
  terminalId: 'TERM0001', batchNo: '000001', stan, localDate: '1121', mtiClass: '020', merchantId: 'M1', mti: '0200',
  procCode: '000000', localTime: '101500', invoice: null, amount: 1000, currency: '840', panHash: null, panMasked: null,
  entryMode: null, fingerprint: 'fp', acquirerId: 'stub', route: 'default: stub', upstreamStan: stan, rrn: `53250000${stan.slice(2)}`,
  transmittedAt: '1121101500', state: 'forwarding' as const, responseCode: null, authCode: null, captured: false, originalId: null, createdAt: 1,
});

describe('the SQLite journal on its own thread', () => {
  it('runs the calls of one turn in order: a read made right after a write sees it', async () => {
    const store = new SqliteThreadStore({ path: tempDb() });
    await store.init();
    const written = store.insertTransaction(tx('000001'));
    const read = store.findTransaction({ terminalId: 'TERM0001', batchNo: '000001', stan: '000001', localDate: '1121', mtiClass: '020' });
    const [w, r] = await Promise.all([written, read]);
    expect(r?.id).toBe(w.id);
    await store.close();
  });

  it('answers a turn of more calls than one message carries, each with its own full result, in order', async () => {
    const store = new SqliteThreadStore({ path: tempDb() });
    await store.init();
    const stans = Array.from({ length: 150 }, (_, i) => String(i + 10).padStart(6, '0'));
    const inserted = stans.map((stan) => store.insertTransaction(tx(stan)));
    const found = stans.map((stan) => store.findTransaction({ terminalId: 'TERM0001', batchNo: '000001', stan, localDate: '1121', mtiClass: '020' }));
    const events = stans.map((stan) => store.appendEvents([{ merchantId: 'M1', at: 1, type: 'transaction.approved', data: { stan } }]));
    const rows = await Promise.all(inserted);
    expect(rows.map((r) => r.stan)).toEqual(stans);
    expect(new Set(rows.map((r) => r.id)).size).toBe(150);
    // the record rebuilt from the call's arguments and the journal's id is the row as read back
    expect(await Promise.all(found)).toEqual(rows);
    const appended = (await Promise.all(events)).flat();
    expect(appended.map((e) => e.seq)).toEqual(stans.map((_, i) => i + 1));
    expect(appended.map((e) => (e.data as { stan: string }).stan)).toEqual(stans);
    await store.close();
  });

  it('hands back a duplicate key as a DuplicateKeyError naming the key', async () => {
    const store = new SqliteThreadStore({ path: tempDb() });
    await store.init();
    await store.insertTransaction(tx('000002'));
    const again = await store.insertTransaction({ ...tx('000002'), rrn: '532500009999' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DuplicateKeyError);
    expect((again as DuplicateKeyError).key.stan).toBe('000002');
    await store.close();
  });

  it('fails init with JOURNAL_THREAD_FAILED naming the file when it cannot be opened', async () => {
    // a directory where the file should be
    const path = join(mkdtempSync(join(tmpdir(), 'posgw-thread-')), 'journal.db');
    mkdirSync(path);
    const store = new SqliteThreadStore({ path });
    const e = (await store.init().catch((x: unknown) => x)) as { code?: string; message: string };
    expect(e.code).toBe('JOURNAL_THREAD_FAILED');
    expect(e.message).toContain(path);
    await expect(store.getTransaction(1)).rejects.toMatchObject({ code: 'JOURNAL_THREAD_FAILED' });
    await store.close();
  });

  it('refuses calls after close with JOURNAL_CLOSED, and what was written before close is in the file', async () => {
    const path = tempDb();
    const store = new SqliteThreadStore({ path });
    await store.init();
    const written = store.insertTransaction(tx('000003'));
    await store.close();
    await written;
    await expect(store.getTransaction(1)).rejects.toMatchObject({ code: 'JOURNAL_CLOSED' });
    const again = new SqliteThreadStore({ path });
    await again.init();
    expect((await again.transactions()).map((t) => t.stan)).toEqual(['000003']);
    await again.close();
  });

  it('keeps the process alive while a call waits, never while idle', async () => {
    const thread = fileURLToPath(new URL('../../../dist/gateway/store/thread.js', import.meta.url));
    // a script that forgets close(): it must still exit on its own once its last call has been answered
    const script = join(mkdtempSync(join(tmpdir(), 'posgw-thread-')), 'forgets-close.mjs');
    writeFileSync(
      script,
      `const { SqliteThreadStore } = await import(${JSON.stringify(thread)});
      const store = new SqliteThreadStore({ path: process.argv[2] });
      await store.init();
      const row = await store.openBatch('TERM0001', '000001', 'M1', 1);
      console.log(row.status);`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, [script, tempDb()], { timeout: 20_000 });
    expect(stdout.trim()).toBe('open');
  });
});
