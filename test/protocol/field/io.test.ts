import { describe, it, expect } from 'vitest';
import { Writer } from '../../../protocol/field/io.js';
import { hex } from '../specs.fixture.js';

describe('Writer', () => {
  it('grows and keeps what was written', () => {
    const w = new Writer(2);
    w.ensure(2);
    w.buf[0] = 1;
    w.buf[1] = 2;
    w.pos = 2;
    w.ensure(7);
    expect(w.buf.length).toBeGreaterThanOrEqual(9);
    w.buf.set([3, 4, 5, 6, 7, 8, 9], 2);
    w.pos = 9;
    expect(w.take()).toEqual(hex('01 02 03 04 05 06 07 08 09'));
  });

  it('does not reallocate when there is room', () => {
    const w = new Writer(16);
    const before = w.buf;
    w.ensure(16);
    expect(w.buf).toBe(before);
  });

  it('takes an independent copy', () => {
    const w = new Writer(4);
    w.buf[0] = 0xaa;
    w.pos = 1;
    const out = w.take();
    w.buf[0] = 0xbb;
    expect(out).toEqual(hex('aa'));
    expect(w.take()).toEqual(hex('bb'));
  });
});
