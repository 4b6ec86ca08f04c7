import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinSpecs, codecFor, type IsoMessage } from '../../../protocol/index.js';
import { FrameTemplate } from '../../../terminal-sim/load/template.js';

const purchase = (n: { stan: string; invoice: string }): IsoMessage => ({
  mti: '0200',
  fields: { 3: '000000', 4: '000000001000', 11: n.stan, 12: '101112', 13: '1122', 35: '4761739001010119=28121011234567890', 41: 'TERM0001', 42: 'MERCHANT0000001', 49: '840', 60: '000007', 62: n.invoice },
});

describe('FrameTemplate', () => {
  for (const name of ['iso87binary', 'iso87ascii'] as const) {
    it(`${name}: a patched copy is byte for byte what the codec encodes`, () => {
      const codec = codecFor(builtinSpecs[name]);
      const t = FrameTemplate.of(codec, purchase);
      expect(t).not.toBeNull();
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 999_999 }), (stan, invoice) => {
          const pad = (v: number): string => String(v).padStart(6, '0');
          expect(t!.render({ stan, invoice }).equals(codec.encode(purchase({ stan: pad(stan), invoice: pad(invoice) }), { pad: true }))).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('no template when the STAN does not sit in the encoding as six digits', () => {
    const codec = codecFor(builtinSpecs.iso87ascii);
    // field 11 left out: changing the STAN changes nothing, so there is nothing to patch
    expect(FrameTemplate.of(codec, (n) => ({ mti: '0200', fields: { 3: '000000', 41: 'TERM0001', 62: n.invoice } }))).toBeNull();
  });

  it('copies do not share bytes with the template or each other', () => {
    const t = FrameTemplate.of(codecFor(builtinSpecs.iso87binary), purchase)!;
    const a = t.render({ stan: 1, invoice: 1 });
    const b = t.render({ stan: 2, invoice: 2 });
    expect(a.equals(b)).toBe(false);
    expect(t.render({ stan: 1, invoice: 1 }).equals(a)).toBe(true);
  });
});
