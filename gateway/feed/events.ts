import type { Case } from '../recon/index.js';
import type { BatchStatus, CreditRecord, ReversalReason, Totals, TxRecord } from '../store/types.js';
import type { Alert, NewFeedEvent } from './types.js';

/** How a terminal request shows in the feed. */
export const TxKinds = ['purchase', 'refund', 'void', 'preauth', 'completion', 'offline'] as const;
export type TxKind = (typeof TxKinds)[number];

/** What a transaction event says of its journal row: ids, money, masked card; never the PAN (nor its hash). */
export type TxOfEvent = Pick<TxRecord, 'merchantId' | 'rrn' | 'terminalId' | 'batchNo' | 'stan' | 'mti' | 'procCode' | 'amount' | 'currency' | 'panMasked'>;

/** The outcome as the flow records it (the row's own columns may not say it yet). */
export interface TxOutcomeOfEvent {
  acquirerId: string | null;
  responseCode: string | null;
  authCode: string | null;
  /** The transaction a void or completion acts on. */
  originalRrn?: string | null;
}

/** Field 3's first two digits and the MTI class name what the terminal did. */
export function txKind(mti: string, procCode: string, hasOriginal: boolean): TxKind {
  const proc = procCode.slice(0, 2);
  if (proc === '02') return 'void';
  if (proc === '20') return 'refund';
  if (mti.startsWith('01')) return 'preauth';
  if (mti.startsWith('022')) return hasOriginal ? 'completion' : 'offline';
  return 'purchase';
}

/** Built once per authorization, straight from the row and its outcome. */
export function transactionEvent(
  type: 'transaction.approved' | 'transaction.declined' | 'transaction.reversed',
  tx: TxOfEvent,
  o: TxOutcomeOfEvent,
  at: number,
  reason?: ReversalReason,
): NewFeedEvent {
  const originalRrn = o.originalRrn ?? null;
  const data: Record<string, unknown> = {
    rrn: tx.rrn,
    terminalId: tx.terminalId,
    batchNo: tx.batchNo,
    stan: tx.stan,
    kind: txKind(tx.mti, tx.procCode, originalRrn !== null),
    amount: tx.amount,
    currency: tx.currency,
    panMasked: tx.panMasked,
    responseCode: o.responseCode,
    authCode: o.authCode,
    acquirerId: o.acquirerId,
    originalRrn,
  };
  if (reason !== undefined) data.reason = reason;
  return { merchantId: tx.merchantId, type, at, data };
}

function net(t: Totals): number {
  return t.saleAmount - t.refundAmount;
}

export function batchClosedEvent(
  b: { merchantId: string; terminalId: string; batchNo: string; status: BatchStatus; terminal: Totals; host: Totals; funded: Totals },
  at: number,
): NewFeedEvent {
  return {
    merchantId: b.merchantId,
    type: 'batch.closed',
    at,
    data: {
      terminalId: b.terminalId,
      batchNo: b.batchNo,
      status: b.status,
      terminal: b.terminal,
      host: b.host,
      funded: b.funded,
      variance: { terminalVsHost: net(b.host) - net(b.terminal), fundedVsHost: net(b.funded) - net(b.host) },
    },
  };
}

/** One event per credit or debit line (payouts are the acquirer's transfers, not a sale's money). */
export function creditEvents(lines: readonly CreditRecord[], at: number): NewFeedEvent[] {
  const out: NewFeedEvent[] = [];
  for (const l of lines) {
    if (l.record === 'PAYOUT') continue;
    const { merchantId, ...data } = l;
    out.push({ merchantId, type: 'credit.received', at, data: { ...data } });
  }
  return out;
}

export const CaseEventKinds = ['opened', 'updated', 'closed'] as const;
export type CaseEventKind = (typeof CaseEventKinds)[number];

/** A case without its audit trail; a case of no known merchant stays off the feed (the operator has /cases). */
export function caseEvent(c: Case, kind: CaseEventKind, at: number): NewFeedEvent | undefined {
  if (c.merchantId === null) return undefined;
  const { audit: _audit, ...data } = c;
  return { merchantId: c.merchantId, type: `case.${kind}`, at, data: { ...data } };
}

/** An alert goes to the feed of every merchant it concerns. */
export function alertEvents(alert: Alert, kind: 'raised' | 'cleared', at: number): NewFeedEvent[] {
  return alert.merchantIds.map((merchantId) => ({ merchantId, type: `alert.${kind}` as const, at, data: { ...alert } }));
}
