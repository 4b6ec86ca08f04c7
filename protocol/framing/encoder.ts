import { ProtocolError } from '../errors.js';
import { resolveHeader, type LengthHeaderOption } from './headers.js';
import type { LengthHeader } from './length-header.js';
import { TPDU_SIZE, writeTpdu, type Tpdu } from './tpdu.js';

export interface EncodeFrameOptions {
  header: LengthHeaderOption;
  /** Written between the length header and the payload, and counted by the header. */
  tpdu?: Tpdu;
}

/** Length header, optional TPDU, payload, in one new buffer. */
export function encodeFrame(payload: Buffer, options: EncodeFrameOptions): Buffer {
  return writeFrame(resolveHeader(options.header), payload, options.tpdu);
}

/** Encodes frames with one header kind, validated once. */
export class FrameEncoder {
  readonly header: LengthHeader;

  constructor(options: { header: LengthHeaderOption }) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    this.header = resolveHeader(options.header);
  }

  encode(payload: Buffer, tpdu?: Tpdu): Buffer {
    return writeFrame(this.header, payload, tpdu);
  }
}

function writeFrame(header: LengthHeader, payload: Buffer, tpdu: Tpdu | undefined): Buffer {
  if (!Buffer.isBuffer(payload)) throw new TypeError('payload must be a Buffer');
  const length = (tpdu ? TPDU_SIZE : 0) + payload.length;
  // A zero-length frame would be rejected by every decoder (FrameDecoder included).
  if (length === 0) throw new ProtocolError('FRAME_BAD_LENGTH', 'a frame without a TPDU needs at least one byte');
  const frame = Buffer.allocUnsafe(header.size + length);
  header.write(length, frame, 0);
  let off = header.size;
  if (tpdu) {
    writeTpdu(tpdu, frame, off);
    off += TPDU_SIZE;
  }
  payload.copy(frame, off);
  return frame;
}
