import type { ValueClass } from '../spec/types.js';

/** For each value class, a 256-entry table: 1 where the byte (ISO-8859-1 code) is allowed. */
export type Charset = Uint8Array;

function table(allowed: (c: number) => boolean): Charset {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) if (allowed(c)) t[c] = 1;
  return t;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isPrintable = (c: number): boolean => c >= 0x20 && c <= 0x7e;
const isSpecial = (c: number): boolean => isPrintable(c) && !isDigit(c) && !isLetter(c);

export const Charsets: Record<ValueClass, Charset> = {
  n: table(isDigit),
  a: table((c) => isLetter(c) || c === 0x20),
  an: table((c) => isLetter(c) || isDigit(c) || c === 0x20),
  anp: table((c) => isLetter(c) || isDigit(c) || c === 0x20),
  ans: table(isPrintable),
  as: table((c) => isLetter(c) || isSpecial(c)),
  ns: table((c) => isDigit(c) || isSpecial(c)),
  // track 2/3: digits and the field separator, '=' or (as some terminals write it) 'D'; nibble D in BCD
  z: table((c) => isDigit(c) || c === 0x3d || c === 0x44),
  b: table(() => true),
  // the sign position is checked apart; this table covers the digits after it
  'x+n': table(isDigit),
};

/** Human name of what a class's units are, for messages such as "expected 12 digits, got 7". */
export function unitName(cls: ValueClass, bytes: boolean): string {
  if (bytes || cls === 'b') return 'bytes';
  return cls === 'n' || cls === 'x+n' || cls === 'z' ? 'digits' : 'characters';
}
