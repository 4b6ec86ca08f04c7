/**
 * ISO 8583:1987 with every field in ASCII, byte-for-byte as jPOS's ISO87APackager / iso87ascii.xml: MTI as four
 * ASCII digits, bitmaps as 16 ASCII hex characters each, binary fields as ASCII hex (IFA_BINARY).
 */
import { Pad, fixed, variable } from './build.js';
import { iso87Fields } from './iso87-layout.js';
import type { MessageSpec } from './types.js';
import { validateSpec } from './validate.js';

const asciiLL = { digits: 2, encoding: 'ascii' } as const;
const asciiLLL = { digits: 3, encoding: 'ascii' } as const;

export const iso87ascii: MessageSpec = validateSpec({
  name: 'iso87ascii',
  description: 'ISO 8583:1987, ASCII (jPOS ISO87APackager, iso87ascii.xml)',
  mti: { encoding: 'ascii' },
  bitmap: { encoding: 'hex' },
  fields: iso87Fields({
    // IFA_NUMERIC: ASCII digits, zero-filled on the left.
    n: (length, name) => fixed('n', 'ascii', length, name, { pad: Pad.zeroLeft }),
    // IF_CHAR: ASCII characters, space-filled on the right.
    ans: (length, name) => fixed('ans', 'ascii', length, name, { pad: Pad.spaceRight }),
    // IFA_AMOUNT: ASCII 'C'/'D' then zero-filled digits; the length counts the sign.
    amount: (length, name) => fixed('x+n', 'ascii', length, name, { pad: Pad.zeroLeft }),
    netAmount: (length, name) => fixed('x+n', 'ascii', length, name, { pad: Pad.zeroLeft }),
    // IFA_BINARY: `length` bytes written as 2 x length ASCII hex characters (field 65: one byte, two characters).
    bin: (length, name) => fixed('b', 'hex', length, name),
    // IFA_LLNUM: two ASCII length digits counting the digits.
    llnum: (length, name) => variable('n', 'ascii', length, name, asciiLL),
    // IFA_LLCHAR / IFA_LLLCHAR: two or three ASCII length digits counting the characters.
    llchar: (length, name) => variable('ans', 'ascii', length, name, asciiLL),
    lllchar: (length, name) => variable('ans', 'ascii', length, name, asciiLLL),
    // IFA_LLNUM in jPOS, which does not check digits: class z so the '=' separator is accepted.
    track2: (length, name) => variable('z', 'ascii', length, name, asciiLL),
    // jPOS keeps field 55 as IFA_LLLCHAR here (reserved ISO), unlike iso93ascii's binary ICC data.
    icc: (length, name) => variable('ans', 'ascii', length, name, asciiLLL),
  }),
});
