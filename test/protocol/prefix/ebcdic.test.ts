import { describe, it, expect } from 'vitest';
import { ebcdicPrefix } from '../../../protocol/prefix/ebcdic.js';
import { hex } from '../specs.fixture.js';

function written(digits: number, len: number): Buffer {
  const p = ebcdicPrefix(digits);
  const out = Buffer.alloc(p.size);
  p.write(len, out, 0);
  return out;
}

describe('ebcdic prefix', () => {
  it('is as many bytes as digits', () => {
    expect([1, 2, 3, 4].map((d) => ebcdicPrefix(d).size)).toEqual([1, 2, 3, 4]);
    expect([1, 2, 3, 4].map((d) => ebcdicPrefix(d).max)).toEqual([9, 99, 999, 9999]);
  });

  it('writes EBCDIC digits F0-F9', () => {
    expect(written(1, 8)).toEqual(hex('f8'));
    expect(written(2, 19)).toEqual(hex('f1 f9'));
    expect(written(3, 42)).toEqual(hex('f0 f4 f2'));
    expect(written(4, 9999)).toEqual(hex('f9 f9 f9 f9'));
  });

  it('reads at an offset', () => {
    expect(ebcdicPrefix(2).read(hex('00 f1 f6'), 1)).toBe(16);
    expect(ebcdicPrefix(3).read(hex('f0 f0 f0'), 0)).toBe(0);
  });

  it('returns -1 for anything but EBCDIC digits', () => {
    expect(ebcdicPrefix(2).read(hex('31 36'), 0)).toBe(-1);
    expect(ebcdicPrefix(2).read(hex('f1 fa'), 0)).toBe(-1);
    expect(ebcdicPrefix(2).read(hex('f1 c1'), 0)).toBe(-1);
    expect(ebcdicPrefix(2).read(hex('f1 40'), 0)).toBe(-1);
  });
});
