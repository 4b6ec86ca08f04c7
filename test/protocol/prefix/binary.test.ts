import { describe, it, expect } from 'vitest';
import { binaryPrefix } from '../../../protocol/prefix/binary.js';
import { hex } from '../specs.fixture.js';

function written(bytes: number, len: number): Buffer {
  const p = binaryPrefix(bytes);
  const out = hex('ee'.repeat(p.size));
  p.write(len, out, 0);
  return out;
}

describe('binary prefix', () => {
  it('is a big-endian unsigned integer of `digits` bytes', () => {
    expect([1, 2, 3, 4].map((d) => binaryPrefix(d).size)).toEqual([1, 2, 3, 4]);
    expect([1, 2, 3, 4].map((d) => binaryPrefix(d).max)).toEqual([0xff, 0xffff, 0xffffff, 0xffffffff]);
  });

  it('writes big-endian', () => {
    expect(written(1, 0)).toEqual(hex('00'));
    expect(written(1, 255)).toEqual(hex('ff'));
    expect(written(2, 300)).toEqual(hex('01 2c'));
    expect(written(2, 9999)).toEqual(hex('27 0f'));
    expect(written(3, 0x10203)).toEqual(hex('01 02 03'));
    expect(written(4, 0xffffffff)).toEqual(hex('ff ff ff ff'));
    expect(written(4, 0x80000000)).toEqual(hex('80 00 00 00'));
  });

  it('reads big-endian at an offset, every value valid', () => {
    expect(binaryPrefix(1).read(hex('00 ff'), 1)).toBe(255);
    expect(binaryPrefix(2).read(hex('01 2c'), 0)).toBe(300);
    expect(binaryPrefix(4).read(hex('ff ff ff ff'), 0)).toBe(0xffffffff);
    expect(binaryPrefix(4).read(hex('80 00 00 01'), 0)).toBe(0x80000001);
  });
});
