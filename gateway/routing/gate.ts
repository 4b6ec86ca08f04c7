import type { Logger } from 'pino';
import { isLinkError, LinkStates, type HostLink } from '../acquirer/index.js';
import type { AcquirerConfig } from '../config/types.js';
import type { Metrics } from '../metrics.js';
import { BreakerState, BreakerStateNames, CircuitBreaker } from './breaker.js';

/** Outcomes of recent requests to one acquirer, for its timeout rate. */
const WINDOW = 200;

/**
 * What stands between the flow and one acquirer: its link, a circuit breaker that opens on repeated
 * requests whose outcome is unknown (timeouts, a connection lost with requests on it), lets one probe through after
 * `halfOpenAfterMs` and closes on its success; and the drain switch of a maintenance window.
 */
export class AcquirerGate {
  readonly id: string;
  readonly breaker: CircuitBreaker;
  drained: boolean;
  private readonly outcomes: boolean[] = [];
  private latencyMs: number | null = null;

  constructor(
    readonly config: AcquirerConfig,
    readonly link: HostLink,
    logger: Logger,
    metrics: Metrics,
  ) {
    this.id = config.id;
    this.drained = config.drained;
    this.breaker = new CircuitBreaker({
      consecutiveFailures: config.breaker.consecutiveFailures,
      halfOpenAfterMs: config.breaker.halfOpenAfterMs,
      isFailure: (e) => isLinkError(e) && e.sent,
    });
    const gauge = (): void => {
      metrics.breakerState.set({ acquirer: this.id }, this.breaker.state);
    };
    gauge();
    this.breaker.onStateChange((state) => {
      const to = BreakerStateNames[state];
      metrics.breakerTransitions.inc({ acquirer: this.id, to });
      gauge();
      if (state === BreakerState.open) {
        logger.error(
          { alert: 'ACQUIRER_BREAKER_OPEN', acquirer: this.id, action: 'new authorizations go to the next acquirer of their route; check the acquirer link and its health' },
          'circuit breaker opened',
        );
      } else {
        logger.warn({ acquirer: this.id, breaker: to }, 'circuit breaker state changed');
      }
    });
    link.on('latency', (ms) => {
      this.latencyMs = ms;
    });
  }

  /**
   * Whether a new authorization may go here now: not drained, link up, breaker closed, or open long enough for a
   * probe (half-open: the probe is already out).
   */
  available(): boolean {
    if (this.drained || this.link.state !== LinkStates.UP) return false;
    return this.breaker.state === BreakerState.closed || this.breaker.probeDue();
  }

  /** Runs a request through the breaker, recording its outcome. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const result = await this.breaker.execute(fn);
      this.record(true);
      return result;
    } catch (e) {
      if (isLinkError(e) && e.sent) this.record(false);
      throw e;
    }
  }

  private record(ok: boolean): void {
    this.outcomes.push(ok);
    if (this.outcomes.length > WINDOW) this.outcomes.shift();
  }

  snapshot() {
    const failures = this.outcomes.filter((ok) => !ok).length;
    const stats = this.link.stats();
    return {
      id: this.id,
      link: this.link.state,
      breaker: BreakerStateNames[this.breaker.state],
      drained: this.drained,
      available: this.available(),
      latencyMs: this.latencyMs,
      timeoutRate: this.outcomes.length === 0 ? 0 : failures / this.outcomes.length,
      recentRequests: this.outcomes.length,
      lateReplies: stats.late,
      reconnects: stats.reconnects,
    };
  }
}
