import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullRun, Reconciler, type Batch, type Case, type Credit, type JournalEntry, type Receipt, type ReconOptions } from '../../../gateway/recon/index.js';
import { HOUR, T0 } from './fixtures.js';

/** A small, collision-prone world: few terminals, STANs, amounts and auth codes, so keys clash and fallbacks compete. */
interface World {
  journal: JournalEntry[];
  receipts: Receipt[];
  credits: Credit[];
  batches: Batch[];
  now: number;
  options: ReconOptions;
}

const terminals = ['T1', 'T2', 'T3'] as const;
const merchantOf = (t: string): string => (t === 'T3' ? 'M2' : 'M1');
const reports = [
  { reportId: 'a-2024-03-06', settlementDate: '2024-03-06' },
  { reportId: 'a-2024-03-07', settlementDate: '2024-03-07' },
  { reportId: 'b-2024-03-09', settlementDate: '2024-03-09' },
] as const;

const txArb = fc.record({
  terminal: fc.constantFrom(...terminals),
  batch: fc.constantFrom('000001', '000002'),
  stan: fc.constantFrom('000001', '000002', '000003'),
  localDate: fc.constantFrom('0305', '0306'),
  mti: fc.constantFrom('0200', '0200', '0220', '0100'),
  proc: fc.constantFrom('000000', '000000', '200000', '020000'),
  amount: fc.constantFrom(500, 1000, 1234),
  auth: fc.option(fc.constantFrom('A00001', 'A00002', '123456'), { nil: null }),
  acquirer: fc.constantFrom('acq-a', 'acq-b', 'acq-x'),
  hour: fc.integer({ min: 0, max: 60 }),
  state: fc.constantFrom('approved', 'approved', 'approved', 'declined', 'timed_out', 'forwarding', 'not_sent'),
  captured: fc.boolean(),
  reversal: fc.constantFrom(null, null, 'timeout', 'terminal'),
  reversalState: fc.constantFrom('pending', 'done', 'abandoned'),
  later: fc.option(fc.constantFrom('done', 'abandoned'), { nil: null }),
  receipt: fc.constantFrom('none', 'same', 'same', 'noRrn', 'amount', 'offline', 'otherRrn'),
  twice: fc.boolean(),
  credits: fc.array(
    fc.record({ report: fc.integer({ min: 0, max: 2 }), amount: fc.constantFrom(0, 0, 0, 5, -300), rrn: fc.constantFrom('same', 'same', 'same', 'none', 'wrong'), debit: fc.boolean() }),
    { maxLength: 2 },
  ),
});

const worldArb = fc
  .record({
    txs: fc.array(txArb, { maxLength: 14 }),
    orphanReceipts: fc.array(fc.record({ terminal: fc.constantFrom(...terminals), stan: fc.constantFrom('000007', '000001'), offline: fc.boolean() }), { maxLength: 2 }),
    phantoms: fc.array(fc.record({ report: fc.integer({ min: 0, max: 2 }), amount: fc.constantFrom(500, 1000), auth: fc.constantFrom('A00001', 'ZZZZZZ') }), { maxLength: 2 }),
    batches: fc.array(
      fc.record({ terminal: fc.constantFrom(...terminals), status: fc.constantFrom('open', 'balanced', 'out_of_balance'), closeLater: fc.boolean(), openedHour: fc.integer({ min: 0, max: 48 }) }),
      { maxLength: 3 },
    ),
    nowHours: fc.integer({ min: 0, max: 150 }),
    rules: fc.record({ duplicateRefund: fc.boolean(), amountTolerance: fc.constantFrom(null, 10), lateCreditCloses: fc.boolean() }),
  })
  .map(({ txs, orphanReceipts, phantoms, batches, nowHours, rules }): World => {
    const journal: JournalEntry[] = [];
    const receipts: Receipt[] = [];
    const credits: Credit[] = [];
    const lines = [1, 1, 1];
    const addCredit = (report: number, c: Omit<Credit, 'reportId' | 'line' | 'settlementDate' | 'acquirerId' | 'fee' | 'net' | 'panMasked' | 'transactionDate'>): void => {
      const r = reports[report];
      credits.push({ ...c, reportId: r.reportId, settlementDate: r.settlementDate, line: ++lines[report], acquirerId: 'acq-a', fee: 0, net: c.amount, panMasked: null, transactionDate: null });
    };
    txs.forEach((t, i) => {
      const rrn = `4065${String(i).padStart(8, '0')}`;
      const reversal = t.reversal as JournalEntry['reversal'];
      const j: JournalEntry = {
        id: i + 1, terminalId: t.terminal, merchantId: merchantOf(t.terminal), batchNo: t.batch, stan: t.stan, localDate: t.localDate,
        mti: t.mti, procCode: t.proc, rrn, authCode: t.auth, amount: t.amount, currency: '978', state: t.state as JournalEntry['state'],
        responseCode: null, captured: t.captured, reversal, reversalState: reversal === null ? null : (t.reversalState as JournalEntry['reversalState']),
        acquirerId: t.acquirer, createdAt: T0 + t.hour * HOUR, updatedAt: T0 + t.hour * HOUR,
      };
      journal.push(j);
      // a newer version: the reversal's outcome
      if (t.later !== null && reversal !== null) journal.push({ ...j, reversalState: t.later, updatedAt: j.createdAt + HOUR });
      const base: Receipt = {
        terminalId: t.terminal, merchantId: j.merchantId, batchNo: t.batch, stan: t.stan, localDate: t.localDate, rrn, authCode: t.auth,
        amount: t.amount, currency: '978', kind: t.proc === '200000' ? 'refund' : 'sale', source: 'upload',
      };
      const variants: Record<string, Receipt | undefined> = {
        none: undefined,
        same: base,
        noRrn: { ...base, rrn: null, source: 'export' },
        amount: { ...base, amount: t.amount + 1 },
        offline: { ...base, kind: 'offline', rrn: null },
        otherRrn: { ...base, rrn: '999999999999' },
      };
      const r = variants[t.receipt];
      if (r !== undefined) {
        receipts.push(r);
        if (t.twice) receipts.push({ ...r, source: r.source === 'upload' ? 'export' : 'upload' });
      }
      for (const c of t.credits) {
        addCredit(c.report, {
          merchantId: j.merchantId, terminalId: c.rrn === 'none' ? null : t.terminal, rrn: c.rrn === 'same' ? rrn : c.rrn === 'wrong' ? '777777777777' : null,
          authCode: t.auth, amount: t.amount + c.amount, currency: '978', record: c.debit ? 'DEBIT' : 'CREDIT',
        });
      }
    });
    for (const o of orphanReceipts) {
      receipts.push({
        terminalId: o.terminal, merchantId: merchantOf(o.terminal), batchNo: '000001', stan: o.stan, localDate: '0305', rrn: null, authCode: 'Q00001',
        amount: 700, currency: '978', kind: o.offline ? 'offline' : 'sale',
      });
    }
    for (const p of phantoms) addCredit(p.report, { merchantId: 'M1', terminalId: null, rrn: null, authCode: p.auth, amount: p.amount, currency: '978', record: 'CREDIT' });
    const out: Batch[] = [];
    batches.forEach((b, i) => {
      const totals = { saleCount: 1, saleAmount: 100, refundCount: 0, refundAmount: 0 };
      const open: Batch = {
        terminalId: b.terminal, batchNo: String(i + 1).padStart(6, '0'), merchantId: merchantOf(b.terminal), status: 'open', terminalTotals: null, hostTotals: null,
        uploadTotals: null, openedAt: T0 + b.openedHour * HOUR, closedAt: null,
      };
      out.push(b.status === 'open' ? open : { ...open, status: b.status as Batch['status'], terminalTotals: { ...totals, saleAmount: 90 }, hostTotals: totals, closedAt: open.openedAt + HOUR });
      if (b.status !== 'open' && b.closeLater) out.push(open);
    });
    const options: ReconOptions = {
      acquirers: { 'acq-a': { settleAfterDays: 1, graceDays: 1 }, 'acq-b': { settleAfterDays: 2, graceDays: 0 } },
      rules,
    };
    return { journal, receipts, credits, batches: out, now: T0 + nowHours * HOUR, options };
  });

type Item = { kind: 'journal'; v: JournalEntry } | { kind: 'receipts'; v: Receipt } | { kind: 'credits'; v: Credit } | { kind: 'batches'; v: Batch };

function items(w: World): Item[] {
  return [
    ...w.journal.map((v): Item => ({ kind: 'journal', v })),
    ...w.receipts.map((v): Item => ({ kind: 'receipts', v })),
    ...w.credits.map((v): Item => ({ kind: 'credits', v })),
    ...w.batches.map((v): Item => ({ kind: 'batches', v })),
  ];
}

/** What a reader of a case sees, less the times and the trail of how it got there. */
function view(cases: Case[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of cases) {
    if (c.cleared) continue;
    const { audit: _audit, openedAt: _o, updatedAt: _u, resolution, ...rest } = c;
    out[c.id] = { ...rest, resolution: resolution && { reason: resolution.reason, by: resolution.by } };
  }
  return out;
}

const runs = Number(process.env.RECON_PROPERTY_RUNS ?? 300);

describe('incremental runs agree with the full run', () => {
  it('for any split of the data into batches, in any order, with the clock advanced in between', () => {
    fc.assert(
      fc.property(
        worldArb.chain((w) =>
          fc.record({
            w: fc.constant(w),
            order: fc.shuffledSubarray(items(w), { minLength: items(w).length, maxLength: items(w).length }),
            cuts: fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 6 }),
            ticks: fc.array(fc.integer({ min: 0, max: 150 }), { maxLength: 6 }),
          }),
        ),
        ({ w, order, cuts, ticks }) => {
          const full = fullRun(w, w.now, w.options);
          const r = new Reconciler(w.options);
          const bounds = [...new Set(cuts.map((c) => c % (order.length + 1)))].sort((a, b) => a - b);
          const times = ticks.map((h) => T0 + h * HOUR).filter((t) => t <= w.now).sort((a, b) => a - b);
          let from = 0;
          let tick = 0;
          for (const to of [...bounds, order.length]) {
            const chunk = order.slice(from, to);
            from = to;
            r.addJournal(chunk.flatMap((i) => (i.kind === 'journal' ? [i.v] : [])));
            r.addCredits(chunk.flatMap((i) => (i.kind === 'credits' ? [i.v] : [])));
            r.addReceipts(chunk.flatMap((i) => (i.kind === 'receipts' ? [i.v] : [])));
            r.addBatches(chunk.flatMap((i) => (i.kind === 'batches' ? [i.v] : [])));
            if (tick < times.length) r.advance(times[tick++]);
          }
          r.advance(w.now);
          expect(view(r.cases())).toEqual(view(full));
          expect(full.every((c) => !c.cleared)).toBe(true);
        },
      ),
      { numRuns: runs },
    );
  }, 120_000);

  it('a full run twice, or with every record given twice, gives the same cases', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const once = fullRun(w, w.now, w.options);
        expect(fullRun(w, w.now, w.options)).toEqual(once);
        const r = new Reconciler(w.options);
        for (let k = 0; k < 2; k++) {
          r.addJournal(w.journal);
          r.addReceipts(w.receipts);
          r.addCredits(w.credits);
          r.addBatches(w.batches);
        }
        r.advance(w.now);
        expect(view(r.cases())).toEqual(view(once));
      }),
      { numRuns: Math.ceil(runs / 3) },
    );
  }, 120_000);

  it('the generated worlds do produce cases of many classes (the property is not vacuous)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(worldArb, (w) => {
        for (const c of fullRun(w, w.now, w.options)) seen.add(c.class);
      }),
      { numRuns: 200, seed: 7 },
    );
    expect([...seen].sort()).toEqual(
      ['AMOUNT_MISMATCH', 'CREDIT_WITHOUT_RECEIPT', 'DUPLICATE', 'LATE_CREDIT', 'OFFLINE_NOT_UPLOADED', 'OUT_OF_BALANCE', 'RECEIPT_WITHOUT_CREDIT', 'REVERSAL_ABANDONED', 'STALE_OPEN_BATCH'],
    );
  });
});

