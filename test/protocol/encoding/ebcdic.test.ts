import { describe, it, expect } from 'vitest';
import { BodyError } from '../../../protocol/encoding/body.js';
import { asciiToEbcdic, ebcdic, fromEbcdic, toEbcdic } from '../../../protocol/encoding/ebcdic.js';
import { Charsets } from '../../../protocol/field/charsets.js';
import { hex } from '../specs.fixture.js';

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

function write(value: string): Buffer {
  const out = Buffer.alloc(value.length);
  ebcdic.write(value, value.length, out, 0);
  return out;
}

describe('ebcdic body (code page 037)', () => {
  it('takes one byte per character', () => {
    expect(ebcdic.binary).toBe(false);
    expect(ebcdic.size(5)).toBe(5);
    expect(ebcdic.unitsIn(5)).toBe(5);
  });

  it('writes the code page 037 bytes', () => {
    expect(write('0200')).toEqual(hex('f0 f2 f0 f0'));
    expect(write('0123456789')).toEqual(hex('f0 f1 f2 f3 f4 f5 f6 f7 f8 f9'));
    expect(write('ABC xyz')).toEqual(hex('c1 c2 c3 40 a7 a8 a9'));
    expect(write('JRSZ')).toEqual(hex('d1 d9 e2 e9'));
    expect(write('=.,-/')).toEqual(hex('7e 4b 6b 60 61'));
    expect(write('CD')).toEqual(hex('c3 c4'));
  });

  it('round-trips every printable ASCII character', () => {
    const packed = write(PRINTABLE);
    expect(new Set(packed).size).toBe(PRINTABLE.length);
    expect(ebcdic.read(packed, 0, PRINTABLE.length, Charsets.ans)).toBe(PRINTABLE);
    expect(asciiToEbcdic(PRINTABLE)).toEqual(packed);
  });

  it('has inverse tables for the printable characters', () => {
    for (let c = 0x20; c < 0x7f; c++) expect(fromEbcdic[toEbcdic[c]]).toBe(c);
    expect(toEbcdic[0x00]).toBe(0);
    expect(fromEbcdic[0x00]).toBe(0);
    expect(fromEbcdic[0xff]).toBe(0);
  });

  it('reads at an offset', () => {
    expect(ebcdic.read(hex('00 f1 f2 40 c1 00'), 1, 4, Charsets.ans)).toBe('12 A');
  });

  it('rejects a byte that is no printable character, at its offset', () => {
    let err: unknown;
    try {
      ebcdic.read(hex('00 f1 f2 ff f3'), 1, 4, Charsets.ans);
    } catch (e) {
      err = e;
    }
    expect(err).toEqual(new BodyError(3, 'character at position 3 is not allowed'));
  });

  it('rejects a printable character outside the class', () => {
    // 0xC1 is "A", not a digit
    expect(() => ebcdic.read(hex('f1 c1'), 0, 2, Charsets.n)).toThrow(BodyError);
    expect(ebcdic.read(hex('f1 7e f2'), 0, 3, Charsets.z)).toBe('1=2');
  });

  it('checks characters while writing when given a charset: -1, or the index of the first bad one', () => {
    const out = Buffer.alloc(3);
    expect(ebcdic.write('1=2', 3, out, 0, Charsets.z)).toBe(-1);
    expect(out).toEqual(hex('f1 7e f2'));
    expect(ebcdic.write('12A', 3, Buffer.alloc(3), 0, Charsets.n)).toBe(2);
    // no code page 037 byte among the printable ones: refused even by the widest class
    expect(ebcdic.write('A\u00e9', 2, Buffer.alloc(2), 0, Charsets.b)).toBe(1);
  });
});
