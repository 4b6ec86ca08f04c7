import type { FeedEvent, FeedEventType, NewFeedEvent } from '../feed/types.js';
import type { BatchRecord, BatchStatus, CaseRow, CreditRecord, ExceptionRecord, NewTransaction, ReceiptRecord, ReportSummary, ReversalReason, SafItem, Totals, TxRecord, UploadRecord } from './types.js';

/**
 * Rows of either journal as the Store interface's records: the two schemas share their column names; SQLite keeps
 * booleans as 0/1, PostgreSQL as booleans (and its BIGINTs arrive as numbers, see postgres.ts).
 */

export type Row = Record<string, unknown>;

export function optional<T>(row: unknown, map: (r: Row) => T): T | undefined {
  return row === undefined ? undefined : map(row as Row);
}

/** A "since" time as a query bound: none (undefined, -Infinity) reads everything; both journals take safe integers. */
export function sinceBound(since: number | undefined): number {
  if (since === undefined || Number.isNaN(since)) return Number.MIN_SAFE_INTEGER;
  return Math.min(Math.max(Math.ceil(since), Number.MIN_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
}

/** A page of rows read by id after `after`, as records, with the last id read (`after` when none). */
export function byId<T>(rows: Row[], after: number, to: (row: Row) => T): { rows: T[]; last: number } {
  return { rows: rows.map(to), last: rows.length === 0 ? after : Number(rows[rows.length - 1].id) };
}

/** RRNs are a 4-digit date prefix and an 8-digit sequence; the sequence alone is unique and increasing. */
export function rrnSequence(rrn: string): number {
  return Number(rrn.slice(-8)) || 0;
}

/** A transaction as just inserted, without reading it back; spread last: the fast form of such a literal on Node 20. */
export function insertedTx(tx: NewTransaction, id: number): TxRecord {
  return { id, updatedAt: tx.createdAt, reversal: null, lateResponseCode: null, ...tx };
}

/** A feed event as just appended, with the numbers the journal gave it. */
export function appendedEvent(e: NewFeedEvent, id: number, seq: number): FeedEvent {
  return { id, seq, ...e };
}

export function toTx(r: Row): TxRecord {
  return {
    id: r.id as number,
    terminalId: r.terminal_id as string,
    batchNo: r.batch_no as string,
    stan: r.stan as string,
    localDate: r.local_date as string,
    mtiClass: r.mti_class as string,
    merchantId: r.merchant_id as string,
    mti: r.mti as string,
    procCode: r.proc_code as string,
    localTime: r.local_time as string,
    invoice: r.invoice as string | null,
    amount: r.amount as number,
    currency: r.currency as string,
    panHash: r.pan_hash as string | null,
    panMasked: r.pan_masked as string | null,
    entryMode: r.entry_mode as string | null,
    fingerprint: r.fingerprint as string,
    acquirerId: r.acquirer_id as string | null,
    route: r.route as string | null,
    upstreamStan: r.upstream_stan as string | null,
    rrn: r.rrn as string,
    transmittedAt: r.transmitted_at as string | null,
    state: r.state as TxRecord['state'],
    responseCode: r.response_code as string | null,
    authCode: r.auth_code as string | null,
    captured: r.captured === true || r.captured === 1,
    originalId: r.original_id as number | null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    reversal: r.reversal as TxRecord['reversal'],
    lateResponseCode: r.late_response_code as string | null,
  };
}

export function toSaf(r: Row): SafItem {
  return {
    id: r.id as number,
    txId: r.tx_id as number,
    acquirerId: r.acquirer_id as string,
    reason: r.reason as ReversalReason,
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as number,
    state: r.state as SafItem['state'],
    lastResult: r.last_result as string | null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

export function toTotals(r: Row): Totals {
  return {
    saleCount: r.sale_count as number,
    saleAmount: r.sale_amount as number,
    refundCount: r.refund_count as number,
    refundAmount: r.refund_amount as number,
  };
}

export function toBatch(r: Row): BatchRecord {
  return {
    terminalId: r.terminal_id as string,
    batchNo: r.batch_no as string,
    merchantId: r.merchant_id as string,
    status: r.status as BatchStatus,
    terminalTotals: r.terminal_totals ? (JSON.parse(r.terminal_totals as string) as Totals) : null,
    uploadTotals: r.upload_totals ? (JSON.parse(r.upload_totals as string) as Totals) : null,
    openedAt: r.opened_at as number,
    closedAt: r.closed_at as number | null,
    closedByStan: r.closed_by_stan as string | null,
  };
}

export function toUpload(r: Row): UploadRecord {
  return {
    terminalId: r.terminal_id as string,
    merchantId: r.merchant_id as string,
    batchNo: r.batch_no as string,
    originalMti: r.original_mti as string,
    originalStan: r.original_stan as string,
    procCode: r.proc_code as string,
    amount: r.amount as number,
    currency: r.currency as string,
    rrn: r.rrn as string | null,
    authCode: r.auth_code as string | null,
    panHash: r.pan_hash as string | null,
    panMasked: r.pan_masked as string | null,
    localDate: r.local_date as string | null,
    localTime: r.local_time as string | null,
    invoice: r.invoice as string | null,
    matchedTxId: r.matched_tx_id as number | null,
    createdAt: r.created_at as number,
  };
}

export function toEvent(r: Row): FeedEvent {
  return {
    id: r.id as number,
    seq: r.seq as number,
    merchantId: r.merchant_id as string,
    type: r.type as FeedEventType,
    at: r.at as number,
    data: JSON.parse(r.data as string) as Record<string, unknown>,
  };
}

export function toCase(r: Row): CaseRow {
  return {
    id: r.id as string,
    merchantId: r.merchant_id as string | null,
    class: r.class as string,
    status: r.status as string,
    data: r.data as string,
    updatedAt: r.updated_at as number,
  };
}

export function toReceipt(r: Row): ReceiptRecord {
  return {
    terminalId: r.terminal_id as string,
    merchantId: r.merchant_id as string,
    batchNo: r.batch_no as string,
    stan: r.stan as string,
    localDate: r.local_date as string,
    kind: r.kind as ReceiptRecord['kind'],
    amount: r.amount as number,
    currency: r.currency as string,
    rrn: r.rrn as string | null,
    authCode: r.auth_code as string | null,
    panMasked: r.pan_masked as string | null,
    invoice: r.invoice as string | null,
    source: r.source as ReceiptRecord['source'],
    createdAt: r.created_at as number,
  };
}

export function toCredit(r: Row): CreditRecord {
  return {
    reportId: r.report_id as string,
    line: r.line as number,
    record: r.record as CreditRecord['record'],
    acquirerId: r.acquirer_id as string,
    settlementDate: r.settlement_date as string,
    merchantId: r.merchant_id as string,
    terminalId: r.terminal_id as string | null,
    rrn: r.rrn as string | null,
    authCode: r.auth_code as string | null,
    panMasked: r.pan_masked as string | null,
    amount: r.amount as number,
    currency: r.currency as string,
    transactionDate: r.transaction_date as string | null,
    fee: r.fee as number,
    netAmount: r.net_amount as number,
  };
}

export function toReport(r: Row): ReportSummary {
  return {
    reportId: r.report_id as string,
    acquirerId: r.acquirer_id as string,
    settlementDate: r.settlement_date as string,
    lines: r.lines as number,
    importedAt: r.imported_at as number,
  };
}

export function toException(r: Row): ExceptionRecord {
  return {
    kind: r.kind as ExceptionRecord['kind'],
    txId: r.tx_id as number | null,
    terminalId: r.terminal_id as string | null,
    merchantId: r.merchant_id as string | null,
    detail: r.detail as string,
    createdAt: r.created_at as number,
  };
}
