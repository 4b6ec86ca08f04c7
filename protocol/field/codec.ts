import { BodyError, type Body, type Primitive } from '../encoding/body.js';
import { asciiToEbcdic, fromEbcdic, toEbcdic } from '../encoding/ebcdic.js';
import { makeBody } from '../encoding/index.js';
import { parseHex } from '../encoding/hex.js';
import { ProtocolError } from '../errors.js';
import { makePrefix, type Prefix } from '../prefix/index.js';
import type { FieldSpec, ValueClass } from '../spec/types.js';
import { Charsets, unitName, type Charset } from './charsets.js';
import type { Reader, Writer } from './io.js';

export interface EncodeOptions {
  /** Pad short fixed-length values as the spec's padding says (jPOS's behaviour); off by default: strict. */
  pad?: boolean;
}

const SIGN_C = 0x43;
const SIGN_D = 0x44;

/** Turns a composite field's value (a subfield map) into its packed content, and back; see composite.ts. */
export interface Subfields {
  pack(value: unknown, opts: EncodeOptions): Buffer;
}

/**
 * One field compiled from its spec: the prefix, the body encoding and the charset are chosen once, so decoding and
 * encoding a value is a straight run over the bytes.
 */
export class FieldCodec {
  readonly id: string;
  readonly spec: FieldSpec;
  readonly cls: ValueClass;
  readonly prefix: Prefix | null;
  readonly body: Body;
  /** Exact (fixed) or maximum length, in the unit the spec counts. */
  readonly length: number;
  private readonly charset: Charset;
  private readonly countsBytes: boolean;
  private readonly signed: boolean;
  private readonly ebcdicSign: boolean;
  private readonly unit: string;
  /** Set by the composite layer for fields with subfields. */
  subfields: Subfields | null = null;

  constructor(id: string, spec: FieldSpec) {
    this.id = id;
    this.spec = spec;
    this.cls = spec.class;
    this.prefix = spec.prefix ? makePrefix(spec.prefix) : null;
    this.body = makeBody(spec);
    this.length = spec.length;
    this.charset = Charsets[spec.class];
    this.countsBytes = spec.counts === 'bytes';
    this.signed = spec.class === 'x+n';
    this.ebcdicSign = spec.encoding === 'ebcdic';
    this.unit = unitName(spec.class, false);
    if (this.prefix && this.length > this.prefix.max) {
      throw new ProtocolError('SPEC_INVALID', `maximum length ${this.length} does not fit a ${spec.prefix!.digits}-digit prefix`, { field: id });
    }
  }

  get binary(): boolean {
    return this.body.binary;
  }

  /** Encoded bytes of a value of `units` units (the sign of an amount is one byte). */
  private bytesFor(units: number): number {
    return this.signed ? 1 + this.body.size(units - 1) : this.body.size(units);
  }

  private unitsIn(bytes: number): number {
    return this.signed ? 1 + this.body.unitsIn(bytes - 1) : this.body.unitsIn(bytes);
  }

  decode(r: Reader): Primitive {
    const { buf, end } = r;
    const start = r.pos;
    let p = start;
    let units: number;
    let bytes: number;
    if (this.prefix === null) {
      units = this.countsBytes ? this.unitsIn(this.length) : this.length;
      bytes = this.countsBytes ? this.length : this.bytesFor(units);
    } else {
      const size = this.prefix.size;
      if (p + size > end) {
        throw new ProtocolError('TRUNCATED', `expected a ${size}-byte length prefix, got ${end - p}`, { field: this.id, offset: start });
      }
      const len = this.prefix.read(buf, p);
      if (len < 0) throw new ProtocolError('BAD_LENGTH_PREFIX', 'length prefix is not a number', { field: this.id, offset: start });
      if (len > this.length) {
        throw new ProtocolError('LENGTH_EXCEEDS_MAX', `length ${len} exceeds maximum ${this.length}`, { field: this.id, offset: start });
      }
      p += size;
      units = this.countsBytes ? this.unitsIn(len) : len;
      bytes = this.countsBytes ? len : this.bytesFor(len);
      // a length the body cannot hold exactly: an odd byte count of hex data, an amount without room for its sign
      if (units < (this.signed ? 1 : 0) || this.bytesFor(units) !== bytes) {
        throw new ProtocolError('BAD_LENGTH_PREFIX', `length ${len} is not a whole number of ${this.countsBytes ? 'values' : this.unit}`, {
          field: this.id,
          offset: start,
        });
      }
    }
    if (p + bytes > end) {
      const left = Math.max(0, end - p);
      const detail = this.countsBytes
        ? `expected ${bytes} bytes, got ${left}`
        : `expected ${units} ${this.unit}, got ${Math.max(0, Math.min(units, this.unitsIn(left)))}`;
      throw new ProtocolError('TRUNCATED', detail, { field: this.id, offset: start });
    }
    r.pos = p + bytes;
    try {
      if (!this.signed) return this.body.read(buf, p, units, this.charset, r.text);
      const sign = this.ebcdicSign ? fromEbcdic[buf[p]] : buf[p];
      if (sign !== SIGN_C && sign !== SIGN_D) throw new BodyError(p, 'sign at position 1 is not C or D');
      return (sign === SIGN_C ? 'C' : 'D') + (this.body.read(buf, p + 1, units - 1, this.charset, r.text) as string);
    } catch (e) {
      if (e instanceof BodyError) {
        throw new ProtocolError('INVALID_CHARACTER', `${e.detail} in class ${this.cls}`, { field: this.id, offset: e.index });
      }
      throw e;
    }
  }

  encode(value: unknown, w: Writer, opts: EncodeOptions): void {
    const v = this.normalize(value, opts);
    const units = v.length;
    const bytes = this.bytesFor(units);
    const measured = this.countsBytes ? bytes : units;
    if (this.prefix === null) {
      if (measured !== this.length) {
        if (measured > this.length) throw this.tooLong(measured);
        throw new ProtocolError('LENGTH_MISMATCH', `expected ${this.length} ${this.countsBytes ? 'bytes' : this.unit}, got ${measured}`, { field: this.id });
      }
    } else if (measured > this.length) {
      throw this.tooLong(measured);
    }
    const prefixSize = this.prefix === null ? 0 : this.prefix.size;
    w.ensure(prefixSize + bytes);
    if (this.prefix !== null) this.prefix.write(measured, w.buf, w.pos);
    const at = w.pos + prefixSize;
    let bad: number;
    if (this.signed) {
      const sign = (v as string).charCodeAt(0);
      if (sign !== SIGN_C && sign !== SIGN_D) bad = 0;
      else {
        w.buf[at] = this.ebcdicSign ? toEbcdic[sign] : sign;
        bad = this.body.write((v as string).slice(1), units - 1, w.buf, at + 1, this.charset);
        if (bad >= 0) bad++;
      }
    } else {
      bad = this.body.write(v, units, w.buf, at, this.charset);
    }
    if (bad >= 0) {
      const what = this.signed && bad === 0 ? 'sign at position 1 is not C or D' : `character at position ${bad + 1} is not allowed`;
      throw new ProtocolError('INVALID_CHARACTER', `${what} in class ${this.cls}`, { field: this.id });
    }
    w.pos = at + bytes;
  }

  /** The value as the body wants it: a string for character data, a Buffer for binary data. */
  normalize(value: unknown, opts: EncodeOptions): Primitive {
    let v = value;
    if (this.subfields !== null && typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) {
      try {
        v = this.fromContent(this.subfields.pack(v, opts));
      } catch (e) {
        throw e instanceof ProtocolError ? e.within({ field: this.id }) : e;
      }
    }
    if (this.body.binary) {
      if (typeof v === 'string') {
        const parsed = parseHex(v);
        if (typeof parsed === 'number') {
          throw new ProtocolError(
            'INVALID_CHARACTER',
            parsed === v.length ? 'hex string has an odd number of characters' : `character at position ${parsed + 1} is not a hex digit`,
            { field: this.id },
          );
        }
        return parsed;
      }
      if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      throw new ProtocolError('WRONG_TYPE', `expected a Buffer or a hex string, got ${typeName(v)}`, { field: this.id });
    }
    if (typeof v !== 'string') {
      throw new ProtocolError('WRONG_TYPE', `expected a string, got ${typeName(v)}`, { field: this.id });
    }
    if (opts.pad && this.prefix === null && v.length < this.length && !this.countsBytes) return this.padded(v);
    return v;
  }

  private padded(v: string): string {
    const numeric = this.cls === 'n' || this.cls === 'x+n' || this.cls === 'z';
    const side = this.spec.pad?.side ?? (numeric ? 'left' : 'right');
    const char = this.spec.encoding === 'bcd' ? '0' : (this.spec.pad?.char ?? (numeric ? '0' : ' '));
    if (this.signed) return v.slice(0, 1) + v.slice(1).padStart(this.length - 1, '0');
    return side === 'left' ? v.padStart(this.length, char) : v.padEnd(this.length, char);
  }

  private tooLong(measured: number): ProtocolError {
    return new ProtocolError('VALUE_TOO_LONG', `length ${measured} exceeds maximum ${this.length}`, { field: this.id });
  }

  /** The bytes a composite's subfields live in, from the field's value (characters in their wire encoding). */
  toContent(v: Primitive): Buffer {
    if (typeof v !== 'string') return v;
    return this.spec.encoding === 'ebcdic' ? asciiToEbcdic(v) : Buffer.from(v, 'latin1');
  }

  fromContent(b: Buffer): Primitive {
    if (this.body.binary) return b;
    if (this.spec.encoding !== 'ebcdic') return b.toString('latin1');
    let s = '';
    for (const byte of b) s += String.fromCharCode(fromEbcdic[byte]);
    return s;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
