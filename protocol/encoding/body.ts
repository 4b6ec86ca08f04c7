import type { Charset } from '../field/charsets.js';

/** A field value as the codec sees it: characters for text and numeric classes, bytes for class b. */
export type Primitive = string | Buffer;

/**
 * How a value's units become bytes, behind one small interface (one file per encoding). `read` checks every unit
 * against the field's charset and throws `BodyError` (caught and located by the field codec) on the first bad one.
 */
export interface Body {
  readonly binary: boolean;
  /** Bytes that `units` units take. */
  size(units: number): number;
  /** Units held in `bytes` bytes, for lengths that count bytes. */
  unitsIn(bytes: number): number;
  /** `text`, when given, is `buf` as one latin1 string: character bodies cut their value out of it, saving a copy. */
  read(buf: Buffer, start: number, units: number, charset: Charset, text?: string): Primitive;
  /**
   * Writes exactly `size(units)` bytes; the caller has checked the value's length. With a `charset`, characters are
   * checked in the same pass: returns -1, or the index of the first character the charset does not allow.
   */
  write(value: Primitive, units: number, buf: Buffer, off: number, charset?: Charset): number;
}

/** Thrown by bodies: `index` is the byte offset of the bad unit in the buffer. Never carries the value. */
export class BodyError {
  constructor(
    readonly index: number,
    readonly detail: string,
  ) {}
}

type SliceBuffer = Buffer & { latin1Slice(start: number, end: number): string; latin1Write(s: string, off: number, len: number): number };

/** Buffer's own latin1 slice, without toString's argument juggling: this runs for most fields of every message. */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as SliceBuffer).latin1Slice(start, end);
}

export function writeLatin1(buf: Buffer, s: string, off: number): void {
  (buf as SliceBuffer).latin1Write(s, off, s.length);
}

/** Scratch space for building strings out of decoded digits; used synchronously only. */
export const scratch = Buffer.allocUnsafe(1 << 16);
