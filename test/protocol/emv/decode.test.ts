import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import { decodeTlv, encodeTlv } from '../../../protocol/emv/index.js';
import type { DecodeTlvOptions, TlvMap } from '../../../protocol/emv/index.js';
import { FIELD_55, FIELD_55_LINES, PAN_HEX, RECORD_70, TRACK2_HEX, hex, plain } from './fixtures.js';

function fail(buf: Buffer, opts?: DecodeTlvOptions): ProtocolError {
  try {
    decodeTlv(buf, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error('expected decodeTlv to throw');
}

function leaf(map: TlvMap, key: string): Buffer {
  const v = map.get(key);
  if (!Buffer.isBuffer(v)) throw new Error(`${key} is not a primitive value`);
  return v;
}

describe('decodeTlv: a realistic field 55', () => {
  const map = decodeTlv(FIELD_55);

  it('reads every tag in order, keyed by upper-case hex', () => {
    const tags = FIELD_55_LINES.map((l) => l.split(' ')[0]);
    expect([...map.keys()]).toEqual(tags);
    expect(leaf(map, '9F26').toString('hex').toUpperCase()).toBe('1A2B3C4D5E6F7081');
    expect(leaf(map, '9F10')).toHaveLength(18);
    expect(leaf(map, '9F02').toString('hex')).toBe('000000001000');
    expect(leaf(map, '5F2A').toString('hex')).toBe('0978');
    expect(leaf(map, '9F1E').toString('latin1')).toBe('12345678');
  });

  it('returns values as views of the input, not copies', () => {
    const v = leaf(map, '9F26');
    expect(v.buffer).toBe(FIELD_55.buffer);
    expect(v.byteOffset).toBe(FIELD_55.byteOffset + 3);
  });

  it('re-encodes to the identical bytes', () => {
    expect(encodeTlv(map).equals(FIELD_55)).toBe(true);
  });

  it('decodes an empty input to an empty map', () => {
    expect(decodeTlv(Buffer.alloc(0)).size).toBe(0);
  });

  it('fails with TLV_TRUNCATED at every cut that is not an object boundary', () => {
    const boundaries = new Set<number>([0]);
    let at = 0;
    for (const line of FIELD_55_LINES) boundaries.add((at += hex(line).length));
    for (let cut = 0; cut < FIELD_55.length; cut++) {
      const part = FIELD_55.subarray(0, cut);
      if (boundaries.has(cut)) expect(encodeTlv(decodeTlv(part)).equals(part)).toBe(true);
      else expect(fail(part).code).toBe('TLV_TRUNCATED');
    }
  });
});

describe('decodeTlv: tags', () => {
  it('reads one-, two- and three-byte tags', () => {
    const buf = hex('C1 00', '9F01 00', '5F20 01 41', 'DF8101 02 ABCD', '9F8101 01 07');
    expect(plain(decodeTlv(buf))).toEqual([
      ['C1', ''],
      ['9F01', ''],
      ['5F20', '41'],
      ['DF8101', 'ABCD'],
      ['9F8101', '07'],
    ]);
  });

  it('reads 9F alone as a tag only with a following byte', () => {
    const e = fail(hex('9F'));
    expect(e.code).toBe('TLV_TRUNCATED');
    expect(e.offset).toBe(0);
    expect(e.field).toBeUndefined();
  });

  it('rejects a tag over 4 bytes with TLV_BAD_TAG at its first byte', () => {
    const e = fail(hex('82 02 1980', '9F81828384 01 00'));
    expect(e.code).toBe('TLV_BAD_TAG');
    expect(e.offset).toBe(4);
  });

  it('accepts a 4-byte tag', () => {
    expect([...decodeTlv(hex('9F818203 01 00')).keys()]).toEqual(['9F818203']);
  });

  it('keeps a repeated tag as TAG#2, TAG#3, counted per level', () => {
    const buf = hex('9F26 01 01', '9F27 01 80', '9F26 01 02', '70 07 9F26 01 03 9F26 00', '9F26 01 04');
    const map = decodeTlv(buf);
    expect(plain(map)).toEqual([
      ['9F26', '01'],
      ['9F27', '80'],
      ['9F26#2', '02'],
      ['70', [['9F26', '03'], ['9F26#2', '']]],
      ['9F26#3', '04'],
    ]);
    expect(encodeTlv(map).equals(buf)).toBe(true);
  });
});

describe('decodeTlv: lengths', () => {
  it('reads the 0x81 form (a 200-byte value) and the 0x82 form (a 300-byte value)', () => {
    const v200 = Buffer.alloc(200, 0xa5);
    const v300 = Buffer.alloc(300, 0x5a);
    const buf = Buffer.concat([hex('90 81 C8'), v200, hex('9F46 82 012C'), v300, hex('9F32 01 03')]);
    const map = decodeTlv(buf);
    expect(leaf(map, '90').equals(v200)).toBe(true);
    expect(leaf(map, '9F46').equals(v300)).toBe(true);
    expect(leaf(map, '9F32').toString('hex')).toBe('03');
    expect(encodeTlv(map).equals(buf)).toBe(true);
  });

  it('reads the 0x83 and 0x84 forms', () => {
    expect(leaf(decodeTlv(hex('9F26 83 000002 ABCD')), '9F26').toString('hex')).toBe('abcd');
    expect(leaf(decodeTlv(hex('9F26 84 00000001 AB')), '9F26').toString('hex')).toBe('ab');
  });

  it('accepts a non-minimal length, and re-encodes it in the minimal form', () => {
    const map = decodeTlv(hex('9F26 81 02 ABCD'));
    expect(encodeTlv(map).equals(hex('9F26 02 ABCD'))).toBe(true);
  });

  it('rejects the indefinite length 0x80 with TLV_BAD_LENGTH at the length byte', () => {
    const e = fail(hex('82 02 1980', '9F26 80 0000'));
    expect(e).toMatchObject({ code: 'TLV_BAD_LENGTH', offset: 6, field: '9F26' });
  });

  it('rejects a length of more than 4 bytes with TLV_BAD_LENGTH', () => {
    expect(fail(hex('9F26 85 0000000001 AB'))).toMatchObject({ code: 'TLV_BAD_LENGTH', offset: 2, field: '9F26' });
  });

  it('reports a missing length, a cut long-form length and a short value as TLV_TRUNCATED', () => {
    expect(fail(hex('9F26'))).toMatchObject({ code: 'TLV_TRUNCATED', offset: 2, field: '9F26' });
    expect(fail(hex('9F26 82 01'))).toMatchObject({ code: 'TLV_TRUNCATED', offset: 2, field: '9F26' });
    expect(fail(hex('9F27 01 80', '9F26 08 0102'))).toMatchObject({ code: 'TLV_TRUNCATED', offset: 7, field: '9F26' });
  });

  it('rejects a huge 4-byte length as TLV_TRUNCATED without allocating', () => {
    expect(fail(hex('9F26 84 FFFFFFFF 00'))).toMatchObject({ code: 'TLV_TRUNCATED', offset: 7 });
  });
});

describe('decodeTlv: constructed tags', () => {
  it('decodes templates recursively: 70, 77, 6F > A5 > BF0C, E1', () => {
    const buf = hex(
      '77 0F 9F27 01 80 9F36 02 0001 9F26 03 AABBCC',
      '6F 0F 84 02 A000 A5 09 50 01 41 BF0C 03 DF01 00',
      'E1 03 C1 01 07',
    );
    expect(plain(decodeTlv(buf))).toEqual([
      ['77', [['9F27', '80'], ['9F36', '0001'], ['9F26', 'AABBCC']]],
      ['6F', [['84', 'A000'], ['A5', [['50', '41'], ['BF0C', [['DF01', '']]]]]]],
      ['E1', [['C1', '07']]],
    ]);
  });

  it('decodes a READ RECORD template holding cardholder data', () => {
    const map = decodeTlv(RECORD_70);
    const record = map.get('70') as TlvMap;
    expect([...record.keys()]).toEqual(['57', '5A', '5F20', '5F24']);
    expect(leaf(record, '57').toString('hex').toUpperCase()).toBe(TRACK2_HEX);
    expect(encodeTlv(map).equals(RECORD_70)).toBe(true);
  });

  it('decodes an empty template to an empty map', () => {
    expect(plain(decodeTlv(hex('70 00')))).toEqual([['70', []]]);
  });

  it('names the tag path in errors inside a template, offsets counted from the start of the data', () => {
    // 5A announces 8 bytes but its template 70 ends after 4 of them, although the data goes on.
    const e = fail(hex('9F27 01 80', `70 06 5A 08 ${PAN_HEX}`));
    expect(e).toMatchObject({ code: 'TLV_TRUNCATED', field: '70.5A', offset: 8 });
    expect(e.message).not.toMatch(/4761|9001|0119/);
    expect(e.within({ field: '55', offset: 20 })).toMatchObject({ field: '55.70.5A', offset: 28 });
  });

  it('names the template when a tag inside it is cut', () => {
    expect(fail(hex('70 01 9F'))).toMatchObject({ code: 'TLV_TRUNCATED', field: '70', offset: 2 });
  });

  it('allows 8 nested templates by default and rejects the 9th with TLV_TOO_DEEP', () => {
    const nest = (levels: number): Buffer => {
      let inner = hex('9F26 01 00');
      for (let i = 0; i < levels; i++) inner = Buffer.concat([hex('70'), Buffer.from([inner.length]), inner]);
      return inner;
    };
    expect(() => decodeTlv(nest(8))).not.toThrow();
    const e = fail(nest(9));
    expect(e.code).toBe('TLV_TOO_DEEP');
    expect(e.field).toBe('70.70.70.70.70.70.70.70.70');
    expect(e.offset).toBe(16);
    expect(fail(nest(3), { maxDepth: 2 }).code).toBe('TLV_TOO_DEEP');
    expect(fail(hex('70 00'), { maxDepth: 0 }).code).toBe('TLV_TOO_DEEP');
  });
});

describe('decodeTlv: padding bytes', () => {
  const padded = hex('00 00', '9F27 01 80', 'FF', '70 07 00 9F36 02 0001 00', '00');

  it('rejects padding by default with TLV_BAD_TAG at the padding byte', () => {
    expect(fail(padded)).toMatchObject({ code: 'TLV_BAD_TAG', offset: 0 });
    expect(fail(hex('9F27 01 80', 'FF'))).toMatchObject({ code: 'TLV_BAD_TAG', offset: 4 });
    expect(fail(hex('70 05 9F27 01 80 00'))).toMatchObject({ code: 'TLV_BAD_TAG', field: '70', offset: 6 });
  });

  it('keeps padding runs as "00" / "FF" entries with keep, re-packing byte-exact', () => {
    const map = decodeTlv(padded, { padding: 'keep' });
    expect(plain(map)).toEqual([
      ['00', '0000'],
      ['9F27', '80'],
      ['FF', 'FF'],
      ['70', [['00', '00'], ['9F36', '0001'], ['00#2', '00']]],
      ['00#2', '00'],
    ]);
    expect(encodeTlv(map).equals(padded)).toBe(true);
  });

  it('drops padding with skip', () => {
    const map = decodeTlv(padded, { padding: 'skip' });
    expect(plain(map)).toEqual([
      ['9F27', '80'],
      ['70', [['9F36', '0001']]],
    ]);
  });
});

describe('decodeTlv: limits and options', () => {
  it('rejects data over maxBytes with LENGTH_EXCEEDS_MAX', () => {
    expect(fail(Buffer.alloc(8193))).toMatchObject({ code: 'LENGTH_EXCEEDS_MAX', offset: 0 });
    expect(fail(FIELD_55, { maxBytes: 10 }).code).toBe('LENGTH_EXCEEDS_MAX');
  });

  it('rejects bad options with a TypeError naming the option', () => {
    expect(() => decodeTlv(FIELD_55, { maxDepth: -1 })).toThrow(/"maxDepth"/);
    expect(() => decodeTlv(FIELD_55, { maxDepth: 65 })).toThrow(TypeError);
    expect(() => decodeTlv(FIELD_55, { maxBytes: 1.5 })).toThrow(/"maxBytes"/);
    expect(() => decodeTlv(FIELD_55, { padding: 'drop' as 'skip' })).toThrow(/"padding"/);
  });

  it('rejects a non-Buffer with WRONG_TYPE', () => {
    expect(() => decodeTlv('9F2701' as unknown as Buffer)).toThrow(expect.objectContaining({ code: 'WRONG_TYPE' }));
  });
});
