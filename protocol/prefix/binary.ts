import type { Prefix } from './prefix.js';

/** A big-endian unsigned integer of `bytes` bytes (jPOS's "H" prefixers). */
export function binaryPrefix(bytes: number): Prefix {
  return {
    size: bytes,
    max: 2 ** (8 * bytes) - 1,
    read(buf, off) {
      let n = 0;
      for (let i = 0; i < bytes; i++) n = n * 256 + buf[off + i];
      return n;
    },
    write(len, buf, off) {
      for (let i = bytes - 1; i >= 0; i--, len = Math.floor(len / 256)) buf[off + i] = len & 0xff;
    },
  };
}
