import type { Prefix } from './prefix.js';

/** `digits` ASCII decimal digits: LL = "12". */
export function asciiPrefix(digits: number): Prefix {
  return {
    size: digits,
    max: 10 ** digits - 1,
    read(buf, off) {
      let n = 0;
      for (let i = 0; i < digits; i++) {
        const d = buf[off + i] - 0x30;
        if (d < 0 || d > 9) return -1;
        n = n * 10 + d;
      }
      return n;
    },
    write(len, buf, off) {
      for (let i = digits - 1; i >= 0; i--, len = (len / 10) | 0) buf[off + i] = 0x30 + (len % 10);
    },
  };
}
