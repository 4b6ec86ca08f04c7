import { describe, it, expect } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProtocolError } from '../../../protocol/errors.js';
import {
  FrameDecoderStream,
  FrameEncoderStream,
  replyTpdu,
  tpdu,
  type Frame,
  type FrameInput,
} from '../../../protocol/framing/index.js';
import { hex } from './hex.js';

function collect<T>(into: T[]): Writable {
  return new Writable({
    objectMode: true,
    write(item: T, _enc, cb) {
      into.push(item);
      cb();
    },
  });
}

/** Re-chunks a byte stream into single bytes, as a slow network would. */
async function* byteByByte(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of src) for (const b of chunk) yield Buffer.from([b]);
}

describe('stream wrappers', () => {
  it('encodes, re-chunks and decodes through a pipeline', async () => {
    const inputs: FrameInput[] = [
      hex('08 00 20 20 00'),
      { payload: hex('ff'), tpdu: tpdu(0x0000, 0x0003) },
      hex('01 02 03 04 05 06 07'),
    ];
    const frames: Frame[] = [];
    await pipeline(
      Readable.from(inputs),
      new FrameEncoderStream({ header: 'bcd2', tpdu: tpdu(0x0003, 0x0000) }),
      byteByByte,
      new FrameDecoderStream({ header: 'bcd2', tpdu: true, maxFrameSize: 100 }),
      collect(frames),
    );
    expect(frames.map((f) => [f.payload.toString('hex'), f.tpdu, f.offset])).toEqual([
      ['0800202000', { id: 0x60, destination: 3, source: 0 }, 0],
      ['ff', { id: 0x60, destination: 0, source: 3 }, 12],
      ['01020304050607', { id: 0x60, destination: 3, source: 0 }, 20],
    ]);
  });

  it('writes the expected bytes', async () => {
    const out: Buffer[] = [];
    await pipeline(
      Readable.from([hex('ab cd')]),
      new FrameEncoderStream({ header: 'ascii4', tpdu: tpdu(0x0003, 0x0000) }),
      collect(out),
    );
    expect(Buffer.concat(out)).toEqual(hex('30 30 30 37  60 00 03 00 00  ab cd'));
  });

  it('echoes decoded frames back with the reply TPDU', async () => {
    const out: Buffer[] = [];
    await pipeline(
      Readable.from([hex('00 07 60 00 03 00 11 ab cd')]),
      new FrameDecoderStream({ header: 'binary2', tpdu: true, maxFrameSize: 100 }),
      async function* (frames: AsyncIterable<Frame>) {
        for await (const f of frames) yield { payload: f.payload, tpdu: f.tpdu && replyTpdu(f.tpdu) };
      },
      new FrameEncoderStream({ header: 'binary2' }),
      collect(out),
    );
    expect(Buffer.concat(out)).toEqual(hex('00 07 60 00 11 00 03 ab cd'));
  });

  it('emits the frames before a framing error, then fails the pipeline with it', async () => {
    const frames: Frame[] = [];
    const run = pipeline(
      Readable.from([hex('00 01 aa 00 01 bb ff ff')]),
      new FrameDecoderStream({ header: 'binary2', maxFrameSize: 100 }),
      collect(frames),
    );
    const e = await run.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e).toMatchObject({ code: 'FRAME_TOO_LARGE', offset: 6 });
    expect(frames.map((f) => f.payload.toString('hex'))).toEqual(['aa', 'bb']);
  });

  it('fails with TRUNCATED when the input ends inside a frame', async () => {
    await expect(
      pipeline(
        Readable.from([hex('00 03 aa')]),
        new FrameDecoderStream({ header: 'binary2', maxFrameSize: 100 }),
        collect([]),
      ),
    ).rejects.toMatchObject({ code: 'TRUNCATED', offset: 0 });
  });

  it('checks options in the constructor', () => {
    expect(() => new FrameDecoderStream({ header: 'binary2' } as never)).toThrow(
      new TypeError('"maxFrameSize" must be a positive integer'),
    );
    expect(() => new FrameEncoderStream({ header: 'nope' } as never)).toThrow(TypeError);
  });

  it('fails when a payload does not fit the header', async () => {
    await expect(
      pipeline(Readable.from([Buffer.alloc(10_000)]), new FrameEncoderStream({ header: 'bcd2' }), collect([])),
    ).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
  });
});
