import { SERIAL_FRAME_OVERHEAD, SERIAL_MESSAGE_OFFSET, SerialControl } from './control.js';
import { frameLrc } from './lrc.js';
import {
  checkOptionKeys,
  resolveFrameOptions,
  SERIAL_FRAME_OPTION_KEYS,
  type ResolvedSerialFrameOptions,
  type SerialFrameOptions,
} from './options.js';

/** Why a frame that started with STX was not accepted. A link layer answers NAK to each. */
export const CorruptReasons = {
  'bad-length': 'the 2 length bytes are not BCD digits, or announce 0 bytes',
  'too-large': 'the length announces more than maxFrameSize bytes',
  'bad-etx': 'the byte after the announced message is not ETX',
  'bad-lrc': 'the LRC byte does not match the bytes it covers',
  truncated: 'the bytes stopped inside the frame (flush, or a stall seen by the link layer)',
} as const;
export type CorruptReason = keyof typeof CorruptReasons;

/**
 * What the decoder makes of the bytes, in stream order. `offset` is the stream offset of the first byte: of the
 * frame's STX for `frame` and `corrupt`.
 */
export type SerialFrameEvent =
  /** A frame that checked out. `payload` is the message, a view of a buffer the decoder no longer uses. */
  | { type: 'frame'; payload: Buffer; offset: number }
  | { type: 'corrupt'; reason: CorruptReason; offset: number }
  /** Bytes outside any frame: line garbage, or the ACK/NAK bytes a link layer looks for. */
  | { type: 'noise'; bytes: Buffer; offset: number };

interface Input {
  buf: Buffer;
  /** Stream offset of buf[0]. */
  off: number;
}

/**
 * Splits a byte stream into `STX | length (2 BCD) | message | ETX | LRC` frames, whatever the chunking. It never
 * throws on bad bytes: garbage before an STX is reported as noise, and a frame that fails a check is reported as
 * corrupt. After a bad length or a missing ETX the frame's extent is unknown, so the decoder hunts for the next STX
 * from the byte after the bad frame's STX; after a bad LRC (ETX in place) it resumes after the LRC byte.
 */
export class SerialFrameDecoder {
  readonly options: ResolvedSerialFrameOptions;

  /** The frame being received, STX first: 3 bytes until the length is known, then the whole frame. */
  #frame: Buffer | null = null;
  #filled = 0;
  /** Announced message length, or -1 while the length bytes are being received. */
  #length = -1;
  #frameOffset = 0;
  /** Stream offset of the next byte pushed. */
  #offset = 0;

  constructor(options: SerialFrameOptions = {}) {
    checkOptionKeys(options, SERIAL_FRAME_OPTION_KEYS);
    this.options = resolveFrameOptions(options);
  }

  /** True between an STX and the end of its frame. */
  get midFrame(): boolean {
    return this.#frame !== null;
  }

  /** Adds a chunk and returns what it completes. Payloads are copies: the caller may reuse the chunk. */
  push(chunk: Buffer): SerialFrameEvent[] {
    const events: SerialFrameEvent[] = [];
    const work: Input[] = [{ buf: chunk, off: this.#offset }];
    this.#offset += chunk.length;
    for (let input = work.shift(); input !== undefined; input = work.shift()) {
      const rescan = this.#scan(input, events);
      if (rescan !== undefined) work.unshift(...rescan);
    }
    return events;
  }

  /** Drops a partial frame, reporting it as `truncated`. Call at end of input, or when the line stalls mid-frame. */
  flush(): SerialFrameEvent[] {
    if (this.#frame === null) return [];
    const event: SerialFrameEvent = { type: 'corrupt', reason: 'truncated', offset: this.#frameOffset };
    this.reset();
    return [event];
  }

  /** Drops a partial frame without reporting it. */
  reset(): void {
    this.#frame = null;
    this.#filled = 0;
    this.#length = -1;
  }

  /** Consumes `input`; returns the inputs to scan next when a bad frame's bytes must be scanned again for an STX. */
  #scan({ buf, off }: Input, events: SerialFrameEvent[]): Input[] | undefined {
    let i = 0;
    while (i < buf.length) {
      if (this.#frame === null) {
        const stx = buf.indexOf(SerialControl.STX, i);
        const end = stx < 0 ? buf.length : stx;
        if (end > i) pushNoise(events, buf.subarray(i, end), off + i);
        if (stx < 0) return undefined;
        this.#frame = Buffer.allocUnsafe(SERIAL_MESSAGE_OFFSET);
        this.#frame[0] = SerialControl.STX;
        this.#filled = 1;
        this.#frameOffset = off + stx;
        i = stx + 1;
        continue;
      }
      if (this.#length < 0) {
        this.#frame[this.#filled++] = buf[i++];
        if (this.#filled < SERIAL_MESSAGE_OFFSET) continue;
        const reason = this.#startBody();
        if (reason !== undefined) return this.#reject(reason, events, buf.subarray(i), off + i);
        continue;
      }
      const frame = this.#frame;
      const etxAt = SERIAL_MESSAGE_OFFSET + this.#length;
      const target = this.#filled <= etxAt ? etxAt + 1 : frame.length;
      const n = Math.min(target - this.#filled, buf.length - i);
      buf.copy(frame, this.#filled, i, i + n);
      this.#filled += n;
      i += n;
      if (this.#filled === etxAt + 1 && frame[etxAt] !== SerialControl.ETX) {
        return this.#reject('bad-etx', events, buf.subarray(i), off + i);
      }
      if (this.#filled === frame.length) this.#finish(events);
    }
    return undefined;
  }

  /** With the 3 header bytes in: checks the length and makes room for the frame; a reason when the length is bad. */
  #startBody(): CorruptReason | undefined {
    const head = this.#frame as Buffer;
    let length = 0;
    for (let k = 1; k < SERIAL_MESSAGE_OFFSET; k++) {
      const hi = head[k] >> 4;
      const lo = head[k] & 0x0f;
      if (hi > 9 || lo > 9) return 'bad-length';
      length = length * 100 + hi * 10 + lo;
    }
    if (length === 0) return 'bad-length';
    if (length > this.options.maxFrameSize) return 'too-large';
    const frame = Buffer.allocUnsafe(length + SERIAL_FRAME_OVERHEAD);
    head.copy(frame, 0);
    this.#frame = frame;
    this.#length = length;
    return undefined;
  }

  #finish(events: SerialFrameEvent[]): void {
    const frame = this.#frame as Buffer;
    const length = this.#length;
    const offset = this.#frameOffset;
    this.reset();
    const { lrcCovers, lrcSeed } = this.options;
    if (frame[frame.length - 1] !== frameLrc(frame, length, lrcCovers, lrcSeed)) {
      events.push({ type: 'corrupt', reason: 'bad-lrc', offset });
      return;
    }
    const payload = frame.subarray(SERIAL_MESSAGE_OFFSET, SERIAL_MESSAGE_OFFSET + length);
    events.push({ type: 'frame', payload, offset });
  }

  /** Reports the frame as corrupt; what followed its STX is scanned again, then the rest of the current input. */
  #reject(reason: CorruptReason, events: SerialFrameEvent[], rest: Buffer, restOff: number): Input[] {
    events.push({ type: 'corrupt', reason, offset: this.#frameOffset });
    const again = { buf: (this.#frame as Buffer).subarray(1, this.#filled), off: this.#frameOffset + 1 };
    this.reset();
    return [again, { buf: rest, off: restOff }];
  }
}

/** Appends noise, merged with the previous event when that is noise just before it (so a rescan is one run). */
function pushNoise(events: SerialFrameEvent[], bytes: Buffer, offset: number): void {
  const last = events.at(-1);
  if (last?.type === 'noise' && last.offset + last.bytes.length === offset) {
    last.bytes = Buffer.concat([last.bytes, bytes]);
    return;
  }
  events.push({ type: 'noise', bytes: Buffer.from(bytes), offset });
}
