import type { Prefix } from './prefix.js';

/** `digits` BCD digits, right-aligned in whole bytes: LL = 1 byte (0x12), LLL = 2 bytes (0x01 0x23). */
export function bcdPrefix(digits: number): Prefix {
  const size = (digits + 1) >> 1;
  return {
    size,
    max: 10 ** digits - 1,
    read(buf, off) {
      let n = 0;
      for (let i = 0; i < size; i++) {
        const b = buf[off + i];
        const hi = b >> 4;
        const lo = b & 0x0f;
        if (hi > 9 || lo > 9) return -1;
        n = n * 100 + hi * 10 + lo;
      }
      return n <= 10 ** digits - 1 ? n : -1;
    },
    write(len, buf, off) {
      for (let i = size - 1; i >= 0; i--, len = (len / 100) | 0) {
        const two = len % 100;
        buf[off + i] = (((two / 10) | 0) << 4) | two % 10;
      }
    },
  };
}
