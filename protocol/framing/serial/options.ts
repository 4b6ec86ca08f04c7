import { SERIAL_MAX_MESSAGE } from './control.js';

/**
 * Which bytes of a frame the LRC (XOR) covers; the LRC itself never. Devices differ, so it is an option. In frame
 * terms (STX | LEN LEN | message | ETX | LRC):
 */
export const LrcCoverages = {
  /** LEN through ETX: the bytes after STX up to and including ETX. The common choice, and the default. */
  'length-to-etx': 'the 2 length bytes, the message and ETX',
  /** The message and ETX, not the length (some ECR protocols). */
  'message-to-etx': 'the message and ETX',
  /** STX through ETX (some PIN pads include STX). */
  'stx-to-etx': 'STX, the 2 length bytes, the message and ETX',
} as const;
export type LrcCoverage = keyof typeof LrcCoverages;

export interface SerialFrameOptions {
  /** Default 'length-to-etx'. */
  lrcCovers?: LrcCoverage;
  /** The value the XOR starts from, 0 to 255. Default 0. */
  lrcSeed?: number;
  /** Largest message length a frame may announce, 1 to 9999 (the BCD length's limit). Default 4096. */
  maxFrameSize?: number;
}

export type ResolvedSerialFrameOptions = Readonly<Required<SerialFrameOptions>>;

export const SERIAL_FRAME_DEFAULTS: ResolvedSerialFrameOptions = Object.freeze({
  lrcCovers: 'length-to-etx',
  lrcSeed: 0,
  maxFrameSize: 4096,
});

export const SERIAL_FRAME_OPTION_KEYS = Object.keys(SERIAL_FRAME_DEFAULTS) as (keyof SerialFrameOptions)[];

/** Validates the frame options (ignoring keys it does not know: the caller checks for unknown keys). */
export function resolveFrameOptions(options: SerialFrameOptions): ResolvedSerialFrameOptions {
  const { lrcCovers = 'length-to-etx', lrcSeed = 0, maxFrameSize = 4096 } = options;
  if (typeof lrcCovers !== 'string' || !Object.hasOwn(LrcCoverages, lrcCovers)) {
    throw new TypeError(`"lrcCovers" must be one of ${Object.keys(LrcCoverages).join(', ')}`);
  }
  if (!Number.isInteger(lrcSeed) || lrcSeed < 0 || lrcSeed > 0xff) {
    throw new TypeError('"lrcSeed" must be an integer from 0 to 255');
  }
  if (!Number.isInteger(maxFrameSize) || maxFrameSize < 1 || maxFrameSize > SERIAL_MAX_MESSAGE) {
    throw new TypeError(`"maxFrameSize" must be an integer from 1 to ${SERIAL_MAX_MESSAGE}`);
  }
  return Object.freeze({ lrcCovers, lrcSeed, maxFrameSize });
}

/** Options given to a constructor: an object whose keys are all in `allowed`. */
export function checkOptionKeys(options: unknown, allowed: readonly string[]): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new TypeError(`unknown option "${key}"`);
  }
}
