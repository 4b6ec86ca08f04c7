/**
 * Imports a jPOS GenericPackager XML file as a MessageSpec. Field 0 gives the MTI encoding, field 1 the bitmap,
 * every other field maps through the class table in jpos-classes.ts; nested <isofieldpackager> elements with
 * GenericSubFieldPackager become subfields. The result goes through validateSpec.
 */
import { ProtocolError } from '../errors.js';
import { Pad } from './build.js';
import { jposClassName, lookupJposClass, type JposClass } from './jpos-classes.js';
import type { BitmapSpec, FieldSpec, MessageSpec, Sensitivity, SubfieldsSpec } from './types.js';
import { validateSpec } from './validate.js';
import { parseXml, type XmlElement } from './xml.js';

/** What must be masked, by ISO 8583 field number (the same numbers in the 1987 and 1993 versions). */
const SENSITIVE_FIELDS: Readonly<Record<string, Sensitivity>> = {
  2: 'pan',
  34: 'pan',
  35: 'track',
  36: 'track',
  45: 'track',
  52: 'pin',
  55: 'emv',
};

const SUBFIELD_PACKAGER = 'org.jpos.iso.packager.GenericSubFieldPackager';
const MTI_ENCODINGS: Readonly<Record<string, MessageSpec['mti']['encoding']>> = {
  IFA_NUMERIC: 'ascii',
  IFB_NUMERIC: 'bcd',
  IFE_NUMERIC: 'ebcdic',
};

function fail(el: XmlElement, path: string, detail: string): never {
  const where = path === '' ? `XML line ${el.line}` : `XML line ${el.line}, field ${path}`;
  throw new ProtocolError('SPEC_INVALID', `${where}: ${detail}`);
}

export function importJposXml(xml: string, name = 'jpos'): MessageSpec {
  const { root, leadingComments } = parseXml(xml);
  if (root.name !== 'isopackager') fail(root, '', `the root element must be <isopackager>, not <${root.name}>`);
  const header = root.attributes.get('headerLength');
  if (header !== undefined && header.trim() !== '0') fail(root, '', 'headerLength is not supported');
  if (root.attributes.has('thirdBitmapField')) fail(root, '', 'thirdBitmapField is not supported');

  let mti: MessageSpec['mti'] | undefined;
  let bitmap: { spec: BitmapSpec; bytes: number; el: XmlElement } | undefined;
  const fields: Record<string, FieldSpec> = {};
  const seen = new Set<number>();

  for (const el of root.children) {
    const id = fieldId(el, '');
    const path = String(id);
    if (seen.has(id)) fail(el, path, 'is defined twice');
    seen.add(id);
    const cls = fieldClass(el, path);
    if (id === 0) {
      mti = mtiOf(el, cls);
    } else if (id === 1) {
      if (cls.kind !== 'bitmap') fail(el, path, 'field 1 must be a bitmap class (IFA_BITMAP or IFB_BITMAP)');
      const bytes = lengthOf(el, path);
      if (bytes !== 8 && bytes !== 16 && bytes !== 24) fail(el, path, 'a bitmap length is 8, 16 or 24 bytes');
      bitmap = { spec: bytes === 24 ? { encoding: cls.encoding, tertiary: true } : { encoding: cls.encoding }, bytes, el };
    } else {
      const spec = convert(el, path, cls);
      if (spec === null) continue;
      const sensitive = SENSITIVE_FIELDS[path];
      fields[path] = sensitive === undefined ? spec : { ...spec, sensitive };
    }
  }
  if (mti === undefined) fail(root, '', 'no field 0 (the MTI)');
  if (bitmap === undefined) fail(root, '', 'no field 1 (the bitmap)');
  if (bitmap.bytes === 8) {
    const beyond = Object.keys(fields).find((id) => Number(id) > 64);
    if (beyond !== undefined) fail(bitmap.el, '1', `an 8-byte bitmap cannot mark field ${beyond}`);
  }

  const spec: MessageSpec = { name, mti, bitmap: bitmap.spec, fields };
  if (leadingComments[0]) spec.description = leadingComments[0];
  return validateSpec(spec);
}

function isField(el: XmlElement): boolean {
  return el.name === 'isofield' || el.name === 'isofieldpackager';
}

/** The id of a field element; errors name the enclosing field (`parent`, '' at the top). */
function fieldId(el: XmlElement, parent: string): number {
  if (!isField(el)) fail(el, parent, `unexpected element <${el.name}> (expected <isofield> or <isofieldpackager>)`);
  const id = el.attributes.get('id');
  if (id === undefined || !/^[0-9]{1,3}$/.test(id)) fail(el, parent, `<${el.name}> needs a numeric id attribute`);
  return Number(id);
}

function lengthOf(el: XmlElement, path: string): number {
  const length = el.attributes.get('length');
  if (length === undefined || !/^[0-9]{1,6}$/.test(length)) fail(el, path, 'needs a length attribute of 0-999999');
  return Number(length);
}

function fieldClass(el: XmlElement, path: string): JposClass {
  const className = el.attributes.get('class');
  if (className === undefined) fail(el, path, 'needs a class attribute');
  const cls = lookupJposClass(className);
  if (cls === undefined) {
    const known = jposClassName(className) !== null;
    fail(el, path, `${known ? 'unknown jPOS field class' : 'unsupported field class'} ${className}`);
  }
  if (cls.kind === 'unsupported') fail(el, path, `${className}: ${cls.reason}`);
  for (const attr of ['token', 'params']) {
    if (el.attributes.has(attr)) fail(el, path, `the ${attr} attribute is not supported`);
  }
  return cls;
}

function mtiOf(el: XmlElement, cls: JposClass): MessageSpec['mti'] {
  const short = jposClassName(el.attributes.get('class') ?? '') ?? '';
  const encoding = MTI_ENCODINGS[short];
  if (cls.kind !== 'field' || encoding === undefined || lengthOf(el, '0') !== 4) {
    fail(el, '0', 'the MTI must be IFA_NUMERIC, IFB_NUMERIC or IFE_NUMERIC of length 4');
  }
  return { encoding };
}

/** jPOS reads boolean attributes with Boolean.parseBoolean: only "true", in any case, is true. */
function flag(el: XmlElement, attr: string): boolean | undefined {
  const value = el.attributes.get(attr);
  return value === undefined ? undefined : value.toLowerCase() === 'true';
}

/** The field spec of one <isofield>/<isofieldpackager>, or null for a field that packs nothing (IF_NOP). */
function convert(el: XmlElement, path: string, cls: JposClass): FieldSpec | null {
  if (cls.kind === 'nop') return null;
  if (cls.kind !== 'field') fail(el, path, 'a bitmap class is only allowed for field 1 or inside a sub-field packager');
  if (el.name === 'isofield' && el.children.length > 0) fail(el, path, '<isofield> cannot contain elements');

  const rawName = (el.attributes.get('name') ?? '').trim();
  const name = rawName === '' ? `Field ${path}` : rawName.slice(0, 200);
  const xmlLength = lengthOf(el, path);
  const spec: FieldSpec = {
    name,
    // Track data declared numeric carries the '=' separator: class z.
    class: cls.class === 'n' && /track/i.test(name) ? 'z' : cls.class,
    encoding: cls.encoding,
    length: cls.counts === 'digits-to-bytes' ? Math.ceil(xmlLength / 2) : xmlLength,
  };
  if (cls.prefix !== undefined) spec.prefix = { ...cls.prefix };
  if (cls.counts === 'digits-to-bytes') spec.counts = 'bytes';
  if (cls.pad === 'attribute') spec.pad = flag(el, 'pad') === true ? { ...Pad.zeroLeft } : { ...Pad.zeroRight };
  else if (cls.pad !== undefined) spec.pad = { ...cls.pad };
  if (el.name === 'isofieldpackager') spec.subfields = subfields(el, path);
  return spec;
}

function subfields(el: XmlElement, path: string): SubfieldsSpec {
  const packager = el.attributes.get('packager');
  if (packager !== SUBFIELD_PACKAGER) {
    fail(el, path, `unsupported sub-field packager ${packager ?? '(none)'}; only ${SUBFIELD_PACKAGER} is supported`);
  }
  const emitBitmap = flag(el, 'emitBitmap');
  let bitmap: SubfieldsSpec['bitmap'];
  const fields: Record<string, FieldSpec> = {};
  const seen = new Set<number>();

  for (const child of el.children) {
    const id = fieldId(child, path);
    const childPath = `${path}.${id}`;
    if (seen.has(id)) fail(child, childPath, 'is defined twice');
    seen.add(id);
    const cls = fieldClass(child, childPath);
    if (cls.kind === 'bitmap') {
      if (bitmap !== undefined) fail(child, childPath, 'a sub-field packager has one bitmap');
      bitmap = { encoding: cls.encoding, bytes: lengthOf(child, childPath) };
      continue;
    }
    // A zero-length fixed field is jPOS's placeholder for an unused number (often 0): it packs nothing.
    if (cls.kind === 'field' && cls.prefix === undefined && lengthOf(child, childPath) === 0) continue;
    const spec = convert(child, childPath, cls);
    if (spec === null) continue;
    if (id === 0) fail(child, childPath, 'subfield 0 is not supported (subfields are numbered from 1)');
    fields[String(id)] = spec;
  }
  if (emitBitmap === true && bitmap === undefined) fail(el, path, 'emitBitmap="true" but no bitmap sub-field');
  if (emitBitmap === false && bitmap !== undefined) fail(el, path, 'a bitmap sub-field with emitBitmap="false"');
  return bitmap === undefined ? { layout: 'positional', fields } : { layout: 'bitmap', fields, bitmap };
}
