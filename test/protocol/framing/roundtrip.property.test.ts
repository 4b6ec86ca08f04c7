import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ProtocolError } from '../../../protocol/errors.js';
import {
  encodeFrame,
  FrameDecoder,
  LengthHeaders,
  type LengthHeaderKind,
  type Tpdu,
} from '../../../protocol/framing/index.js';

const kinds = Object.keys(LengthHeaders) as LengthHeaderKind[];
const MAX = 600;

const tpduArb: fc.Arbitrary<Tpdu> = fc.record({
  id: fc.constant(0x60 as const),
  destination: fc.integer({ min: 0, max: 0xffff }),
  source: fc.integer({ min: 0, max: 0xffff }),
});

/** Cut points (sorted, possibly repeated, so empty chunks happen too) for a stream of `length` bytes. */
function chunk(stream: Buffer, cuts: number[]): Buffer[] {
  const bounds = [0, ...cuts.map((c) => c % (stream.length + 1)).sort((a, b) => a - b), stream.length];
  return bounds.slice(1).map((end, i) => stream.subarray(bounds[i], end));
}

describe('framing properties', () => {
  it('decode(concat(encode(payloads))) equals payloads, however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.boolean(),
        fc.array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 300 }), tpduArb), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (kind, withTpdu, items, cuts) => {
          const frames = items.map(([p, t]) =>
            encodeFrame(Buffer.from(p), withTpdu ? { header: kind, tpdu: t } : { header: kind }),
          );
          const stream = Buffer.concat(frames);
          const decoder = new FrameDecoder({ header: kind, tpdu: withTpdu, maxFrameSize: MAX });
          const out = chunk(stream, cuts).flatMap((c) => decoder.push(c));
          decoder.end();
          expect(out.map((f) => Buffer.from(f.payload))).toEqual(items.map(([p]) => Buffer.from(p)));
          expect(out.map((f) => f.tpdu)).toEqual(items.map(([, t]) => (withTpdu ? t : undefined)));
          let offset = 0;
          expect(out.map((f) => f.offset)).toEqual(frames.map((f) => ((offset += f.length), offset - f.length)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any bytes in, frames or a ProtocolError out, never anything else', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.boolean(),
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (kind, withTpdu, bytes, cuts) => {
          const decoder = new FrameDecoder({ header: kind, tpdu: withTpdu, maxFrameSize: 64 });
          try {
            for (const c of chunk(Buffer.from(bytes), cuts)) {
              for (const f of decoder.push(c)) expect(f.payload.length).toBeLessThanOrEqual(64);
            }
            decoder.end();
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
            expect(decoder.error).toBe(e);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
