import { ProtocolError } from '../errors.js';

/** First byte of a TPDU: "transaction" protocol data unit. */
export const TPDU_ID = 0x60;
/** 0x60, destination NII (2 bytes), source NII (2 bytes). */
export const TPDU_SIZE = 5;

export interface Tpdu {
  id: typeof TPDU_ID;
  /** Destination network international identifier, the two bytes as an unsigned big-endian number. */
  destination: number;
  source: number;
}

export function parseTpdu(buf: Buffer, off = 0): Tpdu {
  if (buf.length - off < TPDU_SIZE) {
    throw new ProtocolError('BAD_TPDU', `a TPDU needs ${TPDU_SIZE} bytes`, { offset: off });
  }
  if (buf[off] !== TPDU_ID) {
    throw new ProtocolError('BAD_TPDU', 'a TPDU must start with 0x60', { offset: off });
  }
  return { id: TPDU_ID, destination: buf.readUInt16BE(off + 1), source: buf.readUInt16BE(off + 3) };
}

/** The TPDU of a response: the request's source becomes the destination and vice versa. */
export function replyTpdu(request: Tpdu): Tpdu {
  return { id: TPDU_ID, destination: request.source, source: request.destination };
}

export function tpdu(destination: number, source: number): Tpdu {
  checkNii(destination, 'destination');
  checkNii(source, 'source');
  return { id: TPDU_ID, destination, source };
}

/** Writes the TPDU at `off` of `buf`, or into a new 5-byte buffer. */
export function writeTpdu(t: Tpdu, buf: Buffer = Buffer.alloc(TPDU_SIZE), off = 0): Buffer {
  checkNii(t.destination, 'destination');
  checkNii(t.source, 'source');
  if (off < 0 || buf.length - off < TPDU_SIZE) throw new RangeError(`no room for a TPDU at offset ${off}`);
  buf[off] = TPDU_ID;
  buf.writeUInt16BE(t.destination, off + 1);
  buf.writeUInt16BE(t.source, off + 3);
  return buf;
}

function checkNii(nii: unknown, name: string): void {
  if (!Number.isInteger(nii) || (nii as number) < 0 || (nii as number) > 0xffff) {
    throw new TypeError(`"tpdu.${name}" must be an integer from 0 to 0xFFFF`);
  }
}
