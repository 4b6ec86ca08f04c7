import { describe, it, expect } from 'vitest';
import { bcdPrefix } from '../../../protocol/prefix/bcd.js';
import { hex } from '../specs.fixture.js';

function written(digits: number, len: number): Buffer {
  const p = bcdPrefix(digits);
  const out = hex('ee'.repeat(p.size));
  p.write(len, out, 0);
  return out;
}

describe('bcd prefix', () => {
  it('takes whole bytes, two digits each', () => {
    expect([1, 2, 3, 4].map((d) => bcdPrefix(d).size)).toEqual([1, 1, 2, 2]);
    expect([1, 2, 3, 4].map((d) => bcdPrefix(d).max)).toEqual([9, 99, 999, 9999]);
  });

  it('writes the digits right-aligned', () => {
    expect(written(1, 5)).toEqual(hex('05'));
    expect(written(2, 7)).toEqual(hex('07'));
    expect(written(2, 37)).toEqual(hex('37'));
    expect(written(3, 123)).toEqual(hex('01 23'));
    expect(written(3, 999)).toEqual(hex('09 99'));
    expect(written(4, 1234)).toEqual(hex('12 34'));
    expect(written(4, 0)).toEqual(hex('00 00'));
  });

  it('reads at an offset', () => {
    expect(bcdPrefix(2).read(hex('ff 19 ff'), 1)).toBe(19);
    expect(bcdPrefix(3).read(hex('01 23'), 0)).toBe(123);
    expect(bcdPrefix(4).read(hex('99 99'), 0)).toBe(9999);
    expect(bcdPrefix(1).read(hex('09'), 0)).toBe(9);
  });

  it('returns -1 for a nibble over 9', () => {
    expect(bcdPrefix(2).read(hex('1a'), 0)).toBe(-1);
    expect(bcdPrefix(2).read(hex('a1'), 0)).toBe(-1);
    expect(bcdPrefix(3).read(hex('0f 99'), 0)).toBe(-1);
  });

  it('returns -1 when the filler nibble of an odd digit count holds a digit', () => {
    expect(bcdPrefix(1).read(hex('12'), 0)).toBe(-1);
    expect(bcdPrefix(3).read(hex('10 00'), 0)).toBe(-1);
  });
});
