import type { IsoMessage } from '../../protocol/index.js';
import { ChurnTable } from '../churn-table.js';
import { text } from './reply.js';

/**
 * Per terminal batch ("terminal|batch"): the requests in progress that can change its totals (authorizations,
 * reversals, uploads), and a settlement that waits for them to finish before it reads the totals and makes new ones
 * wait until it is done. Without it a sale journaled while its batch was being settled could land after the totals
 * were computed, or in a batch already closed.
 */
export class BatchGate {
  readonly #active = new ChurnTable<number>();
  readonly #drained = new Map<string, () => void>();
  readonly #settling = new Map<string, Promise<void>>();

  /**
   * Counts the caller in progress in the batch: at once (no promise) when no settlement of it runs, else once that
   * settlement is done. Every enter is matched by one leave.
   */
  enter(id: string): void | Promise<void> {
    const settling = this.#settling.get(id);
    if (settling !== undefined) return settling.then(() => this.enter(id));
    this.#active.set(id, (this.#active.get(id) ?? 0) + 1);
  }

  leave(id: string): void {
    const n = (this.#active.get(id) ?? 0) - 1;
    if (n > 0) {
      this.#active.set(id, n);
      return;
    }
    this.#active.delete(id);
    this.#drained.get(id)?.();
  }

  /** Runs `fn` counted in progress in the batch: after a settlement of it already running, before the next. */
  async within<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const entering = this.enter(id);
    if (entering !== undefined) await entering;
    try {
      return await fn();
    } finally {
      this.leave(id);
    }
  }

  /** Requests in progress in the batch. */
  active(id: string): number {
    return this.#active.get(id) ?? 0;
  }

  /**
   * Waits for an earlier settlement of the batch, then for the requests in progress in it; resolves with the release
   * that lets the requests waiting meanwhile go on. Call it once the settlement is answered.
   */
  async settle(id: string): Promise<() => void> {
    for (let earlier = this.#settling.get(id); earlier !== undefined; earlier = this.#settling.get(id)) await earlier;
    let release!: () => void;
    this.#settling.set(id, new Promise<void>((resolve) => (release = resolve)));
    if (this.active(id) > 0) await new Promise<void>((resolve) => this.#drained.set(id, resolve));
    this.#drained.delete(id);
    return () => {
      this.#settling.delete(id);
      release();
    };
  }
}

/** The gate's key for a batch, as the flow's sets of open and closed batches use it too. */
export const batchId = (terminalId: string, batchNo: string): string => `${terminalId}|${batchNo}`;

/** The batch number a terminal request names: field 60's first six digits. */
export const batchOf = (req: IsoMessage): string => text(req, 60)?.slice(0, 6) ?? '000000';
