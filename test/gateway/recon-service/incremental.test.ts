import { afterEach, describe, expect, it } from 'vitest';
import { ReconService } from '../../../gateway/recon-service/service.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';
import type { Store } from '../../../gateway/store/types.js';
import { DAY, ManualClock, report, sale, T0, tempDb } from './fixtures.js';

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/** The store, with a count of the rows each read gave back (and how often journalTotals was asked). */
function counted(store: SqliteStore): { reads: Store; rows: Map<string, number>; reset(): void } {
  const rows = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const v = Reflect.get(target, name, receiver);
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        const out = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const n = Array.isArray(out) ? out.length : typeof out === 'object' && out !== null && 'rows' in out ? (out.rows as unknown[]).length : 1;
        rows.set(String(name), (rows.get(String(name)) ?? 0) + n);
        return out;
      };
    },
  });
  return { reads: proxy as Store, rows, reset: () => rows.clear() };
}

/** How many turns the event loop took while `work` ran (none when it never lets go of the loop). */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let ticking = true;
  const tick = (): void => {
    if (!ticking) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { result: await work(), turns };
  } finally {
    ticking = false;
  }
}

async function fixture() {
  const store = new SqliteStore({ path: tempDb() });
  stores.push(store);
  const clock = new ManualClock();
  const { reads, rows, reset } = counted(store);
  const service = new ReconService({ store: reads, clock, maxStalenessMs: 0 });
  return { store, clock, service, rows, reset };
}

describe('incremental sync', () => {
  it('reads only what changed since the last sync', async () => {
    const { store, clock, service, rows, reset } = await fixture();
    // 20 terminals, each with an open batch of 5 sales
    let rrn = 0;
    for (let t = 0; t < 20; t++) {
      const terminalId = `TERM${String(t).padStart(4, '0')}`;
      await store.openBatch(terminalId, '000001', 'MERCHANT0000001', T0);
      for (let i = 0; i < 5; i++) await sale(store, { rrn: String(++rrn).padStart(12, '0'), amount: 100 + i, terminalId });
    }
    await service.sync();
    expect(rows.get('changedTransactions')).toBe(100);
    expect(rows.get('journalTotals')).toBe(20);

    clock.t += 60_000;
    reset();
    await service.sync();
    // nothing changed: the journal's change numbers say so exactly
    expect(rows.get('changedTransactions') ?? 0).toBe(0);
    clock.t += 60_000;
    reset();
    await service.sync();
    expect(rows.get('changedTransactions') ?? 0).toBe(0);
    expect(rows.get('journalTotals') ?? 0).toBe(0);
    expect(rows.get('batches') ?? 0).toBe(0);

    // one new sale at one terminal: one transaction, that terminal's batch
    await sale(store, { rrn: '900000000001', amount: 777, terminalId: 'TERM0007', createdAt: clock.t });
    reset();
    await service.sync();
    expect(rows.get('changedTransactions')).toBe(1);
    expect(rows.get('journalTotals')).toBe(1);
    expect(service.locate('900000000001').stage).toBe('awaiting_credit');
    expect((await service.run()).agrees).toBe(true);
  });

  it('reads a journal larger than a page in pages, letting other work run between them, and misses nothing', async () => {
    const { store, service, rows, reset } = await fixture();
    await store.openBatch('TERM0001', '000001', 'MERCHANT0000001', T0);
    await Promise.all(Array.from({ length: 4_500 }, (_, i) => sale(store, { rrn: `7${String(i).padStart(11, '0')}`, amount: 100 })));
    reset();
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    await service.sync();
    clearInterval(ticker);
    expect(rows.get('changedTransactions')).toBe(4_500);
    // three pages of at most 2,000: timers ran between them
    expect(turns).toBeGreaterThan(0);
    expect(service.locate('700000004499').stage).toBe('awaiting_credit');
    expect((await service.run()).agrees).toBe(true);
  });

  it('reads many batches\' totals with the event loop free between groups of them, in the sync and the full run', async () => {
    const { store, service, rows, reset } = await fixture();
    // 450 terminals with a batch and a sale each: fewer rows than a page, one totals query per batch
    await Promise.all(
      Array.from({ length: 450 }, async (_, t) => {
        const terminalId = `T${String(t).padStart(7, '0')}`;
        await store.openBatch(terminalId, '000001', 'MERCHANT0000001', T0);
        await sale(store, { rrn: `8${String(t).padStart(11, '0')}`, amount: 100, terminalId });
      }),
    );
    reset();
    expect((await turnsDuring(() => service.sync())).turns).toBeGreaterThanOrEqual(4);
    expect(rows.get('changedTransactions')).toBe(450);
    expect(rows.get('journalTotals')).toBe(450);
    const run = await turnsDuring(() => service.run());
    expect(run.result.agrees).toBe(true);
    expect(run.turns).toBeGreaterThanOrEqual(4);
  });

  it('reads a full run\'s credits a report at a time, with the event loop free between reports', async () => {
    const { store, service } = await fixture();
    await store.openBatch('TERM0001', '000001', 'MERCHANT0000001', T0);
    for (let r = 0; r < 6; r++) {
      const rrn = `9${String(r).padStart(11, '0')}`;
      await sale(store, { rrn, amount: 100 + r });
      await service.importReport(report(`R-TURN-${r}`, '2026-11-22', [{ rrn, amount: 100 + r }]));
    }
    const run = await turnsDuring(() => service.run());
    expect(run.result.agrees).toBe(true);
    expect(run.turns).toBeGreaterThanOrEqual(6);
  });

  it('reads a full run\'s batch uploads and exported receipts a page at a time, with the event loop free between pages', async () => {
    const { store, service, rows, reset } = await fixture();
    await store.openBatch('TERM0001', '000001', 'MERCHANT0000001', T0);
    const n = 4_500;
    const stan = (i: number): string => String(i + 1).padStart(6, '0');
    await store.addReceipts(
      Array.from({ length: n }, (_, i) => ({
        terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', batchNo: '000001', stan: stan(i), localDate: '1121', kind: 'sale' as const,
        amount: 100, currency: '840', rrn: null, authCode: null, panMasked: null, invoice: null, source: 'export' as const, createdAt: T0,
      })),
    );
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        store.addUpload({
          terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', batchNo: '000001', originalMti: '0200', originalStan: stan(i), procCode: '000000',
          amount: 100, currency: '840', rrn: null, authCode: null, panHash: null, panMasked: null, localDate: '1121', localTime: '101500',
          invoice: null, matchedTxId: null, createdAt: T0,
        }),
      ),
    );
    reset();
    const run = await turnsDuring(() => service.run());
    expect(rows.get('uploadsAfter')).toBe(n);
    expect(rows.get('receiptsAfter')).toBe(n);
    // pages of 2,000: three of each, a turn between two pages
    expect(run.turns).toBeGreaterThanOrEqual(4);
    expect(run.result.agrees).toBe(true);
  });

  it('adds credits to their batch funded totals whichever comes first, the sale or its credit', async () => {
    const { store, service } = await fixture();
    await store.openBatch('TERM0001', '000001', 'MERCHANT0000001', T0);
    await sale(store, { rrn: '632500000101', amount: 1000 });
    await service.sync();
    // a credit for a known sale, a credit for a sale the sync has not seen yet, a debit, and another merchant's line
    await service.importReport(report('R-FUND-1', '2026-11-22', [
      { rrn: '632500000101', amount: 1000 },
      { rrn: '632500000102', amount: 2500 },
      { rrn: '632500000101', amount: 300, record: 'DEBIT' },
      { rrn: '632500000101', amount: 9999, merchantId: 'MERCHANT0000002' },
    ]));
    expect(service.funded('TERM0001', '000001')).toEqual({ saleCount: 1, saleAmount: 1000, refundCount: 1, refundAmount: 300 });
    await sale(store, { rrn: '632500000102', amount: 2500 });
    await service.sync();
    expect(service.funded('TERM0001', '000001')).toEqual({ saleCount: 2, saleAmount: 3500, refundCount: 1, refundAmount: 300 });
    const [view] = await service.batches('MERCHANT0000001');
    expect(view.funded).toEqual(service.funded('TERM0001', '000001'));
    expect(await service.batches('MERCHANT0000001', { open: true })).toHaveLength(1);
    await store.closeBatch('TERM0001', '000001', 'balanced', T0 + 1, '000099');
    expect(await service.batches('MERCHANT0000001', { open: true })).toHaveLength(0);
  });

  it('follows a reversal through the queue without re-reading the journal, and agrees with the full run', async () => {
    const { store, clock, service, rows, reset } = await fixture();
    await store.openBatch('TERM0001', '000001', 'MERCHANT0000001', T0);
    const paid = await sale(store, { rrn: '632500000001', amount: 1000 });
    const other = await sale(store, { rrn: '632500000002', amount: 2000 });
    for (let i = 3; i < 50; i++) await sale(store, { rrn: `6325000000${String(i).padStart(2, '0')}`, amount: 10 });
    await service.sync();
    clock.t += 60_000;
    await service.sync(); // what follows is past the first sync's overlap

    clock.t += 60_000;
    const item = await store.queueReversal(paid.id, 'stub', 'timeout', clock.t);
    reset();
    await service.sync();
    expect(rows.get('changedTransactions')).toBe(1);
    expect(service.locate(paid.rrn).stage).toBe('reversing');

    clock.t += 60_000;
    await service.sync();

    // delivered: the transaction itself does not change, only its queue item
    clock.t += 10 * 60_000;
    await store.updateSaf(item.id, { state: 'done', lastResult: '00' }, clock.t);
    reset();
    await service.sync();
    expect(rows.get('changedTransactions') ?? 0).toBe(0);
    expect(rows.get('getTransaction')).toBe(1);
    expect(service.locate(paid.rrn).stage).toBe('reversed');

    // the other one's reversal is abandoned while the acquirer paid it
    const lost = await store.queueReversal(other.id, 'stub', 'late', clock.t);
    clock.t += 10 * 60_000;
    await store.updateSaf(lost.id, { state: 'abandoned', lastResult: 'expired' }, clock.t);
    await store.addException({ kind: 'REVERSAL_ABANDONED', txId: other.id, terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', detail: 'expired', createdAt: clock.t });
    clock.t += DAY;
    await service.importReport(report('r1', '2026-11-22', [{ rrn: other.rrn, amount: 2000 }]));
    // (the batch, open for a day now, is stale too)
    expect(service.cases({}).map((c) => `${c.class} ${c.rrn}`).sort()).toEqual([`REVERSAL_ABANDONED ${other.rrn}`, 'STALE_OPEN_BATCH null']);
    expect(await service.run()).toMatchObject({ agrees: true, cases: 2 });
  });
});

describe('a full run', () => {
  it('reads the journal a page at a time, and agrees with the incremental cases', async () => {
    const store = new SqliteStore({ path: tempDb() });
    stores.push(store);
    const clock = new ManualClock();
    const calls = { changedTransactions: 0, transactions: 0 };
    const reads = new Proxy(store, {
      get(target, name, receiver) {
        if (name === 'changedTransactions' || name === 'transactions') calls[name]++;
        return Reflect.get(target, name, receiver);
      },
    });
    const service = new ReconService({ store: reads, clock, maxStalenessMs: 0 });
    await store.openBatch('TERM0001', '000001', 'MERCHANT0000001', T0);
    // 4,500 sales, a few hundred to a commit: more than two pages of 2,000
    for (let n = 0; n < 4_500; n += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, i) => sale(store, { rrn: String(n + i + 1).padStart(12, '0'), amount: 100 + ((n + i) % 7) })));
    }
    await service.sync();
    calls.changedTransactions = 0;
    clock.t += DAY;
    const result = await service.run();
    expect(result).toMatchObject({ agrees: true });
    expect(calls.transactions).toBe(0);
    // the run's own sync (nothing new: one read), then three pages
    expect(calls.changedTransactions).toBe(4);
  });
});
