/** A variable-length field's length prefix, behind one small interface (one file per encoding). */
export interface Prefix {
  /** Bytes the prefix takes. */
  readonly size: number;
  /** Largest length it can express. */
  readonly max: number;
  /** The length, or -1 when the bytes are not a valid length. The caller has checked `size` bytes are there. */
  read(buf: Buffer, off: number): number;
  write(len: number, buf: Buffer, off: number): void;
}
