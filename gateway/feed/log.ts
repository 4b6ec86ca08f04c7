import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Store, Totals } from '../store/types.js';
import { alertEvents } from './events.js';
import type { Alert, FeedEvent, NewFeedEvent } from './types.js';

export type FeedListener = (events: readonly FeedEvent[]) => void;

/** The alerts active now, for a merchant or (null) for all: supplied by the alerts engine. */
export type ActiveAlerts = (merchantId: string | null) => Alert[];

/** What the acquirer has paid so far for a batch (reconciliation keeps it per batch), for `batch.closed`. */
export type FundedSource = (terminalId: string, batchNo: string) => Totals;

const NOTHING: Totals = Object.freeze({ saleCount: 0, saleAmount: 0, refundCount: 0, refundAmount: 0 });

/**
 * The feed's bus: events are journaled through the store (in the current turn's group commit, so an event shares the
 * commit of the change it reports) and handed to listeners only once durable, in cursor order. A client therefore
 * never sees an event that a crash could take back. Publishing never throws and never needs awaiting: the flow
 * answers its terminal without waiting for the feed.
 */
export class EventLog {
  private readonly listeners = new Set<FeedListener>();
  /** Per merchant, the last seq handed to listeners; and the last global id. */
  private readonly delivered = new Map<string, number>();
  private deliveredId = 0;
  private activeAlerts: ActiveAlerts = () => [];
  private fundedSource: FundedSource = () => ({ ...NOTHING });

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Reads where each merchant's feed stands; before the first publish. */
  async init(merchantIds: Iterable<string>): Promise<void> {
    this.deliveredId = await this.store.lastEventSeq(null);
    for (const id of merchantIds) this.delivered.set(id, await this.store.lastEventSeq(id));
  }

  /** Journals the events now, delivers them once durable; resolves then (a failure is logged, not thrown). */
  publish(events: NewFeedEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    let journaled: Promise<FeedEvent[]>;
    try {
      journaled = this.store.appendEvents(events);
    } catch (e) {
      journaled = Promise.reject(e);
    }
    return journaled.then(
      (journaled) => this.deliver(journaled),
      (e: unknown) => this.logger.error({ error: String(e), events: events.length, type: events[0].type }, 'feed events not journaled'),
    );
  }

  /** For the alerts engine: journals `alert.raised` / `alert.cleared` for every merchant the alert concerns. */
  alert(alert: Alert, kind: 'raised' | 'cleared'): Promise<void> {
    return this.publish(alertEvents(alert, kind, this.clock.now()));
  }

  /** Where the alerts engine plugs in the alerts active now (for snapshots); none until it does. */
  setActiveAlerts(provider: ActiveAlerts): void {
    this.activeAlerts = provider;
  }

  setFundedSource(source: FundedSource): void {
    this.fundedSource = source;
  }

  /** A batch's funded totals for its `batch.closed` event; zero when reconciliation is not plugged in. */
  funded(terminalId: string, batchNo: string): Totals {
    return this.fundedSource(terminalId, batchNo);
  }

  alertsNow(merchantId: string | null): Alert[] {
    try {
      return this.activeAlerts(merchantId).filter((a) => merchantId === null || a.merchantIds.includes(merchantId));
    } catch (e) {
      this.logger.error({ error: String(e) }, 'active alerts provider failed');
      return [];
    }
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last cursor delivered: a merchant's seq, or (null) the global id. Everything up to it is in the store. */
  cursor(merchantId: string | null): number {
    return merchantId === null ? this.deliveredId : (this.delivered.get(merchantId) ?? 0);
  }

  /** Durable events after a cursor, from the store (a replay). */
  since(merchantId: string | null, after: number, limit: number): Promise<FeedEvent[]> {
    return this.store.eventsSince(merchantId, after, limit);
  }

  private deliver(events: FeedEvent[]): void {
    for (const e of events) {
      if (e.id > this.deliveredId) this.deliveredId = e.id;
      if (e.seq > (this.delivered.get(e.merchantId) ?? 0)) this.delivered.set(e.merchantId, e.seq);
    }
    for (const l of this.listeners) {
      try {
        l(events);
      } catch (e) {
        this.logger.error({ error: String(e) }, 'feed listener failed');
      }
    }
  }
}
