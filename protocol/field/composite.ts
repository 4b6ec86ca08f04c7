import type { Primitive } from '../encoding/body.js';
import { hex as hexBody, hexValue } from '../encoding/hex.js';
import { decodeTlv, encodeTlv } from '../emv/index.js';
import { ProtocolError } from '../errors.js';
import type { FieldSpec, SubfieldsSpec } from '../spec/types.js';
import { FieldCodec, type EncodeOptions, type Subfields } from './codec.js';
import { Writer, type Reader } from './io.js';

export type SubfieldValue = Primitive | SubfieldMap;
/** Subfields by key: positional and bitmapped subfields by number ("1", "25"), TLV objects by tag ("9F26"). */
export type SubfieldMap = Map<string, SubfieldValue>;

/**
 * Composite fields, one mechanism for three layouts: the field's value (its content bytes) holds subfields laid out
 * positionally, behind an inner bitmap, or as BER-TLV. Errors thrown here name the subfield relative to the
 * composite ("25.12") with offsets relative to its content; the caller prefixes its own path and offset.
 */
export interface Composite extends Subfields {
  unpack(content: Buffer, deep: boolean): SubfieldMap;
  child(key: string): FieldCodec | undefined;
}

export function compileField(id: string, spec: FieldSpec): FieldCodec {
  const codec = new FieldCodec(id, spec);
  if (spec.subfields) codec.subfields = makeComposite(spec.subfields);
  return codec;
}

export function compositeOf(codec: FieldCodec): Composite | null {
  return codec.subfields as Composite | null;
}

function makeComposite(spec: SubfieldsSpec): Composite {
  switch (spec.layout) {
    case 'positional':
      return new Positional(spec);
    case 'bitmap':
      return new Bitmapped(spec);
    case 'tlv':
      return new Tlv(spec);
  }
}

function entries(value: unknown): Map<string, unknown> {
  if (value instanceof Map) return value as Map<string, unknown>;
  return new Map(Object.entries(value as Record<string, unknown>));
}

function compileChildren(spec: SubfieldsSpec): Map<string, FieldCodec> {
  const keys = Object.keys(spec.fields);
  if (spec.layout !== 'tlv') keys.sort((a, b) => Number(a) - Number(b));
  return new Map(keys.map((k) => [k, compileField(k, spec.fields[k])]));
}

abstract class Numbered implements Composite {
  protected readonly children: Map<string, FieldCodec>;

  constructor(spec: SubfieldsSpec) {
    this.children = compileChildren(spec);
    for (const k of this.children.keys()) {
      if (!/^[1-9]\d*$/.test(k)) throw new ProtocolError('SPEC_INVALID', `subfield key must be a number 1 or above`, { field: k });
    }
  }

  child(key: string): FieldCodec | undefined {
    return this.children.get(key);
  }

  abstract unpack(content: Buffer, deep: boolean): SubfieldMap;
  abstract pack(value: unknown, opts: EncodeOptions): Buffer;

  /** Decodes one subfield at the reader, and its own subfields when `deep`. */
  protected read(key: string, child: FieldCodec, r: Reader, deep: boolean): SubfieldValue {
    const start = r.pos;
    const v = child.decode(r);
    const inner = compositeOf(child);
    if (!deep || inner === null) return v;
    try {
      return inner.unpack(child.toContent(v), true);
    } catch (e) {
      throw e instanceof ProtocolError ? e.within({ field: key, offset: start + (child.prefix?.size ?? 0) }, child.spec.encoding === 'hex' ? 2 : 1) : e;
    }
  }

  protected unknownKeys(given: Map<string, unknown>): void {
    for (const k of given.keys()) {
      if (!this.children.has(k)) throw new ProtocolError('FIELD_NOT_IN_SPEC', 'no such subfield in the spec', { field: k });
    }
  }
}

class Positional extends Numbered {
  unpack(content: Buffer, deep: boolean): SubfieldMap {
    const r: Reader = { buf: content, pos: 0, end: content.length };
    const out: SubfieldMap = new Map();
    for (const [key, child] of this.children) {
      // absent trailing subfields simply end the data
      if (r.pos === r.end) break;
      out.set(key, this.read(key, child, r, deep));
    }
    if (r.pos !== r.end) throw new ProtocolError('TRAILING_BYTES', `${r.end - r.pos} bytes left over after the last subfield`, { offset: r.pos });
    return out;
  }

  pack(value: unknown, opts: EncodeOptions): Buffer {
    const given = entries(value);
    this.unknownKeys(given);
    const w = new Writer(256);
    let missing: string | null = null;
    for (const [key, child] of this.children) {
      const v = given.get(key);
      if (v === undefined || v === null) {
        missing ??= key;
        continue;
      }
      if (missing !== null) {
        throw new ProtocolError('SUBFIELD_MISSING', `subfield ${missing} is missing before subfield ${key}`, { field: missing });
      }
      child.encode(v, w, opts);
    }
    return w.take();
  }
}

class Bitmapped extends Numbered {
  private readonly hexBitmap: boolean;
  private readonly bitmapBytes: number;

  constructor(spec: SubfieldsSpec) {
    super(spec);
    this.hexBitmap = spec.bitmap?.encoding === 'hex';
    this.bitmapBytes = spec.bitmap?.bytes ?? 8;
    for (const k of this.children.keys()) {
      if (Number(k) > this.bitmapBytes * 8) {
        throw new ProtocolError('SPEC_INVALID', `subfield ${k} is beyond the ${this.bitmapBytes * 8}-bit inner bitmap`, { field: k });
      }
    }
  }

  unpack(content: Buffer, deep: boolean): SubfieldMap {
    const size = this.hexBitmap ? this.bitmapBytes * 2 : this.bitmapBytes;
    if (content.length < size) {
      throw new ProtocolError('TRUNCATED', `expected a ${size}-byte inner bitmap, got ${content.length}`, { offset: 0 });
    }
    const bitmap = this.hexBitmap ? readHexBitmap(content, this.bitmapBytes) : content.subarray(0, size);
    const r: Reader = { buf: content, pos: size, end: content.length };
    const out: SubfieldMap = new Map();
    for (let i = 0; i < this.bitmapBytes * 8; i++) {
      if ((bitmap[i >> 3] & (0x80 >> (i & 7))) === 0) continue;
      const key = String(i + 1);
      const child = this.children.get(key);
      if (child === undefined) {
        throw new ProtocolError('BAD_BITMAP', `bit ${key} is set but the spec has no subfield ${key}`, {
          offset: this.hexBitmap ? (i >> 3) * 2 : i >> 3,
        });
      }
      out.set(key, this.read(key, child, r, deep));
    }
    if (r.pos !== r.end) throw new ProtocolError('TRAILING_BYTES', `${r.end - r.pos} bytes left over after the last subfield`, { offset: r.pos });
    return out;
  }

  pack(value: unknown, opts: EncodeOptions): Buffer {
    const given = entries(value);
    this.unknownKeys(given);
    const bitmap = Buffer.alloc(this.bitmapBytes);
    const w = new Writer(256);
    w.pos = this.hexBitmap ? this.bitmapBytes * 2 : this.bitmapBytes;
    w.ensure(0);
    for (const [key, child] of this.children) {
      const v = given.get(key);
      if (v === undefined || v === null) continue;
      const bit = Number(key) - 1;
      bitmap[bit >> 3] |= 0x80 >> (bit & 7);
      child.encode(v, w, opts);
    }
    if (this.hexBitmap) hexBody.write(bitmap, this.bitmapBytes, w.buf, 0);
    else bitmap.copy(w.buf, 0);
    return w.take();
  }
}

function readHexBitmap(content: Buffer, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes * 2; i++) {
    const v = hexValue[content[i]];
    if (v < 0) throw new ProtocolError('BAD_BITMAP', `inner bitmap character at position ${i + 1} is not a hex digit`, { offset: i });
    out[i >> 1] |= i & 1 ? v : v << 4;
  }
  return out;
}

/** BER-TLV (EMV field 55): the subfields are data objects keyed by tag; unknown tags are kept as they came. */
class Tlv implements Composite {
  private readonly children: Map<string, FieldCodec>;

  constructor(spec: SubfieldsSpec) {
    this.children = compileChildren(spec);
  }

  child(key: string): FieldCodec | undefined {
    return this.children.get(key.toUpperCase());
  }

  unpack(content: Buffer): SubfieldMap {
    return decodeTlv(content);
  }

  pack(value: unknown): Buffer {
    return encodeTlv(value as Parameters<typeof encodeTlv>[0]);
  }
}
