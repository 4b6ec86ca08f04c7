import { describe, it, expect } from 'vitest';
import { hexPrefix } from '../../../protocol/prefix/hex.js';
import { ascii, hex } from '../specs.fixture.js';

function written(digits: number, len: number): Buffer {
  const p = hexPrefix(digits);
  const out = Buffer.alloc(p.size);
  p.write(len, out, 0);
  return out;
}

describe('hex prefix', () => {
  it('is as many bytes as hex digits', () => {
    expect([1, 2, 3, 4].map((d) => hexPrefix(d).size)).toEqual([1, 2, 3, 4]);
    expect([1, 2, 3, 4].map((d) => hexPrefix(d).max)).toEqual([0xf, 0xff, 0xfff, 0xffff]);
  });

  it('writes zero-filled upper-case hex', () => {
    expect(written(1, 10)).toEqual(ascii('A'));
    expect(written(2, 16)).toEqual(hex('31 30'));
    expect(written(2, 255)).toEqual(hex('46 46'));
    expect(written(3, 0x1b)).toEqual(ascii('01B'));
    expect(written(4, 0xabc)).toEqual(ascii('0ABC'));
  });

  it('reads either case at an offset', () => {
    expect(hexPrefix(2).read(ascii('x1F'), 1)).toBe(31);
    expect(hexPrefix(2).read(ascii('ff'), 0)).toBe(255);
    expect(hexPrefix(3).read(ascii('0aB'), 0)).toBe(0xab);
  });

  it('returns -1 for anything but hex digits', () => {
    expect(hexPrefix(2).read(ascii('1G'), 0)).toBe(-1);
    expect(hexPrefix(2).read(ascii(' 1'), 0)).toBe(-1);
    expect(hexPrefix(2).read(hex('f1 f2'), 0)).toBe(-1);
  });
});
