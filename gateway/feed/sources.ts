import type { Clock } from '../clock.js';
import { isApproval } from '../responses.js';
import type { ReconService } from '../recon-service/service.js';
import type { ReversalReason, TxRecord } from '../store/types.js';
import { caseEvent, creditEvents, transactionEvent, type CaseEventKind, type TxOutcomeOfEvent } from './events.js';
import type { EventLog } from './log.js';
import type { Alert } from './types.js';

/** What the flow knows of a transaction's outcome when it records it. */
export interface OutcomeFacts extends TxOutcomeOfEvent {
  responseCode: string;
  /** A reversal queued in the same step (a timeout). */
  reversal?: ReversalReason;
}

/**
 * The feed events of a recorded outcome: approved or declined (91 included), and reversed when a reversal was queued
 * with it. Call in the same turn as the store write it reports, without awaiting: the event shares its commit, and
 * the terminal's answer does not wait for the feed.
 */
export function publishOutcome(feed: EventLog | undefined, tx: TxRecord, o: OutcomeFacts, at: number): void {
  if (feed === undefined) return;
  const events = [transactionEvent(isApproval(o.responseCode) ? 'transaction.approved' : 'transaction.declined', tx, o, at)];
  if (o.reversal !== undefined) events.push(transactionEvent('transaction.reversed', tx, o, at, o.reversal));
  void feed.publish(events);
}

/** A reversal queued for a journaled transaction (terminal request, late approval, recovery). */
export function publishReversal(feed: EventLog | undefined, tx: TxRecord, reason: ReversalReason, at: number, originalRrn: string | null = null): void {
  if (feed === undefined) return;
  void feed.publish([transactionEvent('transaction.reversed', tx, { ...tx, originalRrn }, at, reason)]);
}

/** Reconciliation's case changes and imported credits become feed events. Returns the unsubscribe function. */
export function followRecon(feed: EventLog, recon: ReconService, clock: Clock): () => void {
  const offCase = recon.onCase((change) => {
    const e = caseEvent(change.case, change.type.slice('case.'.length) as CaseEventKind, change.at);
    if (e !== undefined) void feed.publish([e]);
  });
  const offCredits = recon.onCredits((imported) => {
    void feed.publish(creditEvents(imported.lines, clock.now()));
  });
  return () => {
    offCase();
    offCredits();
  };
}

/** The alerts engine's side of the feed: what it raises and clears, and what is active for snapshots. */
export interface AlertSource {
  onChange(listener: (alert: Alert, change: 'raised' | 'cleared') => void): () => void;
  active(merchantId?: string): Alert[];
}

/** Raised and cleared alerts become feed events; snapshots list the active ones. Returns the unsubscribe function. */
export function followAlerts(feed: EventLog, alerts: AlertSource): () => void {
  feed.setActiveAlerts((merchantId) => alerts.active(merchantId ?? undefined));
  return alerts.onChange((alert, change) => void feed.alert(alert, change));
}
