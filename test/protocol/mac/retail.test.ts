import { createDecipheriv, createCipheriv } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ProtocolError } from '../../../protocol/errors.js';
import { cbcMac, retailMac } from '../../../protocol/mac/index.js';
import { CBC_MAC_VECTORS, ISO_DATA_1, ISO_K, ISO_K_PRIME, RETAIL_MAC_VECTORS } from './vectors.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const upper = (b: Buffer): string => b.toString('hex').toUpperCase();

function thrown(f: () => unknown): ProtocolError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('cbcMac (X9.9, ISO 9797-1 algorithm 1)', () => {
  for (const v of CBC_MAC_VECTORS) {
    it(v.name, () => {
      const mac = cbcMac(hex(v.key), hex(v.data), { padding: v.padding, length: v.mac.length / 2 });
      expect(upper(mac)).toBe(v.mac);
    });
  }

  it('is the retail MAC with a single-length key', () => {
    for (const v of CBC_MAC_VECTORS) {
      const opts = { padding: v.padding, length: v.mac.length / 2 };
      expect(upper(retailMac(hex(v.key), hex(v.data), opts))).toBe(v.mac);
    }
  });

  it('defaults to 8 bytes and zero padding', () => {
    expect(upper(cbcMac(hex(ISO_K), hex(ISO_DATA_1)))).toBe('70A30640CC76DD8B');
  });
});

describe('retailMac (X9.19, ISO 9797-1 algorithm 3)', () => {
  for (const v of RETAIL_MAC_VECTORS) {
    it(v.name, () => {
      const mac = retailMac(hex(v.key), hex(v.data), { padding: v.padding, length: v.mac.length / 2 });
      expect(upper(mac)).toBe(v.mac);
    });
  }

  it('returns the leftmost bytes when truncated (psec: 4-byte MAC 3DDE5C55)', () => {
    const mac = retailMac(hex('41414141414141414242424242424242'), Buffer.from('hello world'), { length: 4 });
    expect(upper(mac)).toBe('3DDE5C55');
  });

  it('with K2 = K1 is the plain CBC-MAC', () => {
    expect(upper(retailMac(hex(ISO_K + ISO_K), hex(ISO_DATA_1)))).toBe('70A30640CC76DD8B');
  });

  it('accepts a Uint8Array key and data', () => {
    const mac = retailMac(new Uint8Array(hex(ISO_K + ISO_K_PRIME)), new Uint8Array(hex(ISO_DATA_1)));
    expect(upper(mac)).toBe('A1C72E74EA3FA9B6');
  });

  it('does not modify its inputs', () => {
    const key = hex(ISO_K + ISO_K_PRIME);
    const data = hex(ISO_DATA_1);
    retailMac(key, data, { padding: 'iso9797-2' });
    expect(upper(key)).toBe(ISO_K + ISO_K_PRIME);
    expect(upper(data)).toBe(ISO_DATA_1);
  });

  describe('empty data', () => {
    // Padding an empty string gives one block: 00.. for method 1, 80 00.. for method 2 (ISO/IEC 9797-1; the pad
    // tests of pyemv and psec publish exactly these blocks).
    const key = hex(ISO_K + ISO_K_PRIME);
    it('method 1 MACs one zero block', () => {
      expect(retailMac(key, Buffer.alloc(0))).toEqual(retailMac(key, Buffer.alloc(8)));
      expect(cbcMac(hex(ISO_K), Buffer.alloc(0))).toEqual(cbcMac(hex(ISO_K), Buffer.alloc(8)));
    });
    it('method 2 MACs the block 8000000000000000', () => {
      const block = hex('8000000000000000');
      expect(retailMac(key, Buffer.alloc(0), { padding: 'iso9797-2' })).toEqual(retailMac(key, block));
      expect(cbcMac(hex(ISO_K), Buffer.alloc(0), { padding: 'iso9797-2' })).toEqual(cbcMac(hex(ISO_K), block));
    });
  });

  it('equals E(K1, D(K2, CBC-MAC(K1))) for any data (independent DES from ECB ciphers)', () => {
    const ecb = (mode: 'enc' | 'dec', k: Buffer, block: Buffer): Buffer => {
      const k3 = Buffer.concat([k, k, k]);
      const c = mode === 'enc' ? createCipheriv('des-ede3-ecb', k3, null) : createDecipheriv('des-ede3-ecb', k3, null);
      c.setAutoPadding(false);
      return Buffer.concat([c.update(block), c.final()]);
    };
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 70 }), (key, data) => {
        const k1 = Buffer.from(key.subarray(0, 8));
        const k2 = Buffer.from(key.subarray(8));
        const expected = ecb('enc', k1, ecb('dec', k2, cbcMac(k1, data)));
        expect(retailMac(key, data)).toEqual(expected);
      }),
    );
  });

  it('always returns `length` bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.constantFrom('zeros' as const, 'iso9797-2' as const),
        fc.integer({ min: 4, max: 8 }),
        (key, data, padding, length) => {
          expect(retailMac(key, data, { padding, length })).toHaveLength(length);
        },
      ),
    );
  });
});

describe('key checks', () => {
  it.each([0, 7, 9, 15, 17, 24])('retail MAC rejects a %i-byte key, naming the expected length', (n) => {
    const key = Buffer.alloc(n, 0x5a);
    const e = thrown(() => retailMac(key, hex(ISO_DATA_1)));
    expect(e.code).toBe('MAC_BAD_KEY');
    expect(e.message).toContain('16 bytes');
    expect(e.message).toContain(`got ${n}`);
    if (n > 0) expect(e.message.toUpperCase()).not.toContain('5A5A');
  });

  it.each([0, 7, 9, 16])('CBC-MAC rejects a %i-byte key, naming the expected length', (n) => {
    const e = thrown(() => cbcMac(Buffer.alloc(n, 0x5a), hex(ISO_DATA_1)));
    expect(e.code).toBe('MAC_BAD_KEY');
    expect(e.message).toContain('8 bytes');
    expect(e.message.toUpperCase()).not.toContain('5A5A');
  });

  it('rejects a key that is not bytes, without printing it', () => {
    const e = thrown(() => retailMac(ISO_K + ISO_K_PRIME as unknown as Buffer, hex(ISO_DATA_1)));
    expect(e.code).toBe('MAC_BAD_KEY');
    expect(e.message).not.toContain(ISO_K);
  });

  it('rejects data that is not bytes', () => {
    const e = thrown(() => retailMac(hex(ISO_K + ISO_K_PRIME), 'Now is the time' as unknown as Buffer));
    expect(e.code).toBe('WRONG_TYPE');
  });
});

describe('option checks', () => {
  const key = hex(ISO_K + ISO_K_PRIME);
  const data = hex(ISO_DATA_1);
  it.each([
    [{ length: 3 }, '"length"'],
    [{ length: 9 }, '"length"'],
    [{ length: 4.5 }, '"length"'],
    [{ padding: 'pkcs7' }, '"padding"'],
    [{ pading: 'zeros' }, '"pading"'],
  ])('rejects %o', (opts, named) => {
    const e = thrown(() => retailMac(key, data, opts as never));
    expect(e.code).toBe('MAC_BAD_OPTION');
    expect(e.message).toContain(named);
  });
});
