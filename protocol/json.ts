import type { Primitive } from './encoding/body.js';
import { toHex } from './encoding/hex.js';
import type { SubfieldMap, SubfieldValue } from './field/composite.js';
import type { IsoMessage } from './message.js';

export type JsonValue = string | { [key: string]: JsonValue };

/** The wire value as JSON shows it: characters as they are, bytes as upper-case hex. */
export function primitiveToJson(v: Primitive): string {
  return typeof v === 'string' ? v : toHex(v);
}

export function subfieldsToJson(map: SubfieldMap): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of map) out[k] = valueToJson(v);
  return out;
}

function valueToJson(v: SubfieldValue): JsonValue {
  return v instanceof Map ? subfieldsToJson(v) : primitiveToJson(v);
}

export interface MessageJson {
  mti: string;
  fields: Record<string, string>;
  subfields?: Record<string, { [key: string]: JsonValue }>;
}

/** `{"mti":"0200","fields":{"2":"...","4":"000000001000"},"subfields":{"55":{"9F26":"..."}}}` */
export function messageToJson(msg: IsoMessage): MessageJson {
  const fields: Record<string, string> = {};
  for (const k in msg.fields) fields[k] = primitiveToJson(msg.fields[k]);
  const out: MessageJson = { mti: msg.mti, fields };
  if (msg.subfields) {
    out.subfields = {};
    for (const k in msg.subfields) out.subfields[k] = subfieldsToJson(msg.subfields[k]);
  }
  return out;
}
