import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import { parseXml, type XmlElement } from '../../../protocol/spec/xml.js';
import { specError } from './helpers.js';

const attrs = (el: XmlElement) => Object.fromEntries(el.attributes);

describe('parseXml', () => {
  it('skips the declaration, DOCTYPE with an internal subset, comments and processing instructions', () => {
    const doc = parseXml(
      [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        '<!DOCTYPE isopackager PUBLIC "-//jPOS//EN" "http://jpos.org/x.dtd" [',
        '  <!ENTITY note "a > b">',
        ']>',
        '<!-- first -->',
        '<?pi data?>',
        '<root a="1"><!-- inside --><child/><![CDATA[<not an element>]]></root>',
        '<!-- trailing -->',
      ].join('\n'),
    );
    expect(doc.root.name).toBe('root');
    expect(doc.root.line).toBe(7);
    expect(doc.root.children.map((c) => c.name)).toEqual(['child']);
    expect(doc.leadingComments).toEqual(['first']);
  });

  it('reads attributes in either quote, with entities and character references', () => {
    const { root } = parseXml(`<f a="x &amp; y" b='say "hi"' c="&lt;&gt;&quot;&apos;" d="&#65;&#x42;&#x1F600;" e='it&apos;s'/>`);
    expect(attrs(root)).toEqual({ a: 'x & y', b: 'say "hi"', c: `<>"'`, d: 'AB\u{1F600}', e: "it's" });
  });

  it('normalizes whitespace characters in attribute values to spaces', () => {
    expect(parseXml('<f name="A\n\tB"/>').root.attributes.get('name')).toBe('A  B');
  });

  it('builds nested elements with their line numbers', () => {
    const { root } = parseXml('<a>\n  <b id="1">\n    <c/>\n  </b>\n  <b id="2"/>\n</a>\n');
    expect(root.children.map((b) => [b.attributes.get('id'), b.line, b.children.map((c) => c.line)])).toEqual([
      ['1', 2, [3]],
      ['2', 5, []],
    ]);
  });

  it('accepts a byte order mark and whitespace around the root', () => {
    expect(parseXml('\uFEFF\n  <a></a>\n\n').root.name).toBe('a');
  });

  it.each([
    ['<a><b></a>', 'XML line 1: closing tag </a> does not match <b> from line 1'],
    ['<a>\n<b>\n</a>', 'XML line 3: closing tag </a> does not match <b> from line 2'],
    ['<a>\n<b/>', 'XML line 2: element <a> from line 1 is not closed'],
    ['</a>', 'XML line 1: closing tag </a> without an opening tag'],
    ['<a x="&foo;"/>', 'XML line 1: unknown entity &foo;'],
    ['<a x="AT&T"/>', 'XML line 1: "&" that does not start an entity in attribute x'],
    ['<a x="&#0;"/>', 'XML line 1: character reference &#0; is not a valid character'],
    ['<a x="1 < 2"/>', 'XML line 1: "<" in the value of attribute x'],
    ['<a x="1" x="2"/>', 'XML line 1: attribute x appears twice in <a>'],
    ['<a x=1/>', 'XML line 1: the value of attribute x must be quoted'],
    ['<a x="1/>', 'XML line 1: the value of attribute x is not closed'],
    ['<a x="1"y="2"/>', 'XML line 1: expected whitespace, ">" or "/>" in <a>'],
    ['<a x/>', 'XML line 1: expected "=" in attribute x'],
    ['text<a/>', 'XML line 1: text outside the root element'],
    ['<a/>\n<b/>', 'XML line 2: content after the root element'],
    ['<!-- only a comment -->', 'XML line 1: no root element'],
    ['<a><!-- open </a>', 'XML line 1: comment is not closed'],
    ['<!DOCTYPE a [ <!ENTITY x "y"> <a/>', 'XML line 1: DOCTYPE is not closed'],
    ['<a/>\n<!DOCTYPE a>', 'XML line 2: DOCTYPE after the root element'],
    ['< a/>', 'XML line 1: expected a name in tag'],
  ])('rejects %j', (xml, message) => {
    expect(specError(() => parseXml(xml)).message).toBe(message);
  });

  it('never throws anything but SPEC_INVALID, whatever the text', () => {
    const pieces = fc.constantFrom('<', '>', '/', '</a>', '<a', ' x="1"', "'", '"', '&amp;', '&', '<!--', '-->', '<?', '?>', '<!DOCTYPE', '[', ']', '\n', 'a', '=');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 30 }).map((p) => p.join(''))), (text) => {
        try {
          parseXml(text);
        } catch (e) {
          if (!(e instanceof ProtocolError) || e.code !== 'SPEC_INVALID') throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
