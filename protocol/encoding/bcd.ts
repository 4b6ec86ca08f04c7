import type { Charset } from '../field/charsets.js';
import { BodyError, latin1, scratch, type Body } from './body.js';

const EQUALS = 0x3d;
// Track data packs its '=' separator as nibble D and reads it back as '=' (jPOS does the same).
const SEPARATOR_NIBBLE = 0xd;

/** Byte -> its two decimal digits ("47"), or undefined when a nibble is not 0-9: the fast path of decoding. */
const PAIRS: (string | undefined)[] = [];
const DIGITS = '0123456789';
for (let b = 0; b < 256; b++) PAIRS.push((b >> 4) <= 9 && (b & 0x0f) <= 9 ? DIGITS[b >> 4] + DIGITS[b & 0x0f] : undefined);

function nibbleChar(n: number, charset: Charset): number {
  if (n <= 9) return 0x30 + n;
  if (n === SEPARATOR_NIBBLE && charset[EQUALS] === 1) return EQUALS;
  return -1;
}

const LETTER_D = 0x44;

/** The nibble of a digit (or of the separator, '=' or 'D', where the charset allows track data), or -1. */
function nibbleOf(c: number, charset: Charset | undefined): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if ((c === EQUALS || c === LETTER_D) && (charset === undefined || charset[c] === 1)) return SEPARATOR_NIBBLE;
  return -1;
}

function isPad(n: number): boolean {
  return n === 0 || n === 0x0f;
}

/**
 * Two digits per byte. An odd digit count leaves one nibble over, filled with `padNibble` on `padSide`. On input the
 * filler may be 0 or F, whatever the spec writes: both occur in the field and neither changes the digits.
 */
export function bcd(padSide: 'left' | 'right', padNibble: number): Body {
  const left = padSide === 'left';

  /** Nibble by nibble: separators, bad digits and bad fillers end up here. */
  function readSlow(buf: Buffer, start: number, units: number, charset: Charset): string {
    const out = units <= scratch.length ? scratch : Buffer.allocUnsafe(units);
    const odd = units & 1;
    let nib = odd && left ? 1 : 0;
    if (odd) {
      const padAt = left ? start : start + (units >> 1);
      if (!isPad(left ? buf[padAt] >> 4 : buf[padAt] & 0x0f)) throw new BodyError(padAt, 'pad nibble is not 0 or F');
    }
    for (let i = 0; i < units; i++, nib++) {
      const b = buf[start + (nib >> 1)];
      const c = nibbleChar(nib & 1 ? b & 0x0f : b >> 4, charset);
      if (c < 0 || charset[c] === 0) throw new BodyError(start + (nib >> 1), `digit at position ${i + 1} is not a decimal digit`);
      out[i] = c;
    }
    return latin1(out, 0, units);
  }

  return {
    binary: false,
    size: (units) => (units + 1) >> 1,
    unitsIn: (bytes) => bytes * 2,
    read(buf: Buffer, start: number, units: number, charset: Charset): string {
      const whole = units >> 1;
      let s = '';
      let at = start;
      if (units & 1 && left) {
        const b = buf[at++];
        if (!isPad(b >> 4) || (b & 0x0f) > 9) return readSlow(buf, start, units, charset);
        s = DIGITS[b & 0x0f];
      }
      for (const end = at + whole; at < end; at++) {
        const pair = PAIRS[buf[at]];
        if (pair === undefined) return readSlow(buf, start, units, charset);
        s += pair;
      }
      if (units & 1 && !left) {
        const b = buf[at];
        if (!isPad(b & 0x0f) || b >> 4 > 9) return readSlow(buf, start, units, charset);
        s += DIGITS[b >> 4];
      }
      return s;
    },
    write(value, units, buf, off, charset) {
      const s = value as string;
      let at = off;
      let i = 0;
      if (units & 1 && left) {
        const lo = nibbleOf(s.charCodeAt(0), charset);
        if (lo < 0) return 0;
        buf[at++] = (padNibble << 4) | lo;
        i = 1;
      }
      // one byte per pair of digits, written once
      for (; i + 1 < units; i += 2) {
        const hi = nibbleOf(s.charCodeAt(i), charset);
        if (hi < 0) return i;
        const lo = nibbleOf(s.charCodeAt(i + 1), charset);
        if (lo < 0) return i + 1;
        buf[at++] = (hi << 4) | lo;
      }
      if (i < units) {
        const hi = nibbleOf(s.charCodeAt(i), charset);
        if (hi < 0) return i;
        buf[at] = (hi << 4) | padNibble;
      }
      return -1;
    },
  };
}
