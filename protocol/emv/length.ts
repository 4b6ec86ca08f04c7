import { ProtocolError } from '../errors.js';

/** b8 of the first length byte: b7-b1 count the length bytes that follow. 0x80 alone is BER's indefinite form. */
const LONG_FORM = 0x80;
/** Longest long form accepted: 0x84 and four bytes. Lengths this big never occur in EMV; more is garbage. */
export const MAX_LENGTH_BYTES = 4;
/** Largest length the 4-byte long form can hold. */
export const MAX_TLV_LENGTH = 0xffffffff;

/**
 * Reads the length at `off` of the object at `field`. Returns the length and how many bytes the length field
 * takes. Non-minimal long forms (0x81 0x05) are accepted; `encodeTlv` writes the minimal form.
 */
export function readLength(buf: Buffer, off: number, end: number, field: string): { length: number; size: number } {
  if (off >= end) throw new ProtocolError('TLV_TRUNCATED', 'the data ends before the length', { field, offset: off });
  const first = buf[off];
  if ((first & LONG_FORM) === 0) return { length: first, size: 1 };
  const count = first & ~LONG_FORM;
  if (count === 0) {
    throw new ProtocolError('TLV_BAD_LENGTH', 'indefinite length (0x80) is not allowed in EMV', { field, offset: off });
  }
  if (count > MAX_LENGTH_BYTES) {
    throw new ProtocolError('TLV_BAD_LENGTH', `a long-form length of ${count} bytes (max ${MAX_LENGTH_BYTES})`, {
      field,
      offset: off,
    });
  }
  if (end - off - 1 < count) {
    throw new ProtocolError('TLV_TRUNCATED', `the data ends inside a ${count}-byte length`, { field, offset: off });
  }
  let length = 0;
  for (let i = 1; i <= count; i++) length = length * 256 + buf[off + i];
  return { length, size: 1 + count };
}

/** Bytes the minimal length form of `n` takes. */
export function lengthSize(n: number): number {
  if (n < LONG_FORM) return 1;
  if (n <= 0xff) return 2;
  if (n <= 0xffff) return 3;
  if (n <= 0xffffff) return 4;
  return 5;
}

/** Writes the minimal length form of `n` at `off`; returns the offset after it. */
export function writeLength(n: number, out: Buffer, off: number): number {
  const size = lengthSize(n);
  if (size === 1) {
    out[off] = n;
    return off + 1;
  }
  out[off] = LONG_FORM | (size - 1);
  for (let i = size - 1, v = n; i >= 1; i--, v = Math.floor(v / 256)) out[off + i] = v & 0xff;
  return off + size;
}
