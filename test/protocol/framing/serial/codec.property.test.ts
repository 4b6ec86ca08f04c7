import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  encodeSerialFrame,
  LrcCoverages,
  SerialFrameDecoder,
  type LrcCoverage,
  type SerialFrameEvent,
} from '../../../../protocol/framing/index.js';

const coverages = Object.keys(LrcCoverages) as LrcCoverage[];

const optionsArb = fc.record({
  lrcCovers: fc.constantFrom(...coverages),
  lrcSeed: fc.integer({ min: 0, max: 255 }),
});

function chunk(stream: Buffer, cuts: number[]): Buffer[] {
  const bounds = [0, ...cuts.map((c) => c % (stream.length + 1)).sort((a, b) => a - b), stream.length];
  return bounds.slice(1).map((end, i) => stream.subarray(bounds[i], end));
}

describe('serial frame properties', () => {
  it('decode(encode(messages)) gives the messages back, however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        optionsArb,
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (options, messages, cuts) => {
          const stream = Buffer.concat(messages.map((m) => encodeSerialFrame(Buffer.from(m), options)));
          const decoder = new SerialFrameDecoder(options);
          const events = chunk(stream, cuts).flatMap((c) => decoder.push(c));
          expect(decoder.midFrame).toBe(false);
          expect(events.map((e) => e.type === 'frame' && [...e.payload])).toEqual(messages.map((m) => [...m]));
        },
      ),
    );
  });

  it('any bytes in: events, never an exception, and every frame is a well-formed frame of the input', () => {
    fc.assert(
      fc.property(
        optionsArb,
        fc.array(
          fc.oneof(
            fc.record({ frame: fc.constant(false), bytes: fc.uint8Array({ maxLength: 40 }) }),
            fc.record({ frame: fc.constant(true), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
            fc.record({
              frame: fc.constant(false),
              bytes: fc.constantFrom(Uint8Array.of(2), Uint8Array.of(2, 0), Uint8Array.of(3), Uint8Array.of(6, 0x15)),
            }),
          ),
          { maxLength: 12 },
        ),
        fc.array(fc.nat(), { maxLength: 20 }),
        (options, parts, cuts) => {
          const stream = Buffer.concat(
            parts.map((p) => (p.frame ? encodeSerialFrame(Buffer.from(p.bytes), options) : Buffer.from(p.bytes))),
          );
          const decoder = new SerialFrameDecoder({ ...options, maxFrameSize: 60 });
          const events: SerialFrameEvent[] = chunk(stream, cuts).flatMap((c) => decoder.push(c));
          events.push(...decoder.flush());
          for (const e of events) {
            expect(e.offset).toBeGreaterThanOrEqual(0);
            expect(e.offset).toBeLessThan(stream.length);
            if (e.type === 'frame') {
              const frame = encodeSerialFrame(e.payload, options);
              expect(stream.subarray(e.offset, e.offset + frame.length)).toEqual(frame);
            }
            if (e.type === 'noise') expect(stream.subarray(e.offset, e.offset + e.bytes.length)).toEqual(e.bytes);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
