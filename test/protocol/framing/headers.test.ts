import { describe, it, expect } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import { LengthHeaders, resolveHeader, type LengthHeaderKind } from '../../../protocol/framing/index.js';
import { hex } from './hex.js';

function write(kind: LengthHeaderKind, len: number): Buffer {
  const h = LengthHeaders[kind];
  const buf = Buffer.alloc(h.size);
  h.write(len, buf, 0);
  return buf;
}

function errorOf(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

const fixtures: Record<LengthHeaderKind, [number, string][]> = {
  binary2: [
    [1, '00 01'],
    [123, '00 7b'],
    [0x1234, '12 34'],
    [0xffff, 'ff ff'],
  ],
  bcd2: [
    [1, '00 01'],
    [123, '01 23'],
    [1234, '12 34'],
    [9999, '99 99'],
  ],
  ascii4: [
    [1, '30 30 30 31'],
    [123, '30 31 32 33'],
    [9999, '39 39 39 39'],
  ],
  binary4: [
    [1, '00 00 00 01'],
    [123, '00 00 00 7b'],
    [0x01020304, '01 02 03 04'],
    [0xffffffff, 'ff ff ff ff'],
  ],
};

describe('length headers', () => {
  it('has size and max for each kind', () => {
    expect(LengthHeaders.binary2).toMatchObject({ size: 2, max: 0xffff });
    expect(LengthHeaders.bcd2).toMatchObject({ size: 2, max: 9999 });
    expect(LengthHeaders.ascii4).toMatchObject({ size: 4, max: 9999 });
    expect(LengthHeaders.binary4).toMatchObject({ size: 4, max: 0xffffffff });
  });

  for (const [kind, cases] of Object.entries(fixtures) as [LengthHeaderKind, [number, string][]][]) {
    describe(kind, () => {
      for (const [len, bytes] of cases) {
        it(`${len} <-> ${bytes}`, () => {
          expect(write(kind, len)).toEqual(hex(bytes));
          expect(LengthHeaders[kind].read(hex(bytes), 0)).toBe(len);
        });
      }

      it('reads at an offset', () => {
        const [len, bytes] = cases[1];
        expect(LengthHeaders[kind].read(hex(`ee ee ${bytes} ee`), 2)).toBe(len);
      });

      it('rejects a length over its max with FRAME_TOO_LARGE', () => {
        const h = LengthHeaders[kind];
        expect(errorOf(() => h.write(h.max + 1, Buffer.alloc(h.size), 0)).code).toBe('FRAME_TOO_LARGE');
      });

      it('rejects a negative or fractional length with FRAME_BAD_LENGTH', () => {
        const h = LengthHeaders[kind];
        expect(errorOf(() => h.write(-1, Buffer.alloc(h.size), 0)).code).toBe('FRAME_BAD_LENGTH');
        expect(errorOf(() => h.write(1.5, Buffer.alloc(h.size), 0)).code).toBe('FRAME_BAD_LENGTH');
      });

      it('reports TRUNCATED when the header is cut short', () => {
        const h = LengthHeaders[kind];
        const e = errorOf(() => h.read(Buffer.alloc(h.size - 1), 0));
        expect(e.code).toBe('TRUNCATED');
        expect(e.offset).toBe(0);
      });
    });
  }

  describe('bad BCD', () => {
    for (const [bytes, at] of [
      ['0a 00', 0],
      ['a0 00', 0],
      ['00 0f', 1],
      ['00 f0', 1],
      ['ff ff', 0],
    ] as const) {
      it(`${bytes} is FRAME_BAD_LENGTH at byte ${at}`, () => {
        const e = errorOf(() => LengthHeaders.bcd2.read(hex(bytes), 0));
        expect(e.code).toBe('FRAME_BAD_LENGTH');
        expect(e.offset).toBe(at);
      });
    }
  });

  describe('bad ASCII digits', () => {
    for (const [bytes, at] of [
      ['20 31 32 33', 0], // leading space
      ['30 31 32 2f', 3], // '/' is just below '0'
      ['30 3a 30 30', 1], // ':' is just above '9'
      ['2d 30 30 31', 0], // '-'
      ['00 00 00 7b', 0], // a binary header sent to an ASCII listener
    ] as const) {
      it(`${bytes} is FRAME_BAD_LENGTH at byte ${at}`, () => {
        const e = errorOf(() => LengthHeaders.ascii4.read(hex(bytes), 0));
        expect(e.code).toBe('FRAME_BAD_LENGTH');
        expect(e.offset).toBe(at);
      });
    }
  });

  describe('resolveHeader', () => {
    it('takes a kind name or a header object', () => {
      expect(resolveHeader('bcd2')).toBe(LengthHeaders.bcd2);
      expect(resolveHeader(LengthHeaders.ascii4)).toBe(LengthHeaders.ascii4);
    });

    it('rejects anything else with a TypeError naming the option', () => {
      expect(() => resolveHeader('bcd3')).toThrow(
        new TypeError('"header" must be one of binary2, bcd2, ascii4, binary4 or a LengthHeader'),
      );
      expect(() => resolveHeader('toString')).toThrow(TypeError);
      expect(() => resolveHeader(undefined)).toThrow(TypeError);
      expect(() => resolveHeader({ size: 2 })).toThrow(TypeError);
    });
  });
});
