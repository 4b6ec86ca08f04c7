export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Ceiling of the delay before jitter, ms. */
  maxMs: number;
  /** 0..1: each delay is drawn from [d * (1 - jitter), d], so a fleet of gateways does not reconnect in step. */
  jitter: number;
}

/** Exponential backoff: initialMs, 2x, 4x ... capped at maxMs, each with jitter taken off. */
export class Backoff {
  readonly options: Readonly<BackoffOptions>;
  #attempt = 0;
  readonly #random: () => number;

  constructor(options: BackoffOptions, random: () => number = Math.random) {
    this.options = options;
    this.#random = random;
  }

  /** Failures since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt, ms; grows with every call until `reset`. */
  next(): number {
    const { initialMs, maxMs, jitter } = this.options;
    // 2^attempt overflows to Infinity long after it passes any sane maxMs; Math.min keeps it finite.
    const base = Math.min(maxMs, initialMs * 2 ** this.#attempt);
    this.#attempt++;
    return Math.round(base * (1 - jitter * this.#random()));
  }

  reset(): void {
    this.#attempt = 0;
  }
}
