import { describe, expect, it } from 'vitest';
import { builtinSpecs, loadSpec } from '../../../protocol/spec/index.js';
import { axesOnly, fixture, specError } from './helpers.js';

/** A reader over an in-memory file system. */
function reader(files: Record<string, string | Uint8Array>) {
  return (path: string) => {
    const content = files[path];
    if (content === undefined) throw new Error(`ENOENT: ${path}`);
    return content;
  };
}

describe('loadSpec', () => {
  it('returns built-in specs by name', () => {
    expect(Object.keys(builtinSpecs)).toEqual(['iso87ascii', 'iso87binary', 'iso93ascii']);
    for (const [name, spec] of Object.entries(builtinSpecs)) expect(loadSpec(name)).toBe(spec);
  });

  it('names the built-in specs when the name is unknown', () => {
    expect(specError(() => loadSpec('iso87')).message).toBe(
      'unknown spec "iso87": use one of iso87ascii, iso87binary, iso93ascii, or a path ending in .json or .xml',
    );
    expect(specError(() => loadSpec('toString')).message).toContain('unknown spec "toString"');
  });

  it('loads a JSON spec through validateSpec', () => {
    const json = JSON.stringify({ ...builtinSpecs.iso87binary, name: 'acme' });
    const spec = loadSpec('specs/acme.json', reader({ 'specs/acme.json': json }));
    expect(spec.name).toBe('acme');
    expect(axesOnly(spec)).toEqual(axesOnly(builtinSpecs.iso87binary));
    expect(Object.isFrozen(spec)).toBe(true);
  });

  it('loads a jPOS packager, decoding bytes as UTF-8 (fs.readFileSync without an encoding)', () => {
    const bytes = new TextEncoder().encode(fixture('iso93ascii.xml'));
    const spec = loadSpec('/etc/jpos/iso93ascii.XML', reader({ '/etc/jpos/iso93ascii.XML': bytes }));
    expect(spec.name).toBe('iso93ascii');
    expect(axesOnly(spec)).toEqual(axesOnly(builtinSpecs.iso93ascii));
  });

  it('prefixes errors with the file path', () => {
    expect(specError(() => loadSpec('bad.json', reader({ 'bad.json': '{"name":' }))).message).toMatch(/^bad\.json: not valid JSON \(/);
    const invalid = JSON.stringify({ ...builtinSpecs.iso87ascii, fields: { 2: { ...builtinSpecs.iso87ascii.fields['2'], length: 120 } } });
    expect(specError(() => loadSpec('x.json', reader({ 'x.json': invalid }))).message).toBe(
      'x.json: fields.2.length: must be an integer 1-99 (a 2-digit ascii prefix says at most 99)',
    );
    expect(specError(() => loadSpec('p.xml', reader({ 'p.xml': '<isopackager>' }))).message).toBe(
      'p.xml: XML line 1: element <isopackager> from line 1 is not closed',
    );
  });

  it('needs a reader for files and lets the reader own its errors', () => {
    expect(specError(() => loadSpec('spec.json')).message).toBe('spec.json: loading a spec file needs a file reader');
    expect(() => loadSpec('missing.xml', reader({}))).toThrow('ENOENT: missing.xml');
  });
});
