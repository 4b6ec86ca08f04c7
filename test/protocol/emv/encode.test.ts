import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import { decodeTlv, encodeTlv } from '../../../protocol/emv/index.js';
import type { TlvInput } from '../../../protocol/emv/index.js';
import { FIELD_55, hex } from './fixtures.js';

function fail(input: TlvInput): ProtocolError {
  try {
    encodeTlv(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error('expected encodeTlv to throw');
}

const upper = (b: Buffer): string => b.toString('hex').toUpperCase();

describe('encodeTlv', () => {
  it('writes a Map in insertion order', () => {
    const map = new Map<string, Buffer>([
      ['9F26', hex('1A2B3C4D5E6F7081')],
      ['82', hex('1980')],
      ['9F27', hex('80')],
    ]);
    expect(upper(encodeTlv(map))).toBe('9F26081A2B3C4D5E6F7081820219809F270180');
  });

  it('takes a plain object of hex strings, Buffers and Uint8Arrays; integer-like keys come first, as in JS', () => {
    const out = encodeTlv({ '9F27': '80', '82': Buffer.from([0x19, 0x80]), '9F36': new Uint8Array([0, 1]) });
    expect(upper(out)).toBe('82021980' + '9F270180' + '9F36020001');
  });

  it('accepts lower-case keys and hex', () => {
    expect(upper(encodeTlv({ '9f26': 'abcd', bf0c: { df01: '' } }))).toBe('9F2602ABCD' + 'BF0C03DF0100');
  });

  it('writes nested objects for constructed tags', () => {
    const inner = new Map([
      ['9F27', '80'],
      ['9F36', '0001'],
    ]);
    const out = encodeTlv(new Map<string, TlvInput>([['77', inner], ['E1', {}]]));
    expect(upper(out)).toBe('7709' + '9F270180' + '9F36020001' + 'E100');
  });

  it('writes a constructed tag given bytes as-is', () => {
    expect(upper(encodeTlv({ '70': hex('5A 02 1234') }))).toBe('70045A021234');
    expect(upper(encodeTlv({ '71': 'FFFF' }))).toBe('7102FFFF');
  });

  it('writes a TAG#n key as TAG again', () => {
    expect(upper(encodeTlv({ '9F26': '01', '9F26#2': '02' }))).toBe('9F2601019F260102');
  });

  it('writes padding keys as bare bytes', () => {
    expect(upper(encodeTlv(new Map([['00', '0000'], ['9F27', '80'], ['FF', 'FF']])))).toBe('00009F270180FF');
  });

  it('uses the minimal length form at every boundary', () => {
    const cases: Array<[number, string]> = [
      [0, '00'],
      [127, '7F'],
      [128, '8180'],
      [200, '81C8'],
      [255, '81FF'],
      [256, '820100'],
      [300, '82012C'],
      [65535, '82FFFF'],
      [65536, '83010000'],
    ];
    for (const [n, len] of cases) {
      const out = encodeTlv({ '9F46': Buffer.alloc(n) });
      expect(upper(out.subarray(2, 2 + len.length / 2))).toBe(len);
      expect(out.length).toBe(2 + len.length / 2 + n);
      expect(decodeTlv(out, { maxBytes: out.length }).get('9F46')).toHaveLength(n);
    }
  });

  it('round-trips the realistic field 55 through a decoded map', () => {
    expect(encodeTlv(decodeTlv(FIELD_55)).equals(FIELD_55)).toBe(true);
  });

  it('round-trips unknown tags byte-exact', () => {
    const buf = hex('DF8101 03 010203', '9F7F 01 AA', '5F7E 00', 'C1 02 BEEF', 'FE 03 DF01 00', '9F8101 01 07');
    expect(encodeTlv(decodeTlv(buf)).equals(buf)).toBe(true);
  });

  it('rejects keys that are not one well-formed tag with TLV_BAD_TAG naming the key path', () => {
    expect(fail({ '9F': '00' })).toMatchObject({ code: 'TLV_BAD_TAG', field: '9F' });
    expect(fail({ '9F2601': '00' }).code).toBe('TLV_BAD_TAG');
    expect(fail({ '8282': '00' }).code).toBe('TLV_BAD_TAG');
    expect(fail({ XY: '00' }).code).toBe('TLV_BAD_TAG');
    expect(fail({ '9F26#0': '00' }).code).toBe('TLV_BAD_TAG');
    expect(fail({ '0082': '00' }).code).toBe('TLV_BAD_TAG');
    expect(fail({ '70': { 'FF01': '00' } })).toMatchObject({ code: 'TLV_BAD_TAG', field: '70.FF01' });
  });

  it('rejects a padding key holding anything but its padding byte', () => {
    expect(fail({ '00': '0001' }).code).toBe('TLV_BAD_TAG');
    expect(fail({ FF: '' }).code).toBe('TLV_BAD_TAG');
    expect(fail({ '00': {} }).code).toBe('TLV_BAD_TAG');
  });

  it('rejects nested objects under a primitive tag with WRONG_TYPE', () => {
    expect(fail({ '9F26': { '82': '00' } })).toMatchObject({ code: 'WRONG_TYPE', field: '9F26' });
  });

  it('rejects non-hex strings with INVALID_CHARACTER, and never echoes the value', () => {
    const e = fail({ '5A': '476173900101011' });
    expect(e).toMatchObject({ code: 'INVALID_CHARACTER', field: '5A' });
    expect(e.message).not.toContain('4761739');
    expect(fail({ '5A': '47 61' }).code).toBe('INVALID_CHARACTER');
  });

  it('rejects other value types with WRONG_TYPE', () => {
    expect(fail({ '9F02': 1000 as unknown as string }).code).toBe('WRONG_TYPE');
    expect(fail({ '9F02': null as unknown as string }).code).toBe('WRONG_TYPE');
    expect(fail({ '70': [1, 2] as unknown as string }).code).toBe('WRONG_TYPE');
  });

  it('stops nesting past maxDepth (and so a cyclic input) with TLV_TOO_DEEP', () => {
    const cyclic = new Map<string, unknown>();
    cyclic.set('70', cyclic);
    expect(fail(cyclic as TlvInput).code).toBe('TLV_TOO_DEEP');
    expect(() => encodeTlv({ '70': { '70': {} } }, { maxDepth: 1 })).toThrow(
      expect.objectContaining({ code: 'TLV_TOO_DEEP', field: '70.70' }),
    );
    expect(() => encodeTlv({}, { maxDepth: 100 })).toThrow(TypeError);
  });

  it('encodes an empty input to an empty buffer', () => {
    expect(encodeTlv(new Map())).toHaveLength(0);
  });
});
