import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';

export interface WebhookOptions {
  url: string;
  /** One attempt's limit, the reply included. */
  timeoutMs: number;
  /** Attempts after the first, for network errors, timeouts, 408, 429 and 5xx. */
  retries: number;
  /** Wait before the first retry; doubles each time, up to a minute. */
  backoffMs: number;
  logger: Logger;
  metrics?: Metrics;
  /** Deliveries waiting at most; past it the oldest is dropped. Default 1000. */
  maxQueue?: number;
}

const MAX_BACKOFF_MS = 60_000;

/** Worth another attempt: the receiver may take it later. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * POSTs JSON bodies to one URL, one at a time and in order, retrying with exponential backoff. `send` only queues:
 * the caller (the alert engine) never waits for the receiver. The queue is bounded; the URL never reaches a log line
 * (chat webhooks carry their secret in it).
 */
export class WebhookSender {
  private readonly queue: string[] = [];
  private readonly maxQueue: number;
  private pumping = false;
  private closed = false;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly opts: WebhookOptions) {
    if (!/^https?:\/\//.test(opts.url)) throw new TypeError('"url" must be an http:// or https:// URL');
    if (!(opts.timeoutMs > 0)) throw new TypeError('"timeoutMs" must be greater than 0');
    if (!Number.isInteger(opts.retries) || opts.retries < 0) throw new TypeError('"retries" must be an integer >= 0');
    if (!(opts.backoffMs > 0)) throw new TypeError('"backoffMs" must be greater than 0');
    this.maxQueue = opts.maxQueue ?? 1000;
  }

  /** Queues one delivery. */
  send(body: unknown): void {
    if (this.closed) return;
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.opts.metrics?.alertWebhook.inc({ result: 'dropped' });
      this.opts.logger.warn({ maxQueue: this.maxQueue }, 'alert webhook queue full: oldest delivery dropped');
    }
    this.queue.push(JSON.stringify(body));
    if (!this.pumping) this.idle = this.pump();
  }

  /** Resolves once everything queued so far was delivered or given up (tests). */
  drained(): Promise<void> {
    return this.idle;
  }

  /** Stops at once: the attempt in progress is aborted and what is queued is dropped. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort?.abort();
    this.wake?.();
    await this.idle;
    if (this.queue.length > 0) {
      this.opts.metrics?.alertWebhook.inc({ result: 'dropped' }, this.queue.length);
      this.opts.logger.warn({ undelivered: this.queue.length }, 'alert webhook closed with deliveries undelivered');
      this.queue.length = 0;
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const body = this.queue[0];
        // a delivery cut short by close() stays queued, counted with the dropped ones
        if (await this.deliver(body)) this.queue.shift();
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Delivers or gives up (true), or stops because the sender closed (false). */
  private async deliver(body: string): Promise<boolean> {
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await this.sleep(Math.min(MAX_BACKOFF_MS, this.opts.backoffMs * 2 ** (attempt - 1)));
      if (this.closed) return false;
      const outcome = await this.post(body);
      if (this.closed) return false;
      if (outcome === 'ok') {
        this.opts.metrics?.alertWebhook.inc({ result: 'delivered' });
        return true;
      }
      if (outcome.final) {
        this.opts.metrics?.alertWebhook.inc({ result: 'failed' });
        this.opts.logger.error({ reason: outcome.reason }, 'alert webhook refused the delivery: not retried');
        return true;
      }
      if (attempt < this.opts.retries) {
        this.opts.metrics?.alertWebhook.inc({ result: 'retry' });
        this.opts.logger.warn({ reason: outcome.reason, attempt: attempt + 1 }, 'alert webhook attempt failed: retrying');
      } else {
        this.opts.metrics?.alertWebhook.inc({ result: 'failed' });
        this.opts.logger.error({ reason: outcome.reason, attempts: attempt + 1 }, 'alert webhook delivery failed: giving up');
      }
    }
    return true;
  }

  private async post(body: string): Promise<'ok' | { final: boolean; reason: string }> {
    const abort = new AbortController();
    this.abort = abort;
    const timer = setTimeout(() => abort.abort(), this.opts.timeoutMs);
    try {
      const res = await fetch(this.opts.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: abort.signal });
      // read the reply to the end so the connection can be reused
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return 'ok';
      return { final: !retryable(res.status), reason: `HTTP ${res.status}` };
    } catch (e) {
      const reason = abort.signal.aborted ? (this.closed ? 'closed' : `no reply within ${this.opts.timeoutMs} ms`) : errorCode(e);
      return { final: false, reason };
    } finally {
      clearTimeout(timer);
      this.abort = undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }
}

/** The network error's code (ECONNREFUSED, ...), never its message: undici's messages can carry the URL. */
function errorCode(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return e instanceof Error ? e.name : 'unknown error';
}
