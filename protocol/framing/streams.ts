import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import { FrameDecoder, type FrameDecoderOptions } from './decoder.js';
import { FrameEncoder } from './encoder.js';
import type { LengthHeaderOption } from './headers.js';
import type { Tpdu } from './tpdu.js';

/**
 * Bytes in, `Frame` objects out. A framing error destroys the stream with the ProtocolError, after every frame
 * before it has been pushed; so does an end of input inside a frame (TRUNCATED).
 */
export class FrameDecoderStream extends Transform {
  readonly decoder: FrameDecoder;

  constructor(options: FrameDecoderOptions, streamOptions: TransformOptions = {}) {
    super({ ...streamOptions, readableObjectMode: true, writableObjectMode: false });
    this.decoder = new FrameDecoder(options);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder.append(chunk);
      for (let frame = this.decoder.next(); frame !== undefined; frame = this.decoder.next()) this.push(frame);
    } catch (e) {
      callback(e as Error);
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.end();
    } catch (e) {
      callback(e as Error);
      return;
    }
    callback();
  }
}

/** What FrameEncoderStream accepts: a bare payload, or a payload with its TPDU (a decoded `Frame` will do). */
export type FrameInput = Buffer | { payload: Buffer; tpdu?: Tpdu };

export interface FrameEncoderStreamOptions {
  header: LengthHeaderOption;
  /** TPDU for inputs that carry none. */
  tpdu?: Tpdu;
}

/** Payloads (or `{ payload, tpdu }` objects) in, framed bytes out. */
export class FrameEncoderStream extends Transform {
  readonly encoder: FrameEncoder;
  readonly tpdu: Tpdu | undefined;

  constructor(options: FrameEncoderStreamOptions, streamOptions: TransformOptions = {}) {
    super({ ...streamOptions, writableObjectMode: true, readableObjectMode: false });
    this.encoder = new FrameEncoder({ header: options.header });
    this.tpdu = options.tpdu;
  }

  override _transform(input: FrameInput, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const frame = Buffer.isBuffer(input)
        ? this.encoder.encode(input, this.tpdu)
        : this.encoder.encode(input.payload, input.tpdu ?? this.tpdu);
      callback(null, frame);
    } catch (e) {
      callback(e as Error);
    }
  }
}
