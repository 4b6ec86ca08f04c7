/**
 * The merchant's live feed: what happened, in order, per merchant. Events are journaled (the store's `events` table)
 * before anyone sees them; each merchant's events are numbered 1, 2, 3... (`seq`), and every event also has a global
 * id across merchants (`id`), the operator's cursor. A client that reconnects with the last number it saw gets the
 * rest from the store. Card data never appears in an event: masked PAN only.
 */

export const FeedEventTypes = [
  'transaction.approved',
  'transaction.declined',
  'transaction.reversed',
  'batch.closed',
  'credit.received',
  'case.opened',
  'case.updated',
  'case.closed',
  'alert.raised',
  'alert.cleared',
] as const;
export type FeedEventType = (typeof FeedEventTypes)[number];

/** An event before it is journaled. */
export interface NewFeedEvent {
  merchantId: string;
  type: FeedEventType;
  /** Gateway clock, ms since the epoch. */
  at: number;
  /** JSON-serialisable body, documented per type in docs/websocket-feed.md. No full PAN, track, CVV or PIN block. */
  data: Record<string, unknown>;
}

/** A journaled event. */
export interface FeedEvent extends NewFeedEvent {
  /** Global, increasing across all merchants: the operator's resume cursor. */
  id: number;
  /** Per merchant, 1, 2, 3... without gaps: the merchant's resume cursor. */
  seq: number;
}

/** Where an alert applies. A gateway- or acquirer-wide alert is journaled once per merchant it concerns. */
export interface AlertScope {
  kind: 'gateway' | 'acquirer' | 'merchant' | 'terminal';
  /** The acquirer, merchant or terminal id; absent for the gateway. */
  id?: string;
}

export interface Alert {
  /** Stable while the condition lasts: `<rule>:<scope kind>:<scope id>`. */
  id: string;
  rule: string;
  severity: 'critical' | 'warning';
  scope: AlertScope;
  /** The merchants it concerns (events go to their feeds). */
  merchantIds: string[];
  startedAt: number;
  clearedAt: number | null;
  /** One sentence with the measured value and the threshold, no card data. */
  message: string;
  /** What to do first. */
  firstAction: string;
  value: number;
  threshold: number;
}
