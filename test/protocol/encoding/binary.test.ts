import { describe, it, expect } from 'vitest';
import { binary } from '../../../protocol/encoding/binary.js';
import { Charsets } from '../../../protocol/field/charsets.js';
import { hex } from '../specs.fixture.js';

describe('binary body', () => {
  it('counts bytes', () => {
    expect(binary.binary).toBe(true);
    expect(binary.size(8)).toBe(8);
    expect(binary.unitsIn(8)).toBe(8);
  });

  it('writes the bytes as they are, at the offset', () => {
    const out = hex('ee ee ee ee ee ee');
    binary.write(hex('00 ff 80 7f'), 4, out, 1);
    expect(out).toEqual(hex('ee 00 ff 80 7f ee'));
  });

  it('reads any byte values', () => {
    const buf = hex('aa 00 01 fe ff bb');
    expect(binary.read(buf, 1, 4, Charsets.b)).toEqual(hex('00 01 fe ff'));
  });

  it('reads a view of the input, not a copy', () => {
    const buf = hex('aa 00 01 fe ff bb');
    const v = binary.read(buf, 1, 4, Charsets.b) as Buffer;
    buf[2] = 0x42;
    expect(v[1]).toBe(0x42);
    expect(v.buffer).toBe(buf.buffer);
  });

  it('reads zero bytes as an empty buffer', () => {
    expect(binary.read(hex('aa'), 1, 0, Charsets.b)).toEqual(Buffer.alloc(0));
  });
});
