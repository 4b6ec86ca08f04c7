import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RrnGenerator } from '../../gateway/rrn.js';

/** YDDD of a time, from scratch: the last digit of the UTC year, the day of that year. */
function datePart(ms: number): string {
  const d = new Date(ms);
  const day = Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 0)) / 86_400_000);
  return `${d.getUTCFullYear() % 10}${String(day).padStart(3, '0')}`;
}

describe('RrnGenerator', () => {
  it('starts each RRN with the UTC date of the moment it is made, across days, years and a clock set back', () => {
    let now = Date.UTC(2024, 11, 31, 23, 59, 59, 998);
    const rrn = new RrnGenerator({ now: () => now }, 41);
    const seen: string[] = [];
    for (const step of [0, 1, 1, 86_400_000, -86_400_000, -2, 366 * 86_400_000, 0.5]) {
      now += step;
      seen.push(rrn.next());
    }
    expect(seen).toEqual([
      '436600000042',
      '436600000043',
      '500100000044',
      '500200000045',
      '500100000046',
      '436600000047',
      '600100000048',
      '600100000049',
    ]);
  });

  it('gives the date part of whatever time the clock says, however it moves', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 4.1e12, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 3 }), (times, spread) => {
        let i = 0;
        const rrn = new RrnGenerator({ now: () => times[i] }, 0);
        for (; i < times.length; i++) {
          // and times near the one drawn: the same day, the edges of it
          for (const d of [0, spread * 43_200_000, -1]) {
            const t = times[i];
            times[i] = t + d;
            expect(rrn.next().slice(0, 4)).toBe(datePart(times[i]));
            times[i] = t;
          }
        }
      }),
    );
  });

  it('carries on the sequence and wraps from 99999999 to 00000001', () => {
    const rrn = new RrnGenerator({ now: () => Date.UTC(2025, 0, 1) }, 99_999_998);
    expect([rrn.next(), rrn.next(), rrn.next()]).toEqual(['500199999999', '500100000001', '500100000002']);
  });
});
