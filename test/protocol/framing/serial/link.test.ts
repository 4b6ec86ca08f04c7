import { describe, it, expect } from 'vitest';
import {
  encodeSerialFrame,
  SerialLink,
  type LinkAction,
  type SerialLinkOptions,
} from '../../../../protocol/framing/index.js';
import { hex } from '../hex.js';
import { Line } from './line.js';

const ACK = hex('06');
const NAK = hex('15');
const MSG = Buffer.from('0800 sign-on');
const FRAME = encodeSerialFrame(MSG);

/** Actions with buffers as hex. */
function show(actions: LinkAction[]): unknown[] {
  return actions.map((a) => {
    if (a.type === 'write') return { ...a, bytes: a.bytes.toString('hex') };
    if (a.type === 'deliver') return { ...a, payload: a.payload.toString() };
    return a;
  });
}

const frameWrite = (id: number, attempt: number, frame = FRAME) => ({
  type: 'write',
  what: 'frame',
  bytes: frame.toString('hex'),
  id,
  attempt,
});
const ackWrite = { type: 'write', what: 'ack', bytes: '06' };
const nakWrite = { type: 'write', what: 'nak', bytes: '15' };

function corrupt(frame: Buffer, at: number, mask = 0x01): Buffer {
  const out = Buffer.from(frame);
  out[at] ^= mask;
  return out;
}

describe('SerialLink options', () => {
  const cases: [unknown, string][] = [
    [{ retries: -1 }, '"retries" must be an integer from 0 to 100'],
    [{ retries: 1.5 }, '"retries" must be an integer from 0 to 100'],
    [{ ackTimeoutMs: 0 }, '"ackTimeoutMs" must be an integer number of milliseconds from 1 to 3600000'],
    [{ ackTimeoutMs: '2000' }, '"ackTimeoutMs" must be an integer number of milliseconds from 1 to 3600000'],
    [{ interCharTimeoutMs: NaN }, '"interCharTimeoutMs" must be an integer number of milliseconds from 1 to 3600000'],
    [{ lrcSeed: 300 }, '"lrcSeed" must be an integer from 0 to 255'],
    [{ lrcCovers: 'etx' }, '"lrcCovers" must be one of length-to-etx, message-to-etx, stx-to-etx'],
    [{ retry: 3 }, 'unknown option "retry"'],
  ];
  it.each(cases)('%j is refused', (options, message) => {
    expect(() => new SerialLink(options as SerialLinkOptions)).toThrow(new TypeError(message));
  });

  it('has the documented defaults', () => {
    expect(new SerialLink().options).toEqual({
      lrcCovers: 'length-to-etx',
      lrcSeed: 0,
      maxFrameSize: 4096,
      retries: 3,
      ackTimeoutMs: 2000,
      interCharTimeoutMs: 500,
    });
  });

  it('refuses a non-finite now', () => {
    expect(() => new SerialLink().tick(NaN)).toThrow(new TypeError('"now" must be a finite number of milliseconds'));
  });
});

describe('SerialLink sending', () => {
  it('writes the frame, arms the ACK timer, and settles on ACK', () => {
    const link = new SerialLink();
    const { id, actions } = link.send(MSG, 1000);
    expect(id).toBe(1);
    expect(show(actions)).toEqual([frameWrite(1, 1), { type: 'timer', at: 3000 }]);
    expect(link.pending).toBe(1);
    expect(show(link.receive(ACK, 1100))).toEqual([{ type: 'sent', id: 1, attempts: 1 }, { type: 'timer', at: null }]);
    expect(link.pending).toBe(0);
  });

  it('keeps one frame in flight and sends the next after the ACK', () => {
    const link = new SerialLink();
    const second = encodeSerialFrame(Buffer.from('second'));
    expect(show(link.send(MSG, 0).actions)).toEqual([frameWrite(1, 1), { type: 'timer', at: 2000 }]);
    expect(show(link.send(Buffer.from('second'), 10).actions)).toEqual([]);
    expect(link.pending).toBe(2);
    expect(show(link.receive(ACK, 100))).toEqual([
      { type: 'sent', id: 1, attempts: 1 },
      frameWrite(2, 1, second),
      { type: 'timer', at: 2100 },
    ]);
  });

  it('retransmits after a NAK', () => {
    const link = new SerialLink();
    link.send(MSG, 0);
    expect(show(link.receive(NAK, 50))).toEqual([frameWrite(1, 2), { type: 'timer', at: 2050 }]);
    expect(show(link.receive(ACK, 80))).toEqual([{ type: 'sent', id: 1, attempts: 2 }, { type: 'timer', at: null }]);
  });

  it('retransmits after an ACK timeout, 3 times, then fails with ack-timeout', () => {
    const link = new SerialLink();
    link.send(MSG, 0);
    expect(show(link.tick(1999))).toEqual([]);
    expect(show(link.tick(2000))).toEqual([frameWrite(1, 2), { type: 'timer', at: 4000 }]);
    expect(show(link.tick(4000))).toEqual([frameWrite(1, 3), { type: 'timer', at: 6000 }]);
    expect(show(link.tick(6000))).toEqual([frameWrite(1, 4), { type: 'timer', at: 8000 }]);
    expect(show(link.tick(8000))).toEqual([
      { type: 'failed', id: 1, reason: 'ack-timeout', attempts: 4 },
      { type: 'timer', at: null },
    ]);
    expect(link.stats).toMatchObject({ framesSent: 1, retransmissions: 3, ackTimeouts: 4, failed: 1 });
  });

  it('fails with nak when every attempt is NAKed, and moves on to the next frame', () => {
    const link = new SerialLink({ retries: 1 });
    link.send(MSG, 0);
    link.send(Buffer.from('next'), 0);
    expect(show(link.receive(NAK, 10))).toEqual([frameWrite(1, 2), { type: 'timer', at: 2010 }]);
    expect(show(link.receive(NAK, 20))).toEqual([
      { type: 'failed', id: 1, reason: 'nak', attempts: 2 },
      frameWrite(2, 1, encodeSerialFrame(Buffer.from('next'))),
      { type: 'timer', at: 2020 },
    ]);
  });

  it('with retries 0 fails on the first NAK', () => {
    const link = new SerialLink({ retries: 0 });
    link.send(MSG, 0);
    expect(show(link.receive(NAK, 10))).toEqual([
      { type: 'failed', id: 1, reason: 'nak', attempts: 1 },
      { type: 'timer', at: null },
    ]);
  });

  it('ignores an ACK or NAK with nothing in flight', () => {
    const link = new SerialLink();
    expect(link.receive(hex('06 15'), 0)).toEqual([]);
    expect(link.stats.strayControl).toBe(2);
  });

  it('does not take an ACK that follows line garbage for an answer', () => {
    const link = new SerialLink();
    link.send(MSG, 0);
    // 41 06: the 06 comes with garbage, as from the body of a frame whose STX was lost.
    expect(link.receive(hex('41 06'), 100)).toEqual([]);
    expect(link.receive(ACK, 599)).toEqual([]);
    expect(show(link.receive(ACK, 1099))).toEqual([{ type: 'sent', id: 1, attempts: 1 }, { type: 'timer', at: null }]);
  });

  it('fails the frame in flight and the queued ones on reset', () => {
    const link = new SerialLink();
    link.send(MSG, 0);
    link.send(Buffer.from('queued'), 0);
    expect(show(link.reset())).toEqual([
      { type: 'failed', id: 1, reason: 'reset', attempts: 1 },
      { type: 'failed', id: 2, reason: 'reset', attempts: 0 },
      { type: 'timer', at: null },
    ]);
    expect(link.pending).toBe(0);
    expect(link.send(MSG, 10).id).toBe(3);
  });

  it('refuses an empty or oversized message and queues nothing', () => {
    const link = new SerialLink({ maxFrameSize: 4 });
    expect(() => link.send(Buffer.alloc(0), 0)).toThrow(expect.objectContaining({ code: 'FRAME_BAD_LENGTH' }));
    expect(() => link.send(Buffer.alloc(5), 0)).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(link.pending).toBe(0);
  });
});

describe('SerialLink receiving', () => {
  it('ACKs and delivers a good frame, however it is split', () => {
    for (let cut = 0; cut <= FRAME.length; cut++) {
      const link = new SerialLink();
      const actions = [...link.receive(FRAME.subarray(0, cut), 0), ...link.receive(FRAME.subarray(cut), 10)];
      expect(show(actions.filter((a) => a.type !== 'timer'))).toEqual([
        ackWrite,
        { type: 'deliver', payload: MSG.toString(), repeat: false },
      ]);
    }
  });

  it('NAKs a frame with a bad LRC at once, and delivers nothing', () => {
    const link = new SerialLink();
    expect(show(link.receive(corrupt(FRAME, 5), 0))).toEqual([nakWrite]);
    expect(link.stats.corruptFrames).toBe(1);
  });

  it('after a bad length, drops bytes until the line is quiet, then NAKs once', () => {
    const link = new SerialLink();
    const bad = corrupt(FRAME, 2, 0x0f); // the length's low digit becomes a non-BCD nibble
    expect(show(link.receive(bad.subarray(0, 10), 0))).toEqual([{ type: 'timer', at: 500 }]);
    // The rest of the bad frame, and even a good frame, arrive while draining: dropped.
    expect(show(link.receive(Buffer.concat([bad.subarray(10), FRAME]), 300))).toEqual([{ type: 'timer', at: 800 }]);
    expect(show(link.tick(799))).toEqual([]);
    expect(show(link.tick(800))).toEqual([nakWrite, { type: 'timer', at: null }]);
    expect(link.receive(FRAME, 900).filter((a) => a.type === 'deliver')).toHaveLength(1);
  });

  it('drops a stalled frame after interCharTimeoutMs and NAKs it', () => {
    const link = new SerialLink({ interCharTimeoutMs: 100 });
    expect(show(link.receive(FRAME.subarray(0, 6), 0))).toEqual([{ type: 'timer', at: 100 }]);
    expect(show(link.receive(FRAME.subarray(6, 8), 50))).toEqual([{ type: 'timer', at: 150 }]);
    expect(show(link.tick(150))).toEqual([nakWrite, { type: 'timer', at: null }]);
    expect(link.stats).toMatchObject({ stalledFrames: 1, corruptFrames: 1, naksSent: 1 });
    // the tail of the stalled frame is garbage now; the next whole frame gets through
    const actions = link.receive(Buffer.concat([FRAME.subarray(8), FRAME]), 400);
    expect(show(actions.filter((a) => a.type === 'deliver'))).toEqual([
      { type: 'deliver', payload: MSG.toString(), repeat: false },
    ]);
  });

  it('flags a frame byte-identical to the last delivered one as a repeat, and still ACKs and delivers it', () => {
    const link = new SerialLink();
    const other = encodeSerialFrame(Buffer.from('other'));
    const delivered = [FRAME, FRAME, other, FRAME].flatMap((f, i) =>
      link.receive(f, i * 10).filter((a) => a.type === 'deliver'),
    );
    expect(delivered.map((a) => a.type === 'deliver' && a.repeat)).toEqual([false, true, false, false]);
    expect(link.stats).toMatchObject({ delivered: 4, repeats: 1, acksSent: 4 });
  });

  it('remembers the last delivered message across a reset', () => {
    const link = new SerialLink();
    link.receive(FRAME, 0);
    link.reset();
    expect(show(link.receive(FRAME, 10))).toContainEqual({ type: 'deliver', payload: MSG.toString(), repeat: true });
  });
});

describe('SerialLink over a simulated line', () => {
  it('a corrupted byte: NAK, retransmission, delivered once', () => {
    let hits = 0;
    const line = new Line(
      {},
      { fault: (w) => (w.what === 'frame' && hits++ === 0 ? corrupt(w.bytes, 10, 0x40) : w.bytes) },
    );
    line.a.send(MSG);
    line.run();
    expect(line.b.delivered.map((d) => [d.payload.toString(), d.repeat])).toEqual([[MSG.toString(), false]]);
    expect(line.a.settled).toEqual([{ id: 1, outcome: 'sent', attempts: 2 }]);
    expect(line.b.writes.map((w) => w.what)).toEqual(['nak', 'ack']);
    expect(line.now).toBeLessThan(100);
  });

  it('a dropped ACK: retransmission after the timeout, the receiver sees a repeat and ACKs it', () => {
    let acks = 0;
    const line = new Line({}, { fault: (w) => (w.what === 'ack' && acks++ === 0 ? null : w.bytes) });
    line.a.send(MSG);
    line.run();
    expect(line.b.delivered.map((d) => [d.payload.toString(), d.repeat])).toEqual([
      [MSG.toString(), false],
      [MSG.toString(), true],
    ]);
    expect(line.b.writes.map((w) => w.what)).toEqual(['ack', 'ack']);
    expect(line.a.settled).toEqual([{ id: 1, outcome: 'sent', attempts: 2 }]);
    expect(line.b.delivered[1].at).toBeGreaterThanOrEqual(2000);
  });

  it('a corrupted length: the receiver waits for a quiet line, NAKs, and the retransmission gets through', () => {
    let hits = 0;
    const line = new Line(
      {},
      { fault: (w) => (w.what === 'frame' && hits++ === 0 ? corrupt(w.bytes, 1, 0x10) : w.bytes) },
    );
    line.a.send(MSG);
    line.run();
    expect(line.b.delivered).toHaveLength(1);
    expect(line.a.settled).toEqual([{ id: 1, outcome: 'sent', attempts: 2 }]);
    expect(line.b.writes.map((w) => w.what)).toEqual(['nak', 'ack']);
  });

  it('a dead line: 1 attempt and 3 retries, then failed', () => {
    const line = new Line({}, { fault: () => null });
    line.a.send(MSG);
    line.run();
    expect(line.a.settled).toEqual([{ id: 1, outcome: 'failed', reason: 'ack-timeout', attempts: 4 }]);
    expect(line.a.writes.map((w) => (w.what === 'frame' ? w.attempt : 0))).toEqual([1, 2, 3, 4]);
    expect(line.now).toBe(8000);
    expect(line.b.delivered).toEqual([]);
  });

  it('every ACK lost: delivered 4 times (3 flagged repeat), and the sender is told it failed', () => {
    const line = new Line({}, { fault: (w) => (w.what === 'ack' ? null : w.bytes) });
    line.a.send(MSG);
    line.run();
    expect(line.b.delivered.map((d) => d.repeat)).toEqual([false, true, true, true]);
    expect(line.a.settled).toEqual([{ id: 1, outcome: 'failed', reason: 'ack-timeout', attempts: 4 }]);
  });

  it('a request and a response cross, each ACKed, in both directions at once', () => {
    const line = new Line();
    line.a.send(Buffer.from('request'));
    line.b.send(Buffer.from('unsolicited'));
    line.run();
    expect(line.b.delivered.map((d) => d.payload.toString())).toEqual(['request']);
    expect(line.a.delivered.map((d) => d.payload.toString())).toEqual(['unsolicited']);
    expect(line.a.settled).toEqual([{ id: 1, outcome: 'sent', attempts: 1 }]);
    expect(line.b.settled).toEqual([{ id: 1, outcome: 'sent', attempts: 1 }]);
  });
});
