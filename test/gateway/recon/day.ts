// One settlement day of card sales seen three ways (receipts, journal, credits) plus batches, with chosen faults
// injected at a rate; each fault comes with the case id and class the engine must find for it. Strings that repeat
// (terminal, merchant, batch, date, currency, STAN) are shared so a million sales fit in memory the way rows read
// from a store would not.
import { caseId, Subject, type Batch, type CaseClass, type Credit, type JournalEntry, type Receipt, type ReconOptions } from '../../../gateway/recon/index.js';

export const Faults = [
  'omittedCredit',
  'wrongAmount',
  'duplicateCredit',
  'lateCredit',
  'phantomCredit',
  'offlineNotUploaded',
  'abandonedReversal',
  'printedAfterTimeout',
] as const;
export type Fault = (typeof Faults)[number];
export const BatchFaults = ['outOfBalance', 'staleBatch'] as const;
export type BatchFault = (typeof BatchFaults)[number];

export interface Injected {
  fault: Fault | BatchFault;
  caseId: string;
  class: CaseClass;
}

export interface Day {
  journal: JournalEntry[];
  receipts: Receipt[];
  credits: Credit[];
  batches: Batch[];
  injected: Injected[];
  now: number;
  options: ReconOptions;
}

export interface DayOptions {
  transactions: number;
  /** Share of sales given each fault (and of batches each batch fault): 0.001 is 0.1%. */
  faultRate: number;
  /** Sales per terminal batch. */
  perBatch?: number;
  seed?: number;
  faults?: readonly (Fault | BatchFault)[];
}

const DAY_MS = 86_400_000;
export const DAY0 = Date.UTC(2024, 2, 5);
const iso = (day: number): string => new Date(DAY0 + day * DAY_MS).toISOString().slice(0, 10);

export const ACQUIRERS = { 'acq-a': { settleAfterDays: 1, graceDays: 1 }, 'acq-b': { settleAfterDays: 2, graceDays: 0 } } as const;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DAY_NOW = DAY0 + 3 * DAY_MS + 12 * 3_600_000;
export const DAY_OPTIONS: ReconOptions = { acquirers: ACQUIRERS, rules: { duplicateRefund: true, amountTolerance: 50, lateCreditCloses: true } };

/** The whole day as arrays (for tests). */
export function generateDay(o: DayOptions): Day {
  const day: Day = { journal: [], receipts: [], credits: [], batches: [], injected: [], now: DAY_NOW, options: DAY_OPTIONS };
  for (const chunk of dayChunks(o, day.injected)) {
    day.journal.push(...chunk.journal);
    day.receipts.push(...chunk.receipts);
    day.credits.push(...chunk.credits);
    day.batches.push(...chunk.batches);
  }
  return day;
}

export interface Chunk {
  journal: JournalEntry[];
  receipts: Receipt[];
  credits: Credit[];
  batches: Batch[];
}

/**
 * The day in chunks of `terminalsPerChunk` terminals' batches, so a million sales stream through without all being
 * objects at once; the faults injected are pushed onto `injected` as they are made.
 */
export function* dayChunks(o: DayOptions, injected: Injected[], terminalsPerChunk = 100): Generator<Chunk> {
  const random = mulberry32(o.seed ?? 1);
  const perBatch = o.perBatch ?? 100;
  const chosen = new Set(o.faults ?? [...Faults, ...BatchFaults]);
  const period = Math.max(1, Math.round(1 / o.faultRate));
  const terminals = Math.ceil(o.transactions / perBatch);
  const stans = Array.from({ length: perBatch }, (_, i) => String(i + 1).padStart(6, '0'));
  const localDate = iso(0).slice(5, 7) + iso(0).slice(8, 10);
  const batchNo = '000001';
  const currency = '978';
  const dates = [iso(0), iso(1), iso(2), iso(3)];
  let journal: JournalEntry[] = [];
  let receipts: Receipt[] = [];
  let credits: Credit[] = [];
  let batches: Batch[] = [];
  const reportIds = new Map<string, string>();
  const reports = new Map<string, number>();
  const credit = (j: JournalEntry, day: number, amount = j.amount, pan: string | null = null): void => {
    const acquirerId = j.acquirerId!;
    const name = `${acquirerId}-${dates[day]}-1`;
    let reportId = reportIds.get(name);
    if (reportId === undefined) reportIds.set(name, (reportId = name));
    const line = (reports.get(reportId) ?? 1) + 1;
    reports.set(reportId, line);
    const fee = Math.round(amount * 0.015);
    const refund = j.procCode === '200000';
    credits.push({
      reportId, line, acquirerId, settlementDate: dates[day], merchantId: j.merchantId, terminalId: j.terminalId, rrn: j.rrn,
      authCode: j.authCode, panMasked: pan, amount, currency, transactionDate: dates[0], fee, net: amount - fee,
      record: refund ? 'DEBIT' : 'CREDIT',
    });
  };
  const payDay = (acquirerId: string): number => (acquirerId === 'acq-a' ? 1 : 2);

  let n = 0;
  for (let t = 0; t < terminals; t++) {
    const terminalId = `T${String(t).padStart(7, '0')}`;
    const merchantId = `M${String(Math.floor(t / 5)).padStart(14, '0')}`;
    const acquirerId = t % 3 === 0 ? 'acq-b' : 'acq-a';
    const pan = `476173******${String(t % 10000).padStart(4, '0')}`;
    const totals = { saleCount: 0, saleAmount: 0, refundCount: 0, refundAmount: 0 };
    const openedAt = DAY0 + 60_000;
    for (let s = 0; s < perBatch && n < o.transactions; s++, n++) {
      const i = n;
      const slot = (i * 7919) % period;
      const fault = slot < Faults.length && chosen.has(Faults[slot]) ? Faults[slot] : undefined;
      const roll = random();
      const refund = roll < 0.05;
      const offline = !refund && roll < 0.07;
      const amount = 100 + Math.floor(random() * 50_000);
      const j: JournalEntry = {
        id: i + 1,
        terminalId, merchantId, batchNo, stan: stans[s], localDate,
        mti: offline ? '0220' : '0200',
        procCode: refund ? '200000' : '000000',
        rrn: `4065${String(i).padStart(8, '0')}`,
        authCode: String((i * 7919) % 1_000_000).padStart(6, '0'),
        amount, currency,
        state: 'approved', responseCode: '00', captured: true, reversal: null, reversalState: null,
        acquirerId, createdAt: DAY0 + 3_600_000 + Math.floor((i / o.transactions) * 18 * 3_600_000),
      };
      const receipt: Receipt = {
        terminalId, merchantId, batchNo, stan: stans[s], localDate, rrn: j.rrn, authCode: j.authCode, amount, currency,
        panMasked: pan, kind: refund ? 'refund' : offline ? 'offline' : 'sale', source: 'export',
      };
      const tx = Subject.tx(j.rrn);
      switch (fault) {
        case 'omittedCredit':
          journal.push(j); receipts.push(receipt);
          injected.push({ fault, class: 'RECEIPT_WITHOUT_CREDIT', caseId: caseId('RECEIPT_WITHOUT_CREDIT', tx) });
          break;
        case 'wrongAmount':
          journal.push(j); receipts.push(receipt); credit(j, payDay(acquirerId), amount + 100 + Math.floor(random() * 900));
          injected.push({ fault, class: 'AMOUNT_MISMATCH', caseId: caseId('AMOUNT_MISMATCH', tx) });
          break;
        case 'duplicateCredit':
          journal.push(j); receipts.push(receipt); credit(j, payDay(acquirerId)); credit(j, payDay(acquirerId));
          injected.push({ fault, class: 'DUPLICATE', caseId: caseId('DUPLICATE', tx) });
          break;
        case 'lateCredit':
          journal.push(j); receipts.push(receipt); credit(j, 3);
          injected.push({ fault, class: 'LATE_CREDIT', caseId: caseId('LATE_CREDIT', tx) });
          break;
        case 'phantomCredit': {
          journal.push(j); receipts.push(receipt); credit(j, payDay(acquirerId));
          const ghost: JournalEntry = { ...j, rrn: `9${String(i).padStart(11, '0')}`, authCode: `P${String(i % 100000).padStart(5, '0')}` };
          credit(ghost, payDay(acquirerId));
          const c = credits[credits.length - 1];
          injected.push({ fault, class: 'CREDIT_WITHOUT_RECEIPT', caseId: caseId('CREDIT_WITHOUT_RECEIPT', Subject.credit(c.reportId, c.line)) });
          break;
        }
        case 'offlineNotUploaded':
          receipts.push({ ...receipt, kind: 'offline', rrn: null });
          injected.push({ fault, class: 'OFFLINE_NOT_UPLOADED', caseId: caseId('OFFLINE_NOT_UPLOADED', Subject.receipt(terminalId, batchNo, localDate, stans[s])) });
          continue;
        case 'abandonedReversal':
          journal.push({ ...j, state: 'timed_out', responseCode: '91', captured: false, reversal: 'timeout', reversalState: 'abandoned' });
          credit(j, payDay(acquirerId));
          injected.push({ fault, class: 'REVERSAL_ABANDONED', caseId: caseId('REVERSAL_ABANDONED', tx) });
          continue;
        case 'printedAfterTimeout':
          journal.push({ ...j, state: 'timed_out', responseCode: '91', captured: false, reversal: 'timeout', reversalState: 'done' });
          receipts.push(receipt);
          injected.push({ fault, class: 'RECEIPT_WITHOUT_CREDIT', caseId: caseId('RECEIPT_WITHOUT_CREDIT', tx) });
          continue;
        default:
          if (roll > 0.99) {
            // clean noise: a decline and a reversed timeout the terminal never printed, a voided sale
            const kind = Math.floor(random() * 3);
            if (kind === 0) journal.push({ ...j, state: 'declined', responseCode: '05', captured: false, authCode: null });
            else if (kind === 1) journal.push({ ...j, state: 'timed_out', responseCode: '91', captured: false, reversal: 'timeout', reversalState: 'done' });
            else journal.push({ ...j, captured: false });
            continue;
          }
          journal.push(j); receipts.push(receipt); credit(j, payDay(acquirerId));
      }
      if (refund) {
        totals.refundCount++;
        totals.refundAmount += amount;
      } else {
        totals.saleCount++;
        totals.saleAmount += amount;
      }
    }
    const bslot = (t * 7919) % period;
    const bfault = bslot < BatchFaults.length && chosen.has(BatchFaults[bslot]) ? BatchFaults[bslot] : undefined;
    const closedAt = DAY0 + 23 * 3_600_000;
    if (bfault === 'outOfBalance') {
      batches.push({ terminalId, batchNo, merchantId, status: 'out_of_balance', terminalTotals: { ...totals, saleAmount: totals.saleAmount + 1000 }, hostTotals: totals, uploadTotals: totals, openedAt, closedAt });
      injected.push({ fault: bfault, class: 'OUT_OF_BALANCE', caseId: caseId('OUT_OF_BALANCE', Subject.batch(terminalId, batchNo)) });
    } else if (bfault === 'staleBatch') {
      batches.push({ terminalId, batchNo, merchantId, status: 'open', terminalTotals: null, hostTotals: null, uploadTotals: null, openedAt, closedAt: null });
      injected.push({ fault: bfault, class: 'STALE_OPEN_BATCH', caseId: caseId('STALE_OPEN_BATCH', Subject.batch(terminalId, batchNo)) });
    } else {
      batches.push({ terminalId, batchNo, merchantId, status: 'balanced', terminalTotals: totals, hostTotals: totals, uploadTotals: null, openedAt, closedAt });
    }
    if ((t + 1) % terminalsPerChunk === 0 || t === terminals - 1) {
      yield { journal, receipts, credits, batches };
      journal = [];
      receipts = [];
      credits = [];
      batches = [];
    }
  }
}
