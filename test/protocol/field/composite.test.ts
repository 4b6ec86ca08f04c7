import { describe, it, expect } from 'vitest';
import { compileField, compositeOf, type Composite } from '../../../protocol/field/composite.js';
import type { FieldSpec } from '../../../protocol/spec/types.js';
import { ASCII_SPEC, EBCDIC_SPEC, ascii, expectError, hex, wire } from '../specs.fixture.js';

function composite(id: string, spec: FieldSpec): Composite {
  const c = compositeOf(compileField(id, spec));
  if (c === null) throw new Error('no composite');
  return c;
}

const F48 = composite('48', ASCII_SPEC.fields['48']);
const F127 = composite('127', ASCII_SPEC.fields['127']);
const F127_25 = composite('25', ASCII_SPEC.fields['127'].subfields!.fields['25']);
const F55 = composite('55', ASCII_SPEC.fields['55']);

// 127.25: hex inner bitmap 60 10 ... (bits 2, 3, 12), then "0001", "05" "LABEL", "06" "REF123"
const C127_25 = ascii('6010000000000000' + '0001' + '05LABEL' + '06REF123');
// 127: binary inner bitmap (bits 2, 3, 25), "10" "SWITCHKEY1", "000123", "0035" + 127.25
const C127 = wire('60 00 00 80 00 00 00 00', ascii('10SWITCHKEY1'), ascii('000123'), ascii('0035'), C127_25);

describe('compileField', () => {
  it('gives a plain field no composite', () => {
    expect(compositeOf(compileField('4', ASCII_SPEC.fields['4']))).toBeNull();
  });

  it('compiles children for each layout', () => {
    expect(F48.child('2')?.spec.name).toBe('Name');
    expect(F127.child('25')?.spec.name).toBe('Nested data');
    expect(F127.child('4')).toBeUndefined();
    expect(F55.child('9f26')?.spec.name).toBe('Application cryptogram');
  });
});

describe('positional subfields', () => {
  it('packs subfields one after another in number order', () => {
    const want = ascii('07' + '05ACME1' + 'X-1');
    expect(F48.pack({ '3': 'X-1', '1': '07', '2': 'ACME1' }, {})).toEqual(want);
    expect(F48.pack(new Map([['1', '07'], ['2', 'ACME1'], ['3', 'X-1']]), {})).toEqual(want);
  });

  it('unpacks them, absent trailing subfields ending the data', () => {
    expect(F48.unpack(ascii('0705ACME1X-1'), true)).toEqual(new Map([['1', '07'], ['2', 'ACME1'], ['3', 'X-1']]));
    expect(F48.unpack(ascii('0705ACME1'), true)).toEqual(new Map([['1', '07'], ['2', 'ACME1']]));
    expect(F48.unpack(Buffer.alloc(0), true)).toEqual(new Map());
  });

  it('packs trailing absent subfields as nothing', () => {
    expect(F48.pack({ '1': '07', '2': 'ACME1' }, {})).toEqual(ascii('0705ACME1'));
    expect(F48.pack({ '1': '07', '2': 'ACME1', '3': undefined }, {})).toEqual(ascii('0705ACME1'));
  });

  it('pads subfields with { pad: true }', () => {
    expect(F48.pack({ '1': '7', '2': 'A', '3': 'X' }, { pad: true })).toEqual(ascii('0701AX  '));
  });

  it('SUBFIELD_MISSING for a gap before a given subfield', () => {
    expectError(() => F48.pack({ '1': '07', '3': 'X-1' }, {}), 'SUBFIELD_MISSING', 'field 2: subfield 2 is missing before subfield 3');
    expectError(() => F48.pack({ '2': 'A' }, {}), 'SUBFIELD_MISSING', 'field 1: subfield 1 is missing before subfield 2');
  });

  it('FIELD_NOT_IN_SPEC for an unknown subfield', () => {
    expectError(() => F48.pack({ '1': '07', '9': 'x' }, {}), 'FIELD_NOT_IN_SPEC', 'field 9: no such subfield in the spec');
  });

  it('TRAILING_BYTES after the last subfield, at the content offset', () => {
    expectError(() => F48.unpack(ascii('0705ACME1X-1ZZ'), true), 'TRAILING_BYTES', 'message at offset 12: 2 bytes left over after the last subfield');
  });

  it('names the subfield and its content offset in decode errors', () => {
    expectError(() => F48.unpack(ascii('0X'), true), 'INVALID_CHARACTER', 'field 1 at offset 1: character at position 2 is not allowed in class n');
    expectError(() => F48.unpack(ascii('0708ACME'), true), 'TRUNCATED', 'field 2 at offset 2: expected 8 characters, got 4');
  });

  it('works on EBCDIC content', () => {
    const f = composite('48', EBCDIC_SPEC.fields['48']);
    const packed = f.pack({ '1': '12', '2': 'Hi' }, {});
    expect(packed).toEqual(hex('f1 f2 f0 f2 c8 89'));
    expect(f.unpack(packed, true)).toEqual(new Map([['1', '12'], ['2', 'Hi']]));
  });
});

describe('bitmapped subfields', () => {
  it('packs a binary inner bitmap then the present subfields', () => {
    expect(
      F127.pack({ '25': C127_25.toString('latin1'), '2': 'SWITCHKEY1', '3': '000123' }, {}),
    ).toEqual(C127);
  });

  it('packs a nested composite given as a map', () => {
    const nested = new Map<string, unknown>([['2', '0001'], ['3', 'LABEL'], ['12', 'REF123']]);
    expect(F127.pack({ '2': 'SWITCHKEY1', '3': '000123', '25': nested }, {})).toEqual(C127);
  });

  it('packs a hex inner bitmap in upper case', () => {
    expect(F127_25.pack({ '12': 'REF123', '2': '0001', '3': 'LABEL' }, {})).toEqual(C127_25);
    expect(F127_25.pack({ '12': 'A' }, {})).toEqual(ascii('0010000000000000' + '01A'));
  });

  it('packs an empty map as a bare bitmap', () => {
    expect(F127.pack({}, {})).toEqual(hex('00 00 00 00 00 00 00 00'));
    expect(F127_25.pack(new Map(), {})).toEqual(ascii('0000000000000000'));
  });

  it('unpacks shallow or deep', () => {
    const shallow = F127.unpack(C127, false);
    expect([...shallow.keys()]).toEqual(['2', '3', '25']);
    expect(shallow.get('25')).toBe(C127_25.toString('latin1'));
    const deep = F127.unpack(C127, true);
    expect(deep.get('25')).toEqual(new Map([['2', '0001'], ['3', 'LABEL'], ['12', 'REF123']]));
  });

  it('reads a hex inner bitmap in either case', () => {
    const lower = ascii('6010000000000000'.toLowerCase() + '0001' + '05LABEL' + '06REF123');
    expect(F127_25.unpack(lower, true)).toEqual(new Map([['2', '0001'], ['3', 'LABEL'], ['12', 'REF123']]));
    expect(F127_25.unpack(ascii('2000000000000000' + '05LABEL'), true)).toEqual(new Map([['3', 'LABEL']]));
  });

  it('TRUNCATED when the inner bitmap is short', () => {
    expectError(() => F127.unpack(hex('60 00 00'), true), 'TRUNCATED', 'message at offset 0: expected a 8-byte inner bitmap, got 3');
    expectError(() => F127_25.unpack(ascii('60100000'), true), 'TRUNCATED', 'message at offset 0: expected a 16-byte inner bitmap, got 8');
  });

  it('BAD_BITMAP for a bit the spec does not define, at the bitmap byte', () => {
    expectError(() => F127.unpack(hex('00 00 08 00 00 00 00 00'), true), 'BAD_BITMAP', 'message at offset 2: bit 21 is set but the spec has no subfield 21');
    expectError(() => F127_25.unpack(ascii('0000800000000000'), true), 'BAD_BITMAP', 'message at offset 4: bit 17 is set but the spec has no subfield 17');
    expectError(() => F127.unpack(hex('80 00 00 00 00 00 00 00'), true), 'BAD_BITMAP', 'message at offset 0: bit 1 is set but the spec has no subfield 1');
  });

  it('BAD_BITMAP for a non-hex character in a hex inner bitmap', () => {
    expectError(() => F127_25.unpack(ascii('60100000000G0000'), true), 'BAD_BITMAP', 'message at offset 11: inner bitmap character at position 12 is not a hex digit');
  });

  it('TRAILING_BYTES after the last subfield', () => {
    expectError(() => F127_25.unpack(ascii('4000000000000000' + '0001' + 'X'), true), 'TRAILING_BYTES', 'message at offset 20: 1 bytes left over after the last subfield');
  });

  it('names nested errors by path relative to the composite, with content offsets', () => {
    const bad = wire(C127.subarray(0, C127.length - 1), ascii('!'));
    // the "!" is byte 64 of 127's content: 127.25 content starts at 30, and 127.25.12's value at 29 of it
    expectError(() => F127.unpack(bad, true), 'INVALID_CHARACTER', 'field 25.12 at offset 64: character at position 6 is not allowed in class an');
    expect(() => F127.unpack(bad, false)).not.toThrow();
  });

  it('FIELD_NOT_IN_SPEC for an unknown subfield', () => {
    expectError(() => F127.pack({ '4': 'x' }, {}), 'FIELD_NOT_IN_SPEC', 'field 4: no such subfield in the spec');
  });

  it('rejects specs whose subfields do not fit', () => {
    const base = { name: 'x', class: 'b', encoding: 'binary', length: 999, prefix: { digits: 3, encoding: 'ascii' } } as const;
    const n = { name: 'y', class: 'n', encoding: 'ascii', length: 1 } as const;
    expectError(
      () => compileField('127', { ...base, subfields: { layout: 'bitmap', bitmap: { encoding: 'binary', bytes: 8 }, fields: { '65': n } } }),
      'SPEC_INVALID',
      'field 65: subfield 65 is beyond the 64-bit inner bitmap',
    );
    expect(() => compileField('127', { ...base, subfields: { layout: 'bitmap', bitmap: { encoding: 'binary', bytes: 16 }, fields: { '65': n } } })).not.toThrow();
    expectError(() => compileField('48', { ...base, subfields: { layout: 'positional', fields: { '0': n } } }), 'SPEC_INVALID', 'field 0: subfield key must be a number 1 or above');
    expectError(() => compileField('48', { ...base, subfields: { layout: 'positional', fields: { a: n } } }), 'SPEC_INVALID');
  });

  it('orders children numerically, not as strings', () => {
    const f = composite('48', {
      name: 'x',
      class: 'ans',
      encoding: 'ascii',
      length: 99,
      prefix: { digits: 2, encoding: 'ascii' },
      subfields: {
        layout: 'positional',
        fields: Object.fromEntries(['10', '9', '1', '2', '3', '4', '5', '6', '7', '8'].map((k) => [k, { name: k, class: 'n', encoding: 'ascii', length: 1 }])),
      },
    });
    const value = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i + 1), String((i + 1) % 10)]));
    expect(f.pack(value, {})).toEqual(ascii('1234567890'));
  });
});

describe('TLV subfields', () => {
  it('packs BER-TLV in the input order and unpacks it by tag', () => {
    const packed = F55.pack(new Map<string, unknown>([['9F26', '0102030405060708'], ['95', hex('00 00 00 80 00')]]), {});
    expect(packed).toEqual(hex('9f 26 08 01 02 03 04 05 06 07 08  95 05 00 00 00 80 00'));
    expect(F55.unpack(packed, true)).toEqual(new Map([['9F26', hex('01 02 03 04 05 06 07 08')], ['95', hex('00 00 00 80 00')]]));
  });

  it('unpacks templates as nested maps', () => {
    expect(F55.unpack(hex('70 04 5a 02 47 61'), true)).toEqual(new Map([['70', new Map([['5A', hex('47 61')]])]]));
  });

  it('reports TLV errors with the tag path and content offset', () => {
    expectError(() => F55.unpack(hex('9f 26 08 01 02'), true), 'TLV_TRUNCATED', 'field 9F26 at offset 3: a value of 8 bytes has 2 left');
  });
});
