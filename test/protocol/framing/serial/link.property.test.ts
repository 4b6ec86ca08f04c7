import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Line } from './line.js';

/** mulberry32: a small seeded PRNG, so a failing case replays from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * The line's faults: a write (frame, ACK or NAK) gets one bit flipped with probability `corruptRate`, and an ACK is
 * lost with probability `ackLossRate`. One flipped bit per write is the model because the LRC, an XOR, catches any
 * error confined to one byte but not two errors in the same bit of two bytes, and because a single flip never
 * turns a NAK (15) into an ACK (06): those are limits of the frame format, not of the link layer.
 */
function lossyLine(seed: number, corruptRate: number, ackLossRate: number): Line {
  const random = prng(seed);
  return new Line(
    {},
    {
      latencyMs: 3,
      chunk: (bytes) => {
        const out: { bytes: Buffer; delayMs: number }[] = [];
        for (let i = 0; i < bytes.length; ) {
          const n = 1 + Math.floor(random() * 40);
          out.push({ bytes: bytes.subarray(i, i + n), delayMs: Math.floor(random() * 20) });
          i += n;
        }
        return out;
      },
      fault: (write) => {
        if (write.what === 'ack' && random() < ackLossRate) return null;
        if (random() >= corruptRate) return write.bytes;
        const out = Buffer.from(write.bytes);
        out[Math.floor(random() * out.length)] ^= 1 << Math.floor(random() * 8);
        return out;
      },
    },
  );
}

describe('SerialLink over a lossy line', () => {
  it('delivers in order, each payload at least once when sent, repeats flagged, every send settled', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 200 }), { minLength: 1, maxLength: 15 }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        (seed, bodies, corruptRate, ackLossRate) => {
          // A 2-byte index in front makes every payload distinct, so a repeat can only be a retransmission.
          const payloads = bodies.map((b, i) => Buffer.concat([Buffer.of(i >> 8, i & 0xff), b]));
          const line = lossyLine(seed, corruptRate, ackLossRate);
          const ids = payloads.map((p) => line.a.send(p));
          line.run();

          // every send settled exactly once, in order
          expect(line.a.settled.map((s) => s.id)).toEqual(ids);
          expect(line.a.link.pending).toBe(0);

          // deliveries are sent payloads, in order; the first of each is fresh, the others flagged repeat
          const indexOf = (p: Buffer) => payloads.findIndex((q) => q.equals(p));
          const order = line.b.delivered.map((d) => indexOf(d.payload));
          expect(order).not.toContain(-1);
          for (let k = 1; k < order.length; k++) expect(order[k]).toBeGreaterThanOrEqual(order[k - 1]);
          line.b.delivered.forEach((d, k) => expect(d.repeat).toBe(k > 0 && order[k] === order[k - 1]));

          // a payload reported sent was delivered
          line.a.settled.forEach((s, i) => {
            if (s.outcome === 'sent') expect(order).toContain(i);
            else expect(s.reason === 'ack-timeout' || s.reason === 'nak').toBe(true);
            expect(s.attempts).toBeLessThanOrEqual(4);
          });

          // both ends are idle: no partial frame, no timer
          expect(line.a.timer).toBeNull();
          expect(line.b.timer).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with both ends sending at once: settled, in order, genuine, repeats flagged', () => {
    // Not asserted here: that a payload reported sent was delivered. With frames in both directions, a frame whose
    // STX (02) has one bit flipped arrives as an ACK (06) with nothing before it, and the other end may take it for
    // the answer to its own frame. hardware-notes.md gives the odds and why the upper layers cover it.
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.uint8Array({ maxLength: 150 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.uint8Array({ maxLength: 150 }), { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        (seed, bodiesA, bodiesB, corruptRate, ackLossRate) => {
          const line = lossyLine(seed, corruptRate, ackLossRate);
          const tag = (side: number, bodies: Uint8Array[]) =>
            bodies.map((b, i) => Buffer.concat([Buffer.of(side, i), b]));
          const fromA = tag(0xa0, bodiesA);
          const fromB = tag(0xb0, bodiesB);
          const idsA = fromA.map((p) => line.a.send(p));
          const idsB = fromB.map((p) => line.b.send(p));
          line.run();
          for (const [sender, ids, payloads] of [
            [line.a, idsA, fromA],
            [line.b, idsB, fromB],
          ] as const) {
            expect(sender.settled.map((s) => s.id)).toEqual(ids);
            const order = sender.peer.delivered.map((d) => payloads.findIndex((p) => p.equals(d.payload)));
            expect(order).not.toContain(-1);
            for (let k = 1; k < order.length; k++) expect(order[k]).toBeGreaterThanOrEqual(order[k - 1]);
            sender.peer.delivered.forEach((d, k) => expect(d.repeat).toBe(k > 0 && order[k] === order[k - 1]));
          }
          expect(line.a.timer).toBeNull();
          expect(line.b.timer).toBeNull();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('with a clean line, everything is sent once and delivered once', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 10 }),
        (seed, bodies) => {
          const line = lossyLine(seed, 0, 0);
          const payloads = bodies.map((b) => Buffer.from(b));
          payloads.forEach((p) => line.a.send(p));
          line.run();
          expect(line.a.settled.every((s) => s.outcome === 'sent' && s.attempts === 1)).toBe(true);
          expect(line.b.delivered.map((d) => d.payload)).toEqual(payloads);
        },
      ),
    );
  });
});
