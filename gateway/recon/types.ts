/**
 * The three views the reconciliation engine matches (what the terminal printed, what the gateway journaled, what the
 * acquirer paid), the batches, and the cases it gives out. Amounts are integer minor units throughout.
 */
import type { BatchStatus, ReversalReason, Totals, TxState } from '../store/types.js';

export const ReceiptKinds = ['sale', 'refund', 'offline'] as const;
export type ReceiptKind = (typeof ReceiptKinds)[number];

/** Where a receipt came from: a 0320 batch upload, an 0220 advice, or a receipt export the merchant uploaded. */
export const ReceiptSources = ['upload', 'advice', 'export'] as const;
export type ReceiptSource = (typeof ReceiptSources)[number];

/** What the terminal printed. */
export interface Receipt {
  terminalId: string;
  merchantId: string;
  batchNo: string;
  stan: string;
  /** Field 13 of the terminal's request: MMDD. */
  localDate: string;
  rrn?: string | null;
  authCode?: string | null;
  amount: number;
  currency: string;
  panMasked?: string | null;
  kind: ReceiptKind;
  source?: ReceiptSource;
}

export const ReversalStates = ['pending', 'done', 'abandoned'] as const;
export type ReversalState = (typeof ReversalStates)[number];

/** What the gateway journaled: the part of a TxRecord reconciliation needs, plus the state of its reversal. */
export interface JournalEntry {
  id: number;
  terminalId: string;
  merchantId: string;
  batchNo: string;
  stan: string;
  localDate: string;
  /** "0200", "0220", "0100": receipts match financial ("02..") entries only. */
  mti: string;
  procCode: string;
  /** The gateway's RRN (field 37 it sent upstream): the key to the acquirer's credits. */
  rrn: string;
  authCode: string | null;
  amount: number;
  currency: string;
  state: TxState;
  responseCode?: string | null;
  captured: boolean;
  reversal: ReversalReason | null;
  /** The store-and-forward item of that reversal; null when there is none. */
  reversalState: ReversalState | null;
  acquirerId: string | null;
  createdAt: number;
  /** A newer version of the same id replaces an older one; createdAt stands in when absent. */
  updatedAt?: number;
}

export const CreditRecords = ['CREDIT', 'DEBIT'] as const;
export type CreditRecord = (typeof CreditRecords)[number];

/** One CREDIT or DEBIT line of an acquirer's settlement report (PAYOUT lines are totals, not credits). */
export interface Credit {
  reportId: string;
  /** Line number in the report: with reportId, the credit's identity (the same line imported twice is one credit). */
  line: number;
  acquirerId: string;
  /** YYYY-MM-DD: the day the acquirer pays. */
  settlementDate: string;
  merchantId: string;
  terminalId: string | null;
  rrn: string | null;
  authCode: string | null;
  panMasked: string | null;
  amount: number;
  currency: string;
  /** YYYY-MM-DD: the day the acquirer approved it. */
  transactionDate: string | null;
  fee: number;
  net: number;
  record: CreditRecord;
}

/** A terminal's batch: its totals at the 0500, the journal's (host) totals and the upload's, side by side. */
export interface Batch {
  terminalId: string;
  batchNo: string;
  merchantId: string;
  status: BatchStatus;
  terminalTotals: Totals | null;
  hostTotals: Totals | null;
  uploadTotals?: Totals | null;
  openedAt: number;
  closedAt: number | null;
}

export interface ReconData {
  receipts?: Iterable<Receipt>;
  journal?: Iterable<JournalEntry>;
  credits?: Iterable<Credit>;
  batches?: Iterable<Batch>;
}

export const CaseClasses = [
  'RECEIPT_WITHOUT_CREDIT',
  'OFFLINE_NOT_UPLOADED',
  'REVERSAL_ABANDONED',
  'OUT_OF_BALANCE',
  'STALE_OPEN_BATCH',
  'DUPLICATE',
  'AMOUNT_MISMATCH',
  'CREDIT_WITHOUT_RECEIPT',
  'LATE_CREDIT',
  'EXPECTED',
] as const;
export type CaseClass = (typeof CaseClasses)[number];

export const Severities = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof Severities)[number];

export const CaseStatuses = ['open', 'acknowledged', 'resolved'] as const;
export type CaseStatus = (typeof CaseStatuses)[number];

export interface CreditRef {
  reportId: string;
  line: number;
  settlementDate: string;
  amount: number;
}

export interface AuditEntry {
  at: number;
  /** "recon" (the engine), "rule:<name>" (an automatic rule), or the person or token that acted. */
  actor: string;
  action: 'opened' | 'reclassified' | 'cleared' | 'reopened' | 'acknowledged' | 'resolved' | 'marked_for_refund' | 'note';
  note: string;
}

export interface Case {
  /** Stable: derived from the class family and the subject's keys, so every run names a case the same way. */
  id: string;
  /** What the case is about (an opaque key: the sale's RRN, a receipt's or a batch's terminal key, a report line). */
  subject: string;
  class: CaseClass;
  severity: Severity;
  merchantId: string | null;
  terminalId: string | null;
  batchNo: string | null;
  stan: string | null;
  localDate: string | null;
  rrn: string | null;
  authCode: string | null;
  amount: number | null;
  currency: string | null;
  /** One sentence naming the differing field and both values. */
  explanation: string;
  likelyCause: string;
  suggestedAction: string;
  status: CaseStatus;
  resolution: { reason: string; by: string; at: number } | null;
  /** A person set the status: the automatic rules leave it alone from then on. */
  manual: boolean;
  /** The data no longer shows the discrepancy (the missing record arrived, the batch closed). */
  cleared: boolean;
  /** DUPLICATE under the duplicate-refund rule: the surplus credits are to be given back. */
  markedForRefund: boolean;
  refs: { journalId: number | null; credits: CreditRef[]; receipts: number };
  openedAt: number;
  updatedAt: number;
  audit: AuditEntry[];
}

export interface SettlementWindow {
  /** T+n: the acquirer pays n days after the transaction day. */
  settleAfterDays: number;
  /** Days past that before a missing credit is an exception. */
  graceDays: number;
}

export interface ReconRules {
  /** A sale credited twice: the surplus credits are marked for refund (status acknowledged). */
  duplicateRefund: boolean;
  /** An amount variance of at most this many minor units is accepted (case resolved); null: off. */
  amountTolerance: number | null;
  /** A missing credit that arrives late closes its case as LATE_CREDIT. */
  lateCreditCloses: boolean;
}

export interface ReconOptions {
  /** Settlement window per acquirer id. */
  acquirers?: Record<string, SettlementWindow>;
  /** For acquirers not listed, and entries without one. Default T+1 plus one day of grace. */
  defaultWindow?: SettlementWindow;
  /** The gateway's local time zone: days (transaction day, settlement day) begin at local midnight. Default 0 (UTC). */
  utcOffsetMinutes?: number;
  /** A batch open longer than this is stale. Default 24 h. */
  batchStaleAfterMs?: number;
  rules?: Partial<ReconRules>;
}
