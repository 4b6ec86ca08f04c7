/** The breaker's states; the numbers are those of the `posgw_breaker_state` gauge. */
export const BreakerState = { closed: 0, open: 1, halfOpen: 2 } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

export const BreakerStateNames = { [BreakerState.closed]: 'closed', [BreakerState.open]: 'open', [BreakerState.halfOpen]: 'half-open' } as const;

/** Refused by an open breaker: the request was never sent. */
export class BrokenCircuitError extends Error {
  constructor() {
    super('the circuit breaker is open: not sent');
    this.name = 'BrokenCircuitError';
  }
}

export interface BreakerOptions {
  /** Failures in a row that open the breaker. */
  consecutiveFailures: number;
  /** How long it stays open before one request may go through as a probe. */
  halfOpenAfterMs: number;
  /** Which errors count as failures; any other error passes through and counts neither way. */
  isFailure: (e: unknown) => boolean;
  now?: () => number;
}

export interface Subscription {
  dispose(): void;
}

/**
 * A circuit breaker over consecutive failures. Closed, it runs every request and counts failures in a row (a success
 * starts the count over); at `consecutiveFailures` it opens and refuses requests with BrokenCircuitError. After
 * `halfOpenAfterMs` the next request goes through as a probe: its success closes the breaker, its failure opens it
 * again for another interval. Requests made while a probe is out wait for its outcome, then go as the breaker says.
 * This runs for every authorization, so the closed state costs a state check and nothing else.
 */
export class CircuitBreaker {
  #state: BreakerState = BreakerState.closed;
  #failures = 0;
  #openedAt = 0;
  #probe: Promise<unknown> | undefined;
  readonly #listeners = { change: new Set<(s: BreakerState) => void>(), break: new Set<() => void>() };
  readonly #now: () => number;

  constructor(private readonly opts: BreakerOptions) {
    this.#now = opts.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.#state;
  }

  onStateChange(listener: (s: BreakerState) => void): Subscription {
    return this.#subscribe(this.#listeners.change, listener);
  }

  /** Each time the breaker opens. */
  onBreak(listener: () => void): Subscription {
    return this.#subscribe(this.#listeners.break, listener);
  }

  /** Open long enough: the next request goes through as the probe (it turns the breaker half-open at once). */
  probeDue(): boolean {
    return this.#state === BreakerState.open && this.#now() - this.#openedAt >= this.opts.halfOpenAfterMs;
  }

  async execute<T>(fn: () => Promise<T>): Promise<T> {
    switch (this.#state) {
      case BreakerState.closed:
        return this.#closed(fn);
      case BreakerState.halfOpen:
        await this.#probe;
        return this.execute(fn);
      default:
        if (!this.probeDue()) throw new BrokenCircuitError();
        return this.#halfOpen(fn);
    }
  }

  async #closed<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const value = await fn();
      this.#failures = 0;
      return value;
    } catch (e) {
      // a failure counts only while closed: the breaker may have opened meanwhile, on other requests' failures
      if (this.opts.isFailure(e) && this.#state === BreakerState.closed && ++this.#failures >= this.opts.consecutiveFailures) this.#open();
      throw e;
    }
  }

  #halfOpen<T>(fn: () => Promise<T>): Promise<T> {
    this.#set(BreakerState.halfOpen);
    const probe = (async () => {
      try {
        const value = await fn();
        this.#close();
        return value;
      } catch (e) {
        // an error that is not a failure says nothing against the acquirer: the probe went through
        if (this.opts.isFailure(e)) this.#open();
        else this.#close();
        throw e;
      }
    })();
    this.#probe = probe.catch(() => undefined);
    return probe;
  }

  #open(): void {
    this.#openedAt = this.#now();
    this.#failures = 0;
    this.#set(BreakerState.open);
    for (const l of this.#listeners.break) l();
  }

  #close(): void {
    this.#failures = 0;
    this.#set(BreakerState.closed);
  }

  #set(state: BreakerState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const l of this.#listeners.change) l(state);
  }

  #subscribe<L>(set: Set<L>, listener: L): Subscription {
    set.add(listener);
    return { dispose: () => set.delete(listener) };
  }
}
