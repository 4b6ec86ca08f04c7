import { publishReversal } from '../feed/sources.js';
import { RC } from '../responses.js';
import type { TxRecord } from '../store/types.js';
import { txKeyString } from './authorize.js';
import type { FlowContext } from './context.js';

/** Response codes of the journaled outcome: 91 after a restart (the terminal got no answer), 96 in a run (it got 96). */
type StrandedCode = typeof RC.ISSUER_UNAVAILABLE | typeof RC.SYSTEM_MALFUNCTION;

/** RRNs named in one log line at most. */
const RRNS_LOGGED = 20;

/**
 * Requests journaled as forwarded that no flow will finish: a previous run stopped with them in flight, or in this run
 * the flow failed after journaling the request (its outcome could not be journaled: the terminal got 96). The acquirer
 * may have approved any of them, so each gets its reversal queued, as after an upstream timeout.
 *
 * In a run, a request is stranded when it is still journaled as forwarding and its key is not in progress, at two
 * checks in a row: a flow that finished between reading the journal and looking at the keys in progress has journaled
 * its outcome by the next check.
 */
export class StrandedRequests {
  /** Ids stranded at the last check. */
  #suspects = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<unknown> | undefined;

  constructor(private readonly ctx: FlowContext) {}

  /** At start, before any terminal is served: every request journaled as forwarding is stranded. */
  async recover(): Promise<number> {
    const stranded = await this.ctx.store.inFlight();
    await this.#reverse(stranded, RC.ISSUER_UNAVAILABLE);
    if (stranded.length > 0) this.ctx.logger.warn({ count: stranded.length }, 'recovery: reversals queued for requests left in flight');
    return stranded.length;
  }

  /** Checks every `everyMs` from now until `stop()`. */
  start(everyMs: number): void {
    const tick = (): void => {
      this.#checking = this.check()
        .catch((e: unknown) => this.ctx.logger.error({ error: e instanceof Error ? e.message : String(e) }, 'stranded requests not checked'))
        .finally(() => {
          this.#checking = undefined;
          if (this.#timer !== undefined) this.#timer = setTimeout(tick, everyMs).unref();
        });
    };
    this.#timer = setTimeout(tick, everyMs).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#checking;
  }

  /** One check: queues the reversals of the requests stranded at this check and the one before; returns how many. */
  async check(): Promise<number> {
    // a journal stopped for good takes no reversal: the restart's recovery queues them
    if (this.ctx.store.failure?.() !== undefined) return 0;
    const rows = await this.ctx.store.inFlight();
    const suspects = new Set<number>();
    const stranded: TxRecord[] = [];
    for (const tx of rows) {
      if (this.ctx.inflight.has(txKeyString(tx))) continue;
      if (this.#suspects.has(tx.id)) stranded.push(tx);
      else suspects.add(tx.id);
    }
    // a failed reversal leaves its requests suspects: the next check tries them again
    this.#suspects = suspects;
    if (stranded.length === 0) return 0;
    try {
      await this.#reverse(stranded, RC.SYSTEM_MALFUNCTION);
    } catch (e) {
      for (const tx of stranded) this.#suspects.add(tx.id);
      throw e;
    }
    for (const id of new Set(stranded.flatMap((tx) => (tx.acquirerId === null ? [] : [tx.acquirerId])))) this.ctx.wakeSaf(id);
    this.ctx.metrics.strandedRequests.inc(stranded.length);
    this.ctx.logger.error(
      { count: stranded.length, rrns: stranded.slice(0, RRNS_LOGGED).map((tx) => tx.rrn) },
      'requests journaled as forwarded with no outcome (a failure after journaling them): reversals queued',
    );
    return stranded.length;
  }

  async #reverse(stranded: TxRecord[], rc: StrandedCode): Promise<void> {
    const { store, feed, clock } = this.ctx;
    const now = clock.now();
    await Promise.all(
      stranded.flatMap((tx) => {
        if (tx.acquirerId !== null) publishReversal(feed, { ...tx, responseCode: rc }, 'recovery', now);
        return [
          store.recordOutcome(tx.id, { state: 'timed_out', responseCode: rc, at: now }),
          tx.acquirerId === null ? undefined : store.queueReversal(tx.id, tx.acquirerId, 'recovery', now),
        ];
      }),
    );
  }
}
