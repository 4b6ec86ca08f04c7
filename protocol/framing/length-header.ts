import { ProtocolError } from '../errors.js';

/**
 * The length header in front of every frame on the wire. It counts the bytes after itself (TPDU included), never
 * its own bytes.
 */
export interface LengthHeader {
  readonly name: string;
  /** Bytes the header takes on the wire. */
  readonly size: number;
  /** Largest length the header can express. */
  readonly max: number;
  /** Reads the length at `off`; throws FRAME_BAD_LENGTH (offset of the bad byte) or TRUNCATED. */
  read(buf: Buffer, off: number): number;
  /** Writes `len` at `off`; throws FRAME_TOO_LARGE when it does not fit. */
  write(len: number, buf: Buffer, off: number): void;
}

export function checkReadable(header: LengthHeader, buf: Buffer, off: number): void {
  if (off < 0 || buf.length - off < header.size) {
    throw new ProtocolError('TRUNCATED', `a ${header.name} length header needs ${header.size} bytes`, { offset: off });
  }
}

export function checkWritable(header: LengthHeader, len: number, buf: Buffer, off: number): void {
  if (!Number.isInteger(len) || len < 0) {
    throw new ProtocolError('FRAME_BAD_LENGTH', `a frame length must be a non-negative integer`);
  }
  if (len > header.max) {
    const detail = `length ${len} does not fit a ${header.name} header (max ${header.max})`;
    throw new ProtocolError('FRAME_TOO_LARGE', detail);
  }
  if (off < 0 || buf.length - off < header.size) {
    throw new RangeError(`no room for a ${header.size}-byte length header at offset ${off}`);
  }
}
