/** Latency samples in milliseconds: exact percentiles at the end, a sliding window for the live display. */
export class LatencyRecorder {
  #samples = new Float64Array(1 << 14);
  #count = 0;
  /** Samples beyond this are counted but not kept (the percentiles then describe the first `limit`). */
  readonly #limit: number;
  #window: number[] = [];
  dropped = 0;
  max = 0;

  constructor(limit = 20_000_000) {
    this.#limit = limit;
  }

  get count(): number {
    return this.#count;
  }

  add(ms: number): void {
    if (ms > this.max) this.max = ms;
    this.#window.push(ms);
    if (this.#count === this.#samples.length) {
      if (this.#count >= this.#limit) {
        this.dropped++;
        return;
      }
      const bigger = new Float64Array(Math.min(this.#limit, this.#count * 2));
      bigger.set(this.#samples);
      this.#samples = bigger;
    }
    this.#samples[this.#count++] = ms;
  }

  /** p50 and p99 of the samples since the last call: what the live line shows. */
  takeWindow(): { p50: number | null; p99: number | null } {
    const w = this.#window.sort((a, b) => a - b);
    this.#window = [];
    return { p50: quantile(w, 0.5), p99: quantile(w, 0.99) };
  }

  /** Percentiles over everything recorded. */
  percentiles(qs: readonly number[]): (number | null)[] {
    const sorted = this.#samples.slice(0, this.#count).sort();
    return qs.map((q) => quantile(sorted, q));
  }

  /** Counts per bucket, bounds in ms: [0, 1), [1, 2), [2, 5), ... up to the last bound, then the rest. */
  histogram(bounds: readonly number[] = HISTOGRAM_BOUNDS): { upToMs: number | null; count: number }[] {
    const counts = new Array<number>(bounds.length + 1).fill(0);
    for (let i = 0; i < this.#count; i++) {
      const v = this.#samples[i];
      let b = 0;
      while (b < bounds.length && v >= bounds[b]) b++;
      counts[b]++;
    }
    return counts.map((count, i) => ({ upToMs: i < bounds.length ? bounds[i] : null, count }));
  }
}

export const HISTOGRAM_BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000] as const;

function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  // nearest rank: the smallest sample with at least q of all samples at or below it
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}
