import { ProtocolError } from '../errors.js';
import { MAC_BLOCK, MacPaddings, type MacPadding } from './padding.js';

export interface MacOptions {
  /** ISO/IEC 9797-1 padding method; default 'zeros' (method 1), as X9.9 and X9.19 use. */
  padding?: MacPadding;
  /** Bytes of MAC to return, the leftmost ones; default 8. */
  length?: number;
}

export interface ResolvedMacOptions {
  readonly padding: MacPadding;
  readonly length: number;
}

/** Shorter MACs are guessable; ISO 9797-1 and X9.19 users truncate to 4 bytes at the least. */
export const MIN_MAC_LENGTH = 4;
const KNOWN = new Set(['padding', 'length']);

export function resolveMacOptions(opts: MacOptions | undefined): ResolvedMacOptions {
  if (opts === undefined) return { padding: 'zeros', length: MAC_BLOCK };
  if (opts === null || typeof opts !== 'object') {
    throw new ProtocolError('MAC_BAD_OPTION', 'MAC options must be an object');
  }
  for (const k of Object.keys(opts)) {
    if (!KNOWN.has(k)) throw new ProtocolError('MAC_BAD_OPTION', `unknown MAC option "${k}"`);
  }
  const padding = opts.padding ?? 'zeros';
  if (!MacPaddings.includes(padding)) {
    throw new ProtocolError('MAC_BAD_OPTION', `"padding" must be one of ${MacPaddings.join(', ')}`);
  }
  const length = opts.length ?? MAC_BLOCK;
  if (!Number.isInteger(length) || length < MIN_MAC_LENGTH || length > MAC_BLOCK) {
    throw new ProtocolError('MAC_BAD_OPTION', `"length" must be an integer from ${MIN_MAC_LENGTH} to ${MAC_BLOCK}`);
  }
  return { padding, length };
}
