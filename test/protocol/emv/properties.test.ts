import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import { decodeTlv, encodeTlv, TlvPaddings } from '../../../protocol/emv/index.js';
import { FIELD_55, RECORD_70, plain } from './fixtures.js';

/** A TLV tree, encoded below by a reference encoder written independently of the library's. */
type Tree = { tag: number[]; value: Uint8Array } | { tag: number[]; children: Tree[] };

const CONSTRUCTED = 0x20;

/** First tag bytes: single-byte tags (low 5 bits not all set) or the start of a multi-byte tag; never 00/FF. */
function firstByte(constructed: boolean, multi: boolean): fc.Arbitrary<number> {
  return fc
    .integer({ min: 0x01, max: 0xfe })
    .map((b) => (multi ? b | 0x1f : b))
    .filter((b) => b !== 0xff && ((b & 0x1f) === 0x1f) === multi && ((b & CONSTRUCTED) !== 0) === constructed);
}

function tagArb(constructed: boolean): fc.Arbitrary<number[]> {
  const single = firstByte(constructed, false).map((b) => [b]);
  const multi = fc
    .tuple(
      firstByte(constructed, true),
      fc.array(fc.integer({ min: 0x80, max: 0xff }), { maxLength: 2 }),
      fc.integer({ min: 0x00, max: 0x7f }),
    )
    .map(([first, more, last]) => [first, ...more, last]);
  return fc.oneof(single, multi);
}

const treeArb = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthIdentifier: 'tlv', maxDepth: 5 },
    fc.record({
      tag: tagArb(false),
      value: fc.oneof(
        fc.uint8Array({ maxLength: 20 }),
        fc.uint8Array({ minLength: 120, maxLength: 300 }), // crosses the 0x81 and 0x82 length forms
      ),
    }),
    fc.record({ tag: tagArb(true), children: fc.array(tie('node'), { maxLength: 4, depthIdentifier: 'tlv' }) }),
  ),
}));

function refLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function refEncode(trees: Tree[]): Buffer {
  return Buffer.concat(
    trees.map((t) => {
      const value = 'value' in t ? Buffer.from(t.value) : refEncode(t.children);
      return Buffer.concat([Buffer.from(t.tag), Buffer.from(refLength(value.length)), value]);
    }),
  );
}

const forest = fc.array(treeArb.node, { maxLength: 6 });

/** Valid data with bytes flipped, cut or inserted: reaches the deeper error paths more often than noise does. */
const mutated = fc
  .tuple(forest, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'ins'))))
  .map(([trees, edits]) => {
    let bytes = [...refEncode(trees)];
    for (const [at, b, op] of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (op === 'set' && bytes.length > 0) bytes[i] = b;
      else if (op === 'cut') bytes = bytes.slice(0, i);
      else bytes.splice(i, 0, b);
    }
    return Buffer.from(bytes);
  });

const noise = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));

const TLV_CODES = ['TLV_TRUNCATED', 'TLV_BAD_TAG', 'TLV_BAD_LENGTH', 'TLV_TOO_DEEP', 'LENGTH_EXCEEDS_MAX'];

describe('BER-TLV properties', () => {
  it('decode then encode of well-formed minimal-length data gives the identical bytes', () => {
    fc.assert(
      fc.property(forest, (trees) => {
        const bytes = refEncode(trees);
        const map = decodeTlv(bytes, { maxBytes: bytes.length });
        expect(encodeTlv(map).equals(bytes)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('encode of a decoded map decodes to the same map, for any padding mode', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, noise), fc.constantFrom(...TlvPaddings), (buf, padding) => {
        let map;
        try {
          map = decodeTlv(buf, { padding, maxBytes: 1 << 16 });
        } catch {
          return;
        }
        expect(plain(decodeTlv(encodeTlv(map), { padding, maxBytes: 1 << 16 }))).toEqual(plain(map));
      }),
      { numRuns: 500 },
    );
  });

  it('any bytes in give a TlvMap or a ProtocolError with an offset inside the data, never another exception', () => {
    const inputs = fc.oneof(
      noise,
      mutated,
      fc.constantFrom(FIELD_55, RECORD_70).chain((b) => fc.nat(b.length).map((n) => b.subarray(0, n))),
    );
    fc.assert(
      fc.property(inputs, fc.constantFrom(...TlvPaddings), fc.integer({ min: 0, max: 8 }), (buf, padding, maxDepth) => {
        try {
          expect(decodeTlv(buf, { padding, maxDepth, maxBytes: 1 << 16 })).toBeInstanceOf(Map);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
          expect(TLV_CODES).toContain(e.code);
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(buf.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
