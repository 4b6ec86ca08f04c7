import { ProtocolError } from '../errors.js';
import { readLength } from './length.js';
import { checkDecodeOptions } from './options.js';
import { CONSTRUCTED, PAD_ZERO, isPaddingByte, readTag } from './tag.js';
import type { DecodeTlvOptions, TlvMap } from './types.js';

/**
 * Decodes BER-TLV data (EMV field 55, a card response) into a TlvMap. Values are views of `buf`, not copies.
 * Errors are TLV_TRUNCATED, TLV_BAD_TAG, TLV_BAD_LENGTH, TLV_TOO_DEEP (offset within `buf`, field the tag path
 * such as "70.9F26" where known) and LENGTH_EXCEEDS_MAX when `buf` is over `maxBytes`.
 */
export function decodeTlv(buf: Buffer, opts: DecodeTlvOptions = {}): TlvMap {
  const o = checkDecodeOptions(opts);
  if (!Buffer.isBuffer(buf)) throw new ProtocolError('WRONG_TYPE', 'TLV data must be a Buffer');
  if (buf.length > o.maxBytes) {
    throw new ProtocolError('LENGTH_EXCEEDS_MAX', `TLV data of ${buf.length} bytes is over the ${o.maxBytes} allowed`, {
      offset: 0,
    });
  }
  return decodeLevel(buf, 0, buf.length, 0, undefined, o);
}

function decodeLevel(
  buf: Buffer,
  start: number,
  end: number,
  depth: number,
  parent: string | undefined,
  o: Required<DecodeTlvOptions>,
): TlvMap {
  const map: TlvMap = new Map();
  const seen = new Map<string, number>();
  let pos = start;
  while (pos < end) {
    const first = buf[pos];
    if (isPaddingByte(first)) {
      if (o.padding === 'error') {
        throw new ProtocolError('TLV_BAD_TAG', `padding byte ${first === PAD_ZERO ? '00' : 'FF'} where a tag starts`, {
          field: parent,
          offset: pos,
        });
      }
      let run = pos + 1;
      while (run < end && buf[run] === first) run++;
      if (o.padding === 'keep') map.set(uniqueKey(seen, first === PAD_ZERO ? '00' : 'FF'), buf.subarray(pos, run));
      pos = run;
      continue;
    }
    const tagEnd = pos + readTag(buf, pos, end, parent);
    const key = uniqueKey(seen, buf.toString('hex', pos, tagEnd).toUpperCase());
    const field = parent === undefined ? key : `${parent}.${key}`;
    const { length, size } = readLength(buf, tagEnd, end, field);
    const valueStart = tagEnd + size;
    if (length > end - valueStart) {
      throw new ProtocolError('TLV_TRUNCATED', `a value of ${length} bytes has ${end - valueStart} left`, {
        field,
        offset: valueStart,
      });
    }
    const valueEnd = valueStart + length;
    if ((first & CONSTRUCTED) !== 0) {
      if (depth >= o.maxDepth) {
        throw new ProtocolError('TLV_TOO_DEEP', `templates nest deeper than ${o.maxDepth}`, { field, offset: pos });
      }
      map.set(key, decodeLevel(buf, valueStart, valueEnd, depth + 1, field, o));
    } else {
      map.set(key, buf.subarray(valueStart, valueEnd));
    }
    pos = valueEnd;
  }
  return map;
}

/** "9F26" the first time, then "9F26#2", "9F26#3": a repeated tag is kept, not overwritten. */
function uniqueKey(seen: Map<string, number>, tag: string): string {
  const n = (seen.get(tag) ?? 0) + 1;
  seen.set(tag, n);
  return n === 1 ? tag : `${tag}#${n}`;
}
