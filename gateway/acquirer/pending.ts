import { performance } from 'node:perf_hooks';
import type { IsoMessage } from '../../protocol/index.js';
import { ChurnTable } from '../churn-table.js';
import type { LinkError } from './errors.js';

export interface PendingRequest {
  key: string;
  mti: string;
  /** Clock time (epoch ms) of the write and of the deadline. */
  sentAt: number;
  deadlineAt: number;
  /** performance.now() at the write, for latency that does not jump with the wall clock. */
  sentMono: number;
  /** The wait allowed, and performance.now() when it ends. */
  deadlineMs: number;
  deadlineMono: number;
  resolve(reply: IsoMessage): void;
  reject(error: LinkError): void;
}

export interface ExpiredRequest {
  deadlineAt: number;
  sentAt: number;
}

/**
 * Requests in flight by key, and a bounded memory of keys whose deadline passed (to recognise late replies).
 *
 * Deadlines share one timer, set for the earliest of them: a timer per request would be made and cleared for
 * every authorization, and nearly every reply comes long before its deadline. When the timer fires, the requests
 * whose deadline has passed go to `onDeadline` in the order they were sent, and it is set again for the next one.
 * With one wait for every request (the gateway's case) the table is in deadline order, so a sweep stops at the
 * first request still in time; mixed waits make it look at every request.
 */
export class PendingTable {
  readonly #inFlight = new ChurnTable<PendingRequest>();
  readonly #expired = new Map<string, ExpiredRequest>();
  readonly #expiredLimit: number;
  readonly #onDeadline: (entry: PendingRequest) => void;
  #timer: NodeJS.Timeout | undefined;
  /** performance.now() the timer is set for; Infinity when it is not set. */
  #timerAt = Infinity;
  /** Whether the requests in flight were added in deadline order, and the last deadline added. */
  #ordered = true;
  #lastDeadline = -Infinity;

  constructor(expiredLimit: number, onDeadline: (entry: PendingRequest) => void) {
    this.#expiredLimit = expiredLimit;
    this.#onDeadline = onDeadline;
  }

  get size(): number {
    return this.#inFlight.size;
  }

  has(key: string): boolean {
    return this.#inFlight.has(key);
  }

  add(entry: PendingRequest): void {
    this.#inFlight.set(entry.key, entry);
    if (entry.deadlineMono < this.#lastDeadline) this.#ordered = false;
    this.#lastDeadline = entry.deadlineMono;
    if (entry.deadlineMono < this.#timerAt) this.#arm(entry.deadlineMono);
  }

  /** Removes and returns the request waiting on `key`. The timer stays set while anything is in flight. */
  take(key: string): PendingRequest | undefined {
    const entry = this.#inFlight.get(key);
    if (entry === undefined) return undefined;
    this.#inFlight.delete(key);
    if (this.#inFlight.size === 0) this.#disarm();
    return entry;
  }

  /** Every request in flight, removed from the table; the timer is cleared. */
  drain(): PendingRequest[] {
    const all = this.#inFlight.values();
    this.#inFlight.clear();
    this.#disarm();
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

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    // a timer can fire a little before its time (it counts from the event loop's clock): #sweep sets it again then
    this.#timer = setTimeout(() => this.#sweep(), Math.max(1, Math.ceil(at - performance.now())));
  }

  /** Nothing in flight: no timer, and the order starts over. */
  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#ordered = true;
    this.#lastDeadline = -Infinity;
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    const due: PendingRequest[] = [];
    let next = Infinity;
    for (const entry of this.#inFlight.values()) {
      if (entry.deadlineMono <= now) due.push(entry);
      else if (entry.deadlineMono < next) {
        next = entry.deadlineMono;
        if (this.#ordered) break;
      }
    }
    if (next !== Infinity) this.#arm(next);
    for (const entry of due) this.#onDeadline(entry);
  }
}
