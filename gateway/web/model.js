// What the page shows, kept from the feed's snapshot and events and the /batches route. No DOM here.

import { day } from './format.js';

const MAX_TXS = 50;
const DAYS_KEPT = 2;

function batchKey(b) {
  return `${b.terminalId}/${b.batchNo}`;
}

function ms(v) {
  return typeof v === 'string' ? Date.parse(v) : v;
}

function isOpenCase(c) {
  return c.status !== 'resolved' && c.cleared !== true;
}

export class Dashboard {
  constructor() {
    this.clear();
  }

  clear() {
    this.scope = null;
    /** terminalId/batchNo -> batch with terminal, host and funded totals */
    this.batches = new Map();
    this.cases = new Map();
    this.alerts = new Map();
    /** rrn -> transaction, oldest first, at most MAX_TXS */
    this.txs = new Map();
    /** local day -> 24 hourly buckets { approved, declined, approvedAmount } */
    this.days = new Map();
    /** the gateway's clock as last heard (ms): the chart shows this day */
    this.now = Date.now();
  }

  snapshot(msg) {
    this.scope = msg.scope;
    this.now = Date.parse(msg.at);
    // the snapshot lists the open batches; closed ones known from events and /batches stay
    for (const [k, b] of this.batches) if (b.status === 'open') this.batches.delete(k);
    for (const b of msg.batches) this.putBatch(b);
    this.cases = new Map(msg.cases.filter(isOpenCase).map((c) => [c.id, c]));
    this.alerts = new Map(msg.alerts.filter((a) => a.clearedAt === null).map((a) => [a.id, a]));
  }

  /** The /batches answer: every batch, open and closed, with what has been funded so far. */
  setBatches(list) {
    this.batches = new Map();
    for (const b of list) this.putBatch(b);
  }

  putBatch(b) {
    this.batches.set(batchKey(b), { ...b, openedAt: ms(b.openedAt), closedAt: ms(b.closedAt) });
  }

  /**
   * One feed event. A replayed one (already reflected in the snapshot's lists) only adds to the transaction history;
   * a newer one also changes batches, cases and alerts. Applying the same change twice leaves the same state.
   */
  event(msg, replayed) {
    const at = Date.parse(msg.at);
    if (at > this.now) this.now = at;
    const d = msg.data;
    switch (msg.event) {
      case 'transaction.approved':
      case 'transaction.declined':
        this.addTx(msg, at, msg.event === 'transaction.approved' ? 'approved' : 'declined');
        break;
      case 'transaction.reversed':
        this.addTx(msg, at, 'reversed');
        break;
      default:
    }
    if (replayed) return;
    switch (msg.event) {
      case 'batch.closed': {
        const known = this.batches.get(batchKey(d));
        this.putBatch({ openedAt: known?.openedAt ?? null, ...d, merchantId: msg.merchantId, closedAt: at });
        break;
      }
      case 'case.opened':
      case 'case.updated':
      case 'case.closed':
        if (msg.event !== 'case.closed' && isOpenCase(d)) this.cases.set(d.id, d);
        else this.cases.delete(d.id);
        break;
      case 'alert.raised':
        this.alerts.set(d.id, d);
        break;
      case 'alert.cleared':
        this.alerts.delete(d.id);
        break;
      default:
    }
  }

  addTx(msg, at, outcome) {
    const d = msg.data;
    const key = d.rrn ?? `#${msg.id}`;
    const known = this.txs.get(key);
    if (outcome === 'reversed') {
      // the sale leaves the batch: its row says so; the chart keeps the answer the terminal got
      this.txs.set(key, { ...(known ?? this.txFrom(msg, at, 'declined')), reversed: d.reason ?? 'reversed' });
      return;
    }
    if (known === undefined) this.count(at, outcome, d.amount);
    this.txs.delete(key);
    this.txs.set(key, { ...this.txFrom(msg, at, outcome), reversed: known?.reversed ?? null });
    while (this.txs.size > MAX_TXS) this.txs.delete(this.txs.keys().next().value);
  }

  txFrom(msg, at, outcome) {
    const d = msg.data;
    return {
      key: d.rrn ?? `#${msg.id}`,
      at,
      merchantId: msg.merchantId,
      rrn: d.rrn ?? null,
      terminalId: d.terminalId,
      kind: d.kind,
      amount: d.amount,
      currency: d.currency,
      panMasked: d.panMasked,
      responseCode: d.responseCode,
      authCode: d.authCode,
      outcome,
      reversed: null,
    };
  }

  count(at, outcome, amount) {
    const key = day(at);
    let hours = this.days.get(key);
    if (hours === undefined) {
      hours = Array.from({ length: 24 }, () => ({ approved: 0, declined: 0, approvedAmount: 0 }));
      this.days.set(key, hours);
      const keep = [...this.days.keys()].sort().slice(-DAYS_KEPT);
      for (const k of this.days.keys()) if (!keep.includes(k)) this.days.delete(k);
    }
    const h = hours[new Date(at).getHours()];
    if (outcome === 'approved') {
      h.approved += 1;
      h.approvedAmount += amount ?? 0;
    } else h.declined += 1;
  }

  /** Newest first. */
  recentTxs() {
    return [...this.txs.values()].reverse();
  }

  /** Open batches first, then the most recently opened; at most `limit`. */
  batchList(limit = 20) {
    return [...this.batches.values()]
      .sort((a, b) => (a.status === 'open') !== (b.status === 'open') ? (a.status === 'open' ? -1 : 1) : (b.openedAt ?? 0) - (a.openedAt ?? 0))
      .slice(0, limit);
  }

  caseList() {
    const rank = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
    return [...this.cases.values()].sort((a, b) => (rank[a.severity] ?? 9) - (rank[b.severity] ?? 9) || b.openedAt - a.openedAt);
  }

  alertList() {
    return [...this.alerts.values()].sort((a, b) => (a.severity === b.severity ? a.startedAt - b.startedAt : a.severity === 'critical' ? -1 : 1));
  }

  /** The chart's day: 24 buckets of the gateway's current day. */
  today() {
    const key = day(this.now);
    return { day: key, hours: this.days.get(key) ?? Array.from({ length: 24 }, () => ({ approved: 0, declined: 0, approvedAmount: 0 })) };
  }
}
