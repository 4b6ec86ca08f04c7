/**
 * Strict validation of a message spec (our JSON format, a built-in table, or an imported jPOS packager). Unknown
 * keys are rejected, every value is checked, and combinations that cannot describe real wire data are refused.
 * Errors are SPEC_INVALID with the key path: `fields.35.prefix.digits: must be an integer 1-6`.
 */
import { ProtocolError } from '../errors.js';
import {
  DataEncodings,
  LengthUnits,
  PrefixEncodings,
  Sensitivities,
  SubfieldLayouts,
  ValueClasses,
  type BitmapSpec,
  type DataEncoding,
  type FieldSpec,
  type MacSpec,
  type MessageSpec,
  type PadSpec,
  type PrefixEncoding,
  type PrefixSpec,
  type SubfieldsSpec,
  type ValueClass,
} from './types.js';

/** Longest fixed field we accept, in units: six length digits is the most any prefix here can say. */
const MAX_LENGTH = 999_999;
/** Subfields inside subfields inside ...: deeper than this is a mistake, and recursion stays bounded. */
const MAX_SUBFIELD_DEPTH = 4;

/** Allowed number of prefix digits per prefix encoding (a binary prefix counts bytes). */
const PREFIX_DIGITS: Record<PrefixEncoding, readonly [number, number]> = {
  ascii: [1, 6],
  ebcdic: [1, 6],
  hex: [1, 6],
  bcd: [1, 4],
  binary: [1, 2],
};

/** The largest length a prefix can state. */
export function prefixMax(prefix: PrefixSpec): number {
  const base = prefix.encoding === 'binary' ? 256 : prefix.encoding === 'hex' ? 16 : 10;
  return base ** prefix.digits - 1;
}

/** Which characters each value class admits (used for pad characters; the codec applies the same sets). */
const CLASS_CHARS: Record<ValueClass, RegExp> = {
  n: /^[0-9]$/,
  a: /^[A-Za-z ]$/,
  an: /^[A-Za-z0-9 ]$/,
  anp: /^[A-Za-z0-9 ]$/,
  ans: /^[\x20-\x7e]$/,
  as: /^[\x20-\x2f\x3a-\x7e]$/,
  ns: /^[\x20-\x40\x5b-\x60\x7b-\x7e]$/,
  z: /^[0-9=]$/,
  'x+n': /^[0-9]$/,
  b: /^$/,
};

const DIGIT_CLASSES: readonly ValueClass[] = ['n', 'z', 'x+n'];

type Obj = Record<string, unknown>;

function fail(path: string, detail: string): never {
  throw new ProtocolError('SPEC_INVALID', path === '' ? detail : `${path}: ${detail}`);
}

function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function own(obj: Obj, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function object(value: unknown, path: string, allowed: readonly string[], required: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  const obj = value as Obj;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(at(path, key), `unknown key (allowed: ${allowed.join(', ')})`);
  }
  for (const key of required) if (own(obj, key) === undefined) fail(at(path, key), 'is required');
  return obj;
}

function record(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  return value as Obj;
}

function oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    fail(path, `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}`);
  }
  return value as T;
}

function integer(value: unknown, path: string, min: number, max: number, why = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `must be an integer ${min}-${max}${why}`);
  }
  return value;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(path, 'must be a non-empty string');
  if (value.length > 200) fail(path, 'must be at most 200 characters');
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'must be true or false');
  return value;
}

/** Validates `input` as a MessageSpec and returns a frozen deep copy holding only the known keys. */
export function validateSpec(input: unknown): MessageSpec {
  const obj = object(input, '', ['name', 'description', 'mti', 'bitmap', 'fields', 'mac'], ['name', 'mti', 'bitmap', 'fields']);
  const spec: MessageSpec = {
    name: text(obj.name, 'name'),
    mti: mti(obj.mti),
    bitmap: bitmap(obj.bitmap),
    fields: {},
  };
  const description = own(obj, 'description');
  if (description !== undefined) {
    if (typeof description !== 'string') fail('description', 'must be a string');
    spec.description = description;
  }
  spec.fields = topFields(obj.fields, spec.bitmap);
  const mac = own(obj, 'mac');
  if (mac !== undefined) spec.mac = macSpec(mac, spec.fields);
  return deepFreeze(spec);
}

function mti(value: unknown): MessageSpec['mti'] {
  const obj = object(value, 'mti', ['encoding'], ['encoding']);
  return { encoding: oneOf(obj.encoding, 'mti.encoding', ['ascii', 'bcd', 'ebcdic'] as const) };
}

function bitmap(value: unknown): BitmapSpec {
  const obj = object(value, 'bitmap', ['encoding', 'tertiary'], ['encoding']);
  const out: BitmapSpec = { encoding: oneOf(obj.encoding, 'bitmap.encoding', ['binary', 'hex'] as const) };
  const tertiary = own(obj, 'tertiary');
  if (tertiary !== undefined) out.tertiary = boolean(tertiary, 'bitmap.tertiary');
  return out;
}

function topFields(value: unknown, bm: BitmapSpec): Record<string, FieldSpec> {
  const obj = record(value, 'fields');
  const last = bm.tertiary ? 192 : 128;
  const ids = Object.keys(obj);
  if (ids.length === 0) fail('fields', 'must define at least one field');
  const out: Record<string, FieldSpec> = {};
  for (const id of ids) {
    const path = at('fields', id);
    if (!/^[1-9][0-9]{0,2}$/.test(id) || Number(id) > last) fail(path, `field numbers run 2-${last}`);
    if (id === '1') fail(path, 'field 1 is the secondary bitmap; describe it with "bitmap", not in fields');
    if (id === '65' && bm.tertiary) fail(path, 'with a tertiary bitmap, field 65 is that bitmap and carries no data');
    out[id] = field(obj[id], path, 0);
  }
  return out;
}

function field(value: unknown, path: string, depth: number): FieldSpec {
  const obj = object(
    value,
    path,
    ['name', 'class', 'encoding', 'length', 'prefix', 'counts', 'pad', 'sensitive', 'subfields'],
    ['name', 'class', 'encoding', 'length'],
  );
  const name = text(obj.name, at(path, 'name'));
  const cls = oneOf(obj.class, at(path, 'class'), ValueClasses);
  const encoding = oneOf(obj.encoding, at(path, 'encoding'), DataEncodings);
  checkClassEncoding(cls, encoding, path);

  const out: FieldSpec = { name, class: cls, encoding, length: 0 };
  const prefixValue = own(obj, 'prefix');
  if (prefixValue !== undefined) out.prefix = prefix(prefixValue, at(path, 'prefix'));
  const counts = own(obj, 'counts');
  if (counts !== undefined) {
    out.counts = oneOf(counts, at(path, 'counts'), LengthUnits);
    if (out.counts === 'bytes' && encoding !== 'bcd' && encoding !== 'hex') {
      fail(at(path, 'counts'), `"bytes" only differs from "units" for bcd and hex encodings, not ${encoding}`);
    }
  }
  out.length = length(obj.length, at(path, 'length'), cls, out.prefix);
  const padValue = own(obj, 'pad');
  if (padValue !== undefined) out.pad = pad(padValue, at(path, 'pad'), cls, encoding, out.prefix !== undefined);
  const sensitive = own(obj, 'sensitive');
  if (sensitive !== undefined) out.sensitive = oneOf(sensitive, at(path, 'sensitive'), Sensitivities);
  const subfieldsValue = own(obj, 'subfields');
  if (subfieldsValue !== undefined) out.subfields = subfields(subfieldsValue, at(path, 'subfields'), depth + 1);
  return out;
}

function checkClassEncoding(cls: ValueClass, encoding: DataEncoding, path: string): void {
  if (encoding === 'bcd' && !DIGIT_CLASSES.includes(cls)) {
    fail(at(path, 'encoding'), `bcd holds digits only; class must be n, z or x+n, not ${cls}`);
  }
  if ((encoding === 'binary' || encoding === 'hex') && cls !== 'b') {
    fail(at(path, 'encoding'), `${encoding} needs class b, not ${cls}`);
  }
  if (cls === 'b' && encoding !== 'binary' && encoding !== 'hex') {
    fail(at(path, 'encoding'), `class b needs encoding binary or hex, not ${encoding}`);
  }
}

function prefix(value: unknown, path: string): PrefixSpec {
  const obj = object(value, path, ['digits', 'encoding'], ['digits', 'encoding']);
  const encoding = oneOf(obj.encoding, at(path, 'encoding'), PrefixEncodings);
  const [min, max] = PREFIX_DIGITS[encoding];
  const why = encoding === 'binary' ? ' (bytes of a binary prefix)' : encoding === 'bcd' ? ' for a bcd prefix' : '';
  return { digits: integer(obj.digits, at(path, 'digits'), min, max, why), encoding };
}

function length(value: unknown, path: string, cls: ValueClass, pre: PrefixSpec | undefined): number {
  const min = cls === 'x+n' ? 2 : 1;
  if (pre === undefined) return integer(value, path, min, MAX_LENGTH, cls === 'x+n' ? ' (the sign and at least one digit)' : '');
  const max = Math.min(prefixMax(pre), MAX_LENGTH);
  return integer(value, path, min, max, ` (a ${pre.digits}-${pre.encoding === 'binary' ? 'byte' : 'digit'} ${pre.encoding} prefix says at most ${max})`);
}

function pad(value: unknown, path: string, cls: ValueClass, encoding: DataEncoding, variable: boolean): PadSpec {
  const obj = object(value, path, ['side', 'char'], ['side', 'char']);
  const side = oneOf(obj.side, at(path, 'side'), ['left', 'right'] as const);
  const char = obj.char;
  if (typeof char !== 'string' || char.length !== 1) fail(at(path, 'char'), 'must be a single character');
  if (encoding === 'binary' || encoding === 'hex') fail(path, `${encoding} data is never padded`);
  if (encoding === 'bcd') {
    if (char !== '0' && char !== 'F') fail(at(path, 'char'), 'a BCD filler nibble is "0" or "F"');
  } else {
    if (variable) fail(path, 'variable-length character data is not padded (only fixed fields and BCD nibbles are)');
    if (!CLASS_CHARS[cls].test(char)) fail(at(path, 'char'), `must be a character of class ${cls}`);
  }
  return { side, char };
}

function subfields(value: unknown, path: string, depth: number): SubfieldsSpec {
  if (depth > MAX_SUBFIELD_DEPTH) fail(path, `subfields nest at most ${MAX_SUBFIELD_DEPTH} levels deep`);
  const obj = object(value, path, ['layout', 'fields', 'bitmap'], ['layout', 'fields']);
  const layout = oneOf(obj.layout, at(path, 'layout'), SubfieldLayouts);
  const out: SubfieldsSpec = { layout, fields: {} };
  const bitmapValue = own(obj, 'bitmap');
  if (layout === 'bitmap') {
    if (bitmapValue === undefined) fail(at(path, 'bitmap'), 'is required for layout "bitmap"');
    const bm = object(bitmapValue, at(path, 'bitmap'), ['encoding', 'bytes'], ['encoding', 'bytes']);
    out.bitmap = {
      encoding: oneOf(bm.encoding, at(path, 'bitmap.encoding'), ['binary', 'hex'] as const),
      bytes: integer(bm.bytes, at(path, 'bitmap.bytes'), 1, 24),
    };
  } else if (bitmapValue !== undefined) {
    fail(at(path, 'bitmap'), `only layout "bitmap" has an inner bitmap, not "${layout}"`);
  }

  const fieldsObj = record(obj.fields, at(path, 'fields'));
  const ids = Object.keys(fieldsObj);
  if (ids.length === 0 && layout !== 'tlv') fail(at(path, 'fields'), `layout "${layout}" needs at least one subfield`);
  for (const id of ids) {
    const idPath = at(at(path, 'fields'), id);
    if (layout === 'tlv') {
      if (!/^(?:[0-9A-F]{2}){1,4}$/.test(id)) fail(idPath, 'must be a BER-TLV tag in upper-case hex, e.g. 9F26');
    } else {
      const last = layout === 'bitmap' ? out.bitmap!.bytes * 8 : 999;
      if (!/^[1-9][0-9]{0,2}$/.test(id) || Number(id) > last) fail(idPath, `subfield numbers run 1-${last}`);
    }
    out.fields[id] = field(fieldsObj[id], idPath, depth);
  }
  return out;
}

function macSpec(value: unknown, fields: Record<string, FieldSpec>): MacSpec {
  const obj = object(value, 'mac', ['field', 'covers', 'padding'], ['field', 'covers', 'padding']);
  const fieldNo = obj.field;
  if (fieldNo !== 64 && fieldNo !== 128) fail('mac.field', 'must be 64 or 128');
  const target = fields[String(fieldNo)];
  if (target === undefined) fail('mac.field', `field ${fieldNo} is not defined in fields`);
  if (target.class !== 'b' || target.prefix !== undefined) {
    fail('mac.field', `field ${fieldNo} must be fixed-length binary (class b without a prefix)`);
  }
  return {
    field: fieldNo,
    covers: oneOf(obj.covers, 'mac.covers', ['message'] as const),
    padding: oneOf(obj.padding, 'mac.padding', ['zeros', 'iso9797-2'] as const),
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
