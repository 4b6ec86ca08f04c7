/**
 * Counters in time buckets over a fixed horizon, in one preallocated ring: memory stays the same however much
 * traffic passes. A slot remembers which bucket it holds, so a slot left from an earlier lap reads as zero.
 */
export class BucketRing {
  readonly bucketMs: number;
  private readonly slots: number;
  private readonly values: Float64Array;
  private readonly owner: Float64Array;

  constructor(
    bucketMs: number,
    horizonMs: number,
    private readonly fields: number,
  ) {
    if (!Number.isInteger(bucketMs) || bucketMs <= 0) throw new RangeError('"bucketMs" must be a positive integer');
    if (!(horizonMs > 0)) throw new RangeError('"horizonMs" must be positive');
    if (!Number.isInteger(fields) || fields <= 0) throw new RangeError('"fields" must be a positive integer');
    this.bucketMs = bucketMs;
    // two spare slots: the partial current bucket and the oldest bucket of a full window both stay readable
    this.slots = Math.ceil(horizonMs / bucketMs) + 2;
    this.values = new Float64Array(this.slots * fields);
    this.owner = new Float64Array(this.slots).fill(-1);
  }

  /** Adds `n` to `field` of the bucket holding time `at`. */
  add(at: number, field: number, n = 1): void {
    const bucket = Math.floor(at / this.bucketMs);
    const slot = this.claim(bucket);
    if (slot >= 0) this.values[slot * this.fields + field] += n;
  }

  /** Sums `field` over the buckets first..last (bucket indexes, inclusive). */
  sum(first: number, last: number, field: number): number {
    let total = 0;
    for (let b = Math.max(first, last - this.slots + 1); b <= last; b++) {
      const slot = mod(b, this.slots);
      if (this.owner[slot] === b) total += this.values[slot * this.fields + field];
    }
    return total;
  }

  /** Sums every field over buckets first..last into `out` (length `fields`). */
  sumAll(first: number, last: number, out: Float64Array): Float64Array {
    out.fill(0);
    for (let b = Math.max(first, last - this.slots + 1); b <= last; b++) {
      const slot = mod(b, this.slots);
      if (this.owner[slot] !== b) continue;
      const base = slot * this.fields;
      for (let f = 0; f < this.fields; f++) out[f] += this.values[base + f];
    }
    return out;
  }

  /** The bucket index holding time `at`. */
  bucketOf(at: number): number {
    return Math.floor(at / this.bucketMs);
  }

  /** The slot of `bucket`, started over if it held an older bucket; -1 for a bucket older than the horizon. */
  private claim(bucket: number): number {
    const slot = mod(bucket, this.slots);
    if (this.owner[slot] === bucket) return slot;
    if (this.owner[slot] > bucket) return -1;
    this.owner[slot] = bucket;
    this.values.fill(0, slot * this.fields, (slot + 1) * this.fields);
    return slot;
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
