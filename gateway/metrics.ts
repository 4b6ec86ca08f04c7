import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One label set of a counter, counted in memory until the counter is read. */
export class CountedLabels<L extends string> {
  n = 0;

  constructor(readonly labels: Partial<Record<L, string>>) {}

  inc(): void {
    this.n++;
  }
}

/**
 * The children of a two-label counter, one per pair of label values, made on first use. prom-client builds and looks
 * up a label key on every inc() (about a microsecond here); a child costs one increment. What the children counted is
 * added to the counter whenever it is read (prom-client calls its `collect` first), in the order the label sets first
 * occurred, so /metrics shows the same figures as counting each time. Every inc() of such a counter goes through them.
 */
export class CounterChildren<L extends string> {
  readonly #byFirst = new Map<string, Map<string, CountedLabels<L>>>();
  readonly #all: CountedLabels<L>[] = [];

  constructor(
    private readonly counter: Counter<L>,
    private readonly names: readonly [L, L],
  ) {}

  of(first: string, second: string): CountedLabels<L> {
    let bySecond = this.#byFirst.get(first);
    if (bySecond === undefined) this.#byFirst.set(first, (bySecond = new Map()));
    let child = bySecond.get(second);
    if (child === undefined) {
      child = new CountedLabels({ [this.names[0]]: first, [this.names[1]]: second } as Partial<Record<L, string>>);
      bySecond.set(second, child);
      this.#all.push(child);
    }
    return child;
  }

  /** Adds what was counted since the last read to the counter. */
  flush(): void {
    for (const child of this.#all) {
      if (child.n === 0) continue;
      const n = child.n;
      child.n = 0;
      this.counter.inc(child.labels, n);
    }
  }
}

/** The gateway's Prometheus metrics, on a registry of its own (several gateways can live in one test process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'posgw_process_' });
  // the order metrics are made in is the order /metrics lists them
  const m = {
    registry,
    /** Counted through `requestsBy`, per message. */
    requests: new Counter({
      name: 'posgw_requests_total',
      help: 'Terminal requests answered, by MTI and response code',
      labelNames: ['mti', 'rc'],
      registers: [registry],
      collect: (): void => requestsBy.flush(),
    }),
    upstreamLatency: new Histogram({
      name: 'posgw_upstream_latency_seconds',
      help: 'Time from forwarding to the acquirer to its reply',
      labelNames: ['acquirer'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    journalCommitWrites: new Histogram({
      name: 'posgw_journal_commit_writes',
      help: 'Writes per journal commit (SQLite on the event loop): the group commit at work',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    journalSync: new Histogram({
      name: 'posgw_journal_sync_seconds',
      help: 'Time from the start of a WAL sync to its end, hand-off to the thread pool included (SQLite on the event loop)',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers: [registry],
    }),
    upstreamTimeouts: new Counter({ name: 'posgw_upstream_timeouts_total', help: 'Requests whose acquirer outcome is unknown (deadline or lost connection)', labelNames: ['acquirer'], registers: [registry] }),
    lateReplies: new Counter({ name: 'posgw_late_replies_total', help: 'Acquirer replies after their deadline or matching nothing', labelNames: ['acquirer'], registers: [registry] }),
    strandedRequests: new Counter({
      name: 'posgw_stranded_requests_total',
      help: 'Requests found journaled as forwarded with no flow to finish them (a failure after journaling): reversal queued',
      registers: [registry],
    }),
    duplicates: new Counter({ name: 'posgw_duplicates_total', help: 'Terminal requests answered from the journal as duplicates', registers: [registry] }),
    reversalsSent: new Counter({ name: 'posgw_reversals_sent_total', help: 'Reversal attempts sent to acquirers', labelNames: ['acquirer', 'mti'], registers: [registry] }),
    reversalsAbandoned: new Counter({ name: 'posgw_reversals_abandoned_total', help: 'Reversals that expired unacknowledged', labelNames: ['acquirer'], registers: [registry] }),
    journalWriteFailures: new Counter({
      name: 'posgw_journal_write_failures_total',
      help: 'Journal writes or commits the file refused (disk full, I/O error): their requests were answered 96',
      registers: [registry],
    }),
    journalFailed: new Gauge({
      name: 'posgw_journal_failed',
      help: '1 once the journal takes no more writes (a sync of its files failed): every request is answered 96 unforwarded until a restart',
      registers: [registry],
    }),
    safDepth: new Gauge({ name: 'posgw_saf_depth', help: 'Reversals waiting in the store-and-forward queue', registers: [registry] }),
    safOldestAge: new Gauge({ name: 'posgw_saf_oldest_age_seconds', help: 'Age of the oldest reversal waiting', registers: [registry] }),
    openBatches: new Gauge({ name: 'posgw_open_batches', help: 'Terminal batches not yet settled', registers: [registry] }),
    batchesClosed: new Counter({ name: 'posgw_batches_closed_total', help: 'Batches closed, by final status', labelNames: ['status'], registers: [registry] }),
    connectedTerminals: new Gauge({ name: 'posgw_connected_terminals', help: 'Open terminal connections', labelNames: ['listener'], registers: [registry] }),
    framesRejected: new Counter({ name: 'posgw_frames_rejected_total', help: 'Terminal frames or messages refused, by reason', labelNames: ['listener', 'reason'], registers: [registry] }),
    breakerState: new Gauge({ name: 'posgw_breaker_state', help: 'Circuit breaker per acquirer: 0 closed, 1 open, 2 half-open', labelNames: ['acquirer'], registers: [registry] }),
    breakerTransitions: new Counter({ name: 'posgw_breaker_transitions_total', help: 'Circuit breaker state changes, by the state entered', labelNames: ['acquirer', 'to'], registers: [registry] }),
    /** Counted through `routedBy`, per authorization. */
    routed: new Counter({
      name: 'posgw_routed_total',
      help: 'Authorizations sent upstream, by acquirer and by whether they failed over from an earlier choice',
      labelNames: ['acquirer', 'failover'],
      registers: [registry],
      collect: (): void => routedBy.flush(),
    }),
    serialPortState: new Gauge({ name: 'posgw_serial_port_state', help: 'Serial terminal port: 0 closed, 1 open, 2 opening, 3 reopening (lost, waiting out the backoff)', labelNames: ['port'], registers: [registry] }),
    serialReopens: new Counter({ name: 'posgw_serial_reopens_total', help: 'Serial ports that came back after they were lost', labelNames: ['port'], registers: [registry] }),
    serialOpenFailures: new Counter({ name: 'posgw_serial_open_failures_total', help: 'Attempts to open a serial port that failed', labelNames: ['port'], registers: [registry] }),
    serialLink: new Counter({
      name: 'posgw_serial_link_events_total',
      help: 'Serial line traffic and ACK/NAK link events, by port and event (frames_in, bytes_out, retransmissions, naks_sent, ack_timeouts, corrupt_frames, repeats, ...)',
      labelNames: ['port', 'event'],
      registers: [registry],
    }),
    feedClients: new Gauge({ name: 'posgw_feed_clients', help: 'WebSocket feed connections open (signed in or not yet)', registers: [registry] }),
    feedSlowCloses: new Counter({ name: 'posgw_feed_slow_closes_total', help: 'Feed clients closed (4008) for falling too far behind', registers: [registry] }),
    acquirerUp: new Gauge({ name: 'posgw_acquirer_up', help: '1 when the acquirer link is signed on', labelNames: ['acquirer'], registers: [registry] }),
    alertActive: new Gauge({ name: 'posgw_alert_active', help: 'Early-warning alerts: 1 while raised, 0 once cleared, by rule and scope ("acquirer:stub")', labelNames: ['rule', 'scope'], registers: [registry] }),
    alertsRaised: new Counter({ name: 'posgw_alerts_raised_total', help: 'Early-warning alerts raised, by rule and severity', labelNames: ['rule', 'severity'], registers: [registry] }),
    alertWebhook: new Counter({ name: 'posgw_alert_webhook_total', help: 'Alert webhook deliveries by result: delivered, retry, failed, dropped', labelNames: ['result'], registers: [registry] }),
  };
  const requestsBy: CounterChildren<'mti' | 'rc'> = new CounterChildren(m.requests, ['mti', 'rc']);
  const routedBy: CounterChildren<'acquirer' | 'failover'> = new CounterChildren(m.routed, ['acquirer', 'failover']);
  return { ...m, requestsBy, routedBy };
}

export type Metrics = ReturnType<typeof createMetrics>;
