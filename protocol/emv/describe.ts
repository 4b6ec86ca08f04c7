import { encodeTlv } from './encode.js';
import { maskSensitiveValue } from './mask.js';
import { tagOfKey } from './tag.js';
import { emvTagInfo, isSensitiveTag } from './tags.js';
import { TLV_MAX_DEPTH_LIMIT } from './types.js';
import type { TlvMap } from './types.js';

export interface TlvRow {
  /** Key path from the top level: "9F26", "70.57", "9F26#2". */
  path: string;
  /** The tag alone, upper-case hex. */
  tag: string;
  name: string;
  /** Value length in bytes (a template's: the bytes of its content). */
  length: number;
  /** Upper-case hex, masked for sensitive tags unless `clear`; empty for a template, whose rows follow it. */
  value: string;
}

export interface DescribeTlvOptions {
  /** Show sensitive values (PAN, track data, cardholder name) in clear. Default false. */
  clear?: boolean;
}

const UNKNOWN = 'Unknown tag';
const PADDING = 'Padding';

/** One row per object, depth first, for human dumps (the CLI's `dump`). */
export function describeTlv(map: TlvMap, opts: DescribeTlvOptions = {}): TlvRow[] {
  const rows: TlvRow[] = [];
  describeLevel(map, undefined, opts.clear === true, rows);
  return rows;
}

function describeLevel(map: TlvMap, parent: string | undefined, clear: boolean, rows: TlvRow[]): void {
  for (const [key, value] of map) {
    const path = parent === undefined ? key : `${parent}.${key}`;
    const tag = tagOfKey(key);
    const name = tag === '00' || tag === 'FF' ? PADDING : (emvTagInfo(tag)?.name ?? UNKNOWN);
    if (value instanceof Map) {
      rows.push({ path, tag, name, length: encodeTlv(value, { maxDepth: TLV_MAX_DEPTH_LIMIT }).length, value: '' });
      describeLevel(value, path, clear, rows);
    } else {
      const hidden = !clear && isSensitiveTag(tag);
      const hex = hidden ? maskSensitiveValue(tag, value) : value.toString('hex').toUpperCase();
      rows.push({ path, tag, name, length: value.length, value: hex });
    }
  }
}
