import type { IsoMessage } from '../../protocol/index.js';
import type { LinkError } from './errors.js';

export interface PendingRequest {
  key: string;
  mti: string;
  /** Clock time (epoch ms) of the write and of the deadline. */
  sentAt: number;
  deadlineAt: number;
  /** performance.now() at the write, for latency that does not jump with the wall clock. */
  sentMono: number;
  timer: NodeJS.Timeout;
  resolve(reply: IsoMessage): void;
  reject(error: LinkError): void;
}

export interface ExpiredRequest {
  deadlineAt: number;
  sentAt: number;
}

/** Requests in flight by key, and a bounded memory of keys whose deadline passed (to recognise late replies). */
export class PendingTable {
  readonly #inFlight = new Map<string, PendingRequest>();
  readonly #expired = new Map<string, ExpiredRequest>();
  readonly #expiredLimit: number;

  constructor(expiredLimit: number) {
    this.#expiredLimit = expiredLimit;
  }

  get size(): number {
    return this.#inFlight.size;
  }

  has(key: string): boolean {
    return this.#inFlight.has(key);
  }

  add(entry: PendingRequest): void {
    this.#inFlight.set(entry.key, entry);
  }

  /** Removes and returns the request waiting on `key`, clearing its deadline timer. */
  take(key: string): PendingRequest | undefined {
    const entry = this.#inFlight.get(key);
    if (entry === undefined) return undefined;
    this.#inFlight.delete(key);
    clearTimeout(entry.timer);
    return entry;
  }

  /** Every request in flight, removed from the table with their timers cleared. */
  drain(): PendingRequest[] {
    const all = [...this.#inFlight.values()];
    for (const entry of all) clearTimeout(entry.timer);
    this.#inFlight.clear();
    return all;
  }

  /** Remembers that `entry` passed its deadline; the oldest memory goes first once the limit is reached. */
  expire(entry: PendingRequest): void {
    this.#expired.delete(entry.key);
    this.#expired.set(entry.key, { deadlineAt: entry.deadlineAt, sentAt: entry.sentAt });
    if (this.#expired.size > this.#expiredLimit) {
      const oldest = this.#expired.keys().next().value as string;
      this.#expired.delete(oldest);
    }
  }

  /** The expired request behind `key`, if it is still remembered. Kept, so a repeated late reply is recognised too. */
  expired(key: string): ExpiredRequest | undefined {
    return this.#expired.get(key);
  }
}
