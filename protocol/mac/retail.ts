import { timingSafeEqual } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { edeCbcLastBlock } from './des.js';
import { retailKeys, singleKey } from './keys.js';
import { type MacOptions, MIN_MAC_LENGTH, resolveMacOptions } from './options.js';
import { MAC_BLOCK, padForMac } from './padding.js';

function dataBytes(data: unknown): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new ProtocolError('WRONG_TYPE', 'MAC data must be a Buffer');
  return data;
}

/**
 * ANSI X9.19 retail MAC, which is ISO/IEC 9797-1 MAC algorithm 3 with DES: single-DES CBC under K1 over every
 * block, then the last result is decrypted under K2 and encrypted again under K1. An 8-byte key means K2 = K1, so
 * the output step cancels out and the result is the X9.9 CBC-MAC.
 */
export function retailMac(key: Uint8Array, data: Uint8Array, opts?: MacOptions): Buffer {
  const { padding, length } = resolveMacOptions(opts);
  const { k1, k2 } = retailKeys(key);
  const padded = padForMac(dataBytes(data), padding);
  const last = padded.length - MAC_BLOCK;
  const chain = edeCbcLastBlock(k1, k1, k1, padded.subarray(0, last));
  // E(K1, D(K2, E(K1, x XOR chain))) is one EDE encryption of the last block under K1|K2|K1, chained from `chain`.
  return edeCbcLastBlock(k1, k2, k1, padded.subarray(last), chain).subarray(0, length);
}

/** ANSI X9.9 (FIPS 113, ISO/IEC 9797-1 MAC algorithm 1 with DES): single-DES CBC-MAC with a zero IV. */
export function cbcMac(key: Uint8Array, data: Uint8Array, opts?: MacOptions): Buffer {
  const { padding, length } = resolveMacOptions(opts);
  const k = singleKey(key);
  return edeCbcLastBlock(k, k, k, padForMac(dataBytes(data), padding)).subarray(0, length);
}

/**
 * Whether `mac` is the retail MAC (a plain CBC-MAC for an 8-byte key) of `data`, compared in constant time. The
 * expected length is `opts.length`, else the received MAC's own length; a received MAC of another length, or shorter
 * than 4 bytes, does not verify. Bad keys and options still throw: they are the caller's mistakes, not the peer's.
 */
export function verifyMac(key: Uint8Array, data: Uint8Array, mac: Uint8Array, opts?: MacOptions): boolean {
  const { padding } = resolveMacOptions(opts);
  if (!(mac instanceof Uint8Array)) throw new ProtocolError('WRONG_TYPE', 'the MAC to verify must be a Buffer');
  const full = retailMac(key, data, { padding });
  const length = opts?.length ?? mac.length;
  if (mac.length !== length || length < MIN_MAC_LENGTH || length > MAC_BLOCK) return false;
  return timingSafeEqual(full.subarray(0, length), mac);
}
