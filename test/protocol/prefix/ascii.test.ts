import { describe, it, expect } from 'vitest';
import { asciiPrefix } from '../../../protocol/prefix/ascii.js';
import { ascii, hex } from '../specs.fixture.js';

function written(digits: number, len: number): Buffer {
  const p = asciiPrefix(digits);
  const out = Buffer.alloc(p.size);
  p.write(len, out, 0);
  return out;
}

describe('ascii prefix', () => {
  it('is as many bytes as digits, up to all nines', () => {
    expect([1, 2, 3, 4].map((d) => asciiPrefix(d).size)).toEqual([1, 2, 3, 4]);
    expect([1, 2, 3, 4].map((d) => asciiPrefix(d).max)).toEqual([9, 99, 999, 9999]);
  });

  it('writes zero-filled decimal digits', () => {
    expect(written(1, 7)).toEqual(hex('37'));
    expect(written(2, 7)).toEqual(hex('30 37'));
    expect(written(2, 19)).toEqual(hex('31 39'));
    expect(written(3, 0)).toEqual(hex('30 30 30'));
    expect(written(3, 999)).toEqual(hex('39 39 39'));
    expect(written(4, 1234)).toEqual(hex('31 32 33 34'));
    expect(written(6, 1024)).toEqual(ascii('001024'));
  });

  it('reads at an offset', () => {
    expect(asciiPrefix(2).read(hex('ff 31 36 ff'), 1)).toBe(16);
    expect(asciiPrefix(1).read(ascii('9'), 0)).toBe(9);
    expect(asciiPrefix(3).read(ascii('099'), 0)).toBe(99);
    expect(asciiPrefix(4).read(ascii('9999'), 0)).toBe(9999);
  });

  it('returns -1 for anything but digits', () => {
    expect(asciiPrefix(2).read(ascii('1A'), 0)).toBe(-1);
    expect(asciiPrefix(2).read(ascii(' 9'), 0)).toBe(-1);
    expect(asciiPrefix(2).read(hex('f1 f2'), 0)).toBe(-1);
    expect(asciiPrefix(2).read(ascii('/:'), 0)).toBe(-1);
  });
});
