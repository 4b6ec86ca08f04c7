import { ProtocolError } from '../errors.js';

/** b6 of the first tag byte: the value is a template of further objects. */
export const CONSTRUCTED = 0x20;
/** b5-b1 of the first tag byte all set: the tag number continues in subsequent bytes. */
const TAG_NUMBER_FOLLOWS = 0x1f;
/** b8 of a subsequent tag byte: another tag byte follows. */
const MORE_TAG_BYTES = 0x80;
/** EMV tags are at most 3 bytes (DF8101); one more keeps room for other BER users without unbounded reads. */
export const MAX_TAG_BYTES = 4;

/** Padding bytes (EMV Book 3 Annex B, ISO/IEC 7816-4): never the first byte of a tag. */
export const PAD_ZERO = 0x00;
export const PAD_FF = 0xff;

export function isPaddingByte(b: number): boolean {
  return b === PAD_ZERO || b === PAD_FF;
}

/** Reads the tag at `off`; returns how many bytes it takes. `field` is the enclosing template's path, if any. */
export function readTag(buf: Buffer, off: number, end: number, field: string | undefined): number {
  if ((buf[off] & TAG_NUMBER_FOLLOWS) !== TAG_NUMBER_FOLLOWS) return 1;
  let pos = off + 1;
  for (;;) {
    if (pos >= end) {
      throw new ProtocolError('TLV_TRUNCATED', 'the data ends inside a multi-byte tag', { field, offset: off });
    }
    if (pos - off + 1 > MAX_TAG_BYTES) {
      throw new ProtocolError('TLV_BAD_TAG', `a tag is longer than ${MAX_TAG_BYTES} bytes`, { field, offset: off });
    }
    if ((buf[pos++] & MORE_TAG_BYTES) === 0) return pos - off;
  }
}

export function isConstructedTag(tag: string): boolean {
  return (Number.parseInt(tag.slice(0, 2), 16) & CONSTRUCTED) !== 0;
}

/** The tag of a map key: "9F26#2" -> "9F26". */
export function tagOfKey(key: string): string {
  const hash = key.indexOf('#');
  return hash < 0 ? key : key.slice(0, hash);
}

const KEY = /^((?:[0-9A-Fa-f]{2})+)(?:#[1-9][0-9]*)?$/;

/**
 * The wire bytes of a map key, checked to be one well-formed tag (or a padding key "00"/"FF"). Throws
 * TLV_BAD_TAG naming `field`.
 */
export function tagBytesOfKey(key: string, field: string): Buffer {
  const m = KEY.exec(key);
  if (m === null) throw new ProtocolError('TLV_BAD_TAG', 'a key is not a hex tag (optionally with "#n")', { field });
  const bytes = Buffer.from(m[1], 'hex');
  if (bytes.length === 1 && isPaddingByte(bytes[0])) return bytes;
  if (isPaddingByte(bytes[0])) {
    throw new ProtocolError('TLV_BAD_TAG', 'a tag cannot start with a padding byte (00 or FF)', { field });
  }
  let size: number;
  try {
    size = readTag(bytes, 0, bytes.length, undefined);
  } catch {
    size = -1;
  }
  if (size !== bytes.length) {
    throw new ProtocolError('TLV_BAD_TAG', 'a key is not exactly one BER-TLV tag', { field });
  }
  return bytes;
}
