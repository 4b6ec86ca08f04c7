import { describe, it, expect } from 'vitest';
import { bcd } from '../../../protocol/encoding/bcd.js';
import { BodyError } from '../../../protocol/encoding/body.js';
import { makeBody } from '../../../protocol/encoding/index.js';
import { Charsets } from '../../../protocol/field/charsets.js';
import { hex } from '../specs.fixture.js';

const leftZero = bcd('left', 0x0);
const leftF = bcd('left', 0xf);
const rightZero = bcd('right', 0x0);
const rightF = bcd('right', 0xf);

function write(body: ReturnType<typeof bcd>, value: string): Buffer {
  const out = hex('ee'.repeat(body.size(value.length)));
  body.write(value, value.length, out, 0);
  return out;
}

function bodyError(f: () => unknown): BodyError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BodyError);
    return e as BodyError;
  }
  throw new Error('expected a BodyError');
}

describe('bcd body', () => {
  it('packs two digits per byte', () => {
    expect(leftZero.binary).toBe(false);
    expect(leftZero.size(12)).toBe(6);
    expect(leftZero.size(3)).toBe(2);
    expect(leftZero.size(0)).toBe(0);
    expect(leftZero.unitsIn(6)).toBe(12);
  });

  it('writes an even digit count without padding', () => {
    expect(write(leftZero, '000000001000')).toEqual(hex('00 00 00 00 10 00'));
    expect(write(rightF, '1234')).toEqual(hex('12 34'));
  });

  it('writes an odd digit count padded on the spec side with the spec nibble', () => {
    expect(write(leftZero, '123')).toEqual(hex('01 23'));
    expect(write(rightZero, '123')).toEqual(hex('12 30'));
    expect(write(leftF, '123')).toEqual(hex('f1 23'));
    expect(write(rightF, '123')).toEqual(hex('12 3f'));
    expect(write(leftZero, '7')).toEqual(hex('07'));
    expect(write(rightF, '7')).toEqual(hex('7f'));
  });

  it('reads back the exact digit count it was given, odd or even', () => {
    expect(leftZero.read(hex('01 23'), 0, 3, Charsets.n)).toBe('123');
    expect(rightZero.read(hex('12 30'), 0, 3, Charsets.n)).toBe('123');
    expect(leftZero.read(hex('00 00 00 00 10 00'), 0, 12, Charsets.n)).toBe('000000001000');
    expect(rightZero.read(hex('12 30'), 0, 4, Charsets.n)).toBe('1230');
    expect(leftZero.read(hex('99 01 23'), 1, 3, Charsets.n)).toBe('123');
  });

  it('accepts pad nibble 0 or F on input, whatever the spec writes', () => {
    expect(leftZero.read(hex('f1 23'), 0, 3, Charsets.n)).toBe('123');
    expect(leftF.read(hex('01 23'), 0, 3, Charsets.n)).toBe('123');
    expect(rightZero.read(hex('12 3f'), 0, 3, Charsets.n)).toBe('123');
    expect(rightF.read(hex('12 30'), 0, 3, Charsets.n)).toBe('123');
  });

  it('rejects a pad nibble other than 0 or F at the byte that holds it', () => {
    const left = bodyError(() => leftZero.read(hex('00 51 23'), 1, 3, Charsets.n));
    expect(left).toEqual(new BodyError(1, 'pad nibble is not 0 or F'));
    const right = bodyError(() => rightZero.read(hex('00 00 12 35'), 2, 3, Charsets.n));
    expect(right).toEqual(new BodyError(3, 'pad nibble is not 0 or F'));
  });

  it('rejects a nibble that is not a decimal digit, naming the digit and its byte', () => {
    expect(bodyError(() => leftZero.read(hex('12 3a 56'), 0, 6, Charsets.n))).toEqual(
      new BodyError(1, 'digit at position 4 is not a decimal digit'),
    );
    expect(bodyError(() => leftZero.read(hex('ff f1 23'), 1, 4, Charsets.n))).toEqual(
      new BodyError(1, 'digit at position 1 is not a decimal digit'),
    );
    // the filler nibble is only allowed where the padding is
    expect(bodyError(() => rightZero.read(hex('1f 30'), 0, 3, Charsets.n))).toEqual(
      new BodyError(0, 'digit at position 2 is not a decimal digit'),
    );
  });

  it('packs the track 2 separator as nibble D and reads it back as "="', () => {
    const track = '4761739001010119=25121011234';
    const packed = write(rightF, track);
    expect(packed).toEqual(hex('47 61 73 90 01 01 01 19 d2 51 21 01 12 34'));
    expect(rightF.read(packed, 0, track.length, Charsets.z)).toBe(track);
    const odd = '4761=251';
    expect(write(rightF, odd.slice(0, 7))).toEqual(hex('47 61 d2 5f'));
    expect(rightF.read(hex('47 61 d2 5f'), 0, 7, Charsets.z)).toBe('4761=25');
  });

  it('does not read nibble D as "=" in a numeric field', () => {
    expect(bodyError(() => leftZero.read(hex('12 d4'), 0, 4, Charsets.n))).toEqual(
      new BodyError(1, 'digit at position 3 is not a decimal digit'),
    );
  });

  it('rejects nibbles A-C and E-F inside track data', () => {
    for (const n of ['a', 'b', 'c', 'e', 'f']) {
      expect(() => rightF.read(hex(`12 ${n}4`), 0, 4, Charsets.z)).toThrow(BodyError);
    }
  });

  it('writes at an offset and touches no other byte', () => {
    const out = hex('ee ee ee ee');
    leftZero.write('123', 3, out, 1);
    expect(out).toEqual(hex('ee 01 23 ee'));
  });

  it('checks digits while writing when given a charset: -1, or the index of the first bad one', () => {
    const out = Buffer.alloc(2);
    expect(rightF.write('12=4', 4, out, 0, Charsets.z)).toBe(-1);
    expect(out).toEqual(hex('12 d4'));
    expect(rightF.write('12=4', 4, Buffer.alloc(2), 0, Charsets.n)).toBe(2);
    expect(leftZero.write('1A3', 3, Buffer.alloc(2), 0, Charsets.n)).toBe(1);
    expect(leftZero.write('12\u0663', 3, Buffer.alloc(2), 0, Charsets.n)).toBe(2);
  });
});

describe('makeBody for bcd', () => {
  const field = (pad?: { side: 'left' | 'right'; char: string }) =>
    makeBody({ name: 'x', class: 'n', encoding: 'bcd', length: 3, pad });

  function packed(pad?: { side: 'left' | 'right'; char: string }): Buffer {
    const out = Buffer.alloc(2);
    field(pad).write('123', 3, out, 0);
    return out;
  }

  it('pads left with 0 by default', () => {
    expect(packed()).toEqual(hex('01 23'));
  });

  it('takes the side and nibble from the spec, the nibble in either case', () => {
    expect(packed({ side: 'right', char: '0' })).toEqual(hex('12 30'));
    expect(packed({ side: 'right', char: 'F' })).toEqual(hex('12 3f'));
    expect(packed({ side: 'right', char: 'f' })).toEqual(hex('12 3f'));
    expect(packed({ side: 'left', char: 'F' })).toEqual(hex('f1 23'));
  });
});
