import {
  checkOptionKeys,
  resolveFrameOptions,
  SERIAL_FRAME_OPTION_KEYS,
  type ResolvedSerialFrameOptions,
  type SerialFrameOptions,
} from './options.js';

export interface SerialLinkOptions extends SerialFrameOptions {
  /** Retransmissions of a frame after a NAK or an ACK timeout, on top of the first attempt. Default 3. */
  retries?: number;
  /** How long the sender waits for ACK or NAK after writing a frame. Default 2000 ms. */
  ackTimeoutMs?: number;
  /**
   * How long the line may stay silent inside a frame before the receiver drops it and answers NAK; also how long
   * the line must stay quiet after a bad frame before that NAK. Keep it well under ackTimeoutMs. Default 500 ms.
   */
  interCharTimeoutMs?: number;
}

export type ResolvedSerialLinkOptions = ResolvedSerialFrameOptions &
  Readonly<Required<Pick<SerialLinkOptions, 'retries' | 'ackTimeoutMs' | 'interCharTimeoutMs'>>>;

export const SERIAL_LINK_DEFAULTS = Object.freeze({ retries: 3, ackTimeoutMs: 2000, interCharTimeoutMs: 500 });

const KEYS = [...SERIAL_FRAME_OPTION_KEYS, ...Object.keys(SERIAL_LINK_DEFAULTS)];

export function resolveLinkOptions(options: SerialLinkOptions): ResolvedSerialLinkOptions {
  checkOptionKeys(options, KEYS);
  const frame = resolveFrameOptions(options);
  const { retries, ackTimeoutMs, interCharTimeoutMs } = { ...SERIAL_LINK_DEFAULTS, ...withoutUndefined(options) };
  if (!Number.isInteger(retries) || retries < 0 || retries > 100) {
    throw new TypeError('"retries" must be an integer from 0 to 100');
  }
  checkMs('ackTimeoutMs', ackTimeoutMs);
  checkMs('interCharTimeoutMs', interCharTimeoutMs);
  return Object.freeze({ ...frame, retries, ackTimeoutMs, interCharTimeoutMs });
}

function checkMs(name: string, ms: unknown): void {
  if (!Number.isInteger(ms) || (ms as number) < 1 || (ms as number) > 3_600_000) {
    throw new TypeError(`"${name}" must be an integer number of milliseconds from 1 to 3600000`);
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
