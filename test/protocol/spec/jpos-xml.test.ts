import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import { builtinSpecs } from '../../../protocol/spec/index.js';
import { JposClasses } from '../../../protocol/spec/jpos-classes.js';
import { importJposXml } from '../../../protocol/spec/jpos-xml.js';
import { axesOnly, fixture, specError } from './helpers.js';

/** A packager with an ASCII MTI, a hex bitmap and the given field elements. */
function packager(fields: string, rootAttrs = ''): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE isopackager SYSTEM "genericpackager.dtd">',
    '<!-- test packager -->',
    `<isopackager${rootAttrs}>`,
    '  <isofield id="0" length="4" name="MTI" class="org.jpos.iso.IFA_NUMERIC"/>',
    '  <isofield id="1" length="16" name="BITMAP" class="org.jpos.iso.IFA_BITMAP"/>',
    fields,
    '</isopackager>',
  ].join('\n');
}

describe('importJposXml', () => {
  it.each(['iso87ascii', 'iso87binary', 'iso93ascii'] as const)('imports jPOS %s.xml as our built-in spec', (name) => {
    const spec = importJposXml(fixture(`${name}.xml`), name);
    expect(axesOnly(spec)).toEqual(axesOnly(builtinSpecs[name]));
    expect(spec.name).toBe(name);
    expect(Object.isFrozen(spec)).toBe(true);
  });

  it('takes the description from the leading comment and keeps jPOS field names', () => {
    const spec = importJposXml(fixture('iso87binary.xml'));
    expect(spec.name).toBe('jpos');
    expect(spec.description).toBe('ISO 8583:1987 (BINARY) field descriptions for GenericPackager');
    expect(spec.fields['2'].name).toBe('PAN - PRIMARY ACCOUNT NUMBER');
  });

  it('reads the MTI encoding from field 0 and the bitmap from field 1', () => {
    const xml = packager('  <isofield id="2" length="19" name="PAN" class="org.jpos.iso.IFB_LLNUM"/>')
      .replace('IFA_NUMERIC', 'IFB_NUMERIC')
      .replace('length="16" name="BITMAP" class="org.jpos.iso.IFA_BITMAP"', 'length="24" name="BITMAP" class="org.jpos.iso.IFB_BITMAP"');
    const spec = importJposXml(xml);
    expect(spec.mti).toEqual({ encoding: 'bcd' });
    expect(spec.bitmap).toEqual({ encoding: 'binary', tertiary: true });
  });

  it('follows the pad attribute for BCD fields as jPOS does (only "true" pads left)', () => {
    const spec = importJposXml(
      packager(
        [
          '<isofield id="3" length="5" name="A" pad="true" class="org.jpos.iso.IFB_NUMERIC"/>',
          '<isofield id="4" length="5" name="B" pad="TRUE" class="org.jpos.iso.IFB_NUMERIC"/>',
          '<isofield id="5" length="5" name="C" pad="false" class="org.jpos.iso.IFB_NUMERIC"/>',
          '<isofield id="6" length="5" name="D" class="org.jpos.iso.IFB_NUMERIC"/>',
          '<isofield id="7" length="5" name="E" pad="yes" class="org.jpos.iso.IFB_LLNUM"/>',
          '<isofield id="8" length="5" name="F" pad="true" class="org.jpos.iso.IF_CHAR"/>',
        ].join('\n'),
      ),
    );
    const pads = Object.fromEntries(Object.entries(spec.fields).map(([id, f]) => [id, f.pad]));
    expect(pads).toEqual({
      3: { side: 'left', char: '0' },
      4: { side: 'left', char: '0' },
      5: { side: 'right', char: '0' },
      6: { side: 'right', char: '0' },
      7: { side: 'right', char: '0' },
      8: { side: 'right', char: ' ' },
    });
  });

  it('makes numeric track fields class z, leaves character ones alone, and marks sensitive fields', () => {
    const spec = importJposXml(
      packager(
        [
          '<isofield id="35" length="37" name="Track 2 Data" class="org.jpos.iso.IFB_LLNUM"/>',
          '<isofield id="45" length="76" name="TRACK 1 DATA" class="org.jpos.iso.IFA_LLCHAR"/>',
          '<isofield id="60" length="37" name="OTHER TRACK" class="org.jpos.iso.IFA_LLNUM"/>',
        ].join('\n'),
      ),
    );
    expect(spec.fields['35']).toMatchObject({ class: 'z', encoding: 'bcd', sensitive: 'track' });
    expect(spec.fields['45']).toMatchObject({ class: 'ans', sensitive: 'track' });
    expect(spec.fields['60']).toMatchObject({ class: 'z', encoding: 'ascii' });
    expect(spec.fields['60'].sensitive).toBeUndefined();
  });

  it('maps IFEB_LLNUM to an EBCDIC length counting BCD bytes with an F filler', () => {
    const spec = importJposXml(packager('<isofield id="2" length="19" name="PAN" class="org.jpos.iso.IFEB_LLNUM"/>'));
    expect(spec.fields['2']).toEqual({
      name: 'PAN',
      class: 'n',
      encoding: 'bcd',
      length: 10,
      prefix: { digits: 2, encoding: 'ebcdic' },
      counts: 'bytes',
      pad: { side: 'right', char: 'F' },
      sensitive: 'pan',
    });
  });

  it('maps IFA_LLABINARY to hex characters after an ASCII length counting bytes', () => {
    const spec = importJposXml(packager('<isofield id="53" length="48" name="SEC" class="org.jpos.iso.IFA_LLABINARY"/>'));
    expect(spec.fields['53']).toMatchObject({ class: 'b', encoding: 'hex', length: 48, prefix: { digits: 2, encoding: 'ascii' } });
  });

  it('leaves out IF_NOP fields and decodes entities in names', () => {
    const spec = importJposXml(
      packager(
        [
          '<isofield id="5" length="0" name="NOTHING" class="org.jpos.iso.IF_NOP"/>',
          `<isofield id='43' length='40' name='NAME &amp; LOCATION &#x2014; &quot;X&quot;' class='org.jpos.iso.IF_CHAR'/>`,
        ].join('\n'),
      ),
    );
    expect(Object.keys(spec.fields)).toEqual(['43']);
    expect(spec.fields['43'].name).toBe('NAME & LOCATION \u2014 "X"');
  });

  it('imports a nested GenericSubFieldPackager as positional subfields', () => {
    const spec = importJposXml(
      packager(`
  <isofieldpackager id="43" length="40" name="CARD ACCEPTOR LOCATION" class="org.jpos.iso.IFA_LLCHAR"
      packager="org.jpos.iso.packager.GenericSubFieldPackager" emitBitmap="false" firstField="1" maxValidField="3">
    <isofield id="1" name="NAME" length="25" pad="false" class="org.jpos.iso.IF_CHAR"/>
    <isofield id="2" name="CITY" length="13" class="org.jpos.iso.IF_CHAR"/>
    <isofield id="3" name="COUNTRY" length="2" class="org.jpos.iso.IF_CHAR"/>
  </isofieldpackager>`),
    );
    expect(spec.fields['43']).toEqual({
      name: 'CARD ACCEPTOR LOCATION',
      class: 'ans',
      encoding: 'ascii',
      length: 40,
      prefix: { digits: 2, encoding: 'ascii' },
      subfields: {
        layout: 'positional',
        fields: {
          1: { name: 'NAME', class: 'ans', encoding: 'ascii', length: 25, pad: { side: 'right', char: ' ' } },
          2: { name: 'CITY', class: 'ans', encoding: 'ascii', length: 13, pad: { side: 'right', char: ' ' } },
          3: { name: 'COUNTRY', class: 'ans', encoding: 'ascii', length: 2, pad: { side: 'right', char: ' ' } },
        },
      },
    });
  });

  it('imports a sub-field packager with a bitmap sub-field (Postilion field 127 style) as a bitmap layout', () => {
    const spec = importJposXml(
      packager(`
  <isofieldpackager id="127" length="999" name="POSTILION PRIVATE" class="org.jpos.iso.IFA_LLLBINARY"
      packager="org.jpos.iso.packager.GenericSubFieldPackager">
    <isofield id="0" length="0" name="PLACEHOLDER" class="org.jpos.iso.IF_CHAR"/>
    <isofield id="1" length="8" name="BITMAP" class="org.jpos.iso.IFB_BITMAP"/>
    <isofield id="2" length="32" name="SWITCH KEY" class="org.jpos.iso.IFA_LLCHAR"/>
    <isofieldpackager id="3" length="48" name="ROUTING" class="org.jpos.iso.IF_CHAR"
        packager="org.jpos.iso.packager.GenericSubFieldPackager">
      <isofield id="1" length="16" name="A" class="org.jpos.iso.IF_CHAR"/>
      <isofield id="2" length="32" name="B" class="org.jpos.iso.IF_CHAR"/>
    </isofieldpackager>
    <isofield id="25" length="8000" name="ICC DATA" class="org.jpos.iso.IFA_LLLLCHAR"/>
  </isofieldpackager>`),
    );
    const sub = spec.fields['127'].subfields!;
    expect(sub.layout).toBe('bitmap');
    expect(sub.bitmap).toEqual({ encoding: 'binary', bytes: 8 });
    expect(Object.keys(sub.fields)).toEqual(['2', '3', '25']);
    expect(sub.fields['3'].subfields).toMatchObject({ layout: 'positional', fields: { 1: { length: 16 }, 2: { length: 32 } } });
    expect(sub.fields['25']).toMatchObject({ length: 8000, prefix: { digits: 4, encoding: 'ascii' } });
  });

  it('maps every class in its table to a valid field', () => {
    for (const [className, cls] of Object.entries(JposClasses)) {
      if (cls.kind !== 'field') continue;
      const spec = importJposXml(packager(`<isofield id="48" length="8" name="X" class="org.jpos.iso.${className}"/>`));
      expect(spec.fields['48'].encoding, className).toBe(cls.encoding);
    }
  });

  it.each<[string, string, string]>([
    [
      'an unknown jPOS class',
      packager('  <isofield id="3" length="6" name="PROC" class="org.jpos.iso.IFX_NUMERIC"/>'),
      'XML line 7, field 3: unknown jPOS field class org.jpos.iso.IFX_NUMERIC',
    ],
    [
      'a custom class',
      packager('\n\n  <isofield id="48" length="6" name="X" class="com.acme.IF_SECRET"/>'),
      'XML line 9, field 48: unsupported field class com.acme.IF_SECRET',
    ],
    [
      'an EBCDIC bitmap',
      packager('').replace('org.jpos.iso.IFA_BITMAP', 'org.jpos.iso.IFE_BITMAP'),
      'XML line 6, field 1: org.jpos.iso.IFE_BITMAP: EBCDIC hex bitmaps are not supported',
    ],
    ['a missing class', packager('  <isofield id="3" length="6" name="PROC"/>'), 'XML line 7, field 3: needs a class attribute'],
    ['a missing length', packager('  <isofield id="3" name="PROC" class="org.jpos.iso.IFA_NUMERIC"/>'), 'XML line 7, field 3: needs a length attribute'],
    ['a missing id', packager('  <isofield length="6" class="org.jpos.iso.IFA_NUMERIC"/>'), 'XML line 7: <isofield> needs a numeric id attribute'],
    [
      'a duplicate field',
      packager('  <isofield id="3" length="6" class="org.jpos.iso.IFA_NUMERIC"/>\n  <isofield id="3" length="6" class="org.jpos.iso.IFA_NUMERIC"/>'),
      'XML line 8, field 3: is defined twice',
    ],
    ['another element', packager('  <field id="3"/>'), 'XML line 7: unexpected element <field>'],
    ['a bitmap class on a data field', packager('  <isofield id="65" length="8" class="org.jpos.iso.IFB_BITMAP"/>'), 'XML line 7, field 65: a bitmap class is only allowed'],
    ['a bad MTI class', packager('').replace('IFA_NUMERIC', 'IF_CHAR'), 'XML line 5, field 0: the MTI must be IFA_NUMERIC, IFB_NUMERIC or IFE_NUMERIC of length 4'],
    ['a bad bitmap length', packager('').replace('length="16"', 'length="12"'), 'XML line 6, field 1: a bitmap length is 8, 16 or 24 bytes'],
    [
      'an 8-byte bitmap with secondary fields',
      packager('  <isofield id="70" length="3" class="org.jpos.iso.IFA_NUMERIC"/>').replace('length="16"', 'length="8"'),
      'XML line 6, field 1: an 8-byte bitmap cannot mark field 70',
    ],
    ['no MTI', packager('').replace(/.*id="0".*\n/, ''), 'XML line 4: no field 0 (the MTI)'],
    ['a header', packager('', ' headerLength="2"'), 'XML line 4: headerLength is not supported'],
    ['a tagged field', packager('  <isofield id="48" length="6" token="01" class="org.jpos.iso.IF_CHAR"/>'), 'XML line 7, field 48: the token attribute is not supported'],
    ['a wrong root', '<packager/>', 'XML line 1: the root element must be <isopackager>, not <packager>'],
    [
      'another sub-field packager',
      packager('  <isofieldpackager id="55" length="255" class="org.jpos.iso.IFB_LLLBINARY" packager="org.jpos.tlv.packager.bertlv.BERTLVBinaryPackager"/>'),
      'XML line 7, field 55: unsupported sub-field packager org.jpos.tlv.packager.bertlv.BERTLVBinaryPackager',
    ],
    [
      'emitBitmap without a bitmap',
      packager(
        '  <isofieldpackager id="48" length="99" class="org.jpos.iso.IFA_LLCHAR" packager="org.jpos.iso.packager.GenericSubFieldPackager" emitBitmap="true">\n' +
          '    <isofield id="2" length="2" class="org.jpos.iso.IF_CHAR"/>\n  </isofieldpackager>',
      ),
      'XML line 7, field 48: emitBitmap="true" but no bitmap sub-field',
    ],
    [
      'an unknown class in a subfield',
      packager(
        '  <isofieldpackager id="48" length="99" class="org.jpos.iso.IFA_LLCHAR" packager="org.jpos.iso.packager.GenericSubFieldPackager">\n' +
          '    <isofield id="2" length="2" class="org.jpos.iso.IF_WHAT"/>\n  </isofieldpackager>',
      ),
      'XML line 8, field 48.2: unknown jPOS field class org.jpos.iso.IF_WHAT',
    ],
    [
      'a real subfield 0',
      packager(
        '  <isofieldpackager id="48" length="99" class="org.jpos.iso.IFA_LLCHAR" packager="org.jpos.iso.packager.GenericSubFieldPackager">\n' +
          '    <isofield id="0" length="2" class="org.jpos.iso.IF_CHAR"/>\n  </isofieldpackager>',
      ),
      'XML line 8, field 48.0: subfield 0 is not supported',
    ],
    ['malformed XML', packager('  <isofield id="3" length="6" class="org.jpos.iso.IFA_NUMERIC">'), 'XML line 8: closing tag </isopackager> does not match <isofield> from line 7'],
  ])('rejects %s with its line', (_, xml, message) => {
    expect(specError(() => importJposXml(xml)).message.startsWith(message)).toBe(true);
  });

  it('runs the result through validateSpec', () => {
    const e = specError(() => importJposXml(packager('  <isofield id="2" length="100" class="org.jpos.iso.IFA_LLNUM"/>')));
    expect(e.message).toBe('fields.2.length: must be an integer 1-99 (a 2-digit ascii prefix says at most 99)');
  });

  it('never throws anything but SPEC_INVALID for mangled packagers', () => {
    const source = fixture('iso87binary.xml').slice(0, 2000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: source.length }), fc.integer({ min: 0, max: 40 }), fc.string({ maxLength: 8 }), (at, cut, insert) => {
        try {
          importJposXml(source.slice(0, at) + insert + source.slice(at + cut));
        } catch (e) {
          if (!(e instanceof ProtocolError) || e.code !== 'SPEC_INVALID') throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});
