/**
 * A decoded BER-TLV level. Keys are tags as upper-case hex ("9F26", "70"); a tag seen again at the same level is
 * kept as "9F26#2", "9F26#3". Primitive values are zero-copy views of the input; constructed tags (templates) hold
 * the next level. With `padding: 'keep'` a run of padding bytes is an entry "00" (or "FF") holding those bytes.
 */
export type TlvMap = Map<string, Buffer | TlvMap>;

/** What `encodeTlv` accepts for one value: bytes, a hex string, or (for a constructed tag) the next level. */
export type TlvValueInput = Buffer | Uint8Array | string | TlvInput;

/**
 * What `encodeTlv` accepts for one level. A Map keeps its insertion order. A plain object orders integer-like keys
 * ("82", "95") before the others, as JavaScript does, so use a Map when the byte order matters (a MAC covers it).
 */
export type TlvInput = ReadonlyMap<string, TlvValueInput> | { readonly [tag: string]: TlvValueInput };

/**
 * What to do with padding bytes between objects. EMV Book 3 Annex B allows 0x00 before, between and after
 * objects; ISO/IEC 7816-4 also allows 0xFF, and makes both invalid as a first tag byte.
 * - error: TLV_BAD_TAG at the padding byte. The default: field 55 is built by the terminal and carries no padding,
 *   so padding there means corrupt or misaligned data.
 * - keep: each run becomes an entry "00"/"FF" (then "00#2" ...) and re-packs byte-exact.
 * - skip: drop it; a re-pack is then shorter than the input (opted into, so never silent).
 */
export const TlvPaddings = ['error', 'keep', 'skip'] as const;
export type TlvPadding = (typeof TlvPaddings)[number];

export interface DecodeTlvOptions {
  /** Default 'error'. */
  padding?: TlvPadding;
  /** How many templates may nest inside each other; default 8 (EMV uses 2 or 3). */
  maxDepth?: number;
  /** Largest input accepted, in bytes; default 8192 (field 55 is LLL, so at most 999). */
  maxBytes?: number;
}

export interface EncodeTlvOptions {
  /** How many templates may nest inside each other; default 8. Also stops a cyclic input. */
  maxDepth?: number;
}

export const TlvDefaults = {
  padding: 'error',
  maxDepth: 8,
  maxBytes: 8192,
} as const;

/** Upper bound for the `maxDepth` option: deeper recursion would be a stack risk, and no EMV data comes close. */
export const TLV_MAX_DEPTH_LIMIT = 64;
