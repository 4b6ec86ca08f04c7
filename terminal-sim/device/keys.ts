import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DeviceError } from './errors.js';

/**
 * A terminal's keys in the clear. Test keys only: a real terminal holds its keys in a secure element and receives
 * working keys under a master key at sign-on.
 */
export interface KeySet {
  name: string;
  /** Terminal PIN key, double (32 hex) or triple (48 hex) length 3DES. */
  tpk: string;
  /** Terminal MAC key, for the MAC fault switches to come. */
  tak: string;
}

export const TestKeySets = {
  test: { name: 'test', tpk: '0123456789ABCDEFFEDCBA9876543210', tak: '89ABCDEF0123456776543210FEDCBA98' },
  test3: {
    name: 'test3',
    tpk: '0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123',
    tak: 'FEDCBA98765432100123456789ABCDEF',
  },
} as const satisfies Record<string, KeySet>;
export type TestKeySetName = keyof typeof TestKeySets;

export function keySetNamed(name: string): KeySet {
  if (!Object.hasOwn(TestKeySets, name)) {
    throw new DeviceError('BAD_IDENTITY', `no test key set "${name}"; one of ${Object.keys(TestKeySets).join(', ')}`);
  }
  return TestKeySets[name as TestKeySetName];
}

/** 3DES ECB: 'des-ede-ecb' for a double-length key (K1 K2 K1), 'des-ede3-ecb' for triple length. */
export function tdesEcb(keyHex: string, blocks: Buffer, direction: 'encrypt' | 'decrypt' = 'encrypt'): Buffer {
  if (!/^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{48})$/.test(keyHex)) throw new DeviceError('BAD_IDENTITY', 'a 3DES key is 32 or 48 hex digits');
  if (blocks.length % 8 !== 0) throw new RangeError('3DES ECB works on whole 8-byte blocks');
  const key = Buffer.from(keyHex, 'hex');
  const algorithm = key.length === 16 ? 'des-ede-ecb' : 'des-ede3-ecb';
  const cipher = direction === 'encrypt' ? createCipheriv(algorithm, key, null) : createDecipheriv(algorithm, key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(blocks), cipher.final()]);
}

/** Key check value: the first three bytes of the key encrypting eight zero bytes, as key ceremonies print it. */
export function keyCheckValue(keyHex: string): string {
  return tdesEcb(keyHex, Buffer.alloc(8)).subarray(0, 3).toString('hex').toUpperCase();
}
