import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IsoMessage, Primitive } from '../../../protocol/index.js';
import { fingerprintOf } from '../../../gateway/flow/authorize.js';

/** The fingerprint as the journal has always stored it: SHA-256 of the parts joined by "|", absent parts empty. */
function journaled(req: IsoMessage, panHash: string | null): string {
  const text = (n: number) => (typeof req.fields[n] === 'string' ? req.fields[n] : undefined);
  const parts = [req.mti.slice(0, 3), text(3), text(4), text(49), panHash, text(62), text(38), text(37)];
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);
}

describe('fingerprintOf', () => {
  it('keeps the digest journals hold, so a repeat of a request journaled before is still recognised', () => {
    const sale: IsoMessage = { mti: '0200', fields: { 3: '000000', 4: '000000001000', 11: '000001', 49: '840' } };
    expect(fingerprintOf(sale, 'ab'.repeat(32))).toBe('6d698e13cb49718402d82e1f373aa151');
    const advice: IsoMessage = { mti: '0220', fields: { 3: '000000', 4: '000000002500', 49: '978', 62: '000123', 38: 'OFF001', 37: '412345678901' } };
    expect(fingerprintOf(advice, null)).toBe('b18b9eebdf53ac64b7d0d2623bd14ebb');
  });

  it('is the journaled digest for any fields, present or not, text or binary', () => {
    const value = fc.option(fc.oneof(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b))), { nil: undefined });
    fc.assert(
      fc.property(
        fc.constantFrom('0100', '0200', '0201', '0220', '0221'),
        fc.record({ 3: value, 4: value, 37: value, 38: value, 49: value, 62: value }),
        fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), { nil: null }),
        (mti, drawn, panHash) => {
          const fields: Record<number, Primitive> = {};
          for (const [k, v] of Object.entries(drawn)) if (v !== undefined) fields[Number(k)] = v;
          const req: IsoMessage = { mti, fields };
          expect(fingerprintOf(req, panHash)).toBe(journaled(req, panHash));
        },
      ),
    );
  });
});
