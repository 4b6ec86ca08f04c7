import { describe, it, expect } from 'vitest';
import { makePrefix } from '../../../protocol/prefix/index.js';
import { hex } from '../specs.fixture.js';

describe('makePrefix', () => {
  it('builds the prefix the spec names, with its digit count', () => {
    const cases = [
      { spec: { digits: 2, encoding: 'ascii' }, bytes: '31 32' },
      { spec: { digits: 2, encoding: 'ebcdic' }, bytes: 'f1 f2' },
      { spec: { digits: 3, encoding: 'bcd' }, bytes: '00 12' },
      { spec: { digits: 2, encoding: 'binary' }, bytes: '00 0c' },
      { spec: { digits: 3, encoding: 'hex' }, bytes: '30 30 43' },
    ] as const;
    for (const { spec, bytes } of cases) {
      const p = makePrefix(spec);
      const out = Buffer.alloc(p.size);
      p.write(12, out, 0);
      expect(out).toEqual(hex(bytes));
      expect(p.read(out, 0)).toBe(12);
    }
  });
});
