import { describe, it, expect } from 'vitest';
import { ProtocolError } from '../../../../protocol/errors.js';
import {
  encodeSerialFrame,
  lrc,
  SerialFrameDecoder,
  SerialFrameEncoder,
  type SerialFrameEvent,
  type SerialFrameOptions,
} from '../../../../protocol/framing/index.js';
import { hex } from '../hex.js';

/** Events with buffers as hex, for readable expectations. */
type Seen =
  | { type: 'frame'; payload: string; offset: number }
  | { type: 'corrupt'; reason: string; offset: number }
  | { type: 'noise'; bytes: string; offset: number };

function seen(events: SerialFrameEvent[]): Seen[] {
  return events.map((e) => {
    if (e.type === 'frame') return { type: 'frame', payload: e.payload.toString('hex'), offset: e.offset };
    if (e.type === 'noise') return { type: 'noise', bytes: e.bytes.toString('hex'), offset: e.offset };
    return e;
  });
}

function decode(chunks: Buffer[], options: SerialFrameOptions = {}): Seen[] {
  const decoder = new SerialFrameDecoder(options);
  return seen([...chunks.flatMap((c) => decoder.push(c)), ...decoder.flush()]);
}

/** Noise events merged, so the chunking of garbage does not matter to a comparison. */
function merged(events: Seen[]): Seen[] {
  const out: Seen[] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (e.type === 'noise' && last?.type === 'noise') last.bytes += e.bytes;
    else out.push({ ...e });
  }
  return out;
}

// "123" in a frame: LRC over 00 03 31 32 33 03 = 30.
const ONE_TWO_THREE = hex('02 00 03 31 32 33 03 30');
// A 51-byte TPDU + 0800 sign-on (the example of docs/terminal-interface.md), length 0051 in BCD, LRC 6B.
const SIGN_ON = hex(`
  02 00 51
  60 00 01 00 00 08 00 80 20 00 00 00 C0 00 00 04 00 00 00 00 00 00 00 00 00 01 54 45 52 4D
  30 30 30 31 4D 45 52 43 48 41 4E 54 30 30 30 30 30 30 31 00 01
  03 6B`);

describe('lrc', () => {
  it('is the XOR of the bytes from the seed', () => {
    expect(lrc(hex('00 03 31 32 33 03'))).toBe(0x30);
    expect(lrc(hex(''), 0x5a)).toBe(0x5a);
    expect(lrc(hex('ff 0f'), 0xff)).toBe(0x0f);
  });
});

describe('SerialFrameEncoder', () => {
  it('writes STX, the BCD length, the message, ETX and the LRC', () => {
    expect(encodeSerialFrame(Buffer.from('123'))).toEqual(ONE_TWO_THREE);
    expect(encodeSerialFrame(SIGN_ON.subarray(3, -2))).toEqual(SIGN_ON);
  });

  it('writes a 4-digit length as BCD', () => {
    const frame = encodeSerialFrame(Buffer.alloc(1234, 0x41), { maxFrameSize: 9999 });
    expect(frame.subarray(0, 3)).toEqual(hex('02 12 34'));
    expect(frame.length).toBe(1234 + 5);
  });

  it.each([
    ['length-to-etx', 0, '02 00 03 31 32 33 03 30'],
    ['message-to-etx', 0, '02 00 03 31 32 33 03 33'],
    ['stx-to-etx', 0, '02 00 03 31 32 33 03 32'],
    ['length-to-etx', 0xff, '02 00 03 31 32 33 03 cf'],
    ['message-to-etx', 0x10, '02 00 03 31 32 33 03 23'],
  ] as const)('covers %s with seed %i', (lrcCovers, lrcSeed, frame) => {
    const options = { lrcCovers, lrcSeed };
    expect(encodeSerialFrame(Buffer.from('123'), options)).toEqual(hex(frame));
    expect(decode([hex(frame)], options)).toEqual([{ type: 'frame', payload: '313233', offset: 0 }]);
  });

  it('refuses an empty message and one over maxFrameSize', () => {
    const encoder = new SerialFrameEncoder({ maxFrameSize: 10 });
    expect(() => encoder.encode(Buffer.alloc(0))).toThrow(ProtocolError);
    expect(() => encoder.encode(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'FRAME_BAD_LENGTH' }));
    expect(() => encoder.encode(Buffer.alloc(11))).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(encoder.encode(Buffer.alloc(10)).length).toBe(15);
  });
});

describe('serial frame options', () => {
  const cases: [unknown, string][] = [
    [{ lrcCovers: 'all' }, '"lrcCovers" must be one of length-to-etx, message-to-etx, stx-to-etx'],
    [{ lrcSeed: 256 }, '"lrcSeed" must be an integer from 0 to 255'],
    [{ lrcSeed: -1 }, '"lrcSeed" must be an integer from 0 to 255'],
    [{ lrcSeed: '0' }, '"lrcSeed" must be an integer from 0 to 255'],
    [{ maxFrameSize: 0 }, '"maxFrameSize" must be an integer from 1 to 9999'],
    [{ maxFrameSize: 10000 }, '"maxFrameSize" must be an integer from 1 to 9999'],
    [{ maxFrameSize: 1.5 }, '"maxFrameSize" must be an integer from 1 to 9999'],
    [{ lrc: 'length-to-etx' }, 'unknown option "lrc"'],
    [null, 'options must be an object'],
  ];
  it.each(cases)('%j is refused', (options, message) => {
    expect(() => new SerialFrameDecoder(options as SerialFrameOptions)).toThrow(new TypeError(message));
    expect(() => new SerialFrameEncoder(options as SerialFrameOptions)).toThrow(new TypeError(message));
  });

  it('defaults to length-to-etx, seed 0, 4096 bytes', () => {
    expect(new SerialFrameDecoder().options).toEqual({ lrcCovers: 'length-to-etx', lrcSeed: 0, maxFrameSize: 4096 });
  });
});

describe('SerialFrameDecoder', () => {
  it('decodes the fixtures', () => {
    expect(decode([ONE_TWO_THREE])).toEqual([{ type: 'frame', payload: '313233', offset: 0 }]);
    expect(decode([SIGN_ON])).toEqual([{ type: 'frame', payload: SIGN_ON.subarray(3, -2).toString('hex'), offset: 0 }]);
  });

  it('decodes frames split at every byte, and several frames in one chunk', () => {
    const stream = Buffer.concat([ONE_TWO_THREE, SIGN_ON, ONE_TWO_THREE]);
    const whole = decode([stream]);
    expect(whole.map((e) => e.type)).toEqual(['frame', 'frame', 'frame']);
    expect(whole.map((e) => e.offset)).toEqual([0, 8, 8 + SIGN_ON.length]);
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(decode([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    }
    expect(decode([...stream].map((b) => Buffer.of(b)))).toEqual(whole);
  });

  it('reports garbage before STX as noise and resynchronises on the STX', () => {
    const stream = Buffer.concat([hex('ff 00 41 06 15'), ONE_TWO_THREE, hex('99'), ONE_TWO_THREE]);
    const expected = [
      { type: 'noise', bytes: 'ff00410615', offset: 0 },
      { type: 'frame', payload: '313233', offset: 5 },
      { type: 'noise', bytes: '99', offset: 13 },
      { type: 'frame', payload: '313233', offset: 14 },
    ];
    expect(decode([stream])).toEqual(expected);
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(merged(decode([stream.subarray(0, cut), stream.subarray(cut)]))).toEqual(expected);
    }
  });

  it('reports a bad LRC as corrupt and carries on after the frame', () => {
    const bad = hex('02 00 03 31 32 33 03 31');
    expect(decode([Buffer.concat([bad, ONE_TWO_THREE])])).toEqual([
      { type: 'corrupt', reason: 'bad-lrc', offset: 0 },
      { type: 'frame', payload: '313233', offset: 8 },
    ]);
  });

  it('catches a corrupted message byte by the LRC', () => {
    const frame = Buffer.from(SIGN_ON);
    for (let i = 3; i < frame.length - 2; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        frame[i] ^= mask;
        expect(decode([frame])).toEqual([{ type: 'corrupt', reason: 'bad-lrc', offset: 0 }]);
        frame[i] ^= mask;
      }
    }
  });

  it('reports a length that is not BCD, or zero, as bad-length and hunts from the byte after STX', () => {
    expect(decode([hex('02 0a 03 31 32 33 03 30'), ONE_TWO_THREE])).toEqual([
      { type: 'corrupt', reason: 'bad-length', offset: 0 },
      { type: 'noise', bytes: '0a0331323303' + '30', offset: 1 },
      { type: 'frame', payload: '313233', offset: 8 },
    ]);
    expect(decode([hex('02 00 00 03 00')])).toEqual([
      { type: 'corrupt', reason: 'bad-length', offset: 0 },
      { type: 'noise', bytes: '00000300', offset: 1 },
    ]);
  });

  it('reports a length over maxFrameSize as too-large before buffering the body', () => {
    const decoder = new SerialFrameDecoder({ maxFrameSize: 2 });
    expect(seen(decoder.push(hex('02 00 03')))).toEqual([
      { type: 'corrupt', reason: 'too-large', offset: 0 },
      { type: 'noise', bytes: '0003', offset: 1 },
    ]);
    expect(decoder.midFrame).toBe(false);
  });

  it('reports a missing ETX as bad-etx, and finds a frame that began inside the bad one', () => {
    // The length says 5, so the byte at ETX's place is the next frame's "33": its STX was swallowed by the bad frame.
    const stream = hex('02 00 05 41 02 00 03 31 32 33 03 30');
    expect(decode([stream])).toEqual([
      { type: 'corrupt', reason: 'bad-etx', offset: 0 },
      { type: 'noise', bytes: '000541', offset: 1 },
      { type: 'frame', payload: '313233', offset: 4 },
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(merged(decode([stream.subarray(0, cut), stream.subarray(cut)]))).toEqual(decode([stream]));
    }
  });

  it('holds a partial frame across pushes and reports it as truncated on flush', () => {
    const decoder = new SerialFrameDecoder();
    expect(decoder.push(ONE_TWO_THREE.subarray(0, 5))).toEqual([]);
    expect(decoder.midFrame).toBe(true);
    expect(seen(decoder.flush())).toEqual([{ type: 'corrupt', reason: 'truncated', offset: 0 }]);
    expect(decoder.midFrame).toBe(false);
    expect(decoder.flush()).toEqual([]);
    expect(seen(decoder.push(ONE_TWO_THREE))).toEqual([{ type: 'frame', payload: '313233', offset: 5 }]);
  });

  it('accepts STX, ETX, ACK and NAK bytes inside the message (the length delimits it, not ETX)', () => {
    const message = hex('02 03 06 15 02 03');
    expect(decode([encodeSerialFrame(message)])).toEqual([{ type: 'frame', payload: '020306150203', offset: 0 }]);
  });

  it('hands out payloads that later pushes do not overwrite, and keeps no reference to the chunk', () => {
    const decoder = new SerialFrameDecoder();
    const chunk = Buffer.concat([hex('ee'), ONE_TWO_THREE]);
    const events = decoder.push(chunk);
    chunk.fill(0);
    decoder.push(encodeSerialFrame(Buffer.from('xyz')));
    expect(seen(events)).toEqual([
      { type: 'noise', bytes: 'ee', offset: 0 },
      { type: 'frame', payload: '313233', offset: 1 },
    ]);
  });
});
