import { describe, it, expect } from 'vitest';
import { padForMac } from '../../../protocol/mac/index.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const upper = (b: Buffer): string => b.toString('hex').toUpperCase();

// Expected blocks from psec (knovichikhin/psec) tests/test_mac.py test_pad_iso_1 / test_pad_iso_2 and pyemv
// tests/test_mac.py test_pad_iso9797_1 / test_pad_iso9797_2, block size 8.
describe('padForMac', () => {
  it.each([
    ['', '0000000000000000'],
    ['1234', '1234000000000000'],
    ['1234567890123456', '1234567890123456'],
  ])('method 1 (zeros): %s', (data, padded) => {
    expect(upper(padForMac(hex(data), 'zeros'))).toBe(padded);
  });

  it.each([
    ['', '8000000000000000'],
    ['1234', '1234800000000000'],
    ['12345678901234', '1234567890123480'],
    ['1234567890123456', '12345678901234568000000000000000'],
  ])('method 2 (iso9797-2): %s', (data, padded) => {
    expect(upper(padForMac(hex(data), 'iso9797-2'))).toBe(padded);
  });

  it('copies: the input is left alone', () => {
    const data = hex('1234');
    padForMac(data, 'iso9797-2')[0] = 0;
    expect(upper(data)).toBe('1234');
  });
});
