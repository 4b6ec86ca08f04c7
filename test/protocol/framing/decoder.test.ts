import { describe, it, expect } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import {
  encodeFrame,
  FrameDecoder,
  LengthHeaders,
  tpdu,
  type Frame,
  type FrameDecoderOptions,
  type LengthHeaderKind,
} from '../../../protocol/framing/index.js';
import { hex } from './hex.js';

interface Seen {
  payload: string;
  tpdu?: { id: number; destination: number; source: number };
  offset: number;
}

const seen = (frames: Frame[]): Seen[] => frames.map((f) => ({ ...f, payload: f.payload.toString('hex') }));

function decodeChunks(options: FrameDecoderOptions, chunks: Buffer[]): Seen[] {
  const decoder = new FrameDecoder(options);
  const frames = chunks.flatMap((c) => decoder.push(c));
  decoder.end();
  return seen(frames);
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

function cutAt(stream: Buffer, cuts: number[]): Buffer[] {
  const bounds = [0, ...cuts, stream.length];
  return bounds.slice(1).map((end, i) => stream.subarray(bounds[i], end));
}

describe('FrameDecoder options', () => {
  it('requires maxFrameSize as a positive integer', () => {
    const message = '"maxFrameSize" must be a positive integer';
    for (const maxFrameSize of [undefined, 0, -1, 1.5, NaN, Infinity, '100', 2 ** 53]) {
      expect(() => new FrameDecoder({ header: 'binary2', maxFrameSize } as unknown as FrameDecoderOptions)).toThrow(
        new TypeError(message),
      );
    }
  });

  it('rejects a bad header, a non-boolean tpdu and unknown options', () => {
    expect(() => new FrameDecoder({ header: 'bcd4', maxFrameSize: 10 } as unknown as FrameDecoderOptions)).toThrow(
      /"header" must be one of/,
    );
    expect(
      () => new FrameDecoder({ header: 'bcd2', tpdu: 'yes', maxFrameSize: 10 } as unknown as FrameDecoderOptions),
    ).toThrow(new TypeError('"tpdu" must be a boolean'));
    expect(
      () => new FrameDecoder({ header: 'bcd2', tdpu: true, maxFrameSize: 10 } as unknown as FrameDecoderOptions),
    ).toThrow(new TypeError('unknown option "tdpu"'));
  });

  it('accepts a custom LengthHeader', () => {
    const decoder = new FrameDecoder({ header: LengthHeaders.binary4, maxFrameSize: 10 });
    expect(seen(decoder.push(hex('00 00 00 01 ab')))).toEqual([{ payload: 'ab', offset: 0 }]);
  });
});

describe('split anywhere', () => {
  // Three frames with TPDUs, lengths 10, 6 and 12 (TPDU + message), binary2 headers.
  const stream = hex(`
    00 0a  60 00 03 00 00  08 00 20 20 00
    00 06  60 00 00 00 03  ff
    00 0c  60 00 03 00 01  01 02 03 04 05 06 07
  `);
  const options: FrameDecoderOptions = { header: 'binary2', tpdu: true, maxFrameSize: 64 };
  const expected: Seen[] = [
    { payload: '0800202000', tpdu: { id: 0x60, destination: 3, source: 0 }, offset: 0 },
    { payload: 'ff', tpdu: { id: 0x60, destination: 0, source: 3 }, offset: 12 },
    { payload: '01020304050607', tpdu: { id: 0x60, destination: 3, source: 1 }, offset: 20 },
  ];

  it('decodes the stream in one chunk', () => {
    expect(decodeChunks(options, [stream])).toEqual(expected);
  });

  it('decodes the stream byte by byte', () => {
    expect(decodeChunks(options, cutAt(stream, [...Array(stream.length - 1).keys()].map((i) => i + 1)))).toEqual(
      expected,
    );
  });

  it('decodes the stream split at every byte boundary', () => {
    for (let i = 0; i <= stream.length; i++) {
      expect(decodeChunks(options, cutAt(stream, [i])), `cut at ${i}`).toEqual(expected);
    }
  });

  it('decodes the stream split at every pair of byte boundaries', () => {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        expect(decodeChunks(options, cutAt(stream, [i, j])), `cuts at ${i}, ${j}`).toEqual(expected);
      }
    }
  });

  const payloads = [hex('42'), Buffer.alloc(300, 0xa5), hex('01 02 03 04 05 06 07'), Buffer.alloc(0), hex('ab cd')];
  for (const kind of Object.keys(LengthHeaders) as LengthHeaderKind[]) {
    for (const withTpdu of [false, true]) {
      it(`${kind}${withTpdu ? ' with TPDU' : ''}: same frames however the stream is cut`, () => {
        const list = withTpdu ? payloads : payloads.filter((p) => p.length > 0);
        const frames = list.map((p, i) =>
          encodeFrame(p, withTpdu ? { header: kind, tpdu: tpdu(i, 0x100 + i) } : { header: kind }),
        );
        const all = Buffer.concat(frames);
        let offset = 0;
        const want = list.map((p, i) => {
          const frame: Seen = { payload: p.toString('hex'), offset };
          if (withTpdu) frame.tpdu = { id: 0x60, destination: i, source: 0x100 + i };
          offset += frames[i].length;
          return frame;
        });
        expect(offset).toBe(all.length);
        const opts: FrameDecoderOptions = { header: kind, tpdu: withTpdu, maxFrameSize: 400 };
        expect(decodeChunks(opts, [all])).toEqual(want);
        expect(decodeChunks(opts, [...all].map((b) => Buffer.from([b])))).toEqual(want);
        for (let i = 0; i <= all.length; i++) expect(decodeChunks(opts, cutAt(all, [i])), `cut at ${i}`).toEqual(want);
      });
    }
  }
});

describe('buffers', () => {
  it('gives zero-copy payloads when a frame lies in one chunk', () => {
    const chunk = hex('00 03 aa bb cc 00 01 dd');
    const [a, b] = new FrameDecoder({ header: 'binary2', maxFrameSize: 10 }).push(chunk);
    expect(a.payload.buffer).toBe(chunk.buffer);
    expect(a.payload.byteOffset).toBe(chunk.byteOffset + 2);
    expect(b.payload.byteOffset).toBe(chunk.byteOffset + 7);
  });

  it('does not copy again and again for a large frame in tiny chunks', () => {
    const payload = Buffer.alloc(256 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const stream = encodeFrame(payload, { header: 'binary4' });
    const decoder = new FrameDecoder({ header: 'binary4', maxFrameSize: payload.length });
    const frames: Frame[] = [];
    const started = performance.now();
    for (let i = 0; i < stream.length; i++) frames.push(...decoder.push(stream.subarray(i, i + 1)));
    // O(n^2) copying would be ~34 GB of memcpy here; linear is well under a second.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(frames).toHaveLength(1);
    expect(frames[0].payload.equals(payload)).toBe(true);
  });

  it('decodes many small frames from one chunk', () => {
    const stream = Buffer.concat(
      Array.from({ length: 10_000 }, (_, i) => encodeFrame(Buffer.from([i & 0xff]), { header: 'bcd2' })),
    );
    const frames = new FrameDecoder({ header: 'bcd2', maxFrameSize: 10 }).push(stream);
    expect(frames).toHaveLength(10_000);
    expect(frames[9_999]).toEqual({ payload: Buffer.from([9_999 & 0xff]), offset: 3 * 9_999 });
  });

  it('ignores empty chunks', () => {
    const decoder = new FrameDecoder({ header: 'binary2', maxFrameSize: 10 });
    expect(decoder.push(Buffer.alloc(0))).toEqual([]);
    expect(decoder.midFrame).toBe(false);
    expect(seen(decoder.push(hex('00 01 ab')))).toEqual([{ payload: 'ab', offset: 0 }]);
  });
});

describe('bad lengths', () => {
  it('rejects an oversize length from the header alone, before the body arrives', () => {
    const decoder = new FrameDecoder({ header: 'binary2', maxFrameSize: 100 });
    expect(decoder.push(hex('00 64'))).toEqual([]); // exactly the maximum is fine
    expect(decoder.push(Buffer.alloc(100)).length).toBe(1);
    const e = errorOf(() => decoder.push(hex('00 65')));
    expect(e.code).toBe('FRAME_TOO_LARGE');
    expect(e.offset).toBe(102);
  });

  it('rejects a 4 GB announcement on a binary4 stream', () => {
    const decoder = new FrameDecoder({ header: 'binary4', maxFrameSize: 1 << 20 });
    expect(decoder.push(hex('ff ff'))).toEqual([]);
    const e = errorOf(() => decoder.push(hex('ff ff')));
    expect(e.code).toBe('FRAME_TOO_LARGE');
    expect(e.offset).toBe(0);
    expect(e.detail).toBe('frame announces 4294967295 bytes, the maximum is 1048576');
  });

  it('counts the TPDU against maxFrameSize', () => {
    const decoder = new FrameDecoder({ header: 'binary2', tpdu: true, maxFrameSize: 8 });
    expect(decoder.push(hex('00 08 60 00 01 00 02 aa bb cc')).length).toBe(1);
    expect(errorOf(() => decoder.push(hex('00 09'))).code).toBe('FRAME_TOO_LARGE');
  });

  it('rejects a zero-length frame', () => {
    const decoder = new FrameDecoder({ header: 'binary2', maxFrameSize: 10 });
    decoder.push(hex('00 01 ab'));
    const e = errorOf(() => decoder.push(hex('00 00')));
    expect(e.code).toBe('FRAME_BAD_LENGTH');
    expect(e.offset).toBe(3);
  });

  it('rejects a length shorter than the TPDU, and accepts a TPDU with an empty message', () => {
    const ok = new FrameDecoder({ header: 'bcd2', tpdu: true, maxFrameSize: 10 });
    expect(seen(ok.push(hex('00 05 60 00 03 00 00')))).toEqual([
      { payload: '', tpdu: { id: 0x60, destination: 3, source: 0 }, offset: 0 },
    ]);
    for (const bytes of ['00 00', '00 04']) {
      const decoder = new FrameDecoder({ header: 'bcd2', tpdu: true, maxFrameSize: 10 });
      expect(errorOf(() => decoder.push(hex(bytes))).code).toBe('FRAME_BAD_LENGTH');
    }
  });

  it('reports a bad BCD header at the stream offset of the bad byte, however split', () => {
    for (const chunks of [[hex('00 01 ab 00 0f')], [hex('00 01 ab 00'), hex('0f')]]) {
      const decoder = new FrameDecoder({ header: 'bcd2', maxFrameSize: 100 });
      const e = errorOf(() => chunks.forEach((c) => decoder.push(c)));
      expect(e.code).toBe('FRAME_BAD_LENGTH');
      expect(e.offset).toBe(4);
    }
  });

  it('reports bad ASCII digits', () => {
    const decoder = new FrameDecoder({ header: 'ascii4', maxFrameSize: 100 });
    expect(seen(decoder.push(hex('30 30 30 32 ab cd')))).toEqual([{ payload: 'abcd', offset: 0 }]);
    const e = errorOf(() => decoder.push(hex('30 30 20 35')));
    expect(e.code).toBe('FRAME_BAD_LENGTH');
    expect(e.offset).toBe(8);
  });

  it('reports a bad TPDU at its stream offset', () => {
    const decoder = new FrameDecoder({ header: 'binary2', tpdu: true, maxFrameSize: 100 });
    decoder.push(hex('00 06 60 00 03 00 00 ab'));
    const e = errorOf(() => decoder.push(hex('00 06 61 00 03 00 00 ab')));
    expect(e.code).toBe('BAD_TPDU');
    expect(e.offset).toBe(10);
  });
});

describe('poisoned after an error', () => {
  it('throws the same error on every later call', () => {
    const decoder = new FrameDecoder({ header: 'binary2', maxFrameSize: 10 });
    const first = errorOf(() => decoder.push(hex('ff ff')));
    expect(decoder.error).toBe(first);
    expect(() => decoder.push(hex('00 01 ab'))).toThrow(first);
    expect(errorOf(() => decoder.push(hex('00 01 ab')))).toBe(first);
    expect(errorOf(() => decoder.append(hex('00')))).toBe(first);
    expect(errorOf(() => decoder.next())).toBe(first);
    expect(errorOf(() => decoder.end())).toBe(first);
  });

  it('push drops frames before the error in the same chunk; next() gives them first', () => {
    const chunk = hex('00 01 aa 00 01 bb 00 00');
    const pushed = new FrameDecoder({ header: 'binary2', maxFrameSize: 10 });
    expect(errorOf(() => pushed.push(chunk)).code).toBe('FRAME_BAD_LENGTH');

    const pulled = new FrameDecoder({ header: 'binary2', maxFrameSize: 10 });
    pulled.append(chunk);
    expect(pulled.next()?.payload).toEqual(hex('aa'));
    expect(pulled.next()?.payload).toEqual(hex('bb'));
    expect(errorOf(() => pulled.next()).offset).toBe(6);
  });
});

describe('end of stream', () => {
  it('is fine between frames', () => {
    const decoder = new FrameDecoder({ header: 'binary2', maxFrameSize: 10 });
    decoder.push(hex('00 01 ab'));
    expect(() => decoder.end()).not.toThrow();
  });

  it('is TRUNCATED inside a header or a body, at the frame start', () => {
    for (const [bytes, offset] of [
      ['00 01 ab 00', 3],
      ['00 01 ab 00 02', 3],
      ['00 01 ab 00 02 cd', 3],
    ] as const) {
      const decoder = new FrameDecoder({ header: 'binary2', maxFrameSize: 10 });
      decoder.push(hex(bytes));
      expect(decoder.midFrame).toBe(true);
      const e = errorOf(() => decoder.end());
      expect(e.code).toBe('TRUNCATED');
      expect(e.offset).toBe(offset);
    }
  });
});
