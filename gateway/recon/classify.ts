import type { Totals } from '../store/types.js';
import { Subject } from './case-id.js';
import { dayOf, dayOfIso, formatAmount, isoDay, localStamp } from './format.js';
import type { ResolvedOptions } from './options.js';
import { Actions, Causes } from './texts.js';
import type { Batch, Case, CaseClass, Credit, CreditRef, JournalEntry, Receipt, SettlementWindow, Severity } from './types.js';

/** One discrepancy of one subject, before it becomes (or updates) a case. */
export interface Finding {
  class: CaseClass;
  severity: Severity;
  subject: string;
  keys: CaseKeys;
  explanation: string;
  likelyCause: string;
  suggestedAction: string;
  refs: Case['refs'];
  /** AMOUNT_MISMATCH: the largest difference, minor units (for the tolerance rule). */
  variance: number | null;
  /** DUPLICATE: the credits beyond the first (for the refund rule). */
  surplus: CreditRef[];
}

export type CaseKeys = Pick<Case, 'merchantId' | 'terminalId' | 'batchNo' | 'stan' | 'localDate' | 'rrn' | 'authCode' | 'amount' | 'currency'>;

/** Nothing to report. */
export const NONE: readonly Finding[] = Object.freeze([]);
/** Nothing to report yet: inside the settlement window (EXPECTED), to be looked at again when the window ends. */
export const PENDING: readonly Finding[] = Object.freeze([]);
/** Nothing to report yet: waiting for data (a reply in flight, a reversal still being retried), not for the clock. */
export const WAITING: readonly Finding[] = Object.freeze([]);

/** Reversals the gateway started on its own: the terminal may have printed an approval it was never told about. */
const GATEWAY_REVERSALS = new Set<string>(['timeout', 'late', 'recovery', 'disconnected']);

const SEVERITY: Readonly<Record<CaseClass, Severity>> = {
  RECEIPT_WITHOUT_CREDIT: 'critical',
  OFFLINE_NOT_UPLOADED: 'critical',
  REVERSAL_ABANDONED: 'high',
  OUT_OF_BALANCE: 'high',
  STALE_OPEN_BATCH: 'high',
  DUPLICATE: 'high',
  AMOUNT_MISMATCH: 'medium',
  CREDIT_WITHOUT_RECEIPT: 'medium',
  LATE_CREDIT: 'low',
  EXPECTED: 'info',
};

function isRefund(j: JournalEntry): boolean {
  return j.procCode.startsWith('20');
}

function creditRef(c: Credit): CreditRef {
  return { reportId: c.reportId, line: c.line, settlementDate: c.settlementDate, amount: c.amount };
}

function txKeys(j: JournalEntry): CaseKeys {
  return {
    merchantId: j.merchantId,
    terminalId: j.terminalId,
    batchNo: j.batchNo,
    stan: j.stan,
    localDate: j.localDate,
    rrn: j.rrn,
    authCode: j.authCode,
    amount: j.amount,
    currency: j.currency,
  };
}

/** Turns the facts of one subject into findings. Pure: the same facts and `now` give the same findings. */
export class Classifier {
  private readonly days = new Map<string, number>();

  constructor(private readonly options: ResolvedOptions) {}

  window(acquirerId: string | null): SettlementWindow {
    return (acquirerId !== null && this.options.acquirers.get(acquirerId)) || this.options.defaultWindow;
  }

  txDay(j: JournalEntry): number {
    return dayOf(j.createdAt, this.options.utcOffsetMinutes);
  }

  /** The last day a credit for this entry is on time. */
  deadline(j: JournalEntry): number {
    const w = this.window(j.acquirerId);
    return this.txDay(j) + w.settleAfterDays + w.graceDays;
  }

  creditDay(c: Credit): number {
    let d = this.days.get(c.settlementDate);
    if (d === undefined) {
      d = dayOfIso(c.settlementDate);
      if (d === undefined) throw new TypeError(`credit ${c.reportId} line ${c.line}: "settlementDate" must be a date YYYY-MM-DD`);
      this.days.set(c.settlementDate, d);
    }
    return d;
  }

  /**
   * A journaled sale with the receipts that match it and its credits (canonical order). PENDING when it waits for
   * its credit inside the window, WAITING when it waits for data.
   */
  tx(j: JournalEntry, receipts: readonly Receipt[], credits: readonly Credit[], nowDay: number): readonly Finding[] {
    const deadline = this.deadline(j);
    const claimed = receipts.length > 0;
    if (j.state === 'approved' && j.captured && j.reversal === null) {
      if (credits.length === 0) {
        if (nowDay <= deadline) return PENDING;
        return [this.txFinding(j, receipts, credits, 'RECEIPT_WITHOUT_CREDIT',
          `credit missing: ${receipts.length > 0 ? 'receipt' : 'journal'} ${formatAmount(j.amount, j.currency)} approved on ${isoDay(this.txDay(j))}, no credit by ${isoDay(deadline)}`,
          Causes.acquirerOmitted, Actions.askCredit)];
      }
      return this.paid(j, receipts, credits, deadline);
    }
    if (j.reversal !== null) {
      const byGateway = GATEWAY_REVERSALS.has(j.reversal);
      const amount = formatAmount(j.amount, j.currency);
      if (j.reversalState === 'abandoned') {
        if (credits.length > 0) {
          const c = credits[0];
          return [this.txFinding(j, receipts, credits, 'REVERSAL_ABANDONED',
            `reversal missing: gateway reversal of ${amount} abandoned, acquirer credit ${formatAmount(c.amount, c.currency)} on ${c.settlementDate}`,
            Causes.reversalAbandoned, Actions.refundOrConfirm)];
        }
        if (!claimed || !byGateway) return NONE;
        if (nowDay <= deadline) return PENDING;
        return [this.txFinding(j, receipts, credits, 'RECEIPT_WITHOUT_CREDIT',
          `credit missing: receipt ${amount} approved, gateway reversal abandoned and no credit by ${isoDay(deadline)}`,
          Causes.abandonedUnpaid, Actions.checkCharged)];
      }
      if (credits.length > 0) {
        // a reversal still being retried may yet take the credit back: wait for its outcome
        if (j.reversalState === 'pending') return WAITING;
        return [this.paidUnexpectedly(j, receipts, credits, 'reversed', Causes.paidReversed)];
      }
      if (!claimed || !byGateway) return NONE;
      const pending = j.reversalState === 'pending';
      return [this.txFinding(j, receipts, credits, 'RECEIPT_WITHOUT_CREDIT',
        `approval differs: receipt approved ${amount}, gateway journal ${j.state === 'approved' ? 'approved late' : 'timed out'} and ${pending ? 'reversing' : 'reversed'}`,
        pending ? Causes.printedWhileReversing : Causes.printedAfterTimeout, Actions.askAgain)];
    }
    if (j.state === 'forwarding') return WAITING;
    if (credits.length > 0) {
      if (j.state === 'approved') {
        const voided = j.mti.startsWith('02');
        return [this.paidUnexpectedly(j, receipts, credits, voided ? 'voided' : 'not captured', voided ? Causes.paidVoided : Causes.paidUncaptured)];
      }
      return [this.paidUnexpectedly(j, receipts, credits, this.stateWords(j), Causes.paidDeclined)];
    }
    if (!claimed || j.state === 'approved') return NONE;
    const cause =
      j.state === 'declined' ? Causes.printedDeclined : j.state === 'not_sent' ? Causes.printedNotSent : j.state === 'rejected' ? Causes.printedRejected : Causes.printedTimedOut;
    return [this.txFinding(j, receipts, credits, 'RECEIPT_WITHOUT_CREDIT',
      `approval differs: receipt approved ${formatAmount(j.amount, j.currency)}, gateway journal ${this.stateWords(j)}`, cause, Actions.checkTerminal)];
  }

  /** The EXPECTED view of a sale waiting for its credit (computed on demand, never stored). */
  expected(j: JournalEntry, receipts: readonly Receipt[]): Finding {
    return this.txFinding(j, receipts, [], 'EXPECTED',
      `credit pending: ${formatAmount(j.amount, j.currency)} due by ${isoDay(this.deadline(j))}`, Causes.inWindow, Actions.wait);
  }

  /** An approved, captured sale with at least one credit. */
  private paid(j: JournalEntry, receipts: readonly Receipt[], credits: readonly Credit[], deadline: number): readonly Finding[] {
    const first = credits[0];
    let out: Finding[] | undefined;
    if (credits.length > 1) {
      const surplus = credits.slice(1).map(creditRef);
      const where = credits.map((c) => `report ${c.reportId} line ${c.line} on ${c.settlementDate}`).join(', ');
      const f = this.txFinding(j, receipts, credits, 'DUPLICATE',
        `credit repeated: ${formatAmount(first.amount, first.currency)} credited ${credits.length} times (${where})`, Causes.creditedTwice, Actions.returnSurplus);
      f.surplus = surplus;
      (out ??= []).push(f);
    }
    const mismatch = this.amountMismatch(j, receipts, first);
    if (mismatch !== undefined) (out ??= []).push(mismatch);
    const paidOn = this.creditDay(first);
    if (paidOn > deadline) {
      (out ??= []).push(this.txFinding(j, receipts, credits, 'LATE_CREDIT',
        `credit date differs: due by ${isoDay(deadline)}, credited on ${first.settlementDate}`, Causes.paidLate, Actions.none));
    }
    return out ?? NONE;
  }

  /** Receipt against journal, then journal against the credit: amount, currency and record type. */
  private amountMismatch(j: JournalEntry, receipts: readonly Receipt[], c: Credit): Finding | undefined {
    const parts: string[] = [];
    let variance = 0;
    let cause: string = Causes.creditAmount;
    let action: string = Actions.askCorrection;
    let severity: Severity = 'medium';
    for (const r of receipts) {
      if (r.amount !== j.amount) {
        parts.push(`amount differs: receipt ${formatAmount(r.amount, r.currency)}, journal ${formatAmount(j.amount, j.currency)}`);
        variance = Math.max(variance, Math.abs(r.amount - j.amount));
        cause = Causes.receiptAmount;
        action = Actions.checkReceipt;
        break;
      }
    }
    const expectRecord = isRefund(j) ? 'DEBIT' : 'CREDIT';
    if (c.record !== expectRecord) {
      parts.push(`record differs: journal ${isRefund(j) ? 'refund' : 'sale'}, credit ${c.record}`);
      variance = Math.max(variance, 2 * c.amount);
      cause = Causes.recordType;
      action = Actions.askRecord;
      severity = 'high';
    } else if (c.currency !== j.currency) {
      parts.push(`currency differs: journal ${j.currency}, credit ${c.currency}`);
      variance = Math.max(variance, Math.abs(c.amount - j.amount), 1);
      severity = 'high';
    } else if (c.amount !== j.amount) {
      const agree = receipts.length > 0 && receipts.every((r) => r.amount === j.amount);
      parts.push(`amount differs: ${agree ? 'receipt' : 'journal'} ${formatAmount(j.amount, j.currency)}, credit ${formatAmount(c.amount, c.currency)}`);
      variance = Math.max(variance, Math.abs(c.amount - j.amount));
      cause = Causes.creditAmount;
      action = Actions.askCorrection;
      // underpaid hurts the merchant; overpaid will be taken back
      if (c.amount < j.amount) severity = 'high';
    }
    if (parts.length === 0) return undefined;
    const f = this.txFinding(j, receipts, [c], 'AMOUNT_MISMATCH', parts.join('; '), cause, action);
    f.severity = severity;
    f.variance = variance;
    return f;
  }

  private paidUnexpectedly(j: JournalEntry, receipts: readonly Receipt[], credits: readonly Credit[], words: string, cause: string): Finding {
    const c = credits[0];
    return this.txFinding(j, receipts, credits, 'CREDIT_WITHOUT_RECEIPT',
      `approval differs: acquirer credit ${formatAmount(c.amount, c.currency)} on ${c.settlementDate}, gateway journal ${words}`, cause, Actions.askWhich);
  }

  private stateWords(j: JournalEntry): string {
    switch (j.state) {
      case 'declined':
        return j.responseCode ? `declined (response ${j.responseCode})` : 'declined';
      case 'not_sent':
        return 'not sent to any acquirer';
      case 'rejected':
        return j.responseCode ? `rejected by the gateway (response ${j.responseCode})` : 'rejected by the gateway';
      case 'timed_out':
        return 'timed out';
      default:
        return j.state;
    }
  }

  private txFinding(
    j: JournalEntry, receipts: readonly Receipt[], credits: readonly Credit[], cls: CaseClass, explanation: string, likelyCause: string, suggestedAction: string,
  ): Finding {
    return {
      class: cls,
      severity: SEVERITY[cls],
      subject: Subject.tx(j.rrn),
      keys: txKeys(j),
      explanation,
      likelyCause,
      suggestedAction,
      refs: { journalId: j.id, credits: credits.map(creditRef), receipts: receipts.length },
      variance: null,
      surplus: [],
    };
  }

  /** A receipt no journal entry matches. `conflict`: the journal entry with its terminal key that disagrees with it. */
  receipt(r: Receipt, conflict: JournalEntry | undefined): readonly Finding[] {
    const amount = formatAmount(r.amount, r.currency);
    const where = `terminal ${r.terminalId} batch ${r.batchNo} STAN ${r.stan}`;
    let cls: CaseClass;
    let explanation: string;
    let cause: string;
    let action: string;
    if (conflict !== undefined) {
      cls = 'RECEIPT_WITHOUT_CREDIT';
      const rrnDiffers = r.rrn != null && r.rrn !== '' && r.rrn !== conflict.rrn;
      explanation = rrnDiffers
        ? `RRN differs: receipt ${r.rrn}, journal ${conflict.rrn}`
        : `auth code differs: receipt ${r.authCode}, journal ${conflict.authCode}`;
      cause = Causes.conflictsJournal;
      action = Actions.treatSuspect;
    } else if (r.kind === 'offline') {
      cls = 'OFFLINE_NOT_UPLOADED';
      explanation = `offline sale missing: receipt ${amount}${r.authCode ? ` with auth code ${r.authCode}` : ''} from ${where}, no advice in the gateway journal`;
      cause = Causes.offlineNotSent;
      action = Actions.sendAdvice;
    } else {
      cls = 'RECEIPT_WITHOUT_CREDIT';
      explanation = `${r.kind} missing: receipt ${amount} from ${where}, no such ${r.kind} in the gateway journal`;
      cause = Causes.notInJournal;
      action = Actions.treatSuspect;
    }
    return [{
      class: cls,
      severity: SEVERITY[cls],
      subject: Subject.receipt(r.terminalId, r.batchNo, r.localDate, r.stan),
      keys: {
        merchantId: r.merchantId,
        terminalId: r.terminalId,
        batchNo: r.batchNo,
        stan: r.stan,
        localDate: r.localDate,
        rrn: r.rrn ?? null,
        authCode: r.authCode ?? null,
        amount: r.amount,
        currency: r.currency,
      },
      explanation,
      likelyCause: cause,
      suggestedAction: action,
      refs: { journalId: conflict?.id ?? null, credits: [], receipts: 1 },
      variance: null,
      surplus: [],
    }];
  }

  /** A credit no journal entry matches. `other`: the entry with its RRN at another merchant. */
  credit(c: Credit, other: JournalEntry | undefined): readonly Finding[] {
    const amount = formatAmount(c.amount, c.currency);
    const explanation = other !== undefined
      ? `merchant differs: credit ${c.merchantId}, journal ${other.merchantId} for RRN ${c.rrn}`
      : `sale missing: acquirer credit ${amount}${c.rrn ? ` with RRN ${c.rrn}` : ''} on ${c.settlementDate}, no such sale in the gateway journal`;
    return [{
      class: 'CREDIT_WITHOUT_RECEIPT',
      severity: SEVERITY.CREDIT_WITHOUT_RECEIPT,
      subject: Subject.credit(c.reportId, c.line),
      keys: {
        merchantId: c.merchantId,
        terminalId: c.terminalId,
        batchNo: null,
        stan: null,
        localDate: null,
        rrn: c.rrn,
        authCode: c.authCode,
        amount: c.amount,
        currency: c.currency,
      },
      explanation,
      likelyCause: other !== undefined ? Causes.otherMerchant : Causes.unknownRrn,
      suggestedAction: Actions.askWhich,
      refs: { journalId: null, credits: [creditRef(c)], receipts: 0 },
      variance: null,
      surplus: [],
    }];
  }

  batch(b: Batch, now: number): readonly Finding[] {
    let out: Finding[] | undefined;
    const subject = Subject.batch(b.terminalId, b.batchNo);
    const keys: CaseKeys = {
      merchantId: b.merchantId,
      terminalId: b.terminalId,
      batchNo: b.batchNo,
      stan: null,
      localDate: null,
      rrn: null,
      authCode: null,
      amount: b.terminalTotals?.saleAmount ?? null,
      currency: null,
    };
    const refs = { journalId: null, credits: [], receipts: 0 };
    if (b.status === 'out_of_balance') {
      const host = b.hostTotals ?? b.uploadTotals ?? null;
      const differs = b.terminalTotals !== null && host !== null ? totalsDiffer(b.terminalTotals, host, b.hostTotals !== null ? 'host' : 'upload') : [];
      (out ??= []).push({
        class: 'OUT_OF_BALANCE', severity: SEVERITY.OUT_OF_BALANCE, subject, keys,
        explanation: differs.length > 0 ? differs.join('; ') : 'totals differ: terminal and host totals did not balance after the upload',
        likelyCause: Causes.outOfBalance, suggestedAction: Actions.sendUpload, refs, variance: null, surplus: [],
      });
    }
    if (b.status === 'open' && now - b.openedAt > this.options.batchStaleAfterMs) {
      const off = this.options.utcOffsetMinutes;
      (out ??= []).push({
        class: 'STALE_OPEN_BATCH', severity: SEVERITY.STALE_OPEN_BATCH, subject, keys,
        explanation: `batch still open: opened ${localStamp(b.openedAt, off)}, due to close by ${localStamp(b.openedAt + this.options.batchStaleAfterMs, off)}`,
        likelyCause: Causes.staleBatch, suggestedAction: Actions.settleBatch, refs, variance: null, surplus: [],
      });
    }
    return out ?? NONE;
  }
}

/** "sale amount differs: terminal 1234.00, host 1230.00" for each total that differs. */
function totalsDiffer(t: Totals, h: Totals, side: string): string[] {
  const out: string[] = [];
  if (t.saleCount !== h.saleCount) out.push(`sale count differs: terminal ${t.saleCount}, ${side} ${h.saleCount}`);
  if (t.saleAmount !== h.saleAmount) out.push(`sale amount differs: terminal ${formatAmount(t.saleAmount, null)}, ${side} ${formatAmount(h.saleAmount, null)}`);
  if (t.refundCount !== h.refundCount) out.push(`refund count differs: terminal ${t.refundCount}, ${side} ${h.refundCount}`);
  if (t.refundAmount !== h.refundAmount) out.push(`refund amount differs: terminal ${formatAmount(t.refundAmount, null)}, ${side} ${formatAmount(h.refundAmount, null)}`);
  return out;
}
