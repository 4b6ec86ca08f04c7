import type { Primitive } from './encoding/body.js';
import { latin1 } from './encoding/body.js';
import { fromEbcdic, toEbcdic } from './encoding/ebcdic.js';
import { hex as hexBody, hexValue } from './encoding/hex.js';
import { ProtocolError } from './errors.js';
import type { EncodeOptions } from './field/codec.js';
import { FieldCodec } from './field/codec.js';
import { compileField, compositeOf, type SubfieldMap } from './field/composite.js';
import { Writer, type Reader } from './field/io.js';
import type { MessageSpec } from './spec/types.js';

export type { EncodeOptions } from './field/codec.js';

/**
 * A message as the codec sees it: the MTI and the field values by number. Character and numeric fields are strings
 * exactly as on the wire ("000000001000" for field 4); binary fields are Buffers (views of the input when decoded).
 * Field 1, the secondary bitmap, is never listed: bitmaps are computed.
 */
export interface IsoMessage {
  mti: string;
  /** Decoded messages hold a sparse array indexed by field number; plain objects keyed by number work as input. */
  fields: Record<number, Primitive>;
  /** Present after `decode(buf, { subfields: true })`: composite fields broken into their subfields. */
  subfields?: Record<number, SubfieldMap>;
}

/** What `encode` accepts: field values may also be given as hex strings (binary fields) or subfield maps. */
export interface MessageInput {
  mti: string;
  fields: Record<number, unknown>;
}

export interface DecodeOptions {
  /** Also break composite fields (positional, bitmapped, TLV) into subfields, checking them strictly. */
  subfields?: boolean;
}

const MAX_FIELD = 192;

/** The number of the highest bit set in the first `bytes` bytes of a bitmap (1 for the first bit), 0 when none is. */
function highestBit(bitmap: Uint8Array, bytes: number): number {
  for (let i = bytes - 1; i >= 0; i--) {
    const byte = bitmap[i];
    // the lowest-order bit set is the byte's highest field: 0x80 is its first, 0x01 its eighth
    if (byte !== 0) return i * 8 + Math.clz32(byte & -byte) - 23;
  }
  return 0;
}

/**
 * Packs and unpacks whole messages for one spec. Compiling the spec once makes the per-message work a straight
 * run over the fields present.
 */
export class MessageCodec {
  readonly spec: MessageSpec;
  private readonly byNumber: (FieldCodec | undefined)[] = new Array(MAX_FIELD + 1);
  private readonly hexBitmap: boolean;
  private readonly tertiary: boolean;
  private readonly mtiEncoding: 'ascii' | 'bcd' | 'ebcdic';
  private readonly bitmap = new Uint8Array(24);
  private readonly present = new Int32Array(MAX_FIELD);
  private readonly writer = new Writer(8192);

  constructor(spec: MessageSpec) {
    this.spec = spec;
    this.hexBitmap = spec.bitmap.encoding === 'hex';
    this.tertiary = spec.bitmap.tertiary === true;
    this.mtiEncoding = spec.mti.encoding;
    // the highest field number a message can carry
    const last = this.tertiary ? 192 : 128;
    for (const key of Object.keys(spec.fields)) {
      const n = Number(key);
      if (!Number.isInteger(n) || n < 2 || n > last || (this.tertiary && n === 65)) {
        throw new ProtocolError('SPEC_INVALID', `field number must be 2-${last}${this.tertiary ? ' other than 65' : ''}`, { field: key });
      }
      this.byNumber[n] = compileField(key, spec.fields[key]);
    }
  }

  /** The compiled field, for path access and dumps. */
  field(n: number): FieldCodec | undefined {
    return this.byNumber[n];
  }

  decode(buf: Buffer, opts?: DecodeOptions): IsoMessage {
    const r: Reader = { buf, pos: 0, end: buf.length, text: latin1(buf, 0, buf.length) };
    const mti = this.readMti(r);
    try {
      const bitmapAt = r.pos;
      const count = this.readBitmaps(r);
      const bitmap = this.bitmap;
      // a sparse array sized up to the highest field present: stores land in place, where an object's keys would grow
      // and rehash (and an array sized for every field would be mostly holes)
      const fields = new Array<Primitive>(highestBit(bitmap, count * 8) + 1);
      const msg: IsoMessage = { mti, fields };
      for (let i = 0; i < count * 8; i++) {
        const byte = bitmap[i];
        if (byte === 0) continue;
        for (let bit = 0; bit < 8; bit++) {
          if ((byte & (0x80 >> bit)) === 0) continue;
          const n = i * 8 + bit + 1;
          if (n === 1 || (n === 65 && this.tertiary)) continue;
          const codec = this.byNumber[n];
          if (codec === undefined) {
            throw new ProtocolError('BAD_BITMAP', `bit ${n} is set but the spec has no field ${n}`, {
              offset: bitmapAt + (this.hexBitmap ? i * 2 : i),
            });
          }
          const start = r.pos;
          fields[n] = codec.decode(r);
          if (opts?.subfields && codec.subfields !== null) {
            (msg.subfields ??= {})[n] = unpackField(codec, fields[n], start + (codec.prefix?.size ?? 0));
          }
        }
      }
      if (r.pos !== r.end) {
        throw new ProtocolError('TRAILING_BYTES', `${r.end - r.pos} bytes left over after the last field`, { offset: r.pos });
      }
      return msg;
    } catch (e) {
      throw e instanceof ProtocolError ? e.within({ mti }) : e;
    }
  }

  encode(msg: MessageInput | IsoMessage, opts: EncodeOptions = {}): Buffer {
    const w = this.writer;
    w.pos = 0;
    this.writeMti(w, msg.mti);
    try {
      const fields = msg.fields as Record<number, unknown>;
      const present = this.present;
      const count = Array.isArray(fields) ? this.presentInArray(fields) : this.presentInObject(fields);
      const highest = count === 0 ? 0 : present[count - 1];
      const bitmaps = highest > 128 ? 3 : highest > 64 ? 2 : 1;
      const bitmap = this.bitmap;
      bitmap.fill(0);
      const bitmapAt = w.pos;
      const bitmapSize = bitmaps * (this.hexBitmap ? 16 : 8);
      w.ensure(bitmapSize);
      w.pos += bitmapSize;
      for (let i = 0; i < count; i++) {
        const n = present[i];
        bitmap[(n - 1) >> 3] |= 0x80 >> ((n - 1) & 7);
        (this.byNumber[n] as FieldCodec).encode(fields[n], w, opts);
      }
      if (bitmaps > 1) bitmap[0] |= 0x80;
      if (bitmaps > 2) bitmap[8] |= 0x80;
      if (this.hexBitmap) hexBody.write(bitmap as Buffer, bitmaps * 8, w.buf, bitmapAt);
      else w.buf.set(bitmap.subarray(0, bitmaps * 8), bitmapAt);
      return w.take();
    } catch (e) {
      throw e instanceof ProtocolError ? e.within({ mti: msg.mti }) : e;
    }
  }

  /** Lists the fields present in `this.present`, in order; returns how many. Arrays are scanned by index. */
  private presentInArray(fields: unknown[]): number {
    let count = 0;
    for (let n = 1; n < fields.length; n++) {
      const v = fields[n];
      if (v === undefined || v === null) continue;
      this.checkDefined(n);
      this.present[count++] = n;
    }
    return count;
  }

  /** Objects by their keys, which must be field numbers: a key such as "02" or "pan" is an error, not ignored. */
  private presentInObject(fields: Record<number, unknown>): number {
    const keys = Object.keys(fields);
    let count = 0;
    let sorted = true;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const n = fieldNumber(key);
      if (n < 0) throw new ProtocolError('FIELD_NOT_IN_SPEC', `"${key}" is not a field number`, { field: key });
      const v = fields[n];
      if (v === undefined || v === null) continue;
      this.checkDefined(n);
      if (count > 0 && n < this.present[count - 1]) sorted = false;
      this.present[count++] = n;
    }
    if (!sorted) this.present.subarray(0, count).sort();
    return count;
  }

  private checkDefined(n: number): void {
    if (this.byNumber[n] !== undefined) return;
    const why = n === 1 ? 'field 1 is the secondary bitmap, which is computed' : `the spec ${this.spec.name} has no field ${n}`;
    throw new ProtocolError('FIELD_NOT_IN_SPEC', why, { field: String(n) });
  }

  /** Reads the primary bitmap and whichever further bitmaps it announces into `this.bitmap`; returns how many. */
  private readBitmaps(r: Reader): number {
    const bitmap = this.bitmap;
    let count = 0;
    for (;;) {
      const size = this.hexBitmap ? 16 : 8;
      const at = r.pos;
      if (at + size > r.end) {
        const which = count === 0 ? 'primary' : count === 1 ? 'secondary' : 'tertiary';
        throw new ProtocolError('TRUNCATED', `expected a ${size}-byte ${which} bitmap, got ${r.end - at}`, { offset: at });
      }
      if (this.hexBitmap) {
        for (let i = 0; i < 8; i++) {
          const hi = hexValue[r.buf[at + 2 * i]];
          const lo = hexValue[r.buf[at + 2 * i + 1]];
          if (hi < 0 || lo < 0) {
            throw new ProtocolError('BAD_BITMAP', `bitmap character at position ${2 * i + (hi < 0 ? 1 : 2)} is not a hex digit`, {
              offset: at + 2 * i + (hi < 0 ? 0 : 1),
            });
          }
          bitmap[count * 8 + i] = (hi << 4) | lo;
        }
      } else {
        for (let i = 0; i < 8; i++) bitmap[count * 8 + i] = r.buf[at + i];
      }
      r.pos += size;
      count++;
      // bit 1 announces the secondary bitmap; bit 65 the tertiary where the spec allows one
      if (count === 1 && (bitmap[0] & 0x80) !== 0) continue;
      if (count === 2 && this.tertiary && (bitmap[8] & 0x80) !== 0) continue;
      return count;
    }
  }

  private readMti(r: Reader): string {
    const size = this.mtiEncoding === 'bcd' ? 2 : 4;
    if (r.end < size) throw new ProtocolError('TRUNCATED', `expected a ${size}-byte MTI, got ${r.end}`, { offset: 0 });
    let mti = '';
    for (let i = 0; i < 4; i++) {
      let d: number;
      if (this.mtiEncoding === 'bcd') d = (i & 1 ? r.buf[i >> 1] & 0x0f : r.buf[i >> 1] >> 4) + 0x30;
      else d = this.mtiEncoding === 'ebcdic' ? fromEbcdic[r.buf[i]] : r.buf[i];
      if (d < 0x30 || d > 0x39) {
        throw new ProtocolError('BAD_MTI', `MTI digit ${i + 1} is not a decimal digit`, { offset: this.mtiEncoding === 'bcd' ? i >> 1 : i });
      }
      mti += String.fromCharCode(d);
    }
    r.pos = size;
    return mti;
  }

  private writeMti(w: Writer, mti: unknown): void {
    if (typeof mti !== 'string' || mti.length !== 4 || !isDigits(mti)) {
      throw new ProtocolError('BAD_MTI', 'MTI must be a string of four decimal digits');
    }
    w.ensure(4);
    if (this.mtiEncoding === 'bcd') {
      w.buf[0] = ((mti.charCodeAt(0) - 0x30) << 4) | (mti.charCodeAt(1) - 0x30);
      w.buf[1] = ((mti.charCodeAt(2) - 0x30) << 4) | (mti.charCodeAt(3) - 0x30);
      w.pos = 2;
      return;
    }
    for (let i = 0; i < 4; i++) w.buf[i] = this.mtiEncoding === 'ebcdic' ? toEbcdic[mti.charCodeAt(i)] : mti.charCodeAt(i);
    w.pos = 4;
  }
}

/** "2" -> 2; -1 for anything that is not a field number written plainly ("02", "2.0", "pan", "300"). */
function fieldNumber(key: string): number {
  const len = key.length;
  if (len === 0 || len > 3 || key.charCodeAt(0) === 0x30) return -1;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const d = key.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n <= MAX_FIELD ? n : -1;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Breaks a composite field's value into its subfields, naming errors by full path and message offset. */
export function unpackField(codec: FieldCodec, value: Primitive, contentOffset?: number): SubfieldMap {
  const composite = compositeOf(codec);
  if (composite === null) throw new ProtocolError('PATH_INVALID', 'field has no subfields in the spec', { field: codec.id });
  try {
    return composite.unpack(codec.toContent(value), true);
  } catch (e) {
    throw e instanceof ProtocolError ? e.within({ field: codec.id, offset: contentOffset }, wireScale(codec)) : e;
  }
}

/** Wire bytes per content byte: hex writes each byte as two characters. */
export function wireScale(codec: FieldCodec): number {
  return codec.spec.encoding === 'hex' ? 2 : 1;
}

const codecs = new WeakMap<MessageSpec, MessageCodec>();

/** The compiled codec of a spec, compiled once per spec object. */
export function codecFor(spec: MessageSpec): MessageCodec {
  let codec = codecs.get(spec);
  if (codec === undefined) {
    codec = new MessageCodec(spec);
    codecs.set(spec, codec);
  }
  return codec;
}
