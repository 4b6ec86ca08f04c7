import { SERIAL_MESSAGE_OFFSET } from './control.js';
import type { LrcCoverage } from './options.js';

/** Longitudinal redundancy check: the XOR of `bytes`, starting from `seed`. */
export function lrc(bytes: Uint8Array, seed = 0): number {
  let x = seed;
  for (let i = 0; i < bytes.length; i++) x ^= bytes[i];
  return x;
}

/** Offset in the frame of the first byte the LRC covers; the span always ends with ETX. */
const SPAN_START: Record<LrcCoverage, number> = {
  'stx-to-etx': 0,
  'length-to-etx': 1,
  'message-to-etx': SERIAL_MESSAGE_OFFSET,
};

/** The LRC of a frame (STX through ETX in `frame`, the LRC byte not needed) whose message has `messageLength` bytes. */
export function frameLrc(frame: Uint8Array, messageLength: number, covers: LrcCoverage, seed: number): number {
  const etx = SERIAL_MESSAGE_OFFSET + messageLength;
  return lrc(frame.subarray(SPAN_START[covers], etx + 1), seed);
}
