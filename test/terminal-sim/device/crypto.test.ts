import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeTlv } from '../../../protocol/index.js';
import {
  chipData,
  decryptPinBlock,
  encryptedPinBlock,
  keyCheckValue,
  pinBlockFormat0,
  TestCards,
  TestKeySets,
} from '../../../terminal-sim/device/index.js';

describe('ISO 9564 format 0 PIN block', () => {
  it('is the PIN field XOR the PAN field', () => {
    // PIN field 04 1234 FFFFFFFFFF, PAN field 0000 + 12 rightmost digits without the check digit: 0000 1111 1111 1111
    expect(pinBlockFormat0('1234', '4111111111111111').toString('hex').toUpperCase()).toBe('041225EEEEEEEEEE');
    // the textbook example: PIN 1234, PAN 4000 0012 3456 7899 -> PAN field 0000 0001 2345 6789
    expect(pinBlockFormat0('1234', '4000001234567899').toString('hex').toUpperCase()).toBe('041234FEDCBA9876');
  });

  it('is encrypted with two-key 3DES (K1 K2 K1) and decrypts back to the PIN', () => {
    const key = TestKeySets.test.tpk;
    const block = encryptedPinBlock('98765', TestCards.visa.pan, key);
    expect(block).toHaveLength(8);
    const k = Buffer.from(key, 'hex');
    const ede3 = createCipheriv('des-ede3-ecb', Buffer.concat([k, k.subarray(0, 8)]), null).setAutoPadding(false);
    expect(block.equals(ede3.update(pinBlockFormat0('98765', TestCards.visa.pan)))).toBe(true);
    expect(decryptPinBlock(block, TestCards.visa.pan, key)).toBe('98765');
    expect(decryptPinBlock(encryptedPinBlock('1234', TestCards.amex.pan, TestKeySets.test3.tpk), TestCards.amex.pan, TestKeySets.test3.tpk)).toBe('1234');
  });

  it('refuses a PIN that is not 4 to 12 digits', () => {
    expect(() => pinBlockFormat0('123', '4111111111111111')).toThrow('4 to 12 digits');
    expect(() => pinBlockFormat0('12a4', '4111111111111111')).toThrow('4 to 12 digits');
  });

  it('prints a key check value', () => {
    expect(keyCheckValue(TestKeySets.test.tpk)).toMatch(/^[0-9A-F]{6}$/);
  });
});

describe('chip data (field 55)', () => {
  it('carries the EMV tags of an ARQC request, amount and currency in BCD', () => {
    const tlv = chipData({
      card: TestCards.mastercard,
      amount: 1234,
      currency: '840',
      country: '840',
      type: 'purchase',
      date: '251121',
      atc: 7,
      sequence: '000042',
      terminalId: 'TERM0001',
      pin: true,
      unpredictable: Buffer.from('01020304', 'hex'),
    });
    const tags = decodeTlv(tlv) as Map<string, Buffer>;
    const hex = (t: string): string => tags.get(t)!.toString('hex').toUpperCase();
    expect(hex('9F02')).toBe('000000001234');
    expect(hex('5F2A')).toBe('0840');
    expect(hex('84')).toBe('A0000000041010');
    expect(hex('9A')).toBe('251121');
    expect(hex('9C')).toBe('00');
    expect(hex('9F36')).toBe('0007');
    expect(hex('9F37')).toBe('01020304');
    expect(hex('9F34')).toBe('420300');
    expect(tags.get('9F26')).toHaveLength(8);
    expect(tags.get('9F1E')!.toString('latin1')).toBe('TERM0001');
    // made up, but the same inputs give the same cryptogram
    const again = decodeTlv(chipData({ card: TestCards.mastercard, amount: 1234, currency: '840', country: '840', type: 'purchase', date: '251121', atc: 7, sequence: '000042', terminalId: 'TERM0001', pin: true, unpredictable: Buffer.from('01020304', 'hex') })) as Map<string, Buffer>;
    expect(again.get('9F26')!.equals(tags.get('9F26')!)).toBe(true);
  });
});
