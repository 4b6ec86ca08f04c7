import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import { builtinSpecs } from '../../../protocol/spec/index.js';
import { validateSpec } from '../../../protocol/spec/validate.js';
import { specError } from './helpers.js';

type Json = Record<string, any>;

function base(): Json {
  return {
    name: 'test',
    mti: { encoding: 'ascii' },
    bitmap: { encoding: 'hex' },
    fields: {
      2: { name: 'PAN', class: 'n', encoding: 'ascii', length: 19, prefix: { digits: 2, encoding: 'ascii' }, sensitive: 'pan' },
      4: { name: 'Amount', class: 'n', encoding: 'ascii', length: 12, pad: { side: 'left', char: '0' } },
      64: { name: 'MAC', class: 'b', encoding: 'binary', length: 8 },
    },
  };
}

function withChange(change: (s: Json) => void): Json {
  const s = base();
  change(s);
  return s;
}

describe('validateSpec', () => {
  it('accepts a valid spec and returns a frozen deep copy of it', () => {
    const input = base();
    const spec = validateSpec(input);
    expect(spec).toEqual(input);
    expect(spec).not.toBe(input);
    expect(spec.fields['2'].prefix).not.toBe(input.fields[2].prefix);
    expect(Object.isFrozen(spec.fields['2'].prefix)).toBe(true);
    input.fields[2].length = 3;
    expect(spec.fields['2'].length).toBe(19);
  });

  it.each<[string, (s: Json) => void, string]>([
    ['an unknown top-level key', (s) => (s.extra = 1), 'extra: unknown key (allowed: name, description, mti, bitmap, fields, mac)'],
    ['an unknown field key', (s) => (s.fields[4].format = 'x'), 'fields.4.format: unknown key'],
    ['an unknown prefix key', (s) => (s.fields[2].prefix.type = 'LL'), 'fields.2.prefix.type: unknown key'],
    ['a missing name', (s) => delete s.fields[4].name, 'fields.4.name: is required'],
    ['a missing mti', (s) => delete s.mti, 'mti: is required'],
    ['a bad mti encoding', (s) => (s.mti.encoding = 'hex'), 'mti.encoding: must be one of "ascii", "bcd", "ebcdic"'],
    ['a bad bitmap encoding', (s) => (s.bitmap.encoding = 'bcd'), 'bitmap.encoding: must be one of "binary", "hex"'],
    ['a non-boolean tertiary', (s) => (s.bitmap.tertiary = 'yes'), 'bitmap.tertiary: must be true or false'],
    ['prefix digits 7', (s) => (s.fields[2].prefix.digits = 7), 'fields.2.prefix.digits: must be an integer 1-6'],
    ['fractional prefix digits', (s) => (s.fields[2].prefix.digits = 1.5), 'fields.2.prefix.digits: must be an integer 1-6'],
    ['prefix digits as a string', (s) => (s.fields[2].prefix.digits = '2'), 'fields.2.prefix.digits: must be an integer 1-6'],
    [
      'a five-digit bcd prefix',
      (s) => (s.fields[2].prefix = { digits: 5, encoding: 'bcd' }),
      'fields.2.prefix.digits: must be an integer 1-4 for a bcd prefix',
    ],
    [
      'a three-byte binary prefix',
      (s) => (s.fields[2].prefix = { digits: 3, encoding: 'binary' }),
      'fields.2.prefix.digits: must be an integer 1-2 (bytes of a binary prefix)',
    ],
    ['an unknown prefix encoding', (s) => (s.fields[2].prefix.encoding = 'utf8'), 'fields.2.prefix.encoding: must be one of'],
    [
      'a length the prefix cannot state',
      (s) => (s.fields[2].length = 100),
      'fields.2.length: must be an integer 1-99 (a 2-digit ascii prefix says at most 99)',
    ],
    [
      'a length over a one-byte binary prefix',
      (s) => (s.fields[2] = { ...s.fields[2], prefix: { digits: 1, encoding: 'binary' }, length: 256 }),
      'fields.2.length: must be an integer 1-255 (a 1-byte binary prefix says at most 255)',
    ],
    ['a zero length', (s) => (s.fields[4].length = 0), 'fields.4.length: must be an integer 1-999999'],
    ['an amount without digits', (s) => (s.fields[4] = { name: 'A', class: 'x+n', encoding: 'ascii', length: 1 }), 'fields.4.length: must be an integer 2-999999'],
    ['an unknown class', (s) => (s.fields[4].class = 'N'), 'fields.4.class: must be one of'],
    ['bcd characters', (s) => (s.fields[4] = { name: 'A', class: 'ans', encoding: 'bcd', length: 4 }), 'fields.4.encoding: bcd holds digits only'],
    ['hex digits', (s) => (s.fields[4] = { name: 'A', class: 'n', encoding: 'hex', length: 4 }), 'fields.4.encoding: hex needs class b, not n'],
    ['ascii bytes', (s) => (s.fields[64].encoding = 'ascii'), 'fields.64.encoding: class b needs encoding binary or hex, not ascii'],
    ['field 1', (s) => (s.fields[1] = s.fields[4]), 'fields.1: field 1 is the secondary bitmap'],
    ['field 129 without a tertiary bitmap', (s) => (s.fields[129] = s.fields[4]), 'fields.129: field numbers run 2-128'],
    ['field 0', (s) => (s.fields[0] = s.fields[4]), 'fields.0: field numbers run 2-128'],
    ['a padded field number', (s) => (s.fields['04'] = s.fields[4]), 'fields.04: field numbers run 2-128'],
    [
      'field 65 with a tertiary bitmap',
      (s) => {
        s.bitmap.tertiary = true;
        s.fields[65] = s.fields[4];
      },
      'fields.65: with a tertiary bitmap, field 65 is that bitmap',
    ],
    ['no fields', (s) => (s.fields = {}), 'fields: must define at least one field'],
    ['fields as an array', (s) => (s.fields = []), 'fields: must be an object'],
    ['padding binary data', (s) => (s.fields[64].pad = { side: 'left', char: '0' }), 'fields.64.pad: binary data is never padded'],
    ['a pad outside the class', (s) => (s.fields[4].pad.char = ' '), 'fields.4.pad.char: must be a character of class n'],
    ['a two-character pad', (s) => (s.fields[4].pad.char = '00'), 'fields.4.pad.char: must be a single character'],
    ['a bad pad side', (s) => (s.fields[4].pad.side = 'both'), 'fields.4.pad.side: must be one of "left", "right"'],
    [
      'a BCD pad nibble other than 0 or F',
      (s) => (s.fields[4] = { name: 'A', class: 'n', encoding: 'bcd', length: 5, pad: { side: 'left', char: 'A' } }),
      'fields.4.pad.char: a BCD filler nibble is "0" or "F"',
    ],
    [
      'padding variable character data',
      (s) => (s.fields[2].pad = { side: 'left', char: '0' }),
      'fields.2.pad: variable-length character data is not padded',
    ],
    ['counting bytes of ASCII data', (s) => (s.fields[4].counts = 'bytes'), 'fields.4.counts: "bytes" only differs from "units" for bcd and hex'],
    ['an unknown sensitivity', (s) => (s.fields[2].sensitive = 'cvv2'), 'fields.2.sensitive: must be one of'],
    ['an empty name', (s) => (s.fields[4].name = ' '), 'fields.4.name: must be a non-empty string'],
    ['a numeric description', (s) => (s.description = 1), 'description: must be a string'],
    ['a MAC field of 63', (s) => (s.mac = { field: 63, covers: 'message', padding: 'zeros' }), 'mac.field: must be 64 or 128'],
    ['a MAC field not in the spec', (s) => (s.mac = { field: 128, covers: 'message', padding: 'zeros' }), 'mac.field: field 128 is not defined'],
    [
      'a MAC field that is not binary',
      (s) => {
        s.fields[64] = s.fields[4];
        s.mac = { field: 64, covers: 'message', padding: 'zeros' };
      },
      'mac.field: field 64 must be fixed-length binary',
    ],
    ['a bad MAC padding', (s) => (s.mac = { field: 64, covers: 'message', padding: 'pkcs7' }), 'mac.padding: must be one of'],
  ])('rejects %s', (_, change, message) => {
    const e = specError(() => validateSpec(withChange(change)));
    expect(e.message.startsWith(message)).toBe(true);
  });

  it('rejects input that is not an object', () => {
    expect(specError(() => validateSpec(null)).message).toBe('must be an object');
    expect(specError(() => validateSpec('iso87ascii')).message).toBe('must be an object');
  });

  describe('subfields', () => {
    const composite = (subfields: unknown): Json =>
      withChange((s) => (s.fields[48] = { name: 'Private', class: 'ans', encoding: 'ascii', length: 999, prefix: { digits: 3, encoding: 'ascii' }, subfields }));
    const leaf = { name: 'Leaf', class: 'ans', encoding: 'ascii', length: 2 };

    it('accepts positional, bitmap and tlv layouts', () => {
      expect(validateSpec(composite({ layout: 'positional', fields: { 1: leaf, 2: leaf } })).fields['48'].subfields?.layout).toBe('positional');
      const bitmapped = validateSpec(composite({ layout: 'bitmap', bitmap: { encoding: 'binary', bytes: 8 }, fields: { 2: leaf, 64: leaf } }));
      expect(bitmapped.fields['48'].subfields?.bitmap).toEqual({ encoding: 'binary', bytes: 8 });
      expect(validateSpec(composite({ layout: 'tlv', fields: {} })).fields['48'].subfields).toEqual({ layout: 'tlv', fields: {} });
    });

    it.each<[string, unknown, string]>([
      ['a bitmap layout without a bitmap', { layout: 'bitmap', fields: { 2: leaf } }, 'fields.48.subfields.bitmap: is required for layout "bitmap"'],
      ['a bitmap on a positional layout', { layout: 'positional', bitmap: { encoding: 'hex', bytes: 8 }, fields: { 1: leaf } }, 'fields.48.subfields.bitmap: only layout "bitmap"'],
      ['a subfield beyond the inner bitmap', { layout: 'bitmap', bitmap: { encoding: 'hex', bytes: 8 }, fields: { 65: leaf } }, 'fields.48.subfields.fields.65: subfield numbers run 1-64'],
      ['subfield 0', { layout: 'positional', fields: { 0: leaf } }, 'fields.48.subfields.fields.0: subfield numbers run 1-999'],
      ['a lower-case tag', { layout: 'tlv', fields: { '9f26': { ...leaf, class: 'b', encoding: 'binary' } } }, 'fields.48.subfields.fields.9f26: must be a BER-TLV tag'],
      ['no positional subfields', { layout: 'positional', fields: {} }, 'fields.48.subfields.fields: layout "positional" needs at least one subfield'],
      ['a bad leaf', { layout: 'positional', fields: { 1: { ...leaf, length: -1 } } }, 'fields.48.subfields.fields.1.length: must be an integer'],
      ['an unknown layout', { layout: 'fixed', fields: { 1: leaf } }, 'fields.48.subfields.layout: must be one of "positional", "bitmap", "tlv"'],
    ])('rejects %s', (_, subfields, message) => {
      expect(specError(() => validateSpec(composite(subfields))).message.startsWith(message)).toBe(true);
    });

    it('bounds how deep subfields nest', () => {
      let inner: Json = leaf;
      for (let i = 0; i < 6; i++) inner = { ...leaf, subfields: { layout: 'positional', fields: { 1: inner } } };
      expect(specError(() => validateSpec(composite(inner.subfields))).message).toContain('subfields nest at most 4 levels deep');
    });
  });

  it('accepts BCD lengths counted in bytes and F filler nibbles', () => {
    const spec = validateSpec(
      withChange(
        (s) => (s.fields[2] = { name: 'PAN', class: 'n', encoding: 'bcd', length: 10, counts: 'bytes', prefix: { digits: 2, encoding: 'ebcdic' }, pad: { side: 'right', char: 'F' } }),
      ),
    );
    expect(spec.fields['2'].counts).toBe('bytes');
  });

  it.each(Object.entries(builtinSpecs))('round-trips %s through JSON', (_, spec) => {
    expect(validateSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it('round-trips a spec with every optional part through JSON', () => {
    const input = withChange((s) => {
      s.description = 'all parts';
      s.bitmap.tertiary = true;
      s.mac = { field: 64, covers: 'message', padding: 'iso9797-2' };
      s.fields[55] = { name: 'ICC', class: 'b', encoding: 'binary', length: 255, prefix: { digits: 3, encoding: 'bcd' }, sensitive: 'emv', subfields: { layout: 'tlv', fields: { '9F26': { name: 'Cryptogram', class: 'b', encoding: 'binary', length: 8 } } } };
      s.fields[127] = {
        name: 'Private',
        class: 'b',
        encoding: 'binary',
        length: 9999,
        prefix: { digits: 2, encoding: 'binary' },
        subfields: { layout: 'bitmap', bitmap: { encoding: 'hex', bytes: 8 }, fields: { 2: { name: 'Switch key', class: 'ans', encoding: 'ascii', length: 32, prefix: { digits: 2, encoding: 'ascii' } } } },
      };
      s.fields[192] = { name: 'Last', class: 'z', encoding: 'bcd', length: 37, counts: 'units', prefix: { digits: 2, encoding: 'hex' } };
    });
    const once = validateSpec(JSON.parse(JSON.stringify(input)));
    expect(once).toEqual(input);
    expect(validateSpec(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('never throws anything but SPEC_INVALID, whatever the input', () => {
    const keys = ['name', 'class', 'encoding', 'length', 'prefix', 'pad', 'counts', 'subfields', 'digits', 'side', 'char', 'layout', 'fields'];
    const junk = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.anything(),
        fc.constantFrom('n', 'b', 'bcd', 'ascii', 'hex', 'binary', 'bitmap', 'tlv', 'left', '0', 'F', 2, 3, 19),
        fc.dictionary(fc.constantFrom(...keys, '2', '35', '1'), tie('value')),
      ),
    })).value;
    const spec = fc.record({ name: fc.string(), mti: junk, bitmap: junk, fields: fc.dictionary(fc.constantFrom('2', '35', '55', '1', '129'), junk) });
    fc.assert(
      fc.property(fc.oneof(junk, spec), (input) => {
        try {
          validateSpec(input);
        } catch (e) {
          if (!(e instanceof ProtocolError) || e.code !== 'SPEC_INVALID') throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});
