import type { Charset } from '../field/charsets.js';
import { BodyError, latin1, writeLatin1, type Body } from './body.js';

/** One byte per character, ISO-8859-1. */
export const ascii: Body = {
  binary: false,
  size: (units) => units,
  unitsIn: (bytes) => bytes,
  read(buf: Buffer, start: number, units: number, charset: Charset, text?: string): string {
    const end = start + units;
    for (let i = start; i < end; i++) {
      if (charset[buf[i]] === 0) throw new BodyError(i, `character at position ${i - start + 1} is not allowed`);
    }
    return text === undefined ? latin1(buf, start, end) : text.substring(start, end);
  },
  write(value, units, buf, off, charset) {
    const s = value as string;
    if (charset === undefined) {
      writeLatin1(buf, s, off);
      return -1;
    }
    // short values: a JS loop beats a call into C++, and checks the characters on the way
    for (let i = 0; i < units; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff || charset[c] === 0) return i;
      buf[off + i] = c;
    }
    return -1;
  },
};
