import type { Charset } from '../field/charsets.js';
import { BodyError, latin1, scratch, type Body } from './body.js';

// EBCDIC code page 037 positions of the printable ASCII characters 0x20-0x7E, in ASCII order.
const CP037_PRINTABLE = [
  0x40, 0x5a, 0x7f, 0x7b, 0x5b, 0x6c, 0x50, 0x7d, 0x4d, 0x5d, 0x5c, 0x4e, 0x6b, 0x60, 0x4b, 0x61, // space ! " # $ % & ' ( ) * + , - . /
  0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, // 0-9
  0x7a, 0x5e, 0x4c, 0x7e, 0x6e, 0x6f, 0x7c, // : ; < = > ? @
  0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xd1, 0xd2, 0xd3, 0xd4, // A-M
  0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, // N-Z
  0xba, 0xe0, 0xbb, 0xb0, 0x6d, 0x79, // [ \ ] ^ _ `
  0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x91, 0x92, 0x93, 0x94, // a-m
  0x95, 0x96, 0x97, 0x98, 0x99, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, // n-z
  0xc0, 0x4f, 0xd0, 0xa1, // { | } ~
] as const;

/** ASCII code -> EBCDIC byte (0 where the character has no mapping here). */
export const toEbcdic = new Uint8Array(256);
/** EBCDIC byte -> ASCII code (0 where the byte is not a printable character). */
export const fromEbcdic = new Uint8Array(256);
CP037_PRINTABLE.forEach((e, i) => {
  toEbcdic[0x20 + i] = e;
  fromEbcdic[e] = 0x20 + i;
});

/** One byte per character, EBCDIC code page 037; only printable characters are representable. */
export const ebcdic: Body = {
  binary: false,
  size: (units) => units,
  unitsIn: (bytes) => bytes,
  read(buf: Buffer, start: number, units: number, charset: Charset): string {
    const out = units <= scratch.length ? scratch : Buffer.allocUnsafe(units);
    for (let i = 0; i < units; i++) {
      const c = fromEbcdic[buf[start + i]];
      if (c === 0 || charset[c] === 0) throw new BodyError(start + i, `character at position ${i + 1} is not allowed`);
      out[i] = c;
    }
    return latin1(out, 0, units);
  },
  write(value, units, buf, off, charset) {
    const s = value as string;
    for (let i = 0; i < units; i++) {
      const c = s.charCodeAt(i);
      if (charset !== undefined && (c > 0xff || charset[c] === 0 || toEbcdic[c] === 0)) return i;
      buf[off + i] = toEbcdic[c & 0xff];
    }
    return -1;
  },
};

export function asciiToEbcdic(s: string): Buffer {
  const out = Buffer.allocUnsafe(s.length);
  for (let i = 0; i < s.length; i++) out[i] = toEbcdic[s.charCodeAt(i) & 0xff];
  return out;
}
