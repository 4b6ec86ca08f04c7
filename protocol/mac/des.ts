import { createCipheriv } from 'node:crypto';
import { MAC_BLOCK } from './padding.js';

/*
 * Node 20 ships OpenSSL 3, where single DES ('des-ecb', 'des-cbc') lives in the legacy provider and throws
 * "unsupported" unless that provider is loaded. Three-key EDE with K|K|K is single DES (encrypt, decrypt and encrypt
 * again under one key), and EDE with K1|K2|K1 is exactly the X9.19 output step E(K1, D(K2, .)) applied after an
 * E(K1, .): so 'des-ede3-cbc' serves both, in the default provider. OpenSSL ignores DES parity bits, as the
 * standards do.
 */
const CIPHER = 'des-ede3-cbc';
const ZERO_IV = Buffer.alloc(MAC_BLOCK);

/**
 * CBC-encrypts `data` (a multiple of 8 bytes) under the EDE key k1|k2|k3 from `iv` and returns the last cipher
 * block; `iv` itself when `data` is empty. One cipher object per call: nothing is shared between calls.
 */
export function edeCbcLastBlock(
  k1: Uint8Array,
  k2: Uint8Array,
  k3: Uint8Array,
  data: Uint8Array,
  iv: Uint8Array = ZERO_IV,
): Buffer {
  if (data.length === 0) return Buffer.from(iv);
  const cipher = createCipheriv(CIPHER, Buffer.concat([k1, k2, k3]), iv);
  cipher.setAutoPadding(false);
  const out = cipher.update(data);
  cipher.final();
  return out.subarray(out.length - MAC_BLOCK);
}
