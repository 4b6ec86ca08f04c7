import { hexValue } from '../encoding/hex.js';
import type { Prefix } from './prefix.js';

/** `digits` ASCII hex characters holding the length (upper case written, either case read). */
export function hexPrefix(digits: number): Prefix {
  return {
    size: digits,
    max: 16 ** digits - 1,
    read(buf, off) {
      let n = 0;
      for (let i = 0; i < digits; i++) {
        const d = hexValue[buf[off + i]];
        if (d < 0) return -1;
        n = n * 16 + d;
      }
      return n;
    },
    write(len, buf, off) {
      const s = len.toString(16).toUpperCase().padStart(digits, '0');
      buf.write(s, off, digits, 'latin1');
    },
  };
}
