/** A cursor over input bytes: decoders read at `pos` and advance it; `end` bounds every read. */
export interface Reader {
  buf: Buffer;
  pos: number;
  end: number;
  /** `buf` as one latin1 string, made once per message: text fields are cut out of it instead of copied one by one. */
  text?: string;
}

/** A growable output buffer; callers `ensure` room before writing at `pos`. */
export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A copy of what was written, independent of this writer's buffer. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}
