import { describe, it, expect } from 'vitest';
import { ascii } from '../../../protocol/encoding/ascii.js';
import { binary } from '../../../protocol/encoding/binary.js';
import { ebcdic } from '../../../protocol/encoding/ebcdic.js';
import { hex } from '../../../protocol/encoding/hex.js';
import { makeBody } from '../../../protocol/encoding/index.js';
import type { DataEncoding } from '../../../protocol/spec/types.js';

describe('makeBody', () => {
  const of = (encoding: DataEncoding) => makeBody({ name: 'x', class: 'ans', encoding, length: 1 });

  it('picks the body for the spec encoding', () => {
    expect(of('ascii')).toBe(ascii);
    expect(of('ebcdic')).toBe(ebcdic);
    expect(of('binary')).toBe(binary);
    expect(of('hex')).toBe(hex);
    expect(of('bcd').size(3)).toBe(2);
  });
});
