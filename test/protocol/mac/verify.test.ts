import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ProtocolError } from '../../../protocol/errors.js';
import { verifyMac } from '../../../protocol/mac/index.js';
import { ISO_DATA_1, ISO_DATA_2, ISO_K, ISO_K_PRIME } from './vectors.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const KEY = hex(ISO_K + ISO_K_PRIME);
const DATA = hex(ISO_DATA_1);
// ISO/IEC 9797-1 B.4, string 1, padding method 1 (see vectors.ts).
const MAC = hex('A1C72E74EA3FA9B6');

describe('verifyMac', () => {
  it('accepts the published MAC', () => {
    expect(verifyMac(KEY, DATA, MAC)).toBe(true);
  });

  it('accepts a truncated MAC, taking its length from the MAC or from opts', () => {
    expect(verifyMac(KEY, DATA, hex('A1C72E74'))).toBe(true);
    expect(verifyMac(KEY, DATA, hex('A1C72E74'), { length: 4 })).toBe(true);
    // ISO/IEC 9797-1 B.4, string 2, padding method 2.
    expect(verifyMac(KEY, hex(ISO_DATA_2), hex('5A692CE6'), { padding: 'iso9797-2' })).toBe(true);
  });

  it('accepts the X9.9 MAC with a single-length key', () => {
    expect(verifyMac(hex(ISO_K), DATA, hex('70A30640CC76DD8B'))).toBe(true);
  });

  it('rejects a MAC with one bit changed', () => {
    for (let bit = 0; bit < 64; bit++) {
      const bad = Buffer.from(MAC);
      bad[bit >> 3] ^= 0x80 >> (bit & 7);
      expect(verifyMac(KEY, DATA, bad)).toBe(false);
    }
  });

  it('rejects changed data, the other padding method and the other key half', () => {
    const changed = Buffer.from(DATA);
    changed[0] ^= 1;
    expect(verifyMac(KEY, changed, MAC)).toBe(false);
    expect(verifyMac(KEY, DATA, MAC, { padding: 'iso9797-2' })).toBe(false);
    expect(verifyMac(hex(ISO_K + ISO_K), DATA, MAC)).toBe(false);
  });

  it('rejects a MAC whose length differs from opts.length, or is too short', () => {
    expect(verifyMac(KEY, DATA, hex('A1C72E74'), { length: 8 })).toBe(false);
    expect(verifyMac(KEY, DATA, MAC, { length: 4 })).toBe(false);
    expect(verifyMac(KEY, DATA, hex('A1C72E'))).toBe(false);
    expect(verifyMac(KEY, DATA, Buffer.alloc(0))).toBe(false);
    expect(verifyMac(KEY, DATA, Buffer.concat([MAC, hex('00')]))).toBe(false);
  });

  it('still throws for a bad key or bad options', () => {
    expect(() => verifyMac(Buffer.alloc(12), DATA, MAC)).toThrow(ProtocolError);
    expect(() => verifyMac(KEY, DATA, MAC, { length: 2 })).toThrow(ProtocolError);
  });

  it('never throws for any received MAC bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (mac) => {
        expect(typeof verifyMac(KEY, DATA, mac)).toBe('boolean');
      }),
    );
  });
});
