/**
 * ISO 8583:1987 in binary form, byte-for-byte as jPOS's ISO87BPackager / iso87binary.xml: MTI and numeric fields
 * in BCD, bitmaps as 8 raw bytes each, length prefixes in BCD counting digits or characters, character data ASCII.
 */
import { Pad, fixed, variable } from './build.js';
import { iso87Fields } from './iso87-layout.js';
import type { MessageSpec } from './types.js';
import { validateSpec } from './validate.js';

const bcdLL = { digits: 2, encoding: 'bcd' } as const;
const bcdLLL = { digits: 3, encoding: 'bcd' } as const;

export const iso87binary: MessageSpec = validateSpec({
  name: 'iso87binary',
  description: 'ISO 8583:1987, binary (jPOS ISO87BPackager, iso87binary.xml)',
  mti: { encoding: 'bcd' },
  bitmap: { encoding: 'binary' },
  fields: iso87Fields({
    // IFB_NUMERIC pad="true": BCD, an odd digit count gets a leading 0 nibble.
    n: (length, name) => fixed('n', 'bcd', length, name, { pad: Pad.zeroLeft }),
    // IF_CHAR: ASCII characters, space-filled on the right.
    ans: (length, name) => fixed('ans', 'ascii', length, name, { pad: Pad.spaceRight }),
    // IFB_AMOUNT pad="true": one ASCII 'C'/'D' byte, then length - 1 digits in BCD; the length counts the sign.
    amount: (length, name) => fixed('x+n', 'bcd', length, name, { pad: Pad.zeroLeft }),
    // field 97 has pad="false" in jPOS; 16 digits, so the filler nibble never appears.
    netAmount: (length, name) => fixed('x+n', 'bcd', length, name, { pad: Pad.zeroRight }),
    // IFB_BINARY: raw bytes (field 65 is the jPOS quirk of one byte, not a bitmap).
    bin: (length, name) => fixed('b', 'binary', length, name),
    // IFB_LLNUM pad="false": one BCD length byte counting digits; an odd digit count gets a trailing 0 nibble.
    llnum: (length, name) => variable('n', 'bcd', length, name, bcdLL, { pad: Pad.zeroRight }),
    // IFB_LLCHAR / IFB_LLLCHAR: ASCII characters after a BCD length of one byte (LL) or two bytes (LLL, 0x0999 max).
    llchar: (length, name) => variable('ans', 'ascii', length, name, bcdLL),
    lllchar: (length, name) => variable('ans', 'ascii', length, name, bcdLLL),
    // IFB_LLNUM in jPOS: class z so the '=' separator packs as the BCD nibble D.
    track2: (length, name) => variable('z', 'bcd', length, name, bcdLL, { pad: Pad.zeroRight }),
    // IFB_LLLBINARY: raw bytes after a two-byte BCD length counting bytes.
    icc: (length, name) => variable('b', 'binary', length, name, bcdLLL),
  }),
});
