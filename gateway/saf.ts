import type { Logger } from 'pino';
import { isLinkError, LinkStates, type HostLink } from './acquirer/index.js';
import type { Clock } from './clock.js';
import type { SafConfig } from './config/types.js';
import { hostReversal } from './flow/upstream.js';
import type { Metrics } from './metrics.js';
import { RC } from './responses.js';
import type { SafItem, Store } from './store/types.js';

/** Acquirer answers that settle a reversal: done, or the acquirer never had the original (nothing to undo). */
const FINAL = new Set<string>([RC.APPROVED, RC.ORIGINAL_NOT_FOUND]);

/**
 * The durable store-and-forward queue of one acquirer: reversals are persisted before they are sent, go out one at a
 * time, 0400 first and 0401 after, retried with exponential backoff until the acquirer answers, and expire only into
 * a REVERSAL_ABANDONED record with an alert.
 */
export class SafQueue {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private readonly onState = (state: string): void => {
    if (state === LinkStates.UP) this.wake();
  };

  constructor(
    private readonly acquirerId: string,
    private readonly link: HostLink,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: SafConfig,
    private readonly deadlineMs: number,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  start(): void {
    this.link.on('state', this.onState);
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.link.off('state', this.onState);
  }

  /** New work, or the link came up: look now rather than at the next poll. */
  wake(): void {
    if (!this.running && !this.stopped) this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.drain(), ms);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      await this.expire();
      while (!this.stopped && this.link.state === LinkStates.UP) {
        const [item] = await this.store.dueSaf(this.acquirerId, this.clock.now(), 1);
        if (item === undefined) break;
        await this.attempt(item);
      }
    } catch (e) {
      this.logger.error({ acquirer: this.acquirerId, error: String(e) }, 'store-and-forward pass failed');
    } finally {
      this.running = false;
      if (!this.stopped) this.schedule(this.config.pollMs);
    }
  }

  private async attempt(item: SafItem): Promise<void> {
    const tx = await this.store.getTransaction(item.txId);
    const now = this.clock.now();
    if (tx === undefined) {
      await this.store.updateSaf(item.id, { state: 'abandoned', lastResult: 'transaction missing' }, now);
      return;
    }
    const msg = hostReversal(tx, item.attempts, this.link.nextStan(), now);
    try {
      const answer = await this.link.request(msg, { deadlineMs: this.deadlineMs });
      this.metrics.reversalsSent.inc({ acquirer: this.acquirerId, mti: msg.mti });
      const rc = typeof answer.fields[39] === 'string' ? answer.fields[39] : '';
      if (FINAL.has(rc)) {
        await this.store.updateSaf(item.id, { state: 'done', attempts: item.attempts + 1, lastResult: rc }, this.clock.now());
        this.logger.info({ acquirer: this.acquirerId, rrn: tx.rrn, rc, attempts: item.attempts + 1 }, 'reversal acknowledged');
        return;
      }
      await this.retry(item, item.attempts + 1, `answered ${rc}`);
    } catch (e) {
      const sent = !isLinkError(e) || e.sent;
      if (sent) this.metrics.reversalsSent.inc({ acquirer: this.acquirerId, mti: msg.mti });
      // an attempt the acquirer never saw does not turn the next one into a repeat
      await this.retry(item, sent ? item.attempts + 1 : item.attempts, isLinkError(e) ? e.code : String(e));
    }
  }

  private async retry(item: SafItem, attempts: number, result: string): Promise<void> {
    const delay = Math.min(this.config.retryMaxMs, this.config.retryInitialMs * 2 ** Math.max(0, attempts - 1));
    const now = this.clock.now();
    await this.store.updateSaf(item.id, { attempts, nextAttemptAt: now + delay, lastResult: result }, now);
    this.logger.warn({ acquirer: this.acquirerId, item: item.id, attempts, result, retryInMs: delay }, 'reversal not acknowledged, will retry');
  }

  /** Items older than the expiry become REVERSAL_ABANDONED records, each with an alert. */
  private async expire(): Promise<void> {
    const now = this.clock.now();
    for (const item of await this.store.pendingSaf(this.acquirerId)) {
      if (now - item.createdAt <= this.config.expireAfterMs) break;
      const tx = await this.store.getTransaction(item.txId);
      await this.store.updateSaf(item.id, { state: 'abandoned', lastResult: `expired after ${item.attempts} attempts` }, now);
      await this.store.addException({
        kind: 'REVERSAL_ABANDONED',
        txId: item.txId,
        terminalId: tx?.terminalId ?? null,
        merchantId: tx?.merchantId ?? null,
        detail: `reversal of RRN ${tx?.rrn ?? '?'} unacknowledged after ${item.attempts} attempts; last result: ${item.lastResult ?? 'none'}`,
        createdAt: now,
      });
      this.metrics.reversalsAbandoned.inc({ acquirer: this.acquirerId });
      this.logger.error(
        { alert: 'REVERSAL_ABANDONED', acquirer: this.acquirerId, rrn: tx?.rrn, terminal: tx?.terminalId, action: 'check with the acquirer whether the sale was charged; reverse it by hand if it was' },
        'reversal abandoned',
      );
    }
  }
}
