import { describe, it, expect } from 'vitest';
import { BodyError } from '../../../protocol/encoding/body.js';
import { hex as hexBody, hexValue, parseHex, toHex } from '../../../protocol/encoding/hex.js';
import { Charsets } from '../../../protocol/field/charsets.js';
import { ascii, hex } from '../specs.fixture.js';

describe('hex body', () => {
  it('writes two ASCII characters per byte of the value', () => {
    expect(hexBody.binary).toBe(true);
    expect(hexBody.size(8)).toBe(16);
    expect(hexBody.unitsIn(16)).toBe(8);
  });

  it('writes upper case', () => {
    const out = Buffer.alloc(8);
    hexBody.write(hex('ab cd 01 f0'), 4, out, 0);
    expect(out).toEqual(ascii('ABCD01F0'));
    expect(out).toEqual(hex('41 42 43 44 30 31 46 30'));
  });

  it('reads either case', () => {
    expect(hexBody.read(ascii('ABCD01F0'), 0, 4, Charsets.b)).toEqual(hex('ab cd 01 f0'));
    expect(hexBody.read(ascii('abcd01f0'), 0, 4, Charsets.b)).toEqual(hex('ab cd 01 f0'));
    expect(hexBody.read(ascii('--aBcD--'), 2, 2, Charsets.b)).toEqual(hex('ab cd'));
  });

  it('reads a copy, independent of the input', () => {
    const buf = ascii('0102');
    const v = hexBody.read(buf, 0, 2, Charsets.b) as Buffer;
    buf[1] = 0x39;
    expect(v).toEqual(hex('01 02'));
  });

  it('rejects a non-hex character at its own offset', () => {
    const at = (s: string, start: number, units: number): unknown => {
      try {
        hexBody.read(ascii(s), start, units, Charsets.b);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(at('xx0G12', 2, 2)).toEqual(new BodyError(3, 'character at position 2 is not a hex digit'));
    expect(at('xx01G2', 2, 2)).toEqual(new BodyError(4, 'character at position 3 is not a hex digit'));
    expect(at('xx01 2', 2, 2)).toEqual(new BodyError(4, 'character at position 3 is not a hex digit'));
  });

  it('maps exactly 0-9, A-F and a-f', () => {
    const valid = [...'0123456789ABCDEFabcdef'].map((c) => c.charCodeAt(0));
    for (let c = 0; c < 256; c++) {
      if (valid.includes(c)) expect(hexValue[c]).toBe(parseInt(String.fromCharCode(c), 16));
      else expect(hexValue[c]).toBe(-1);
    }
  });
});

describe('parseHex / toHex', () => {
  it('parses either case', () => {
    expect(parseHex('0aFf')).toEqual(hex('0a ff'));
    expect(parseHex('')).toEqual(Buffer.alloc(0));
  });

  it('returns the index of the first bad character, or the length when odd', () => {
    expect(parseHex('0g')).toBe(1);
    expect(parseHex('g0')).toBe(0);
    expect(parseHex('00zz')).toBe(2);
    expect(parseHex('abc')).toBe(3);
    expect(parseHex('0\u0130')).toBe(1);
  });

  it('writes upper case, also for views', () => {
    expect(toHex(hex('0a ff'))).toBe('0AFF');
    expect(toHex(hex('00 0a ff 00').subarray(1, 3))).toBe('0AFF');
    expect(toHex(new Uint8Array([0xab]))).toBe('AB');
  });
});
