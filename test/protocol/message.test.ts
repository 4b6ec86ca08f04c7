import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { Primitive } from '../../protocol/encoding/body.js';
import { ProtocolError } from '../../protocol/errors.js';
import { messageToJson, primitiveToJson, subfieldsToJson } from '../../protocol/json.js';
import { MessageCodec, codecFor, unpackField, type IsoMessage } from '../../protocol/message.js';
import type { FieldSpec, MessageSpec, ValueClass } from '../../protocol/spec/types.js';
import { ALL_SPECS, ASCII_SPEC, BCD_SPEC, EBCDIC_SPEC, HEX_SPEC, ascii, caught, expectError, hex, plain, wire } from './specs.fixture.js';

const PAN = '4761739001010119';
const A = new MessageCodec(ASCII_SPEC);
const H = new MessageCodec(HEX_SPEC);
const B = new MessageCodec(BCD_SPEC);
const E = new MessageCodec(EBCDIC_SPEC);

// 0200, bitmap 70 20 04 00 00 80 00 00 = fields 2 3 4 11 22 41
const A_0200 = wire(
  ascii('0200'),
  '70 20 04 00 00 80 00 00',
  ascii('16' + PAN),
  ascii('000000'),
  ascii('000000001000'),
  ascii('000001'),
  ascii('051'),
  ascii('TERM1   '),
);
const A_0200_MSG: IsoMessage = {
  mti: '0200',
  fields: { 2: PAN, 3: '000000', 4: '000000001000', 11: '000001', 22: '051', 41: 'TERM1   ' },
};

// 0800, hex bitmaps: primary A0..10.. (1 3 52), secondary C0.. (65 66), tertiary 40..01 (130 192)
const H_0800 = wire(
  ascii('0800'),
  ascii('A000000000001000'),
  ascii('C000000000000000'),
  ascii('4000000000000001'),
  ascii('990000'),
  ascii('0123456789ABCDEF'),
  ascii('1'),
  ascii('AB12'),
  ascii('1122334455667788'),
);
const H_0800_MSG: IsoMessage = {
  mti: '0800',
  fields: { 3: '990000', 52: hex('01 23 45 67 89 ab cd ef'), 66: '1', 130: 'AB12', 192: hex('11 22 33 44 55 66 77 88') },
};

// BCD MTI 02 00, bitmap 70 00 06 10 20 .. = fields 2 3 4 22 23 28 35
const B_0200 = wire(
  '02 00',
  '70 00 06 10 20 00 00 00',
  '13 04 76 17 39 00 10 10',
  '00 00 00',
  '00 00 00 00 10 00',
  '00 51',
  '00 1f',
  '43 00 00 01 50',
  '21 47 61 73 90 01 01 01 19 d2 51 2f',
);
const B_0200_MSG: IsoMessage = {
  mti: '0200',
  fields: { 2: '4761739001010', 3: '000000', 4: '000000001000', 22: '051', 23: '001', 28: 'C00000150', 35: '4761739001010119=2512' },
};

// EBCDIC MTI F0 F2 F0 F0, bitmap 50 00 00 10 00 80 .. = fields 2 4 28 41
const E_0200 = wire(
  'f0 f2 f0 f0',
  '50 00 00 10 00 80 00 00',
  'f1 f6  f4 f7 f6 f1 f7 f3 f9 f0 f0 f1 f0 f1 f0 f1 f1 f9',
  'f0 f0 f0 f0 f0 f0 f0 f0 f1 f0 f0 f0',
  'c4 f0 f0 f0 f0 f0 f1 f5 f0',
  'e3 c5 d9 d4 40 f1 40 40',
);
const E_0200_MSG: IsoMessage = { mti: '0200', fields: { 2: PAN, 4: '000000001000', 28: 'D00000150', 41: 'TERM 1  ' } };

describe('MessageCodec: exact bytes both ways', () => {
  const cases = [
    { name: 'ASCII MTI, binary bitmap', codec: A, bytes: A_0200, msg: A_0200_MSG },
    { name: 'ASCII MTI, hex primary, secondary and tertiary bitmaps, hex bodies', codec: H, bytes: H_0800, msg: H_0800_MSG },
    { name: 'BCD MTI, BCD bodies, odd lengths, track 2, amount', codec: B, bytes: B_0200, msg: B_0200_MSG },
    { name: 'EBCDIC MTI, EBCDIC prefix and bodies, amount sign', codec: E, bytes: E_0200, msg: E_0200_MSG },
  ];
  for (const { name, codec, bytes, msg } of cases) {
    it(`${name}: encodes`, () => {
      expect(codec.encode(msg)).toEqual(bytes);
    });
    it(`${name}: decodes`, () => {
      expect(plain(codec.decode(bytes))).toEqual(msg);
    });
  }

  it('hex spec: hex and L/LLLL prefixes', () => {
    // bitmap 40 00 00 00 00 08 00 04 = fields 2 45 62
    const bytes = wire(ascii('0200'), ascii('4000000000080004'), ascii('10' + PAN), ascii('5HELLO'), ascii('0003abc'));
    const msg = { mti: '0200', fields: { 2: PAN, 45: 'HELLO', 62: 'abc' } };
    expect(H.encode(msg)).toEqual(bytes);
    expect(plain(H.decode(bytes))).toEqual(msg);
  });

  it('bcd spec: BCD LLL, byte-counted BCD, binary L and LL prefixes', () => {
    // bitmap 00 00 00 00 00 01 00 1c = fields 48 60 61 62
    const bytes = wire('01 00', '00 00 00 00 00 01 00 1c', '00 05', ascii('hello'), '00 02 12 34', '03 aa bb cc', '00 02', ascii('ok'));
    const msg = { mti: '0100', fields: { 48: 'hello', 60: '1234', 61: hex('aa bb cc'), 62: 'ok' } };
    expect(B.encode(msg)).toEqual(bytes);
    expect(plain(B.decode(bytes))).toEqual(msg);
  });

  it('bcd spec: a tertiary field alone brings all three bitmaps', () => {
    const bytes = wire('02 00', '80 00 00 00 00 00 00 00', '80 00 00 00 00 00 00 00', '40 00 00 00 00 00 00 00', '00 00 42');
    const msg = { mti: '0200', fields: { 130: '000042' } };
    expect(B.encode(msg)).toEqual(bytes);
    expect(plain(B.decode(bytes))).toEqual(msg);
  });

  it('an MTI alone with an empty bitmap', () => {
    expect(A.encode({ mti: '0800', fields: {} })).toEqual(wire(ascii('0800'), '00 00 00 00 00 00 00 00'));
    expect(plain(A.decode(wire(ascii('0800'), '00 00 00 00 00 00 00 00')))).toEqual({ mti: '0800', fields: {} });
    expect(H.encode({ mti: '0800', fields: {} })).toEqual(ascii('0800' + '0'.repeat(16)));
  });
});

describe('MessageCodec: bitmaps', () => {
  it('adds the secondary bitmap only when a field 65-128 is present', () => {
    expect(A.encode({ mti: '0200', fields: { 3: '000000' } }).subarray(4, 12)).toEqual(hex('20 00 00 00 00 00 00 00'));
    const with70 = A.encode({ mti: '0800', fields: { 3: '000000', 70: '301' } });
    expect(with70).toEqual(wire(ascii('0800'), 'a0 00 00 00 00 00 00 00', '04 00 00 00 00 00 00 00', ascii('000000'), ascii('301')));
    const with128 = A.encode({ mti: '0800', fields: { 128: hex('01 02 03 04 05 06 07 08') } });
    expect(with128).toEqual(wire(ascii('0800'), '80 00 00 00 00 00 00 00', '00 00 00 00 00 00 00 01', '01 02 03 04 05 06 07 08'));
  });

  it('adds the tertiary bitmap only when enabled and a field over 128 is present', () => {
    const secondaryOnly = H.encode({ mti: '0800', fields: { 66: '1' } });
    expect(secondaryOnly).toEqual(wire(ascii('0800'), ascii('8000000000000000'), ascii('4000000000000000'), ascii('1')));
    const tertiary = H.encode({ mti: '0800', fields: { 130: 'AB12' } });
    expect(tertiary).toEqual(wire(ascii('0800'), ascii('8000000000000000'), ascii('8000000000000000'), ascii('4000000000000000'), ascii('AB12')));
  });

  it('reads hex bitmaps in either case and writes upper case', () => {
    const lower = wire(
      ascii('0800'),
      ascii('a000000000001000'),
      ascii('c000000000000000'),
      ascii('4000000000000001'),
      ascii('990000'),
      ascii('0123456789abcdef'),
      ascii('1'),
      ascii('AB12'),
      ascii('1122334455667788'),
    );
    expect(plain(H.decode(lower))).toEqual(H_0800_MSG);
    expect(H.encode(H.decode(lower))).toEqual(H_0800);
  });

  it('sorts fields whatever the input key order', () => {
    const fields: Record<string, string> = {};
    for (const k of ['41', '22', '11', '4', '3', '2']) fields[k] = (A_0200_MSG.fields as Record<string, string>)[k];
    expect(A.encode({ mti: '0200', fields })).toEqual(A_0200);
    expect(A.encode({ mti: '0200', fields: Object.fromEntries(Object.entries(A_0200_MSG.fields).reverse()) })).toEqual(A_0200);
  });

  it('skips fields given as undefined or null', () => {
    expect(A.encode({ mti: '0200', fields: { ...A_0200_MSG.fields, 7: undefined, 70: null } })).toEqual(A_0200);
  });

  it('reads an announced secondary bitmap with no bits set', () => {
    const bytes = wire(ascii('0800'), 'a0 00 00 00 00 00 00 00', '00 00 00 00 00 00 00 00', ascii('000000'));
    expect(plain(A.decode(bytes))).toEqual({ mti: '0800', fields: { 3: '000000' } });
  });

  it('treats bit 65 as a field where the spec has no tertiary bitmap', () => {
    const bytes = wire(ascii('0800'), '80 00 00 00 00 00 00 00', '80 00 00 00 00 00 00 00');
    expectError(() => A.decode(bytes), 'BAD_BITMAP', 'message at offset 12: bit 65 is set but the spec has no field 65');
  });
});

describe('MessageCodec: field values', () => {
  it('writes the length prefix of an empty variable-length field', () => {
    const bytes = A.encode({ mti: '0200', fields: { 60: '' } });
    expect(bytes).toEqual(wire(ascii('0200'), '00 00 00 00 00 00 00 10', ascii('000')));
    expect(plain(A.decode(bytes))).toEqual({ mti: '0200', fields: { 60: '' } });
  });

  it('keeps trailing and leading spaces of text fields', () => {
    const name = '  ACME STORE'.padEnd(40, ' ');
    const bytes = A.encode({ mti: '0200', fields: { 41: 'T1      ', 43: name } });
    expect(bytes.subarray(12)).toEqual(ascii('T1      ' + name));
    expect(plain(A.decode(bytes)).fields).toEqual({ 41: 'T1      ', 43: name });
  });

  it('decodes binary fields as views of the input', () => {
    const bytes = wire('02 00', '00 00 00 00 00 00 10 00', '01 02 03 04 05 06 07 08');
    const pin = B.decode(bytes).fields[52] as Buffer;
    expect(pin).toEqual(hex('01 02 03 04 05 06 07 08'));
    bytes[10] = 0xff;
    expect(pin[0]).toBe(0xff);
  });

  it('returns a fresh buffer from each encode', () => {
    const first = A.encode(A_0200_MSG);
    A.encode({ mti: '0800', fields: { 70: '301' } });
    expect(first).toEqual(A_0200);
  });

  it('accepts binary values as hex strings of either case', () => {
    const msg = { mti: '0800', fields: { 52: '0123456789abcdef' } };
    expect(H.encode(msg)).toEqual(wire(ascii('0800'), ascii('0000000000001000'), ascii('0123456789ABCDEF')));
  });

  it('encodes composite fields given as subfield maps', () => {
    const asString = A.encode({ mti: '0200', fields: { 48: '0705ACME1X-1' } });
    expect(A.encode({ mti: '0200', fields: { 48: { '1': '07', '2': 'ACME1', '3': 'X-1' } } })).toEqual(asString);
    expect(asString).toEqual(wire(ascii('0200'), '00 00 00 00 00 01 00 00', ascii('012'), ascii('0705ACME1X-1')));
    const tlv = A.encode({ mti: '0200', fields: { 55: new Map([['9F26', '0102030405060708']]) } });
    expect(tlv).toEqual(wire(ascii('0200'), '00 00 00 00 00 00 02 00', ascii('011'), '9f 26 08 01 02 03 04 05 06 07 08'));
  });
});

describe('MessageCodec: encode with { pad: true }', () => {
  it('pads numerics left with zeros, text right with spaces, amounts after the sign', () => {
    const bytes = A.encode({ mti: '0200', fields: { 4: '1000', 28: 'D150', 41: 'T1', 44: 'AB' } }, { pad: true });
    // bitmap 10 00 00 10 00 90 00 00 = fields 4 28 41 44
    expect(bytes).toEqual(wire(ascii('0200'), '10 00 00 10 00 90 00 00', ascii('000000001000'), ascii('D00000150'), ascii('T1      '), ascii('AB   ')));
  });

  it('pads BCD and EBCDIC fields in their own encoding', () => {
    expect(B.encode({ mti: '0200', fields: { 3: '1', 28: 'C5' } }, { pad: true })).toEqual(
      wire('02 00', '20 00 00 10 00 00 00 00', '00 00 01', '43 00 00 00 05'),
    );
    expect(E.encode({ mti: '0200', fields: { 41: 'T1' } }, { pad: true })).toEqual(
      wire('f0 f2 f0 f0', '00 00 00 00 00 80 00 00', 'e3 f1 40 40 40 40 40 40'),
    );
  });
});

describe('MessageCodec: decode errors', () => {
  it('TRUNCATED inside a fixed numeric field, with field, offset and MTI', () => {
    // field 4 starts at 4 (MTI) + 8 (bitmap) + 18 (field 2) + 6 (field 3) = 36
    const bytes = wire(ascii('0200'), '70 00 00 00 00 00 00 00', ascii('16' + PAN), ascii('000000'), ascii('0000001'));
    const e = expectError(() => A.decode(bytes), 'TRUNCATED', 'field 4 at offset 36: expected 12 digits, got 7');
    expect(e.toJSON()).toEqual({ code: 'TRUNCATED', mti: '0200', field: '4', offset: 36, message: 'field 4 at offset 36: expected 12 digits, got 7' });
  });

  it('TRUNCATED inside a BCD field counts the digits there', () => {
    const bytes = wire('02 00', '10 00 00 00 00 00 00 00', '00 00 00 00 10');
    expectError(() => B.decode(bytes), 'TRUNCATED', 'field 4 at offset 10: expected 12 digits, got 10');
  });

  it('LENGTH_EXCEEDS_MAX for a prefix over the maximum', () => {
    const bytes = wire(ascii('0200'), '40 00 00 00 00 00 00 00', ascii('20' + PAN + '0000'));
    expectError(() => A.decode(bytes), 'LENGTH_EXCEEDS_MAX', 'field 2 at offset 12: length 20 exceeds maximum 19');
    const bcd = wire('02 00', '40 00 00 00 00 00 00 00', '20 47 61 73 90 01 01 01 19 00 00');
    expectError(() => B.decode(bcd), 'LENGTH_EXCEEDS_MAX', 'field 2 at offset 10: length 20 exceeds maximum 19');
  });

  it('BAD_LENGTH_PREFIX for a prefix that is no number', () => {
    const bytes = wire(ascii('0200'), '40 00 00 00 00 00 00 00', ascii('1G' + PAN));
    expectError(() => A.decode(bytes), 'BAD_LENGTH_PREFIX', 'field 2 at offset 12: length prefix is not a number');
    const bcd = wire('02 00', '40 00 00 00 00 00 00 00', '1a 47 61 73 90 01 01 01 19');
    expectError(() => B.decode(bcd), 'BAD_LENGTH_PREFIX', 'field 2 at offset 10: length prefix is not a number');
  });

  it('INVALID_CHARACTER at the offset of the bad byte', () => {
    const bytes = wire(ascii('0200'), '70 00 00 00 00 00 00 00', ascii('16' + PAN), ascii('00X000'), ascii('000000001000'));
    expectError(() => A.decode(bytes), 'INVALID_CHARACTER', 'field 3 at offset 32: character at position 3 is not allowed in class n');
    const track = wire('02 00', '00 00 00 00 20 00 00 00', '05 47 61 af');
    expectError(() => B.decode(track), 'INVALID_CHARACTER', 'field 35 at offset 13: digit at position 5 is not a decimal digit in class z');
    const ebcdic = wire('f0 f2 f0 f0', '10 00 00 00 00 00 00 00', 'f0 f0 f0 f0 f0 f0 f0 f0 f1 f0 c1 f0');
    expectError(() => E.decode(ebcdic), 'INVALID_CHARACTER', 'field 4 at offset 22: character at position 11 is not allowed in class n');
  });

  it('BAD_BITMAP for a bit the spec does not define, at the bitmap byte', () => {
    expectError(() => A.decode(wire(ascii('0200'), '08 00 00 00 00 00 00 00')), 'BAD_BITMAP', 'message at offset 4: bit 5 is set but the spec has no field 5');
    expectError(
      () => A.decode(wire(ascii('0200'), '80 00 00 00 00 00 00 00', '40 00 00 00 00 00 00 00')),
      'BAD_BITMAP',
      'message at offset 12: bit 66 is set but the spec has no field 66',
    );
    expectError(() => H.decode(ascii('0200' + '0800000000000000')), 'BAD_BITMAP', 'message at offset 4: bit 5 is set but the spec has no field 5');
    expectError(
      () => H.decode(ascii('0200' + '8000000000000000' + '0020000000000000')),
      'BAD_BITMAP',
      'message at offset 22: bit 75 is set but the spec has no field 75',
    );
    const e = caught(() => A.decode(wire(ascii('0200'), '08 00 00 00 00 00 00 00')));
    expect(e.mti).toBe('0200');
  });

  it('BAD_BITMAP for a non-hex character in a hex bitmap', () => {
    expectError(() => H.decode(ascii('0200' + '80000000000G0000')), 'BAD_BITMAP', 'message at offset 15: bitmap character at position 12 is not a hex digit');
    expectError(() => H.decode(ascii('0200' + 'x000000000000000')), 'BAD_BITMAP', 'message at offset 4: bitmap character at position 1 is not a hex digit');
  });

  it('TRUNCATED inside a bitmap names which one', () => {
    expectError(() => A.decode(wire(ascii('0200'), '70 00 00')), 'TRUNCATED', 'message at offset 4: expected a 8-byte primary bitmap, got 3');
    expectError(() => A.decode(wire(ascii('0200'), '80 00 00 00 00 00 00 00')), 'TRUNCATED', 'message at offset 12: expected a 8-byte secondary bitmap, got 0');
    expectError(
      () => B.decode(wire('02 00', '80 00 00 00 00 00 00 00', '80 00 00 00 00 00 00 00', '40')),
      'TRUNCATED',
      'message at offset 18: expected a 8-byte tertiary bitmap, got 1',
    );
    expectError(() => H.decode(ascii('0800A0000000')), 'TRUNCATED', 'message at offset 4: expected a 16-byte primary bitmap, got 8');
  });

  it('TRAILING_BYTES after the last field', () => {
    expectError(() => A.decode(wire(A_0200, 'ff ff')), 'TRAILING_BYTES', 'message at offset 65: 2 bytes left over after the last field');
  });

  it('BAD_MTI and TRUNCATED MTI, in every MTI encoding', () => {
    expectError(() => A.decode(ascii('02A0')), 'BAD_MTI', 'message at offset 2: MTI digit 3 is not a decimal digit');
    expectError(() => B.decode(hex('02 a0')), 'BAD_MTI', 'message at offset 1: MTI digit 3 is not a decimal digit');
    expectError(() => B.decode(hex('f2 00')), 'BAD_MTI', 'message at offset 0: MTI digit 1 is not a decimal digit');
    expectError(() => E.decode(hex('f0 f2 30 f0')), 'BAD_MTI', 'message at offset 2: MTI digit 3 is not a decimal digit');
    expectError(() => A.decode(ascii('02')), 'TRUNCATED', 'message at offset 0: expected a 4-byte MTI, got 2');
    expectError(() => A.decode(Buffer.alloc(0)), 'TRUNCATED', 'message at offset 0: expected a 4-byte MTI, got 0');
    expectError(() => B.decode(hex('02')), 'TRUNCATED', 'message at offset 0: expected a 2-byte MTI, got 1');
  });

  it('never puts a field value in the message', () => {
    const bad = PAN.slice(0, 15) + 'X';
    const bytes = wire(ascii('0200'), '40 00 00 00 00 00 00 00', ascii('16' + bad));
    const e = expectError(() => A.decode(bytes), 'INVALID_CHARACTER', 'field 2 at offset 29: character at position 16 is not allowed in class n');
    expect(JSON.stringify(e.toJSON())).not.toMatch(/4761|0119|011X/);
  });
});

describe('MessageCodec: encode errors', () => {
  it('VALUE_TOO_LONG', () => {
    const e = expectError(() => A.encode({ mti: '0200', fields: { 2: PAN + '0000' } }), 'VALUE_TOO_LONG', 'field 2: length 20 exceeds maximum 19');
    expect(e.mti).toBe('0200');
    expect(e.message).not.toContain(PAN.slice(0, 6));
  });

  it('LENGTH_MISMATCH', () => {
    expectError(() => A.encode({ mti: '0200', fields: { 4: '1000' } }), 'LENGTH_MISMATCH', 'field 4: expected 12 digits, got 4');
    expectError(() => H.encode({ mti: '0200', fields: { 52: '0123' } }), 'LENGTH_MISMATCH', 'field 52: expected 8 bytes, got 2');
  });

  it('WRONG_TYPE', () => {
    expectError(() => A.encode({ mti: '0200', fields: { 4: 1000 } }), 'WRONG_TYPE', 'field 4: expected a string, got a number');
    expectError(() => A.encode({ mti: '0200', fields: { 52: true } }), 'WRONG_TYPE', 'field 52: expected a Buffer or a hex string, got a boolean');
  });

  it('INVALID_CHARACTER, naming the position only', () => {
    const e = expectError(() => A.encode({ mti: '0200', fields: { 2: '476173900101011X' } }), 'INVALID_CHARACTER', 'field 2: character at position 16 is not allowed in class n');
    expect(e.message).not.toMatch(/4761|011X/);
  });

  it('FIELD_NOT_IN_SPEC for fields the spec does not define, and for field 1', () => {
    expectError(() => A.encode({ mti: '0200', fields: { 5: '1' } }), 'FIELD_NOT_IN_SPEC', 'field 5: the spec test-ascii has no field 5');
    expectError(() => A.encode({ mti: '0200', fields: { 1: hex('00') } }), 'FIELD_NOT_IN_SPEC', 'field 1: field 1 is the secondary bitmap, which is computed');
    expectError(() => A.encode({ mti: '0200', fields: { 1: 'ff' } }), 'FIELD_NOT_IN_SPEC', 'field 1: field 1 is the secondary bitmap, which is computed');
    expectError(() => H.encode({ mti: '0200', fields: { 65: '1' } }), 'FIELD_NOT_IN_SPEC', 'field 65: the spec test-hex has no field 65');
    expectError(() => A.encode({ mti: '0200', fields: { 2: PAN, 99: '1' } }), 'FIELD_NOT_IN_SPEC', 'field 99: the spec test-ascii has no field 99');
  });

  it('FIELD_NOT_IN_SPEC for a field past the last bitmap, not silently dropped', () => {
    expectError(() => A.encode({ mti: '0200', fields: { 130: '1' } }), 'FIELD_NOT_IN_SPEC', 'field 130: the spec test-ascii has no field 130');
    expectError(() => H.encode({ mti: '0200', fields: { 193: '1' } }), 'FIELD_NOT_IN_SPEC', 'field 193: "193" is not a field number');
  });

  it('FIELD_NOT_IN_SPEC for keys that are not canonical field numbers', () => {
    const fields = (o: Record<string, unknown>) => o as Record<number, unknown>;
    expectError(() => A.encode({ mti: '0200', fields: fields({ abc: '1' }) }), 'FIELD_NOT_IN_SPEC', 'field abc: "abc" is not a field number');
    expectError(() => A.encode({ mti: '0200', fields: fields({ '04': '000000001000' }) }), 'FIELD_NOT_IN_SPEC', 'field 04: "04" is not a field number');
    expectError(() => A.encode({ mti: '0200', fields: fields({ '0': '1' }) }), 'FIELD_NOT_IN_SPEC', 'field 0: "0" is not a field number');
    expectError(() => A.encode({ mti: '0200', fields: fields({ '4.0': '000000001000' }) }), 'FIELD_NOT_IN_SPEC');
  });

  it('takes fields as an array indexed by number', () => {
    const fields: unknown[] = [];
    for (const [k, v] of Object.entries(A_0200_MSG.fields)) fields[Number(k)] = v;
    expect(A.encode({ mti: '0200', fields: fields as Record<number, unknown> })).toEqual(A_0200);
    fields[5] = '1';
    expectError(() => A.encode({ mti: '0200', fields: fields as Record<number, unknown> }), 'FIELD_NOT_IN_SPEC', 'field 5: the spec test-ascii has no field 5');
  });

  it('SUBFIELD_MISSING for a gap in a positional composite', () => {
    const e = caught(() => A.encode({ mti: '0200', fields: { 48: { '1': '07', '3': 'X-1' } } }));
    expect(e.code).toBe('SUBFIELD_MISSING');
    expect(e.detail).toBe('subfield 2 is missing before subfield 3');
    expect(e.mti).toBe('0200');
  });

  // BUG (message.ts encode / codec.ts normalize): errors raised while packing a subfield map are not located
  // within their field, so the path is the subfield's alone: "field 2: subfield 2 is missing ..." for field 48.
  it('SUBFIELD_MISSING names the full subfield path', () => {
    expectError(
      () => A.encode({ mti: '0200', fields: { 48: { '1': '07', '3': 'X-1' } } }),
      'SUBFIELD_MISSING',
      'field 48.2: subfield 2 is missing before subfield 3',
    );
  });

  it('errors inside nested subfield maps name the full path on encode', () => {
    expectError(
      () => A.encode({ mti: '0200', fields: { 127: { '25': { '12': 'REF12!' } } } }),
      'INVALID_CHARACTER',
      'field 127.25.12: character at position 6 is not allowed in class an',
    );
  });

  it('BAD_MTI for anything but four digits', () => {
    for (const mti of ['200', '02000', '02A0', ' 200', 200, undefined]) {
      expectError(() => A.encode({ mti: mti as string, fields: {} }), 'BAD_MTI', 'MTI must be a string of four decimal digits');
    }
  });
});

describe('MessageCodec: spec checks', () => {
  const base = { name: 'bad', mti: { encoding: 'ascii' }, bitmap: { encoding: 'binary' } } as const;
  const n1: FieldSpec = { name: 'x', class: 'n', encoding: 'ascii', length: 1 };

  it('rejects field numbers out of range', () => {
    expectError(() => new MessageCodec({ ...base, fields: { '1': n1 } }), 'SPEC_INVALID', 'field 1: field number must be 2-128');
    expectError(() => new MessageCodec({ ...base, fields: { '129': n1 } }), 'SPEC_INVALID', 'field 129: field number must be 2-128');
    expectError(() => new MessageCodec({ ...base, fields: { x: n1 } }), 'SPEC_INVALID');
    expectError(
      () => new MessageCodec({ ...base, bitmap: { encoding: 'binary', tertiary: true }, fields: { '65': n1 } }),
      'SPEC_INVALID',
      'field 65: field number must be 2-192 other than 65',
    );
    expect(() => new MessageCodec({ ...base, bitmap: { encoding: 'binary', tertiary: true }, fields: { '192': n1 } })).not.toThrow();
  });

  it('compiles a spec once', () => {
    expect(codecFor(ASCII_SPEC)).toBe(codecFor(ASCII_SPEC));
    expect(codecFor(ASCII_SPEC)).not.toBe(codecFor(HEX_SPEC));
    expect(codecFor(ASCII_SPEC).field(2)?.spec).toBe(ASCII_SPEC.fields['2']);
    expect(codecFor(ASCII_SPEC).field(5)).toBeUndefined();
  });
});

// 127: bitmap 60 00 00 80 .. (2 3 25), "10SWITCHKEY1", "000123", "0035" + 127.25
// 127.25: hex bitmap "6010000000000000" (2 3 12), "0001", "05LABEL", "06REF123"
const C127_25 = '6010000000000000' + '0001' + '05LABEL' + '06REF123';
function msg127(c127_25 = C127_25): Buffer {
  const content = wire('60 00 00 80 00 00 00 00', ascii('10SWITCHKEY1'), ascii('000123'), ascii('0035'), ascii(c127_25));
  return wire(ascii('0200'), '80 00 00 00 00 00 00 00', '00 00 00 00 00 00 00 02', ascii(String(content.length).padStart(6, '0')), content);
}

describe('MessageCodec: decode with { subfields: true }', () => {
  it('leaves subfields out unless asked', () => {
    expect(A.decode(msg127()).subfields).toBeUndefined();
  });

  it('breaks every composite into subfields, nested ones too', () => {
    const bytes = wire(
      ascii('0200'),
      '80 00 00 00 00 01 02 00',
      '00 00 00 00 00 00 00 02',
      ascii('012' + '0705ACME1X-1'),
      ascii('011'),
      '9f 26 08 01 02 03 04 05 06 07 08',
      msg127().subarray(20),
    );
    const msg = A.decode(bytes, { subfields: true });
    expect(msg.fields[48]).toBe('0705ACME1X-1');
    expect(plain(msg).subfields).toEqual({
      48: new Map([['1', '07'], ['2', 'ACME1'], ['3', 'X-1']]),
      55: new Map([['9F26', hex('01 02 03 04 05 06 07 08')]]),
      127: new Map<string, unknown>([
        ['2', 'SWITCHKEY1'],
        ['3', '000123'],
        ['25', new Map([['2', '0001'], ['3', 'LABEL'], ['12', 'REF123']])],
      ]),
    });
  });

  it('names the full path and the offset in the whole message for nested errors', () => {
    // 127 content starts at 26; 127.25 content at 26 + 30 = 56; 127.25.12's value at 56 + 29; "!" is its 6th
    const e = expectError(
      () => A.decode(msg127(C127_25.slice(0, -1) + '!'), { subfields: true }),
      'INVALID_CHARACTER',
      'field 127.25.12 at offset 90: character at position 6 is not allowed in class an',
    );
    expect(e.mti).toBe('0200');
    expect(e.field).toBe('127.25.12');
    expect(() => A.decode(msg127(C127_25.slice(0, -1) + '!'))).not.toThrow();
  });

  it('locates errors in the inner bitmap and in TLV data', () => {
    expectError(
      () => A.decode(msg127('6010000000000X00' + '0001' + '05LABEL' + '06REF123'), { subfields: true }),
      'BAD_BITMAP',
      'field 127.25 at offset 69: inner bitmap character at position 14 is not a hex digit',
    );
    const tlv = wire(ascii('0200'), '00 00 00 00 00 00 02 00', ascii('005'), '9f 26 08 01 02');
    expectError(() => A.decode(tlv, { subfields: true }), 'TLV_TRUNCATED', 'field 55.9F26 at offset 18: a value of 8 bytes has 2 left');
  });

  it('locates errors in an EBCDIC positional composite', () => {
    // 48 at 12: prefix F0 F0 F4, content "1X.." at 15
    const bytes = wire('f0 f2 f0 f0', '00 00 00 00 00 01 00 00', 'f0 f0 f4', 'f1 c1 f0 f0');
    expectError(() => E.decode(bytes, { subfields: true }), 'INVALID_CHARACTER', 'field 48.1 at offset 16: character at position 2 is not allowed in class n');
    const good = wire('f0 f2 f0 f0', '00 00 00 00 00 01 00 00', 'f0 f0 f6', 'f1 f2 f0 f2 c8 89');
    expect(plain(E.decode(good, { subfields: true })).subfields).toEqual({ 48: new Map([['1', '12'], ['2', 'Hi']]) });
  });

  // BUG (message.ts decode -> unpackField): for a hex-encoded composite the content offsets are offsets in the
  // decoded bytes, but they are added to the wire offset as if each content byte were one wire byte. Here the bad
  // TLV value starts at content byte 3, which is wire byte 23 + 2 * 3 = 29; the error says 26.
  it('locates errors in a hex-encoded composite at their wire offset', () => {
    const bytes = wire(ascii('0200'), ascii('0000000000000200'), ascii('005'), ascii('9F26080102'));
    expectError(() => H.decode(bytes, { subfields: true }), 'TLV_TRUNCATED', 'field 55.9F26 at offset 29: a value of 8 bytes has 2 left');
  });

  it('unpackField refuses a field without subfields', () => {
    expectError(() => unpackField(A.field(4)!, '000000001000'), 'PATH_INVALID', 'field 4: field has no subfields in the spec');
  });
});

describe('json', () => {
  it('shows characters as they are and bytes as upper-case hex', () => {
    const msg = A.decode(
      wire(ascii('0200'), '00 00 00 00 00 01 12 00', ascii('012' + '0705ACME1X-1'), 'ab cd ef 01 02 03 04 05', ascii('011'), '9f 26 08 01 02 03 04 05 06 07 0a'),
      { subfields: true },
    );
    expect(messageToJson(msg)).toEqual({
      mti: '0200',
      fields: { '48': '0705ACME1X-1', '52': 'ABCDEF0102030405', '55': '9F2608010203040506070A' },
      subfields: { '48': { '1': '07', '2': 'ACME1', '3': 'X-1' }, '55': { '9F26': '010203040506070A' } },
    });
    expect(messageToJson(A_0200_MSG)).toEqual({ mti: '0200', fields: Object.fromEntries(Object.entries(A_0200_MSG.fields)) });
    expect(primitiveToJson(hex('0a'))).toBe('0A');
    expect(subfieldsToJson(new Map<string, Primitive | Map<string, Primitive>>([['70', new Map([['5A', hex('47 61')]])]]))).toEqual({ '70': { '5A': '4761' } });
  });
});

// ---- properties ----

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const SPECIALS = [...PRINTABLE].filter((c) => !DIGITS.includes(c) && !LETTERS.includes(c)).join('');
const CLASS_CHARS: Record<Exclude<ValueClass, 'b' | 'x+n'>, string> = {
  n: DIGITS,
  a: LETTERS + ' ',
  an: LETTERS + DIGITS + ' ',
  anp: LETTERS + DIGITS + ' ',
  ans: PRINTABLE,
  as: LETTERS + SPECIALS,
  ns: DIGITS + SPECIALS,
  z: DIGITS + '=',
};
// keeps generated messages small; the bound is far above every fixed length in the specs but 127's maximum
const MAX_UNITS = 120;

function text(chars: string, min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...chars), minLength: min, maxLength: max });
}

/** A valid value of a field, in the form decode returns it. */
function valueOf(spec: FieldSpec): fc.Arbitrary<Primitive> {
  const bytesCounted = spec.counts === 'bytes';
  const fixed = spec.prefix === undefined;
  const cap = Math.min(spec.length, MAX_UNITS);
  if (spec.class === 'b') {
    const size = spec.encoding === 'hex' && bytesCounted ? spec.length >> 1 : spec.length;
    const [min, max] = fixed ? [size, size] : [0, Math.min(size, MAX_UNITS)];
    return fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
  }
  if (spec.class === 'x+n') {
    return fc.tuple(fc.constantFrom('C', 'D'), text(DIGITS, spec.length - 1, spec.length - 1)).map(([s, d]) => s + d);
  }
  const chars = CLASS_CHARS[spec.class];
  if (spec.encoding === 'bcd' && bytesCounted) {
    // a byte-counted BCD length holds an even digit count
    const [min, max] = fixed ? [spec.length, spec.length] : [0, cap];
    return fc.integer({ min, max }).chain((bytes) => text(chars, bytes * 2, bytes * 2));
  }
  return fixed ? text(chars, spec.length, spec.length) : text(chars, 0, cap);
}

function messageOf(spec: MessageSpec): fc.Arbitrary<IsoMessage> {
  const fields: Record<string, fc.Arbitrary<Primitive>> = {};
  for (const [k, f] of Object.entries(spec.fields)) fields[k] = valueOf(f);
  return fc.record({
    mti: text(DIGITS, 4, 4),
    fields: fc.record(fields, { requiredKeys: [] }),
  }) as fc.Arbitrary<IsoMessage>;
}

describe('properties', () => {
  for (const spec of ALL_SPECS) {
    it(`${spec.name}: decode(encode(m)) equals m for any valid message`, () => {
      const codec = new MessageCodec(spec);
      fc.assert(
        fc.property(messageOf(spec), (m) => {
          expect(plain(codec.decode(codec.encode(m)))).toEqual(m);
        }),
        { numRuns: 500 },
      );
    });
  }

  it('subfield maps come back from decode({ subfields: true }) as they were given', () => {
    const f48 = ASCII_SPEC.fields['48'].subfields!.fields;
    const positional = fc
      .tuple(valueOf(f48['1']), valueOf(f48['2']), valueOf(f48['3']), fc.integer({ min: 0, max: 3 }))
      .map(([a, b, c, n]) => new Map([['1', a], ['2', b], ['3', c]].slice(0, n) as [string, Primitive][]));
    const f127 = ASCII_SPEC.fields['127'].subfields!.fields;
    const f25 = f127['25'].subfields!.fields;
    const nested = fc.record(
      { '2': valueOf(f25['2']), '3': valueOf(f25['3']), '12': valueOf(f25['12']) },
      { requiredKeys: [] },
    );
    const bitmapped = fc.record(
      { '2': valueOf(f127['2']), '3': valueOf(f127['3']), '20': valueOf(f127['20']), '22': valueOf(f127['22']), '25': nested },
      { requiredKeys: [] },
    );
    const toMap = (o: Record<string, unknown>, order: string[]): Map<string, unknown> =>
      new Map(order.filter((k) => o[k] !== undefined).map((k) => [k, typeof o[k] === 'object' && !Buffer.isBuffer(o[k]) ? toMap(o[k] as Record<string, unknown>, ['2', '3', '12']) : o[k]]));
    fc.assert(
      fc.property(positional, bitmapped, (p, b) => {
        const msg = A.decode(A.encode({ mti: '0200', fields: { 48: p, 127: b } }), { subfields: true });
        expect(msg.subfields![48]).toEqual(p);
        expect(msg.subfields![127]).toEqual(toMap(b, ['2', '3', '20', '22', '25']));
      }),
      { numRuns: 300 },
    );
  });

  function decodesOrProtocolError(codec: MessageCodec, bytes: Buffer): void {
    for (const subfields of [false, true]) {
      try {
        const msg = codec.decode(bytes, { subfields });
        expect(typeof msg.mti).toBe('string');
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
      }
    }
  }

  const codecs = ALL_SPECS.map((s) => new MessageCodec(s));

  it('any bytes decode to a message or a ProtocolError, never another exception', () => {
    // bytes that are digits in some encoding, hex characters, separators and signs get further than uniform noise
    const likely = [...ascii('0123456789ABCDEFabcdef=CD '), ...hex('f0 f1 f2 f9 c3 c4 7e 40 00 80 ff')];
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...likely));
    const input = fc.tuple(fc.constantFrom(...codecs), fc.boolean(), fc.array(byte, { maxLength: 300 }));
    fc.assert(
      fc.property(input, ([codec, withMti, bytes]) => {
        // a valid MTI in front, half the time, lets the noise reach the bitmap and the fields
        const mti = codec.encode({ mti: '0200', fields: {} }).subarray(0, codec.spec.mti.encoding === 'bcd' ? 2 : 4);
        decodesOrProtocolError(codec, Buffer.concat([withMti ? mti : Buffer.alloc(0), Buffer.from(bytes)]));
      }),
      { numRuns: 20000 },
    );
  }, 60_000);

  it('valid messages with bytes changed, cut or added decode to a message or a ProtocolError', () => {
    const mutated = fc.constantFrom(...ALL_SPECS).chain((spec) =>
      fc.tuple(
        fc.constant(codecFor(spec)),
        messageOf(spec),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
      ),
    );
    fc.assert(
      fc.property(mutated, ([codec, msg, changes, cut]) => {
        const bytes = Buffer.from(codec.encode(msg));
        for (const [at, b] of changes) bytes[at % bytes.length] = b;
        decodesOrProtocolError(codec, bytes);
        decodesOrProtocolError(codec, bytes.subarray(0, cut % (bytes.length + 1)));
      }),
      { numRuns: 4000 },
    );
  }, 60_000);

  it('composites with random content decode to subfields or a ProtocolError', () => {
    const content = fc.oneof(
      fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
      fc.string({ unit: fc.constantFrom(...'0123456789ABCDEF!'), maxLength: 80 }).map((s) => ascii(s)),
    );
    fc.assert(
      fc.property(content, content, (c127, c55) => {
        const bytes = A.encode({ mti: '0200', fields: { 48: c55.toString('latin1').replace(/[^ -~]/g, '0'), 55: c55, 127: c127 } });
        decodesOrProtocolError(A, bytes);
      }),
      { numRuns: 5000 },
    );
  });
});
