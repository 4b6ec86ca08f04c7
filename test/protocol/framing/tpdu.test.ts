import { describe, it, expect } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import { parseTpdu, replyTpdu, tpdu, writeTpdu, TPDU_SIZE } from '../../../protocol/framing/index.js';
import { hex } from './hex.js';

function errorOf(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

describe('TPDU', () => {
  it('parses 60 dest dest src src', () => {
    expect(parseTpdu(hex('60 00 03 80 01'))).toEqual({ id: 0x60, destination: 0x0003, source: 0x8001 });
  });

  it('parses at an offset and ignores what follows', () => {
    expect(parseTpdu(hex('00 0a 60 01 23 00 00 08 00'), 2)).toEqual({ id: 0x60, destination: 0x0123, source: 0 });
  });

  it('builds the reply TPDU with source and destination swapped', () => {
    const request = parseTpdu(hex('60 00 03 00 00'));
    const reply = replyTpdu(request);
    expect(reply).toEqual({ id: 0x60, destination: 0x0000, source: 0x0003 });
    expect(writeTpdu(reply)).toEqual(hex('60 00 00 00 03'));
    expect(replyTpdu(reply)).toEqual(request);
  });

  it('writes into a buffer at an offset', () => {
    const buf = Buffer.alloc(7, 0xee);
    writeTpdu(tpdu(0x0003, 0x0012), buf, 1);
    expect(buf).toEqual(hex('ee 60 00 03 00 12 ee'));
    expect(TPDU_SIZE).toBe(5);
  });

  it('is BAD_TPDU when the first byte is not 0x60', () => {
    const e = errorOf(() => parseTpdu(hex('00 0a 60 00 03 00 00'), 1));
    expect(e.code).toBe('BAD_TPDU');
    expect(e.offset).toBe(1);
    expect(errorOf(() => parseTpdu(hex('68 00 03 00 00'))).code).toBe('BAD_TPDU');
  });

  it('is BAD_TPDU with fewer than 5 bytes', () => {
    expect(errorOf(() => parseTpdu(hex('60 00 03 00'))).code).toBe('BAD_TPDU');
    expect(errorOf(() => parseTpdu(hex(''))).code).toBe('BAD_TPDU');
  });

  it('rejects an NII that does not fit two bytes', () => {
    expect(() => tpdu(0x10000, 0)).toThrow(new TypeError('"tpdu.destination" must be an integer from 0 to 0xFFFF'));
    expect(() => writeTpdu({ id: 0x60, destination: 1, source: -1 })).toThrow(TypeError);
  });
});
