import { fullRun, Reconciler, type Batch, type Case, type Credit, type JournalEntry, type Receipt, type ReconData, type ReconOptions } from '../../../gateway/recon/index.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** 2024-03-05 10:00 UTC: the sale. */
export const T0 = Date.UTC(2024, 2, 5, 10, 0);
/** Midnight starting 2024-03-05 + n days. */
export const day = (n: number): number => Date.UTC(2024, 2, 5) + n * DAY;

export const OPTIONS: ReconOptions = { acquirers: { 'acq-a': { settleAfterDays: 1, graceDays: 1 } } };

export function entry(over: Partial<JournalEntry> = {}): JournalEntry {
  return {
    id: 1,
    terminalId: 'T0000001',
    merchantId: 'M00000000000001',
    batchNo: '000001',
    stan: '000001',
    localDate: '0305',
    mti: '0200',
    procCode: '000000',
    rrn: '406500000001',
    authCode: 'A1B2C3',
    amount: 1234,
    currency: '978',
    state: 'approved',
    responseCode: '00',
    captured: true,
    reversal: null,
    reversalState: null,
    acquirerId: 'acq-a',
    createdAt: T0,
    ...over,
  };
}

export function receipt(over: Partial<Receipt> = {}): Receipt {
  return {
    terminalId: 'T0000001',
    merchantId: 'M00000000000001',
    batchNo: '000001',
    stan: '000001',
    localDate: '0305',
    rrn: '406500000001',
    authCode: 'A1B2C3',
    amount: 1234,
    currency: '978',
    panMasked: '476173******0010',
    kind: 'sale',
    source: 'upload',
    ...over,
  };
}

export function credit(over: Partial<Credit> = {}): Credit {
  const amount = over.amount ?? 1234;
  return {
    reportId: 'acq-a-2024-03-06-1',
    line: 2,
    acquirerId: 'acq-a',
    settlementDate: '2024-03-06',
    merchantId: 'M00000000000001',
    terminalId: 'T0000001',
    rrn: '406500000001',
    authCode: 'A1B2C3',
    panMasked: '476173******0010',
    amount,
    currency: '978',
    transactionDate: '2024-03-05',
    fee: 19,
    net: amount - 19,
    record: 'CREDIT',
    ...over,
  };
}

export function batch(over: Partial<Batch> = {}): Batch {
  const totals = { saleCount: 1, saleAmount: 1234, refundCount: 0, refundAmount: 0 };
  return {
    terminalId: 'T0000001',
    batchNo: '000001',
    merchantId: 'M00000000000001',
    status: 'balanced',
    terminalTotals: totals,
    hostTotals: totals,
    uploadTotals: null,
    openedAt: T0 - HOUR,
    closedAt: T0 + 12 * HOUR,
    ...over,
  };
}

/** A full run at `now` (default: two days after the window closed). */
export function run(data: ReconData, now = day(4), options: ReconOptions = OPTIONS): Case[] {
  return fullRun(data, now, options);
}

export function only(cases: Case[]): Case {
  if (cases.length !== 1) throw new Error(`expected one case, got ${cases.length}: ${cases.map((c) => `${c.class} ${c.explanation}`).join(' | ')}`);
  return cases[0];
}

export function reconciler(options: ReconOptions = OPTIONS): Reconciler {
  return new Reconciler(options);
}
