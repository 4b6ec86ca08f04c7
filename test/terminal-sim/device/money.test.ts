import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmount, parseAmount } from '../../../terminal-sim/device/index.js';

describe('parseAmount', () => {
  it.each([
    ['12.34', 2, 1234],
    ['12', 2, 1200],
    ['12.3', 2, 1230],
    ['0.01', 2, 1],
    ['012.34', 2, 1234],
    ['9999999999.99', 2, 999999999999],
    ['1000', 0, 1000],
    ['1.234', 3, 1234],
    ['0.1', 2, 10],
  ])('%s with %i decimals is %i minor units', (text, exponent, minor) => {
    expect(parseAmount(text, exponent)).toBe(minor);
  });

  it('never goes through a float: 0.29 and 1.15 come out exact', () => {
    // 0.29 * 100 = 28.999999999999996 and 1.15 * 100 = 114.99999999999999 in binary floating point
    expect(parseAmount('0.29')).toBe(29);
    expect(parseAmount('1.15')).toBe(115);
    expect(parseAmount('4.35')).toBe(435);
  });

  it.each([
    ['', 'decimal money'],
    ['12.345', 'more than 2 decimals'],
    ['12.', 'decimal money'],
    ['.5', 'decimal money'],
    ['-1', 'decimal money'],
    ['+1', 'decimal money'],
    ['1,000.00', 'decimal money'],
    [' 12.34', 'decimal money'],
    ['12.34 ', 'decimal money'],
    ['1e3', 'decimal money'],
    ['12.3.4', 'decimal money'],
    ['0x10', 'decimal money'],
    ['١٢', 'decimal money'],
    ['0', 'more than zero'],
    ['0.00', 'more than zero'],
    ['10000000000.00', 'too large'],
  ])('refuses %j (%s)', (text, why) => {
    expect(() => parseAmount(text, 2, { option: '--amount' })).toThrow(why);
    try {
      parseAmount(text, 2, { option: '--amount' });
    } catch (e) {
      expect(e).toMatchObject({ code: 'BAD_AMOUNT' });
      expect((e as Error).message).toContain('--amount');
    }
  });

  it('refuses decimals in a currency without minor units, and allows zero when asked', () => {
    expect(() => parseAmount('100.5', 0)).toThrow('no decimals');
    expect(parseAmount('0', 2, { allowZero: true })).toBe(0);
  });

  it('round-trips with formatAmount for any amount field 4 can hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999_999 }), fc.constantFrom(0, 2, 3), (minor, exponent) => {
        expect(parseAmount(formatAmount(minor, exponent), exponent)).toBe(minor);
      }),
    );
  });

  it('formats minor units', () => {
    expect(formatAmount(1234)).toBe('12.34');
    expect(formatAmount(5)).toBe('0.05');
    expect(formatAmount(-1234)).toBe('-12.34');
    expect(formatAmount(1234, 0)).toBe('1234');
  });
});
