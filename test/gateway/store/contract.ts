import { describe, expect, it } from 'vitest';
import type { NewFeedEvent } from '../../../gateway/feed/types.js';
import { DuplicateKeyError, type NewTransaction, type Store } from '../../../gateway/store/types.js';
import { newTx } from './tx-fixture.js';

/**
 * The contract every Store adapter passes: the same suite runs against SQLite today and PostgreSQL when it comes.
 * `open` gives a fresh, empty store; `reopen` the same data through a new instance (durability), when the adapter
 * has any.
 */
export function storeContract(name: string, open: () => Promise<Store>, reopen?: (s: Store) => Promise<Store>): void {
  let seq = 0;
  function tx(over: Partial<NewTransaction> = {}): NewTransaction {
    seq++;
    return newTx(seq, { invoice: String(seq).padStart(6, '0'), panHash: 'ab'.repeat(32), ...over });
  }

  describe(`store contract: ${name}`, () => {
    it('journals a transaction and finds it by key, id and RRN', async () => {
      const store = await open();
      const t = await store.insertTransaction(tx({ amount: 1234 }));
      expect(t.id).toBeGreaterThan(0);
      expect(t).toMatchObject({ amount: 1234, state: 'forwarding', captured: false, reversal: null });
      expect(await store.findTransaction(t)).toEqual(t);
      expect(await store.getTransaction(t.id)).toEqual(t);
      expect(await store.findByRrn(t.rrn)).toEqual(t);
      expect(await store.findTransaction({ ...t, mtiClass: '010' })).toBeUndefined();
      await store.close();
    });

    it('refuses a second transaction under the same key with DuplicateKeyError', async () => {
      const store = await open();
      const first = tx();
      await store.insertTransaction(first);
      await expect(store.insertTransaction({ ...tx(), stan: first.stan })).rejects.toBeInstanceOf(DuplicateKeyError);
      await store.close();
    });

    it('records outcomes; a transaction reversed before its reply stays uncaptured', async () => {
      const store = await open();
      const a = await store.insertTransaction(tx());
      await store.recordOutcome(a.id, { state: 'approved', responseCode: '00', authCode: 'A1B2C3', captured: true, at: 2_000 });
      expect(await store.getTransaction(a.id)).toMatchObject({ state: 'approved', responseCode: '00', authCode: 'A1B2C3', captured: true, updatedAt: 2_000 });
      const b = await store.insertTransaction(tx());
      await store.queueReversal(b.id, 'stub', 'terminal', 2_000);
      await store.recordOutcome(b.id, { state: 'approved', responseCode: '00', captured: true, at: 2_100 });
      expect(await store.getTransaction(b.id)).toMatchObject({ state: 'approved', captured: false, reversal: 'terminal' });
      await store.close();
    });

    it('moves a request never sent to another acquirer', async () => {
      const store = await open();
      const t = await store.insertTransaction(tx());
      await store.reassign(t.id, 'backup', '000777', '1121101600', 'default: stub>backup', 3_000);
      expect(await store.getTransaction(t.id)).toMatchObject({ acquirerId: 'backup', upstreamStan: '000777', transmittedAt: '1121101600', route: 'default: stub>backup' });
      await store.close();
    });

    it('lists requests left in flight, and continues the RRN sequence', async () => {
      const store = await open();
      const a = await store.insertTransaction(tx({ rrn: '532500000041' }));
      const b = await store.insertTransaction(tx({ rrn: '532500000042' }));
      await store.recordOutcome(b.id, { state: 'declined', responseCode: '05', at: 2_000 });
      expect((await store.inFlight()).map((t) => t.id)).toEqual([a.id]);
      expect(await store.lastRrnSequence()).toBeGreaterThanOrEqual(42);
      await store.close();
    });

    it('queues one reversal per transaction, due in order, and updates it', async () => {
      const store = await open();
      const a = await store.insertTransaction(tx());
      const b = await store.insertTransaction(tx());
      const ra = await store.queueReversal(a.id, 'stub', 'timeout', 5_000);
      const again = await store.queueReversal(a.id, 'stub', 'late', 6_000);
      expect(again.id).toBe(ra.id);
      await store.queueReversal(b.id, 'stub', 'timeout', 5_500);
      expect((await store.getTransaction(a.id))?.reversal).toBe('timeout');
      expect((await store.dueSaf('stub', 5_200, 10)).map((i) => i.txId)).toEqual([a.id]);
      expect((await store.dueSaf('stub', 9_000, 10)).map((i) => i.txId)).toEqual([a.id, b.id]);
      expect(await store.dueSaf('other', 9_000, 10)).toEqual([]);
      await store.updateSaf(ra.id, { attempts: 1, nextAttemptAt: 20_000, lastResult: 'TIMEOUT' }, 9_000);
      expect((await store.dueSaf('stub', 9_000, 10)).map((i) => i.txId)).toEqual([b.id]);
      expect(await store.safStats()).toEqual({ depth: 2, oldestCreatedAt: 5_000 });
      await store.updateSaf(ra.id, { state: 'done', lastResult: '00' }, 21_000);
      expect(await store.safStats()).toEqual({ depth: 1, oldestCreatedAt: 5_500 });
      expect((await store.pendingSaf('stub')).map((i) => i.txId)).toEqual([b.id]);
      await store.close();
    });

    it('keeps batch totals from captured transactions, terminal totals, uploads and the final status', async () => {
      const store = await open();
      const batch = await store.openBatch('TERM0002', '000007', 'MERCHANT0000001', 1_000);
      expect(batch).toMatchObject({ status: 'open', terminalTotals: null, closedAt: null });
      const sale1 = await store.insertTransaction(tx({ terminalId: 'TERM0002', batchNo: '000007', amount: 1500 }));
      const sale2 = await store.insertTransaction(tx({ terminalId: 'TERM0002', batchNo: '000007', amount: 2500 }));
      const refund = await store.insertTransaction(tx({ terminalId: 'TERM0002', batchNo: '000007', amount: 700, procCode: '200000' }));
      for (const t of [sale1, sale2, refund]) await store.recordOutcome(t.id, { state: 'approved', responseCode: '00', captured: true, at: 2_000 });
      await store.setCaptured(sale2.id, false, 2_500);
      expect(await store.journalTotals('TERM0002', '000007')).toEqual({ saleCount: 1, saleAmount: 1500, refundCount: 1, refundAmount: 700 });
      await store.setTerminalTotals('TERM0002', '000007', { saleCount: 2, saleAmount: 4000, refundCount: 1, refundAmount: 700 });
      const receipt = {
        terminalId: 'TERM0002', merchantId: 'MERCHANT0000001', batchNo: '000007', originalMti: '0200', originalStan: sale1.stan,
        procCode: '000000', amount: 1500, currency: '840', rrn: sale1.rrn, authCode: 'A1', panHash: null, panMasked: null,
        localDate: '1121', localTime: '101500', invoice: null, matchedTxId: sale1.id, createdAt: 3_000,
      };
      await store.addUpload(receipt);
      await store.addUpload(receipt); // a resent upload counts once
      await store.addUpload({ ...receipt, originalStan: '999999', amount: 2500, rrn: null, matchedTxId: null });
      expect(await store.uploads('TERM0002', '000007')).toHaveLength(2);
      expect(await store.uploadTotals('TERM0002', '000007')).toEqual({ saleCount: 2, saleAmount: 4000, refundCount: 0, refundAmount: 0 });
      expect((await store.openBatches()).map((b) => b.batchNo)).toContain('000007');
      await store.closeBatch('TERM0002', '000007', 'balanced_after_upload', 4_000, '000099');
      expect(await store.getBatch('TERM0002', '000007')).toMatchObject({
        status: 'balanced_after_upload',
        closedAt: 4_000,
        closedByStan: '000099',
        terminalTotals: { saleCount: 2, saleAmount: 4000 },
        uploadTotals: { saleCount: 2, saleAmount: 4000 },
      });
      expect((await store.openBatches()).map((b) => b.batchNo)).not.toContain('000007');
      // opening an existing batch changes nothing
      expect((await store.openBatch('TERM0002', '000007', 'MERCHANT0000001', 9_000)).status).toBe('balanced_after_upload');
      await store.close();
    });

    it('lists transactions changed after a change number, in change order, page by page', async () => {
      const store = await open();
      const a = await store.insertTransaction(tx());
      const b = await store.insertTransaction(tx());
      const c = await store.insertTransaction(tx());
      const all = await store.changedTransactions(-1, 100);
      expect(all.rows.map((r) => r.id)).toEqual([a.id, b.id, c.id]);
      // an update moves a row behind the others; the ones not touched since are not read again
      await store.recordOutcome(a.id, { state: 'approved', responseCode: '00', authCode: 'A1', captured: true, at: 2_000 });
      const after = await store.changedTransactions(all.last, 100);
      expect(after.rows.map((r) => [r.id, r.state])).toEqual([[a.id, 'approved']]);
      expect(after.last).toBeGreaterThan(all.last);
      await store.setCaptured(b.id, false, 3_000);
      await store.recordLateReply(c.id, '00', 3_000);
      await store.queueReversal(a.id, 'stub', 'terminal', 3_000);
      const first = await store.changedTransactions(after.last, 2);
      expect(first.rows.map((r) => r.id)).toEqual([b.id, c.id]);
      const second = await store.changedTransactions(first.last, 2);
      expect(second.rows.map((r) => [r.id, r.reversal])).toEqual([[a.id, 'terminal']]);
      expect(await store.changedTransactions(second.last, 2)).toEqual({ rows: [], last: second.last });
      if (reopen) {
        // numbering goes on after a restart: nothing written later hides below a number already read
        const again = await reopen(store);
        const d = await again.insertTransaction(tx());
        expect((await again.changedTransactions(second.last, 10)).rows.map((r) => r.id)).toEqual([d.id]);
        await again.close();
      } else await store.close();
    });

    it('records exceptions', async () => {
      const store = await open();
      const a = await store.insertTransaction(tx());
      await store.addException({ kind: 'REVERSAL_ABANDONED', txId: a.id, terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', detail: 'expired', createdAt: 7 });
      expect(await store.exceptions()).toEqual([{ kind: 'REVERSAL_ABANDONED', txId: a.id, terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', detail: 'expired', createdAt: 7 }]);
      await store.close();
    });

    it('reads batches, uploads, store-and-forward items and exceptions changed since a time', async () => {
      const store = await open();
      await store.openBatch('TERM0001', '000001', 'MERCHANT0000001', 1_000);
      await store.openBatch('TERM0001', '000002', 'MERCHANT0000001', 2_000);
      await store.openBatch('TERM0002', '000001', 'MERCHANT0000001', 500);
      await store.closeBatch('TERM0002', '000001', 'balanced', 3_000, '000009');
      expect((await store.batches(1_500)).map((b) => `${b.terminalId}/${b.batchNo}`)).toEqual(['TERM0002/000001', 'TERM0001/000002']);
      expect(await store.batches()).toHaveLength(3);
      const upload = {
        terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', batchNo: '000002', originalMti: '0200', originalStan: '000001', procCode: '000000',
        amount: 100, currency: '840', rrn: null, authCode: null, panHash: null, panMasked: null, localDate: '1121', localTime: null, invoice: null,
        matchedTxId: null, createdAt: 1_000,
      };
      await store.addUpload(upload);
      await store.addUpload({ ...upload, originalStan: '000002', createdAt: 4_000 });
      expect((await store.uploadsSince(2_000)).map((u) => u.originalStan)).toEqual(['000002']);
      await store.addUpload({ ...upload, originalStan: '000003', createdAt: 500 });
      // by row, in the order they came, whatever their times
      const first = await store.uploadsAfter(0, 2);
      expect(first.rows.map((u) => u.originalStan)).toEqual(['000001', '000002']);
      expect(first.rows[0]).toEqual(upload);
      const rest = await store.uploadsAfter(first.last, 2);
      expect(rest.rows.map((u) => u.originalStan)).toEqual(['000003']);
      expect(await store.uploadsAfter(rest.last, 2)).toEqual({ rows: [], last: rest.last });
      const a = await store.insertTransaction(tx());
      const b = await store.insertTransaction(tx());
      const ia = await store.queueReversal(a.id, 'stub', 'timeout', 1_000);
      await store.queueReversal(b.id, 'stub', 'timeout', 1_000);
      expect(await store.safSince(5_000)).toEqual([]);
      await store.updateSaf(ia.id, { state: 'abandoned', lastResult: 'expired' }, 5_000);
      expect((await store.safSince(5_000)).map((i) => [i.txId, i.state])).toEqual([[a.id, 'abandoned']]);
      await store.addException({ kind: 'REVERSAL_ABANDONED', txId: a.id, terminalId: null, merchantId: null, detail: 'expired', createdAt: 5_000 });
      await store.addException({ kind: 'REVERSAL_ABANDONED', txId: b.id, terminalId: null, merchantId: null, detail: 'old', createdAt: 10 });
      expect((await store.exceptions(5_000)).map((e) => e.txId)).toEqual([a.id]);
      expect(await store.exceptions()).toHaveLength(2);
      await store.close();
    });

    it('keeps exported receipts once per terminal, batch, STAN and date', async () => {
      const store = await open();
      const r = {
        terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', batchNo: '000003', stan: '000011', localDate: '1121', kind: 'sale' as const,
        amount: 1234, currency: '840', rrn: '532500000011', authCode: 'A1B2C3', panMasked: '476173******0119', invoice: '000004',
        source: 'export' as const, createdAt: 1_000,
      };
      expect(await store.addReceipts([r, { ...r, stan: '000012', kind: 'offline', rrn: null, createdAt: 2_000 }])).toBe(2);
      // the same receipt again, even with other content, and a new one: only the new one is kept
      expect(await store.addReceipts([{ ...r, amount: 1 }, { ...r, localDate: '1122', createdAt: 3_000 }])).toBe(1);
      expect((await store.receipts()).map((x) => [x.stan, x.localDate, x.amount, x.kind])).toEqual([['000011', '1121', 1234, 'sale'], ['000012', '1121', 1234, 'offline'], ['000011', '1122', 1234, 'sale']]);
      expect(await store.receipts(2_000)).toEqual([{ ...r, stan: '000012', kind: 'offline', rrn: null, createdAt: 2_000 }, { ...r, localDate: '1122', createdAt: 3_000 }]);
      const first = await store.receiptsAfter(0, 2);
      expect(first.rows).toEqual([r, { ...r, stan: '000012', kind: 'offline', rrn: null, createdAt: 2_000 }]);
      const rest = await store.receiptsAfter(first.last, 2);
      expect(rest.rows).toEqual([{ ...r, localDate: '1122', createdAt: 3_000 }]);
      expect(rest.last).toBeGreaterThan(first.last);
      expect(await store.receiptsAfter(rest.last, 2)).toEqual({ rows: [], last: rest.last });
      await store.close();
    });

    it('keeps reconciliation cases, a newer version of an id replacing the older', async () => {
      const store = await open();
      const row = (id: string, status: string, at: number) => ({ id, merchantId: 'MERCHANT0000001', class: 'DUPLICATE', status, data: JSON.stringify({ id, status }), updatedAt: at });
      await store.saveCases([row('DUP-b', 'open', 1), row('DUP-a', 'open', 1)]);
      await store.saveCases([row('DUP-b', 'resolved', 2)]);
      await store.saveCases([{ ...row('CWR-c', 'open', 3), merchantId: null, class: 'CREDIT_WITHOUT_RECEIPT' }]);
      expect(await store.loadCases()).toEqual([
        { ...row('CWR-c', 'open', 3), merchantId: null, class: 'CREDIT_WITHOUT_RECEIPT' },
        row('DUP-a', 'open', 1),
        row('DUP-b', 'resolved', 2),
      ]);
      await store.close();
    });

    it('resolves writes made in one turn together, each with its own result', async () => {
      const store = await open();
      const made = await Promise.all([1, 2, 3, 4, 5].map(() => store.insertTransaction(tx())));
      expect(new Set(made.map((t) => t.id)).size).toBe(5);
      await store.close();
    });

    describe('feed events', () => {
      const ev = (merchantId: string, n: number): NewFeedEvent => ({ merchantId, type: 'transaction.approved', at: 1_000 + n, data: { rrn: `r${n}`, amount: n } });

      it('numbers events per merchant without gaps and globally by id, in the order given', async () => {
        const store = await open();
        const first = await store.appendEvents([ev('A', 1), ev('B', 2), ev('A', 3)]);
        const second = await store.appendEvents([ev('A', 4)]);
        expect([...first, ...second].map((e) => [e.merchantId, e.seq])).toEqual([['A', 1], ['B', 1], ['A', 2], ['A', 3]]);
        const ids = [...first, ...second].map((e) => e.id);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect(new Set(ids).size).toBe(4);
        expect(second[0]).toEqual({ ...ev('A', 4), id: ids[3], seq: 3 });
        expect(await store.lastEventSeq('A')).toBe(3);
        expect(await store.lastEventSeq('B')).toBe(1);
        expect(await store.lastEventSeq('C')).toBe(0);
        expect(await store.lastEventSeq(null)).toBe(ids[3]);
        await store.close();
      });

      it('numbers events appended in one turn as one commit, each call its own slice', async () => {
        const store = await open();
        const [a, b] = await Promise.all([store.appendEvents([ev('A', 1)]), store.appendEvents([ev('A', 2), ev('A', 3)])]);
        expect(a.map((e) => e.seq)).toEqual([1]);
        expect(b.map((e) => e.seq)).toEqual([2, 3]);
        await store.close();
      });

      it('reads a merchant\'s events after a seq, and every merchant\'s after a global id, bounded by the limit', async () => {
        const store = await open();
        const all = await store.appendEvents([ev('A', 1), ev('B', 2), ev('A', 3), ev('A', 4), ev('B', 5)]);
        expect((await store.eventsSince('A', 1, 10)).map((e) => e.data.rrn)).toEqual(['r3', 'r4']);
        expect((await store.eventsSince('A', 0, 2)).map((e) => e.seq)).toEqual([1, 2]);
        expect(await store.eventsSince('A', 3, 10)).toEqual([]);
        expect(await store.eventsSince('B', 0, 10)).toEqual([all[1], all[4]]);
        expect((await store.eventsSince(null, all[1].id, 2)).map((e) => e.data.rrn)).toEqual(['r3', 'r4']);
        expect(await store.eventsSince(null, 0, 100)).toEqual(all);
        await store.close();
      });
    });

    if (reopen) {
      it('keeps every write whose promise resolved across a reopen', async () => {
        const store = await open();
        const t = await store.insertTransaction(tx({ amount: 4242 }));
        await store.queueReversal(t.id, 'stub', 'recovery', 1_000);
        await store.saveCases([{ id: 'RWC-1', merchantId: 'MERCHANT0000001', class: 'RECEIPT_WITHOUT_CREDIT', status: 'acknowledged', data: '{}', updatedAt: 5 }]);
        const again = await reopen(store);
        expect(await again.getTransaction(t.id)).toMatchObject({ amount: 4242, reversal: 'recovery' });
        expect((await again.safStats()).depth).toBe(1);
        expect((await again.loadCases()).map((c) => c.status)).toEqual(['acknowledged']);
        await again.close();
      });

      it('continues each merchant\'s event numbering after a reopen', async () => {
        const store = await open();
        await store.appendEvents([{ merchantId: 'A', type: 'batch.closed', at: 1, data: {} }, { merchantId: 'A', type: 'batch.closed', at: 2, data: {} }]);
        const again = await reopen(store);
        const [next] = await again.appendEvents([{ merchantId: 'A', type: 'credit.received', at: 3, data: { line: 1 } }]);
        expect(next.seq).toBe(3);
        expect((await again.eventsSince('A', 0, 10)).map((e) => e.type)).toEqual(['batch.closed', 'batch.closed', 'credit.received']);
        await again.close();
      });
    }
  });
}
