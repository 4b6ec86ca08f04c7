/**
 * A message spec is data: every field is described along independent axes (value class, data encoding, length
 * type, prefix encoding, what the length counts, padding). The same shape is our JSON spec format; the jPOS
 * GenericPackager importer produces it too.
 */

/** Value classes of ISO 8583. `z` is track 2/3 data (digits and the `=` separator); `x+n` an amount with a C/D sign. */
export const ValueClasses = ['n', 'a', 'an', 'anp', 'ans', 'as', 'ns', 'z', 'b', 'x+n'] as const;
export type ValueClass = (typeof ValueClasses)[number];

/**
 * How the value's units become bytes.
 * - ascii: one byte per character (ISO-8859-1)
 * - ebcdic: one byte per character (code page 037)
 * - bcd: two digits per byte
 * - binary: the bytes as they are (class b)
 * - hex: each byte as two ASCII hex characters (class b)
 */
export const DataEncodings = ['ascii', 'ebcdic', 'bcd', 'binary', 'hex'] as const;
export type DataEncoding = (typeof DataEncodings)[number];

/** How a variable-length field's length prefix is written. */
export const PrefixEncodings = ['ascii', 'ebcdic', 'bcd', 'binary', 'hex'] as const;
export type PrefixEncoding = (typeof PrefixEncodings)[number];

/**
 * What a length (the prefix, and the spec's `length`) counts.
 * - units: characters for character data, digits for BCD, bytes for binary data (jPOS's convention)
 * - bytes: the encoded bytes (so a BCD field of 7 digits has length 4)
 */
export const LengthUnits = ['units', 'bytes'] as const;
export type LengthUnit = (typeof LengthUnits)[number];

export interface PrefixSpec {
  /** Number of length digits: 1 for L, 2 for LL, 3 for LLL ... For binary prefixes, the number of bytes. */
  digits: number;
  encoding: PrefixEncoding;
}

export interface PadSpec {
  /** Which side the padding goes on. */
  side: 'left' | 'right';
  /** Pad character for character data (one character); for BCD the pad nibble: '0' or 'F'. */
  char: string;
}

/** Marks what must be masked in dumps and logs. */
export const Sensitivities = ['pan', 'track', 'pin', 'cvv', 'emv', 'key'] as const;
export type Sensitivity = (typeof Sensitivities)[number];

export const SubfieldLayouts = ['positional', 'bitmap', 'tlv'] as const;
export type SubfieldLayout = (typeof SubfieldLayouts)[number];

export interface SubfieldsSpec {
  /**
   * - positional: subfields one after another in id order ("1", "2", ...); absent trailing subfields end the data
   * - bitmap: an inner bitmap (`bitmap` below) marks which subfields follow, as in field 127 of Postilion-style specs
   * - tlv: BER-TLV (EMV field 55); `fields` optionally names tags ("9F26") with their own specs
   */
  layout: SubfieldLayout;
  fields: Record<string, FieldSpec>;
  /** For layout "bitmap": how the inner bitmap is written, and how many bytes one bitmap has (8 = 64 bits). */
  bitmap?: { encoding: 'binary' | 'hex'; bytes: number };
}

export interface FieldSpec {
  name: string;
  class: ValueClass;
  encoding: DataEncoding;
  /** Exact length for fixed fields, maximum for variable ones, counted as `counts` says. */
  length: number;
  /** Present for variable-length fields (L, LL, LLL, ...); absent for fixed-length fields. */
  prefix?: PrefixSpec;
  /** Default "units". */
  counts?: LengthUnit;
  /**
   * Padding: for fixed character fields what `encode(..., { pad: true })` fills with; for BCD with an odd digit count,
   * the side and nibble of the filler (default left, '0').
   */
  pad?: PadSpec;
  sensitive?: Sensitivity;
  subfields?: SubfieldsSpec;
}

export interface BitmapSpec {
  encoding: 'binary' | 'hex';
  /** Allow a tertiary bitmap (fields 129-192), announced by bit 65. */
  tertiary?: boolean;
}

export interface MacSpec {
  /** The field that carries the MAC: 64 (primary) or 128 (secondary). */
  field: number;
  /** Which bytes the MAC covers: the whole packed message up to the MAC field ("message"), per spec. */
  covers: 'message';
  /** How the last block is padded: ISO 9797-1 method 1 (zeros) or method 2 (0x80 then zeros). */
  padding: 'zeros' | 'iso9797-2';
}

export interface MessageSpec {
  name: string;
  description?: string;
  mti: { encoding: 'ascii' | 'bcd' | 'ebcdic' };
  bitmap: BitmapSpec;
  /** Keyed by field number as a string, "2" to "128" (or "192" with a tertiary bitmap). */
  fields: Record<string, FieldSpec>;
  mac?: MacSpec;
}
