import { describe, it, expect } from 'vitest';
import { Charsets, unitName } from '../../../protocol/field/charsets.js';
import { ValueClasses, type ValueClass } from '../../../protocol/spec/types.js';

function allowed(cls: ValueClass): string {
  let s = '';
  for (let c = 0; c < 256; c++) if (Charsets[cls][c] === 1) s += String.fromCharCode(c);
  return s;
}

const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const SPECIALS = ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

describe('Charsets', () => {
  it('has a table for every value class', () => {
    for (const cls of ValueClasses) expect(Charsets[cls]).toHaveLength(256);
  });

  it('n and x+n (after the sign): digits only', () => {
    expect(allowed('n')).toBe(DIGITS);
    expect(allowed('x+n')).toBe(DIGITS);
  });

  it('z: digits and the separator, "=" or "D"', () => {
    expect(allowed('z')).toBe(DIGITS.slice(0, 10) + '=D');
  });

  it('a: letters and space; an and anp: letters, digits and space', () => {
    expect(allowed('a')).toBe(' ' + UPPER + LOWER);
    expect(allowed('an')).toBe(' ' + DIGITS + UPPER + LOWER);
    expect(allowed('anp')).toBe(' ' + DIGITS + UPPER + LOWER);
  });

  it('ans: printable ASCII 0x20-0x7E', () => {
    expect(allowed('ans')).toBe(Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join(''));
  });

  it('as and ns: letters or digits with the specials', () => {
    expect([...allowed('as')].sort().join('')).toBe([...(UPPER + LOWER + SPECIALS)].sort().join(''));
    expect([...allowed('ns')].sort().join('')).toBe([...(DIGITS + SPECIALS)].sort().join(''));
  });

  it('b: every byte', () => {
    expect(allowed('b')).toHaveLength(256);
  });
});

describe('unitName', () => {
  it('names digits, characters or bytes', () => {
    expect(unitName('n', false)).toBe('digits');
    expect(unitName('z', false)).toBe('digits');
    expect(unitName('x+n', false)).toBe('digits');
    expect(unitName('ans', false)).toBe('characters');
    expect(unitName('a', false)).toBe('characters');
    expect(unitName('b', false)).toBe('bytes');
    expect(unitName('n', true)).toBe('bytes');
  });
});
