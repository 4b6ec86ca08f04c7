import type { Prefix } from './prefix.js';

/** `digits` decimal digits, one byte each, the digit d written as `zero + d`: 0x30 in ASCII, 0xF0 in EBCDIC. */
export function digitPrefix(digits: number, zero: number): Prefix {
  return {
    size: digits,
    max: 10 ** digits - 1,
    read(buf, off) {
      let n = 0;
      for (let i = 0; i < digits; i++) {
        const d = buf[off + i] - zero;
        if (d < 0 || d > 9) return -1;
        n = n * 10 + d;
      }
      return n;
    },
    write(len, buf, off) {
      for (let i = digits - 1; i >= 0; i--, len = (len / 10) | 0) buf[off + i] = zero + (len % 10);
    },
  };
}
