/**
 * Small inline specs for the codec tests, one per wire style, so the tests do not depend on the built-in specs.
 * Together they cover every axis: value classes, body encodings, prefix encodings and sizes, what lengths count,
 * MTI and bitmap encodings, the tertiary bitmap and every composite layout.
 */
import { expect } from 'vitest';
import { ProtocolError, type ErrorCode } from '../../protocol/errors.js';
import type { IsoMessage } from '../../protocol/message.js';
import type { FieldSpec, MessageSpec, PrefixSpec } from '../../protocol/spec/types.js';

/** Readable hex fixtures: "30 32 30 30" -> bytes. */
export function hex(s: string): Buffer {
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`bad hex fixture: ${s}`);
  return Buffer.from(clean, 'hex');
}

/** ISO-8859-1 text as bytes, for the ASCII parts of a fixture. */
export function ascii(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** Joins fixture parts: strings are hex, Buffers are taken as they are. */
export function wire(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? hex(p) : p)));
}

export function upperHex(b: Buffer): string {
  return b.toString('hex').toUpperCase();
}

/**
 * A message with its fields (and subfields) as plain objects keyed by number, whatever container decode uses
 * (an object, or a sparse array indexed by field number), so results compare with toEqual.
 */
export function plain(msg: IsoMessage): IsoMessage {
  const out: IsoMessage = { mti: msg.mti, fields: Object.fromEntries(Object.entries(msg.fields)) };
  if (msg.subfields !== undefined) out.subfields = Object.fromEntries(Object.entries(msg.subfields));
  return out;
}

/** Runs `f`, expects a ProtocolError, and returns it for further checks. */
export function caught(f: () => unknown): ProtocolError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

/** Expects `f` to throw a ProtocolError with this code and exact message; returns it. */
export function expectError(f: () => unknown, code: ErrorCode, message?: string): ProtocolError {
  const e = caught(f);
  expect({ code: e.code, message: e.message }).toEqual({ code, message: message ?? e.message });
  return e;
}

const LL = (encoding: PrefixSpec['encoding']): PrefixSpec => ({ digits: 2, encoding });
const LLL = (encoding: PrefixSpec['encoding']): PrefixSpec => ({ digits: 3, encoding });

/**
 * ASCII MTI, binary bitmap. Composites: 48 positional, 55 TLV, 127 bitmapped (binary inner bitmap) holding 127.25,
 * bitmapped with a hex inner bitmap.
 */
export const ASCII_SPEC: MessageSpec = {
  name: 'test-ascii',
  mti: { encoding: 'ascii' },
  bitmap: { encoding: 'binary' },
  fields: {
    '2': { name: 'Primary account number', class: 'n', encoding: 'ascii', length: 19, prefix: LL('ascii'), sensitive: 'pan' },
    '3': { name: 'Processing code', class: 'n', encoding: 'ascii', length: 6 },
    '4': { name: 'Amount, transaction', class: 'n', encoding: 'ascii', length: 12 },
    '7': { name: 'Transmission date and time', class: 'n', encoding: 'ascii', length: 10 },
    '11': { name: 'STAN', class: 'n', encoding: 'ascii', length: 6 },
    '22': { name: 'POS entry mode', class: 'n', encoding: 'ascii', length: 3 },
    '28': { name: 'Amount, transaction fee', class: 'x+n', encoding: 'ascii', length: 9 },
    '32': { name: 'Acquiring institution id', class: 'n', encoding: 'ascii', length: 11, prefix: LL('ascii') },
    '35': { name: 'Track 2 data', class: 'z', encoding: 'ascii', length: 37, prefix: LL('ascii'), sensitive: 'track' },
    '37': { name: 'Retrieval reference number', class: 'an', encoding: 'ascii', length: 12 },
    '39': { name: 'Response code', class: 'an', encoding: 'ascii', length: 2 },
    '41': { name: 'Terminal id', class: 'ans', encoding: 'ascii', length: 8 },
    '43': { name: 'Card acceptor name/location', class: 'ans', encoding: 'ascii', length: 40 },
    '44': { name: 'Alpha test field', class: 'a', encoding: 'ascii', length: 5 },
    '45': { name: 'Track 1 data', class: 'ans', encoding: 'ascii', length: 76, prefix: LL('ascii'), sensitive: 'track' },
    '48': {
      name: 'Additional data, private',
      class: 'ans',
      encoding: 'ascii',
      length: 999,
      prefix: LLL('ascii'),
      subfields: {
        layout: 'positional',
        fields: {
          '1': { name: 'Tag', class: 'n', encoding: 'ascii', length: 2 },
          '2': { name: 'Name', class: 'an', encoding: 'ascii', length: 10, prefix: LL('ascii') },
          '3': { name: 'Code', class: 'ans', encoding: 'ascii', length: 3 },
        },
      },
    },
    '49': { name: 'Currency code', class: 'n', encoding: 'ascii', length: 3 },
    '52': { name: 'PIN data', class: 'b', encoding: 'binary', length: 8, sensitive: 'pin' },
    '55': {
      name: 'ICC data',
      class: 'b',
      encoding: 'binary',
      length: 255,
      prefix: LLL('ascii'),
      sensitive: 'emv',
      subfields: {
        layout: 'tlv',
        fields: { '9F26': { name: 'Application cryptogram', class: 'b', encoding: 'binary', length: 8 } },
      },
    },
    '60': { name: 'Reserved private', class: 'ans', encoding: 'ascii', length: 999, prefix: LLL('ascii') },
    '64': { name: 'MAC', class: 'b', encoding: 'binary', length: 8 },
    '70': { name: 'Network management code', class: 'n', encoding: 'ascii', length: 3 },
    '90': { name: 'Original data elements', class: 'n', encoding: 'ascii', length: 42 },
    '102': { name: 'Account id 1', class: 'ans', encoding: 'ascii', length: 28, prefix: LL('ascii') },
    '127': {
      name: 'Private extension',
      class: 'b',
      encoding: 'binary',
      length: 999999,
      prefix: { digits: 6, encoding: 'ascii' },
      subfields: {
        layout: 'bitmap',
        bitmap: { encoding: 'binary', bytes: 8 },
        fields: {
          '2': { name: 'Switch key', class: 'ans', encoding: 'ascii', length: 32, prefix: LL('ascii') },
          '3': { name: 'Routing information', class: 'n', encoding: 'ascii', length: 6 },
          '20': { name: 'Date settlement', class: 'b', encoding: 'binary', length: 4 },
          '22': { name: 'Card number', class: 'n', encoding: 'ascii', length: 19, prefix: LL('ascii'), sensitive: 'pan' },
          '25': {
            name: 'Nested data',
            class: 'ans',
            encoding: 'ascii',
            length: 9999,
            prefix: { digits: 4, encoding: 'ascii' },
            subfields: {
              layout: 'bitmap',
              bitmap: { encoding: 'hex', bytes: 8 },
              fields: {
                '2': { name: 'Version', class: 'n', encoding: 'ascii', length: 4 },
                '3': { name: 'Label', class: 'ans', encoding: 'ascii', length: 20, prefix: LL('ascii') },
                '12': { name: 'Reference', class: 'an', encoding: 'ascii', length: 12, prefix: LL('ascii') },
              },
            },
          },
        },
      },
    },
    '128': { name: 'MAC 2', class: 'b', encoding: 'binary', length: 8 },
  },
};

/** ASCII MTI, hex bitmap with a tertiary bitmap; hex bodies and hex prefixes. */
export const HEX_SPEC: MessageSpec = {
  name: 'test-hex',
  mti: { encoding: 'ascii' },
  bitmap: { encoding: 'hex', tertiary: true },
  fields: {
    '2': { name: 'PAN', class: 'n', encoding: 'ascii', length: 19, prefix: LL('hex'), sensitive: 'pan' },
    '3': { name: 'Processing code', class: 'n', encoding: 'ascii', length: 6 },
    '4': { name: 'Amount', class: 'n', encoding: 'ascii', length: 12 },
    '45': { name: 'Short text', class: 'ans', encoding: 'ascii', length: 9, prefix: { digits: 1, encoding: 'ascii' } },
    '52': { name: 'PIN data', class: 'b', encoding: 'hex', length: 8, sensitive: 'pin' },
    '55': {
      name: 'ICC data',
      class: 'b',
      encoding: 'hex',
      length: 255,
      prefix: LLL('hex'),
      sensitive: 'emv',
      subfields: { layout: 'tlv', fields: {} },
    },
    '56': { name: 'Hex counted in bytes', class: 'b', encoding: 'hex', length: 98, prefix: LL('ascii'), counts: 'bytes' },
    '62': { name: 'Long text', class: 'ans', encoding: 'ascii', length: 9999, prefix: { digits: 4, encoding: 'ascii' } },
    '64': { name: 'MAC', class: 'b', encoding: 'hex', length: 8 },
    '66': { name: 'Settlement code', class: 'n', encoding: 'ascii', length: 1 },
    '128': { name: 'MAC 2', class: 'b', encoding: 'hex', length: 8 },
    '130': { name: 'Tertiary text', class: 'an', encoding: 'ascii', length: 4 },
    '192': { name: 'MAC 3', class: 'b', encoding: 'hex', length: 8 },
  },
};

/** BCD MTI, binary bitmap with a tertiary bitmap; BCD bodies with every padding, BCD and binary prefixes. */
export const BCD_SPEC: MessageSpec = {
  name: 'test-bcd',
  mti: { encoding: 'bcd' },
  bitmap: { encoding: 'binary', tertiary: true },
  fields: {
    '2': { name: 'PAN', class: 'n', encoding: 'bcd', length: 19, prefix: LL('bcd'), sensitive: 'pan' },
    '3': { name: 'Processing code', class: 'n', encoding: 'bcd', length: 6 },
    '4': { name: 'Amount', class: 'n', encoding: 'bcd', length: 12 },
    '22': { name: 'POS entry mode', class: 'n', encoding: 'bcd', length: 3, pad: { side: 'left', char: '0' } },
    '23': { name: 'Card sequence number', class: 'n', encoding: 'bcd', length: 3, pad: { side: 'right', char: 'F' } },
    '28': { name: 'Fee', class: 'x+n', encoding: 'bcd', length: 9 },
    '32': { name: 'Acquirer id', class: 'n', encoding: 'bcd', length: 11, prefix: LL('bcd'), pad: { side: 'right', char: '0' } },
    '35': { name: 'Track 2', class: 'z', encoding: 'bcd', length: 37, prefix: LL('bcd'), pad: { side: 'right', char: 'F' }, sensitive: 'track' },
    '37': { name: 'RRN', class: 'an', encoding: 'ascii', length: 12 },
    '41': { name: 'Terminal id', class: 'ans', encoding: 'ascii', length: 8 },
    '48': { name: 'Private data', class: 'ans', encoding: 'ascii', length: 999, prefix: LLL('bcd') },
    '52': { name: 'PIN data', class: 'b', encoding: 'binary', length: 8, sensitive: 'pin' },
    '55': {
      name: 'ICC data',
      class: 'b',
      encoding: 'binary',
      length: 255,
      prefix: LLL('bcd'),
      sensitive: 'emv',
      subfields: { layout: 'tlv', fields: {} },
    },
    '60': { name: 'BCD counted in bytes', class: 'n', encoding: 'bcd', length: 999, prefix: LLL('bcd'), counts: 'bytes' },
    '61': { name: 'Binary L', class: 'b', encoding: 'binary', length: 255, prefix: { digits: 1, encoding: 'binary' } },
    '62': { name: 'Binary LL text', class: 'ans', encoding: 'ascii', length: 9999, prefix: { digits: 2, encoding: 'binary' } },
    '64': { name: 'MAC', class: 'b', encoding: 'binary', length: 8 },
    '70': { name: 'Network code', class: 'n', encoding: 'bcd', length: 3 },
    '128': { name: 'MAC 2', class: 'b', encoding: 'binary', length: 8 },
    '130': { name: 'Tertiary number', class: 'n', encoding: 'bcd', length: 6 },
    '192': { name: 'MAC 3', class: 'b', encoding: 'binary', length: 8 },
  },
};

/** EBCDIC MTI, binary bitmap; EBCDIC bodies and prefixes, an EBCDIC positional composite. */
export const EBCDIC_SPEC: MessageSpec = {
  name: 'test-ebcdic',
  mti: { encoding: 'ebcdic' },
  bitmap: { encoding: 'binary' },
  fields: {
    '2': { name: 'PAN', class: 'n', encoding: 'ebcdic', length: 19, prefix: LL('ebcdic'), sensitive: 'pan' },
    '3': { name: 'Processing code', class: 'n', encoding: 'ebcdic', length: 6 },
    '4': { name: 'Amount', class: 'n', encoding: 'ebcdic', length: 12 },
    '28': { name: 'Fee', class: 'x+n', encoding: 'ebcdic', length: 9 },
    '35': { name: 'Track 2', class: 'z', encoding: 'ebcdic', length: 37, prefix: LL('ebcdic'), sensitive: 'track' },
    '41': { name: 'Terminal id', class: 'ans', encoding: 'ebcdic', length: 8 },
    '43': { name: 'Card acceptor', class: 'ans', encoding: 'ebcdic', length: 40 },
    '48': {
      name: 'Private data',
      class: 'ans',
      encoding: 'ebcdic',
      length: 999,
      prefix: LLL('ebcdic'),
      subfields: {
        layout: 'positional',
        fields: {
          '1': { name: 'Tag', class: 'n', encoding: 'ebcdic', length: 2 },
          '2': { name: 'Text', class: 'ans', encoding: 'ebcdic', length: 10, prefix: LL('ebcdic') },
        },
      },
    },
    '52': { name: 'PIN data', class: 'b', encoding: 'binary', length: 8, sensitive: 'pin' },
    '63': { name: 'Private text', class: 'ans', encoding: 'ebcdic', length: 999, prefix: LLL('ebcdic') },
    '64': { name: 'MAC', class: 'b', encoding: 'binary', length: 8 },
  },
};

export const ALL_SPECS = [ASCII_SPEC, HEX_SPEC, BCD_SPEC, EBCDIC_SPEC] as const;

/** A spec with just one field at `n` (default 2), for field-level tests through the message codec. */
export function oneField(field: FieldSpec, n = 2, mti: MessageSpec['mti']['encoding'] = 'ascii'): MessageSpec {
  return { name: 'one-field', mti: { encoding: mti }, bitmap: { encoding: 'binary' }, fields: { [String(n)]: field } };
}
