import { BodyError, type Body } from './body.js';

const HEX_UPPER = Buffer.from('0123456789ABCDEF', 'latin1');

/** ASCII hex character -> value, or -1. Either case reads; upper case is written. */
export const hexValue = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  hexValue[HEX_UPPER[i]] = i;
  hexValue[HEX_UPPER[i] | 0x20] = i;
}

/** Binary data written as two ASCII hex characters per byte; the length counts bytes of the value. */
export const hex: Body = {
  binary: true,
  size: (units) => units * 2,
  unitsIn: (bytes) => bytes >> 1,
  read(buf, start, units) {
    const out = Buffer.allocUnsafe(units);
    for (let i = 0; i < units; i++) {
      const at = start + 2 * i;
      const hi = hexValue[buf[at]];
      const lo = hexValue[buf[at + 1]];
      if (hi < 0 || lo < 0) throw new BodyError(hi < 0 ? at : at + 1, `character at position ${2 * i + (hi < 0 ? 1 : 2)} is not a hex digit`);
      out[i] = (hi << 4) | lo;
    }
    return out;
  },
  write(value, units, buf, off) {
    const v = value as Buffer;
    for (let i = 0; i < units; i++) {
      buf[off + 2 * i] = HEX_UPPER[v[i] >> 4];
      buf[off + 2 * i + 1] = HEX_UPPER[v[i] & 0x0f];
    }
    return -1;
  },
};

/** Parses a hex string (either case) into bytes, or returns the index of the first bad character. */
export function parseHex(s: string): Buffer | number {
  if (s.length & 1) return s.length;
  const out = Buffer.allocUnsafe(s.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const c1 = s.charCodeAt(2 * i);
    const c2 = s.charCodeAt(2 * i + 1);
    const hi = c1 < 256 ? hexValue[c1] : -1;
    const lo = c2 < 256 ? hexValue[c2] : -1;
    if (hi < 0) return 2 * i;
    if (lo < 0) return 2 * i + 1;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').toUpperCase();
}
