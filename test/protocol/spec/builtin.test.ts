import { describe, expect, it } from 'vitest';
import { builtinSpecs } from '../../../protocol/spec/index.js';
import { validateSpec } from '../../../protocol/spec/validate.js';

const SENSITIVE = { 2: 'pan', 34: 'pan', 35: 'track', 36: 'track', 45: 'track', 52: 'pin', 55: 'emv' };
const specs = Object.entries(builtinSpecs);

describe('built-in specs', () => {
  it.each(specs)('%s is valid, frozen and lists fields 2-128', (_, spec) => {
    expect(validateSpec(spec)).toEqual(spec);
    expect(Object.isFrozen(spec)).toBe(true);
    expect(Object.isFrozen(spec.fields['2'])).toBe(true);
    expect(Object.isFrozen(spec.fields['2'].prefix)).toBe(true);
    expect(Object.keys(spec.fields)).toEqual(Array.from({ length: 127 }, (_, i) => String(i + 2)));
    expect(spec.bitmap.tertiary).toBeUndefined();
  });

  it.each(specs)('%s marks PAN, tracks, PIN and ICC data as sensitive', (_, spec) => {
    const marked = Object.fromEntries(
      Object.entries(spec.fields)
        .filter(([, f]) => f.sensitive !== undefined)
        .map(([id, f]) => [id, f.sensitive]),
    );
    expect(marked).toEqual(SENSITIVE);
  });

  describe('iso87binary (jPOS ISO87BPackager)', () => {
    const f = builtinSpecs.iso87binary.fields;

    it('has a BCD MTI and a binary bitmap', () => {
      expect(builtinSpecs.iso87binary.mti).toEqual({ encoding: 'bcd' });
      expect(builtinSpecs.iso87binary.bitmap).toEqual({ encoding: 'binary' });
    });

    it('packs LLNUM with a one-byte BCD prefix counting digits, filler nibble last', () => {
      expect(f['2']).toMatchObject({ class: 'n', encoding: 'bcd', length: 19, prefix: { digits: 2, encoding: 'bcd' } });
      expect(f['2'].pad).toEqual({ side: 'right', char: '0' });
    });

    it('makes track 2 class z so "=" packs as nibble D', () => {
      expect(f['35']).toEqual({
        name: 'Track 2 data',
        class: 'z',
        encoding: 'bcd',
        length: 37,
        prefix: { digits: 2, encoding: 'bcd' },
        pad: { side: 'right', char: '0' },
        sensitive: 'track',
      });
    });

    it('uses a three-digit (two-byte) BCD prefix for LLLCHAR and LLLBINARY', () => {
      expect(f['36']).toMatchObject({ class: 'ans', encoding: 'ascii', length: 104, prefix: { digits: 3, encoding: 'bcd' } });
      expect(f['55']).toMatchObject({ class: 'b', encoding: 'binary', length: 999, prefix: { digits: 3, encoding: 'bcd' } });
    });

    it('keeps the field 65 quirk: one binary byte', () => {
      expect(f['65']).toEqual({ name: 'Bitmap, extended', class: 'b', encoding: 'binary', length: 1 });
    });

    it('writes amounts as sign plus BCD digits, the length counting the sign', () => {
      expect(f['28']).toMatchObject({ class: 'x+n', encoding: 'bcd', length: 9, pad: { side: 'left', char: '0' } });
      expect(f['97']).toMatchObject({ class: 'x+n', encoding: 'bcd', length: 17, pad: { side: 'right', char: '0' } });
    });

    it('pads fixed BCD numbers on the left and IF_CHAR with spaces on the right', () => {
      expect(f['3']).toEqual({ name: 'Processing code', class: 'n', encoding: 'bcd', length: 6, pad: { side: 'left', char: '0' } });
      expect(f['41']).toMatchObject({ class: 'ans', encoding: 'ascii', length: 8, pad: { side: 'right', char: ' ' } });
    });
  });

  describe('iso87ascii (jPOS ISO87APackager)', () => {
    const f = builtinSpecs.iso87ascii.fields;

    it('is ASCII with a hex bitmap', () => {
      expect(builtinSpecs.iso87ascii.mti).toEqual({ encoding: 'ascii' });
      expect(builtinSpecs.iso87ascii.bitmap).toEqual({ encoding: 'hex' });
    });

    it('writes fixed binary fields as ASCII hex (IFA_BINARY), field 65 as one byte', () => {
      expect(f['52']).toEqual({ name: 'PIN data', class: 'b', encoding: 'hex', length: 8, sensitive: 'pin' });
      expect(f['65']).toMatchObject({ class: 'b', encoding: 'hex', length: 1 });
    });

    it('has track 2 as class z with an ASCII LL prefix and field 55 as LLLCHAR', () => {
      expect(f['35']).toMatchObject({ class: 'z', encoding: 'ascii', length: 37, prefix: { digits: 2, encoding: 'ascii' } });
      expect(f['55']).toMatchObject({ class: 'ans', encoding: 'ascii', length: 999, prefix: { digits: 3, encoding: 'ascii' } });
    });

    it('zero-fills amounts after the sign', () => {
      expect(f['28']).toMatchObject({ class: 'x+n', encoding: 'ascii', length: 9, pad: { side: 'left', char: '0' } });
    });
  });

  describe('iso93ascii (jPOS ISO93APackager)', () => {
    const f = builtinSpecs.iso93ascii.fields;

    it('carries variable binary fields raw after an ASCII length counting bytes', () => {
      expect(f['53']).toMatchObject({ class: 'b', encoding: 'binary', length: 48, prefix: { digits: 2, encoding: 'ascii' } });
      expect(f['55']).toMatchObject({ class: 'b', encoding: 'binary', length: 255, prefix: { digits: 3, encoding: 'ascii' } });
      expect(f['96']).toMatchObject({ class: 'b', encoding: 'binary', length: 999, prefix: { digits: 3, encoding: 'ascii' } });
    });

    it('keeps fixed binary as hex, track 2 as LLCHAR and field 99 as LLCHAR', () => {
      expect(f['64']).toMatchObject({ class: 'b', encoding: 'hex', length: 8 });
      expect(f['35']).toMatchObject({ class: 'ans', prefix: { digits: 2, encoding: 'ascii' } });
      expect(f['99']).toMatchObject({ class: 'ans', length: 11 });
      expect(f['100']).toMatchObject({ class: 'n', length: 11 });
    });

    it('has the 1993 layout of date and amount fields', () => {
      expect(f['12']).toMatchObject({ class: 'n', length: 12 });
      expect(f['22']).toMatchObject({ class: 'ans', length: 12 });
      expect(f['97']).toMatchObject({ class: 'x+n', encoding: 'ascii', length: 17 });
    });
  });
});
