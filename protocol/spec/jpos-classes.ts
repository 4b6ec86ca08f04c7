/**
 * jPOS field packager classes as our spec axes. Facts from jPOS's sources (org.jpos.iso.*):
 * - ISOStringFieldPackager writes the prefix with the padded value's length in units: IFB_LLNUM's BCD prefix counts
 *   digits, IFA_LLCHAR's ASCII prefix counts characters.
 * - ISOBinaryFieldPackager writes the prefix with the value's byte count, whatever the interpreter: IFA_LLLBINARY
 *   (LiteralBinaryInterpreter, raw bytes) and IFA_LLABINARY (hex characters) both count bytes.
 * - IFA_BINARY / IFA_BITMAP write each byte as two ASCII hex characters; IFB_* binary ones raw.
 * - BcdPrefixer packs (digits + 1) / 2 bytes: LL is one byte, LLL two (0x0999 max). BinaryPrefixer B / BB: 1 / 2 bytes.
 * - IFB_NUMERIC, IFB_LLNUM, IFB_LLLNUM, IFB_LLHNUM, IFB_AMOUNT take GenericPackager's pad attribute: "true" puts the
 *   BCD filler nibble first (LEFT_PADDED), anything else or no attribute last (RIGHT_PADDED); always a 0 nibble.
 * - IFA_AMOUNT / IFE_AMOUNT (ISOAmountFieldPackager): the sign character then zero-filled digits, both through the
 *   field's interpreter; `length` counts the sign. IFB_AMOUNT: one ASCII sign byte then length - 1 digits in BCD.
 * - IFEB_LLNUM / IFEB_LLLNUM: an EBCDIC length that counts BCD bytes, odd digit counts end in an F nibble; the XML
 *   length counts digits.
 */
import { Pad } from './build.js';
import type { DataEncoding, PadSpec, PrefixEncoding, PrefixSpec, ValueClass } from './types.js';

export interface JposFieldClass {
  kind: 'field';
  class: ValueClass;
  encoding: DataEncoding;
  prefix?: PrefixSpec;
  /** 'digits-to-bytes': the XML length counts digits but the wire length counts bytes (IFEB_*). */
  counts?: 'digits-to-bytes';
  /** 'attribute': the BCD filler nibble follows the XML pad attribute. */
  pad?: PadSpec | 'attribute';
}

export type JposClass =
  | JposFieldClass
  | { kind: 'bitmap'; encoding: 'binary' | 'hex' }
  /** IF_NOP packs nothing: the field is left out. */
  | { kind: 'nop' }
  | { kind: 'unsupported'; reason: string };

const field = (cls: ValueClass, encoding: DataEncoding, more: Omit<JposFieldClass, 'kind' | 'class' | 'encoding'> = {}): JposFieldClass => ({
  kind: 'field',
  class: cls,
  encoding,
  ...more,
});
const prefix = (encoding: PrefixEncoding, digits: number): PrefixSpec => ({ digits, encoding });

export const JposClasses: Readonly<Record<string, JposClass>> = {
  // fixed length
  IF_CHAR: field('ans', 'ascii', { pad: Pad.spaceRight }),
  IFE_CHAR: field('ans', 'ebcdic', { pad: Pad.spaceRight }),
  IFA_NUMERIC: field('n', 'ascii', { pad: Pad.zeroLeft }),
  IFE_NUMERIC: field('n', 'ebcdic', { pad: Pad.zeroLeft }),
  IFB_NUMERIC: field('n', 'bcd', { pad: 'attribute' }),
  IFA_AMOUNT: field('x+n', 'ascii', { pad: Pad.zeroLeft }),
  IFE_AMOUNT: field('x+n', 'ebcdic', { pad: Pad.zeroLeft }),
  IFB_AMOUNT: field('x+n', 'bcd', { pad: 'attribute' }),
  IFA_BINARY: field('b', 'hex'),
  IFB_BINARY: field('b', 'binary'),
  IFA_BITMAP: { kind: 'bitmap', encoding: 'hex' },
  IFB_BITMAP: { kind: 'bitmap', encoding: 'binary' },
  IFE_BITMAP: { kind: 'unsupported', reason: 'EBCDIC hex bitmaps are not supported (a bitmap is binary or ASCII hex)' },
  IF_NOP: { kind: 'nop' },

  // ASCII length prefix
  IFA_LLNUM: field('n', 'ascii', { prefix: prefix('ascii', 2) }),
  IFA_LLLNUM: field('n', 'ascii', { prefix: prefix('ascii', 3) }),
  IFA_LCHAR: field('ans', 'ascii', { prefix: prefix('ascii', 1) }),
  IFA_LLCHAR: field('ans', 'ascii', { prefix: prefix('ascii', 2) }),
  IFA_LLLCHAR: field('ans', 'ascii', { prefix: prefix('ascii', 3) }),
  IFA_LLLLCHAR: field('ans', 'ascii', { prefix: prefix('ascii', 4) }),
  IFA_LLLLLCHAR: field('ans', 'ascii', { prefix: prefix('ascii', 5) }),
  IFA_LLLLLLCHAR: field('ans', 'ascii', { prefix: prefix('ascii', 6) }),
  IFA_LLBINARY: field('b', 'binary', { prefix: prefix('ascii', 2) }),
  IFA_LLLBINARY: field('b', 'binary', { prefix: prefix('ascii', 3) }),
  IFA_LLABINARY: field('b', 'hex', { prefix: prefix('ascii', 2) }),
  IFA_LLLABINARY: field('b', 'hex', { prefix: prefix('ascii', 3) }),

  // BCD length prefix
  IFB_LLNUM: field('n', 'bcd', { prefix: prefix('bcd', 2), pad: 'attribute' }),
  IFB_LLLNUM: field('n', 'bcd', { prefix: prefix('bcd', 3), pad: 'attribute' }),
  IFB_LLCHAR: field('ans', 'ascii', { prefix: prefix('bcd', 2) }),
  IFB_LLLCHAR: field('ans', 'ascii', { prefix: prefix('bcd', 3) }),
  IFB_LLBINARY: field('b', 'binary', { prefix: prefix('bcd', 2) }),
  IFB_LLLBINARY: field('b', 'binary', { prefix: prefix('bcd', 3) }),

  // binary length prefix ("H": a length of 16 is 0x10, not 0x16)
  IFB_LLHNUM: field('n', 'bcd', { prefix: prefix('binary', 1), pad: 'attribute' }),
  IFB_LLHCHAR: field('ans', 'ascii', { prefix: prefix('binary', 1) }),
  IFB_LLLHCHAR: field('ans', 'ascii', { prefix: prefix('binary', 2) }),
  IFB_LLHBINARY: field('b', 'binary', { prefix: prefix('binary', 1) }),
  IFB_LLLHBINARY: field('b', 'binary', { prefix: prefix('binary', 2) }),

  // EBCDIC length prefix
  IFE_LLNUM: field('n', 'ebcdic', { prefix: prefix('ebcdic', 2) }),
  IFE_LLCHAR: field('ans', 'ebcdic', { prefix: prefix('ebcdic', 2) }),
  IFE_LLLCHAR: field('ans', 'ebcdic', { prefix: prefix('ebcdic', 3) }),
  IFE_LLLBINARY: field('b', 'binary', { prefix: prefix('ebcdic', 3) }),
  IFEB_LLNUM: field('n', 'bcd', { prefix: prefix('ebcdic', 2), counts: 'digits-to-bytes', pad: { side: 'right', char: 'F' } }),
  IFEB_LLLNUM: field('n', 'bcd', { prefix: prefix('ebcdic', 3), counts: 'digits-to-bytes', pad: { side: 'right', char: 'F' } }),
};

/** The class name without jPOS's package, or null for a class outside org.jpos.iso (a custom packager). */
export function jposClassName(className: string): string | null {
  const m = /^org\.jpos\.iso\.([A-Za-z0-9_]+)$/.exec(className);
  return m === null ? null : m[1]!;
}

export function lookupJposClass(className: string): JposClass | undefined {
  const short = jposClassName(className);
  return short !== null && Object.hasOwn(JposClasses, short) ? JposClasses[short] : undefined;
}
