import { ProtocolError } from '../errors.js';
import { ByteQueue } from './byte-queue.js';
import { resolveHeader, type LengthHeaderOption } from './headers.js';
import type { LengthHeader } from './length-header.js';
import { parseTpdu, TPDU_SIZE, type Tpdu } from './tpdu.js';

export interface Frame {
  /** The message bytes: the frame without its length header and TPDU. May be a view of a received chunk. */
  payload: Buffer;
  /** Present when the decoder expects TPDUs. */
  tpdu?: Tpdu;
  /** Stream offset of the frame's first byte (its length header). */
  offset: number;
}

export interface FrameDecoderOptions {
  header: LengthHeaderOption;
  /** Every frame starts with a 5-byte TPDU, counted by the length header. Default false. */
  tpdu?: boolean;
  /** Largest length a header may announce (TPDU included). Checked before any of the body is buffered. */
  maxFrameSize: number;
}

const OPTION_KEYS = new Set(['header', 'tpdu', 'maxFrameSize']);

/**
 * Splits a byte stream into frames, whatever the chunking. After a ProtocolError the stream can no longer be
 * trusted: the decoder keeps the error and throws it again on every later call, and the caller closes the connection.
 */
export class FrameDecoder {
  readonly header: LengthHeader;
  readonly tpdu: boolean;
  readonly maxFrameSize: number;

  #queue = new ByteQueue();
  /** Stream offset of the next byte `#queue` will give out. */
  #consumed = 0;
  /** Announced length of the frame whose header has been read, or -1 while waiting for a header. */
  #bodyLength = -1;
  #frameStart = 0;
  #error: ProtocolError | undefined;

  constructor(options: FrameDecoderOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw new TypeError(`unknown option "${key}"`);
    }
    this.header = resolveHeader(options.header);
    if (options.tpdu !== undefined && typeof options.tpdu !== 'boolean') {
      throw new TypeError('"tpdu" must be a boolean');
    }
    this.tpdu = options.tpdu ?? false;
    if (!Number.isSafeInteger(options.maxFrameSize) || options.maxFrameSize <= 0) {
      throw new TypeError('"maxFrameSize" must be a positive integer');
    }
    this.maxFrameSize = options.maxFrameSize;
  }

  /** The error that poisoned the decoder, if any. */
  get error(): ProtocolError | undefined {
    return this.#error;
  }

  /** True while part of a frame has been received. */
  get midFrame(): boolean {
    return this.#bodyLength >= 0 || this.#queue.length > 0;
  }

  /**
   * Adds a chunk and returns every frame it completes. On a framing error this throws, and frames completed earlier
   * in the same chunk are not returned; use `append` and `next` to get each frame before the error.
   */
  push(chunk: Buffer): Frame[] {
    this.append(chunk);
    const frames: Frame[] = [];
    for (let frame = this.next(); frame !== undefined; frame = this.next()) frames.push(frame);
    return frames;
  }

  /**
   * Adds a chunk without decoding; call `next` until it returns undefined before appending more. The decoder keeps
   * the chunk (payloads may be views of it), so the caller must not reuse it.
   */
  append(chunk: Buffer): void {
    if (this.#error) throw this.#error;
    this.#queue.append(chunk);
  }

  /** The next complete frame, or undefined when more bytes are needed. */
  next(): Frame | undefined {
    if (this.#error) throw this.#error;
    try {
      return this.#next();
    } catch (e) {
      if (e instanceof ProtocolError) {
        this.#error = e;
        this.#queue.clear();
      }
      throw e;
    }
  }

  /** Call at end of stream: throws TRUNCATED when the stream stopped inside a frame. */
  end(): void {
    if (this.#error) throw this.#error;
    if (this.midFrame) {
      const offset = this.#bodyLength >= 0 ? this.#frameStart : this.#consumed;
      this.#error = new ProtocolError('TRUNCATED', 'the stream ended inside a frame', { offset });
      this.#queue.clear();
      throw this.#error;
    }
  }

  #next(): Frame | undefined {
    const queue = this.#queue;
    if (this.#bodyLength < 0) {
      if (queue.length < this.header.size) return undefined;
      this.#frameStart = this.#consumed;
      this.#bodyLength = this.#readLength(this.#take(this.header.size));
    }
    if (queue.length < this.#bodyLength) return undefined;
    const offset = this.#frameStart;
    const body = this.#take(this.#bodyLength);
    this.#bodyLength = -1;
    if (!this.tpdu) return { payload: body, offset };
    let tpdu: Tpdu;
    try {
      tpdu = parseTpdu(body, 0);
    } catch (e) {
      throw relocate(e, offset + this.header.size);
    }
    return { payload: body.subarray(TPDU_SIZE), tpdu, offset };
  }

  #readLength(bytes: Buffer): number {
    const offset = this.#frameStart;
    let len: number;
    try {
      len = this.header.read(bytes, 0);
    } catch (e) {
      throw relocate(e, offset);
    }
    if (len > this.maxFrameSize) {
      throw new ProtocolError('FRAME_TOO_LARGE', `frame announces ${len} bytes, the maximum is ${this.maxFrameSize}`, {
        offset,
      });
    }
    const min = this.tpdu ? TPDU_SIZE : 1;
    if (len < min) {
      throw new ProtocolError(
        'FRAME_BAD_LENGTH',
        this.tpdu ? `frame announces ${len} bytes, less than its ${TPDU_SIZE}-byte TPDU` : 'frame announces 0 bytes',
        { offset },
      );
    }
    return len;
  }

  #take(n: number): Buffer {
    this.#consumed += n;
    return this.#queue.take(n);
  }
}

/** Errors from a header or TPDU parser carry offsets within their bytes; make them stream offsets. */
function relocate(e: unknown, offset: number): unknown {
  return e instanceof ProtocolError ? e.within({ offset }) : e;
}
