import { describe, it, expect } from 'vitest';
import { ascii } from '../../../protocol/encoding/ascii.js';
import { BodyError } from '../../../protocol/encoding/body.js';
import { Charsets } from '../../../protocol/field/charsets.js';
import { hex } from '../specs.fixture.js';

function write(value: string): Buffer {
  const out = Buffer.alloc(ascii.size(value.length));
  ascii.write(value, value.length, out, 0);
  return out;
}

describe('ascii body', () => {
  it('takes one byte per character', () => {
    expect(ascii.binary).toBe(false);
    expect(ascii.size(12)).toBe(12);
    expect(ascii.unitsIn(12)).toBe(12);
  });

  it('writes the characters as ISO-8859-1 bytes', () => {
    expect(write('0200')).toEqual(hex('30 32 30 30'));
    expect(write('Shop 1 ')).toEqual(hex('53 68 6f 70 20 31 20'));
    expect(write('~!')).toEqual(hex('7e 21'));
  });

  it('writes at an offset and touches no other byte', () => {
    const out = hex('ee ee ee ee ee');
    ascii.write('AB', 2, out, 2);
    expect(out).toEqual(hex('ee ee 41 42 ee'));
  });

  it('reads the units at an offset as a string', () => {
    const buf = hex('ff 30 30 30 30 30 31 30 30 30 ff');
    expect(ascii.read(buf, 1, 9, Charsets.n)).toBe('000001000');
  });

  it('keeps leading and trailing spaces', () => {
    expect(ascii.read(hex('20 41 20 20'), 0, 4, Charsets.ans)).toBe(' A  ');
  });

  it('reads zero units as the empty string', () => {
    expect(ascii.read(hex('41'), 1, 0, Charsets.ans)).toBe('');
  });

  it('rejects a character outside the class with the byte offset of that character', () => {
    const buf = hex('00 00 31 32 41 34');
    let err: unknown;
    try {
      ascii.read(buf, 2, 4, Charsets.n);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BodyError);
    expect(err).toEqual(new BodyError(4, 'character at position 3 is not allowed'));
  });

  it('checks every class table', () => {
    expect(() => ascii.read(ascii_('AB C'), 0, 4, Charsets.a)).not.toThrow();
    expect(() => ascii.read(ascii_('AB1'), 0, 3, Charsets.a)).toThrow(BodyError);
    expect(() => ascii.read(ascii_('AB1 '), 0, 4, Charsets.an)).not.toThrow();
    expect(() => ascii.read(ascii_('AB-'), 0, 3, Charsets.an)).toThrow(BodyError);
    expect(() => ascii.read(ascii_('A-1~'), 0, 4, Charsets.ans)).not.toThrow();
    expect(() => ascii.read(hex('41 7f'), 0, 2, Charsets.ans)).toThrow(BodyError);
    expect(() => ascii.read(hex('41 e9'), 0, 2, Charsets.ans)).toThrow(BodyError);
    expect(() => ascii.read(ascii_('123=45'), 0, 6, Charsets.z)).not.toThrow();
    expect(() => ascii.read(ascii_('123D45'), 0, 6, Charsets.z)).not.toThrow(BodyError);
  });

  it('checks characters while writing when given a charset: -1, or the index of the first bad one', () => {
    const out = Buffer.alloc(4);
    expect(ascii.write('1234', 4, out, 0, Charsets.n)).toBe(-1);
    expect(out).toEqual(hex('31 32 33 34'));
    expect(ascii.write('12A4', 4, Buffer.alloc(4), 0, Charsets.n)).toBe(2);
    expect(ascii.write('A\u20ac', 2, Buffer.alloc(2), 0, Charsets.ans)).toBe(1);
    expect(ascii.write('\u00e9', 1, Buffer.alloc(1), 0, Charsets.ans)).toBe(0);
  });
});

function ascii_(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
