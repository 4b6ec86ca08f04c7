/**
 * Bytes received but not yet consumed, kept as the list of chunks they arrived in: appending never copies, and
 * `take` copies each byte at most once, so many small chunks cost O(n), not O(n^2).
 */
export class ByteQueue {
  #chunks: (Buffer | undefined)[] = [];
  /** Index of the first live chunk; the slots of consumed chunks before it are emptied, and dropped in batches. */
  #head = 0;
  /** Bytes already consumed from the first live chunk. */
  #skip = 0;
  #length = 0;

  /** Bytes held. */
  get length(): number {
    return this.#length;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /**
   * Removes and returns the next `n` bytes (n <= length). A view of the chunk (no copy) when they lie in one chunk;
   * the view keeps that chunk alive.
   */
  take(n: number): Buffer {
    if (n > this.#length) throw new RangeError(`take(${n}) with ${this.#length} bytes queued`);
    this.#length -= n;
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[this.#head]!;
    if (first.length - this.#skip >= n) {
      const out = first.subarray(this.#skip, this.#skip + n);
      this.#advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[this.#head]!;
      const k = Math.min(chunk.length - this.#skip, n - filled);
      chunk.copy(out, filled, this.#skip, this.#skip + k);
      filled += k;
      this.#advance(k);
    }
    return out;
  }

  #advance(k: number): void {
    this.#skip += k;
    if (this.#skip < this.#chunks[this.#head]!.length) return;
    this.#skip = 0;
    // a busy connection's queue seldom empties: a consumed chunk left in its slot would live as long as the array
    this.#chunks[this.#head++] = undefined;
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#skip = 0;
    this.#length = 0;
  }
}
