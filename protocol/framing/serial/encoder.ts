import { ProtocolError } from '../../errors.js';
import { bcd2 } from '../bcd2.js';
import { SERIAL_FRAME_OVERHEAD, SERIAL_MESSAGE_OFFSET, SerialControl } from './control.js';
import { frameLrc } from './lrc.js';
import {
  checkOptionKeys,
  resolveFrameOptions,
  SERIAL_FRAME_OPTION_KEYS,
  type ResolvedSerialFrameOptions,
  type SerialFrameOptions,
} from './options.js';

/** Writes `STX | length (2 BCD) | message | ETX | LRC` frames with one set of options, validated once. */
export class SerialFrameEncoder {
  readonly options: ResolvedSerialFrameOptions;

  constructor(options: SerialFrameOptions = {}) {
    checkOptionKeys(options, SERIAL_FRAME_OPTION_KEYS);
    this.options = resolveFrameOptions(options);
  }

  /** A new buffer holding the frame; throws FRAME_BAD_LENGTH for an empty message, FRAME_TOO_LARGE over the maximum. */
  encode(message: Buffer): Buffer {
    return writeSerialFrame(message, this.options);
  }
}

/** One frame, options validated on every call; use a `SerialFrameEncoder` for many. */
export function encodeSerialFrame(message: Buffer, options: SerialFrameOptions = {}): Buffer {
  return new SerialFrameEncoder(options).encode(message);
}

export function writeSerialFrame(message: Buffer, options: ResolvedSerialFrameOptions): Buffer {
  if (!Buffer.isBuffer(message)) throw new TypeError('message must be a Buffer');
  if (message.length === 0) throw new ProtocolError('FRAME_BAD_LENGTH', 'a serial frame needs at least one byte');
  if (message.length > options.maxFrameSize) {
    const detail = `message of ${message.length} bytes, the maximum is ${options.maxFrameSize}`;
    throw new ProtocolError('FRAME_TOO_LARGE', detail);
  }
  const frame = Buffer.allocUnsafe(message.length + SERIAL_FRAME_OVERHEAD);
  frame[0] = SerialControl.STX;
  bcd2.write(message.length, frame, 1);
  message.copy(frame, SERIAL_MESSAGE_OFFSET);
  const etx = SERIAL_MESSAGE_OFFSET + message.length;
  frame[etx] = SerialControl.ETX;
  frame[etx + 1] = frameLrc(frame, message.length, options.lrcCovers, options.lrcSeed);
  return frame;
}
