import type { FeedEvent, NewFeedEvent } from '../feed/types.js';
import type { JournalError } from './errors.js';

/**
 * The journal: the gateway's durable truth. One asynchronous interface with one contract test suite
 * (test/gateway/store/contract.ts), so a PostgreSQL adapter can follow without touching the flow.
 *
 * A write's promise resolves only once the write is durable (committed and synced); writes made in the same turn of
 * the event loop commit together (group commit). No full PAN, track data, CVV or PIN block ever reaches the store:
 * cards are kept as a keyed hash plus the masked PAN.
 */

/**
 * What an adapter tells of itself, for metrics, /health and the alerts: its commits and syncs (SQLite on the event
 * loop), and its failures.
 */
export interface JournalObserver {
  committed(writes: number): void;
  synced(ms: number): void;
  /** The journal stopped taking writes (a failed sync), once. */
  failed?(error: JournalError): void;
  /** A write or a commit failed for the file's or the server's sake (disk full, I/O error, connection lost), not for its data's: it was not journaled. */
  writeFailed?(error: unknown): void;
  /** A commit went through after such failures. */
  writesResumed?(): void;
}

/** Where a terminal request stands. */
export const TxStates = [
  'forwarding', // journaled and sent (or about to be) upstream, no reply yet
  'approved',
  'declined',
  'timed_out', // outcome unknown upstream: answered 91 to the terminal, reversal queued
  'not_sent', // the acquirer link was down: answered 91, nothing upstream to undo
  'rejected', // answered by the gateway itself (format error, unknown original, ...)
] as const;
export type TxState = (typeof TxStates)[number];

/** Terminal-side identity of a request: the duplicate key of the domain briefing, plus the MTI class. */
export interface TxKey {
  terminalId: string;
  batchNo: string;
  stan: string;
  localDate: string;
  /** First two digits of the MTI: "01" authorization, "02" financial, "02" advice is "02" too (0220). */
  mtiClass: string;
}

export interface NewTransaction extends TxKey {
  merchantId: string;
  mti: string;
  procCode: string;
  localTime: string;
  invoice: string | null;
  /** Minor units. */
  amount: number;
  currency: string;
  panHash: string | null;
  panMasked: string | null;
  entryMode: string | null;
  /** A digest of the request's content: the same key with another fingerprint is a different request (94). */
  fingerprint: string;
  acquirerId: string | null;
  /** How the acquirer was chosen: the routing rule and every acquirer tried, in order ("visa-first: a>b"). */
  route: string | null;
  upstreamStan: string | null;
  /** Gateway-assigned retrieval reference number, unique. */
  rrn: string;
  /** Field 7 of the upstream request (MMDDhhmmss), part of the original data elements (field 90). */
  transmittedAt: string | null;
  state: TxState;
  responseCode: string | null;
  authCode: string | null;
  captured: boolean;
  /** For voids and completions: the transaction they act on. */
  originalId: number | null;
  createdAt: number;
}

export interface TxRecord extends NewTransaction {
  id: number;
  updatedAt: number;
  /** Set when a reversal of this transaction was queued (timeout, late reply, terminal reversal, recovery). */
  reversal: ReversalReason | null;
  /** A reply that came after the deadline, kept for the record. */
  lateResponseCode: string | null;
}

export interface TxOutcome {
  state: TxState;
  responseCode: string | null;
  authCode?: string | null;
  captured?: boolean;
  at: number;
}

export const ReversalReasons = ['timeout', 'late', 'terminal', 'void', 'recovery', 'disconnected'] as const;
export type ReversalReason = (typeof ReversalReasons)[number];

/** A store-and-forward item: a reversal to deliver to the acquirer that holds the original. */
export interface SafItem {
  id: number;
  txId: number;
  acquirerId: string;
  reason: ReversalReason;
  /** 0400 first, 0401 (repeat) after the first attempt. */
  attempts: number;
  nextAttemptAt: number;
  state: 'pending' | 'done' | 'abandoned';
  lastResult: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface SafStats {
  depth: number;
  oldestCreatedAt: number | null;
}

export const BatchStatuses = ['open', 'balanced', 'balanced_after_upload', 'out_of_balance'] as const;
export type BatchStatus = (typeof BatchStatuses)[number];

/** Counts and amounts (minor units) of a batch: sales and refunds. */
export interface Totals {
  saleCount: number;
  saleAmount: number;
  refundCount: number;
  refundAmount: number;
}

export interface BatchRecord {
  terminalId: string;
  batchNo: string;
  merchantId: string;
  status: BatchStatus;
  /** What the terminal said at its 0500 (null until then). */
  terminalTotals: Totals | null;
  /** What the batch upload added up to (null without an upload). */
  uploadTotals: Totals | null;
  openedAt: number;
  closedAt: number | null;
  /** STAN of the 0500 that closed the batch: its resend (a lost reply) gets the same answer, not 80. */
  closedByStan: string | null;
}

/** A receipt as the terminal printed it, from its 0320 batch upload. Kept even without a matching authorization. */
export interface UploadRecord {
  terminalId: string;
  merchantId: string;
  batchNo: string;
  originalMti: string;
  originalStan: string;
  procCode: string;
  amount: number;
  currency: string;
  rrn: string | null;
  authCode: string | null;
  panHash: string | null;
  panMasked: string | null;
  localDate: string | null;
  localTime: string | null;
  invoice: string | null;
  /** The journal's transaction for this receipt, when there is one. */
  matchedTxId: number | null;
  createdAt: number;
}

/** A problem the gateway found on its own and recorded for reconciliation and alerts. */
export interface ExceptionRecord {
  kind: 'REVERSAL_ABANDONED';
  txId: number | null;
  terminalId: string | null;
  merchantId: string | null;
  detail: string;
  createdAt: number;
}

/** One line of an imported settlement report: what the acquirer paid (CREDIT), took back (DEBIT) or paid out. */
export interface CreditRecord {
  reportId: string;
  line: number;
  record: 'CREDIT' | 'DEBIT' | 'PAYOUT';
  acquirerId: string;
  settlementDate: string;
  merchantId: string;
  terminalId: string | null;
  rrn: string | null;
  authCode: string | null;
  panMasked: string | null;
  amount: number;
  currency: string;
  transactionDate: string | null;
  fee: number;
  netAmount: number;
}

export interface ReportSummary {
  reportId: string;
  acquirerId: string;
  settlementDate: string;
  lines: number;
  importedAt: number;
}

/**
 * A receipt a terminal printed, from a source other than its batch upload: a receipt export the merchant uploaded.
 * One per terminal, batch, STAN and local date: the same receipt uploaded again is kept once.
 */
export interface ReceiptRecord {
  terminalId: string;
  merchantId: string;
  batchNo: string;
  stan: string;
  /** MMDD, as field 13 of the terminal's request. */
  localDate: string;
  kind: 'sale' | 'refund' | 'offline';
  /** Minor units. */
  amount: number;
  currency: string;
  rrn: string | null;
  authCode: string | null;
  panMasked: string | null;
  invoice: string | null;
  source: 'export';
  createdAt: number;
}

/** A reconciliation case as kept: the columns to find it by and the whole case as JSON (`data`). */
export interface CaseRow {
  id: string;
  merchantId: string | null;
  class: string;
  status: string;
  data: string;
  updatedAt: number;
}

export interface Store {
  init(): Promise<void>;
  /**
   * Why the journal takes no more writes for good (a failed sync of its files: restart the gateway); undefined while
   * it takes them. An adapter whose writes can only fail one by one has none.
   */
  failure?(): JournalError | undefined;
  close(): Promise<void>;

  /** Journals a new request; rejects with a DuplicateKeyError if its key is taken (the flow checks first). */
  insertTransaction(tx: NewTransaction): Promise<TxRecord>;
  findTransaction(key: TxKey): Promise<TxRecord | undefined>;
  getTransaction(id: number): Promise<TxRecord | undefined>;
  findByRrn(rrn: string): Promise<TxRecord | undefined>;
  /** The captured sale or refund of a terminal's batch with this invoice number (for voids). */
  findByInvoice(terminalId: string, batchNo: string, invoice: string): Promise<TxRecord | undefined>;
  recordOutcome(id: number, outcome: TxOutcome): Promise<void>;
  /** Takes a transaction out of its batch (voided) or puts it back (its void reversed). */
  setCaptured(id: number, captured: boolean, at: number): Promise<void>;
  recordLateReply(id: number, responseCode: string, at: number): Promise<void>;
  /** Moves a request that was never sent to another acquirer (failover): new upstream ids and route. */
  reassign(id: number, acquirerId: string, upstreamStan: string, transmittedAt: string, route: string, at: number): Promise<void>;
  /** Requests journaled as sent upstream with no recorded reply: what recovery must reverse. */
  inFlight(): Promise<TxRecord[]>;
  /** The highest RRN sequence used so far, so RRNs stay unique across restarts. */
  lastRrnSequence(): Promise<number>;

  /** Queues a reversal and marks the transaction, in one commit; idempotent per transaction (returns the existing item). */
  queueReversal(txId: number, acquirerId: string, reason: ReversalReason, at: number): Promise<SafItem>;
  /** Pending items of an acquirer due at `now`, oldest first. */
  dueSaf(acquirerId: string, now: number, limit: number): Promise<SafItem[]>;
  /** Pending items of an acquirer whatever their due time, oldest first (for backlog views). */
  pendingSaf(acquirerId?: string): Promise<SafItem[]>;
  updateSaf(id: number, patch: Partial<Pick<SafItem, 'attempts' | 'nextAttemptAt' | 'state' | 'lastResult'>>, at: number): Promise<void>;
  safStats(): Promise<SafStats>;

  getBatch(terminalId: string, batchNo: string): Promise<BatchRecord | undefined>;
  /** Opens the batch if it does not exist yet; returns it either way. */
  openBatch(terminalId: string, batchNo: string, merchantId: string, at: number): Promise<BatchRecord>;
  /** Totals of the captured transactions of a batch, from the journal. */
  journalTotals(terminalId: string, batchNo: string): Promise<Totals>;
  setTerminalTotals(terminalId: string, batchNo: string, totals: Totals): Promise<void>;
  closeBatch(terminalId: string, batchNo: string, status: BatchStatus, at: number, stan: string): Promise<void>;
  openBatches(): Promise<BatchRecord[]>;
  /** Every batch, open or closed, or those opened or closed at or after `since` (for reconciliation). */
  batches(since?: number): Promise<BatchRecord[]>;
  /**
   * Transactions inserted or changed after change number `after` (-1: all), in the order of their last change, at
   * most `limit`; `last` is the change number to ask after next time (`after` when there were none).
   */
  changedTransactions(after: number, limit: number): Promise<{ rows: TxRecord[]; last: number }>;
  /** Every journaled transaction, or those updated at or after `since`, in id order (a full read, for tests: readers page through changedTransactions). */
  transactions(since?: number): Promise<TxRecord[]>;

  addUpload(upload: UploadRecord): Promise<void>;
  addException(e: ExceptionRecord): Promise<void>;
  /** Imports a settlement report in one commit; a report already imported changes nothing (returns false). */
  importReport(summary: Omit<ReportSummary, 'importedAt'>, lines: CreditRecord[], at: number): Promise<boolean>;
  reports(): Promise<ReportSummary[]>;
  credits(reportId?: string): Promise<CreditRecord[]>;
  /** Every exception, or those recorded at or after `since`. */
  exceptions(since?: number): Promise<ExceptionRecord[]>;
  /** Store-and-forward items in any state created or updated at or after `since`, in id order (for reconciliation). */
  safSince(since: number): Promise<SafItem[]>;
  /** Batch uploads received at or after `since`, in the order they came (for reconciliation). */
  uploadsSince(since: number): Promise<UploadRecord[]>;
  /** Batch uploads after row `after` (0: from the first), in the order they came, at most `limit`; `last` as for changedTransactions. */
  uploadsAfter(after: number, limit: number): Promise<{ rows: UploadRecord[]; last: number }>;
  uploads(terminalId: string, batchNo: string): Promise<UploadRecord[]>;
  uploadTotals(terminalId: string, batchNo: string): Promise<Totals>;

  /** Keeps receipts in one commit, each unless its terminal, batch, STAN and date are kept already; returns how many were new. */
  addReceipts(receipts: ReceiptRecord[]): Promise<number>;
  /** Kept receipts, or those kept at or after `since`, in the order they came. */
  receipts(since?: number): Promise<ReceiptRecord[]>;
  /** Kept receipts after row `after` (0: from the first), in the order they came, at most `limit`; `last` as for changedTransactions. */
  receiptsAfter(after: number, limit: number): Promise<{ rows: ReceiptRecord[]; last: number }>;

  /** Inserts or replaces reconciliation cases by id, in one commit. */
  saveCases(cases: CaseRow[]): Promise<void>;
  /** Every kept case, in id order. */
  loadCases(): Promise<CaseRow[]>;

  /**
   * Journals feed events in the turn's commit, numbering each (global `id`, per-merchant `seq` without gaps) in the
   * order given; resolves with the numbered events once durable.
   */
  appendEvents(events: NewFeedEvent[]): Promise<FeedEvent[]>;
  /** Up to `limit` events after a cursor: one merchant's by `seq`, or (null) every merchant's by global `id`. */
  eventsSince(merchantId: string | null, after: number, limit: number): Promise<FeedEvent[]>;
  /** The last `seq` of a merchant, or (null) the last global `id`; 0 when there is none. */
  lastEventSeq(merchantId: string | null): Promise<number>;
}

export class DuplicateKeyError extends Error {
  constructor(readonly key: TxKey) {
    super(`a transaction with key ${key.terminalId}/${key.batchNo}/${key.stan}/${key.localDate}/${key.mtiClass} is already journaled`);
    this.name = 'DuplicateKeyError';
  }
}
