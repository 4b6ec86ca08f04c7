import { ProtocolError } from '../errors.js';
import { MAC_BLOCK } from './padding.js';

/** The two DES keys of a retail MAC. K2 is K1 for a single-length key, which makes the MAC plain CBC-MAC. */
export interface RetailKeys {
  readonly k1: Uint8Array;
  readonly k2: Uint8Array;
}

function keyBytes(key: unknown): Uint8Array {
  if (!(key instanceof Uint8Array)) throw new ProtocolError('MAC_BAD_KEY', 'MAC key must be a Buffer');
  return key;
}

/** A double-length key (K1 | K2, 16 bytes) or a single-length one (8 bytes). The message names lengths only. */
export function retailKeys(key: unknown): RetailKeys {
  const k = keyBytes(key);
  if (k.length === 2 * MAC_BLOCK) return { k1: k.subarray(0, MAC_BLOCK), k2: k.subarray(MAC_BLOCK) };
  if (k.length === MAC_BLOCK) return { k1: k, k2: k };
  throw new ProtocolError('MAC_BAD_KEY', `retail MAC key must be 16 bytes (or 8 for single DES), got ${k.length}`);
}

/** A single-length DES key (8 bytes). */
export function singleKey(key: unknown): Uint8Array {
  const k = keyBytes(key);
  if (k.length !== MAC_BLOCK) throw new ProtocolError('MAC_BAD_KEY', `CBC-MAC key must be 8 bytes, got ${k.length}`);
  return k;
}
