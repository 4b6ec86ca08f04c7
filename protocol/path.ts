import type { Primitive } from './encoding/body.js';
import { ProtocolError } from './errors.js';
import type { EncodeOptions, FieldCodec } from './field/codec.js';
import { compositeOf, type SubfieldMap, type SubfieldValue } from './field/composite.js';
import type { IsoMessage, MessageCodec } from './message.js';

/**
 * Values read and set by path: "4", "55.9F26", "127.25.12". The first part is the field number; each further part
 * a subfield key (a number for positional and bitmapped subfields, a tag for TLV). Composite values are unpacked on
 * the way down and packed again on the way up, so the message always holds plain wire values.
 */
function parsePath(codec: MessageCodec, path: string): { top: FieldCodec; n: number; keys: string[] } {
  const parts = path.split('.');
  const n = Number(parts[0]);
  const top = Number.isInteger(n) ? codec.field(n) : undefined;
  if (top === undefined || parts.some((p) => p === '')) {
    throw new ProtocolError('PATH_INVALID', `no field ${parts[0] || '(empty)'} in the spec ${codec.spec.name}`, { field: path });
  }
  return { top, n, keys: parts.slice(1) };
}

function unpackShallow(codec: FieldCodec, value: Primitive, path: string): SubfieldMap {
  const composite = compositeOf(codec);
  if (composite === null) throw new ProtocolError('PATH_INVALID', 'field has no subfields in the spec', { field: path });
  try {
    return composite.unpack(codec.toContent(value), false);
  } catch (e) {
    throw e instanceof ProtocolError ? e.within({ field: path }) : e;
  }
}

export function getPath(codec: MessageCodec, msg: IsoMessage, path: string): SubfieldValue | undefined {
  const { top, n, keys } = parsePath(codec, path);
  let value: SubfieldValue | undefined = msg.fields[n];
  let field: FieldCodec | undefined = top;
  let at = String(n);
  for (const raw of keys) {
    if (value === undefined) return undefined;
    let map: SubfieldMap;
    if (value instanceof Map) map = value;
    else if (field !== undefined) map = unpackShallow(field, value, at);
    else throw new ProtocolError('PATH_INVALID', 'value has no subfields', { field: at });
    const key = keyFor(field, raw);
    field = field === undefined ? undefined : compositeOf(field)?.child(key);
    value = map.get(key);
    at = `${at}.${key}`;
  }
  return value;
}

/** Sets (or with `undefined`, removes) the value at `path`, repacking every composite on the way. */
export function setPath(codec: MessageCodec, msg: IsoMessage, path: string, value: unknown, opts: EncodeOptions = {}): void {
  const { top, n, keys } = parsePath(codec, path);
  const fields = msg.fields as Record<number, unknown>;
  if (keys.length === 0) {
    if (value === undefined) delete fields[n];
    else fields[n] = top.normalize(value, opts);
    return;
  }
  // removing something from a composite that is not there leaves the message as it was
  if (value === undefined && msg.fields[n] === undefined) return;
  fields[n] = setInto(top, msg.fields[n], keys, value, String(n), opts);
}

function setInto(field: FieldCodec, current: Primitive | undefined, keys: string[], value: unknown, at: string, opts: EncodeOptions): Primitive {
  const composite = compositeOf(field);
  if (composite === null) throw new ProtocolError('PATH_INVALID', 'field has no subfields in the spec', { field: at });
  const map: Map<string, unknown> = current === undefined ? new Map() : unpackShallow(field, current, at);
  setInMap(map, field, keys, value, at, opts);
  try {
    return field.fromContent(composite.pack(map, opts));
  } catch (e) {
    throw e instanceof ProtocolError ? e.within({ field: at }) : e;
  }
}

function setInMap(map: Map<string, unknown>, field: FieldCodec | undefined, keys: string[], value: unknown, at: string, opts: EncodeOptions): void {
  const key = keyFor(field, keys[0]);
  const rest = keys.slice(1);
  const here = `${at}.${key}`;
  if (rest.length === 0) {
    if (value === undefined) map.delete(key);
    else map.set(key, value);
    return;
  }
  const child = field === undefined ? undefined : compositeOf(field)?.child(key);
  const current = map.get(key);
  if (child !== undefined && compositeOf(child) !== null && !(current instanceof Map)) {
    map.set(key, setInto(child, current as Primitive | undefined, rest, value, here, opts));
    return;
  }
  // a constructed TLV object is already a nested map
  if (current instanceof Map || (current === undefined && field !== undefined && isTlv(field))) {
    const inner = (current as Map<string, unknown> | undefined) ?? new Map<string, unknown>();
    setInMap(inner, undefined, rest, value, here, opts);
    map.set(key, inner);
    return;
  }
  throw new ProtocolError('PATH_INVALID', 'value has no subfields', { field: here });
}

function isTlv(field: FieldCodec): boolean {
  return field.spec.subfields?.layout === 'tlv';
}

function keyFor(field: FieldCodec | undefined, raw: string): string {
  // TLV tags are hex: "9f26" and "9F26" name the same object
  return field === undefined || isTlv(field) ? raw.toUpperCase() : raw;
}
