import type { Primitive } from './encoding/body.js';
import { describeTlv } from './emv/index.js';
import { ProtocolError } from './errors.js';
import type { FieldCodec } from './field/codec.js';
import { compositeOf, type SubfieldMap } from './field/composite.js';
import { primitiveToJson } from './json.js';
import { hideAll, maskPan, maskTrack, HIDDEN } from './mask.js';
import type { IsoMessage, MessageCodec } from './message.js';
import type { Sensitivity } from './spec/types.js';

export interface DumpOptions {
  /** Show card data in clear. Off by default: dumps end up in logs and tickets. */
  clear?: boolean;
}

/** The value as a person may see it: PAN first 6 / last 4, tracks with only the PAN part, PIN, CVV and keys hidden. */
export function maskValue(sensitive: Sensitivity | undefined, text: string): string {
  switch (sensitive) {
    case undefined:
      return text;
    case 'pan':
      return maskPan(text);
    case 'track':
      return maskTrack(text);
    case 'emv':
      return HIDDEN;
    default:
      return hideAll(text);
  }
}

interface Row {
  path: string;
  name: string;
  length: number;
  value: string;
}

/**
 * A human table of a message: field number, name, length and value, composite fields broken out below their
 * parent (EMV tags by name). Card data is masked unless `clear` is set.
 */
export function dumpMessage(codec: MessageCodec, msg: IsoMessage, opts: DumpOptions = {}): string {
  const rows: Row[] = [];
  const numbers = Object.keys(msg.fields)
    .map(Number)
    .sort((a, b) => a - b);
  for (const n of numbers) {
    const field = codec.field(n);
    const value = msg.fields[n];
    if (field === undefined) continue;
    addField(rows, String(n), field, value, opts, 0);
  }
  const pathWidth = Math.max(4, ...rows.map((r) => r.path.length));
  const nameWidth = Math.min(44, Math.max(4, ...rows.map((r) => r.name.length)));
  const lines = [`MTI ${msg.mti}  (spec ${codec.spec.name})`];
  for (const r of rows) {
    const name = r.name.length > nameWidth ? r.name.slice(0, nameWidth - 1) + '~' : r.name;
    lines.push(`${r.path.padStart(pathWidth)}  ${name.padEnd(nameWidth)}  ${`[${r.length}]`.padStart(6)}  ${r.value}`);
  }
  return lines.join('\n');
}

function addField(rows: Row[], path: string, field: FieldCodec, value: Primitive, opts: DumpOptions, depth: number): void {
  const text = primitiveToJson(value);
  const indent = '  '.repeat(depth);
  const composite = compositeOf(field);
  // a composite's raw value would show its sensitive subfields unmasked: its subfield rows follow instead
  const shown = opts.clear ? text : composite === null ? maskValue(field.spec.sensitive, text) : field.spec.sensitive ? HIDDEN : '';
  rows.push({ path: indent + path, name: field.spec.name, length: value.length, value: shown });
  if (composite === null) return;
  let map: SubfieldMap;
  try {
    map = composite.unpack(field.toContent(value), false);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    const where = e.within({ field: path });
    rows.push({ path: indent + '  !', name: 'subfields do not parse', length: 0, value: `${where.code}: ${where.message}` });
    return;
  }
  if (field.spec.subfields?.layout === 'tlv') {
    for (const row of describeTlv(map as Parameters<typeof describeTlv>[0], { clear: opts.clear })) {
      rows.push({ path: `${indent}  ${path}.${row.path}`, name: row.name, length: row.length, value: row.value });
    }
    return;
  }
  for (const [key, sub] of map) {
    const child = composite.child(key);
    if (child === undefined || sub instanceof Map) continue;
    addField(rows, `${path}.${key}`, child, sub, opts, depth + 1);
  }
}
