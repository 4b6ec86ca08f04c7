import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyCodec } from '../../../gateway/recon/columns/codec.js';
import { SlotIndex } from '../../../gateway/recon/columns/slot-index.js';

describe('KeyCodec: a key string as one number', () => {
  const keys = fc.oneof(
    fc.stringMatching(/^[0-9]{1,15}$/),
    fc.stringMatching(/^[0-9A-Z]{1,10}$/),
    fc.stringMatching(/^[0-9A-Z]{11,16}$/),
    fc.string({ maxLength: 20 }),
  );

  it('decodes back to the same string, and 0 to null', () => {
    const codec = new KeyCodec();
    fc.assert(
      fc.property(keys, (s) => {
        const v = codec.encode(s);
        expect(Number.isSafeInteger(v)).toBe(true);
        expect(codec.decode(v)).toBe(s === '' ? null : s);
      }),
    );
    expect(codec.encode(null)).toBe(0);
    expect(codec.decode(0)).toBeNull();
  });

  it('gives equal numbers exactly to equal strings (leading zeros count)', () => {
    const codec = new KeyCodec();
    fc.assert(
      fc.property(keys, keys, (a, b) => {
        expect(codec.encode(a) === codec.encode(b)).toBe(a === b);
      }),
    );
    expect(codec.encode('000123')).not.toBe(codec.encode('123'));
    expect(codec.encode('0')).not.toBe(codec.encode('00'));
  });

  it('peeks without adding: NaN for an odd string never seen', () => {
    const codec = new KeyCodec();
    expect(codec.peek('406500000001')).toBe(codec.encode('406500000001'));
    expect(codec.peek('A1B2C3')).toBe(codec.encode('A1B2C3'));
    expect(codec.peek('merchant-1')).toBeNaN();
    const v = codec.encode('merchant-1');
    expect(codec.peek('merchant-1')).toBe(v);
  });
});

describe('SlotIndex: an open-addressing multimap of slots', () => {
  it('finds what was added and not removed, through growth and tombstones', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 7 })), { maxLength: 400 }), (ops) => {
        const index = new SlotIndex(4);
        const ref = new Map<number, number[]>();
        for (const [add, slot, hash] of ops) {
          const list = ref.get(hash) ?? [];
          if (add) {
            index.add(hash, slot);
            list.push(slot);
          } else if (list.includes(slot)) {
            index.remove(hash, slot);
            list.splice(list.indexOf(slot), 1);
          }
          ref.set(hash, list);
        }
        for (const [hash, list] of ref) {
          const found: number[] = [];
          for (let p = index.first(hash); p !== -1; p = index.next(hash, p)) found.push(index.slotAt(p));
          expect(found.sort((a, b) => a - b)).toEqual([...list].sort((a, b) => a - b));
        }
      }),
    );
  });
});
