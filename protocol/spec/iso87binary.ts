/**
 * ISO 8583:1987 in binary form, byte-for-byte as jPOS's ISO87BPackager / iso87binary.xml: MTI and numeric fields
 * in BCD, bitmaps as 8 raw bytes each, length prefixes in BCD counting digits or characters, character data ASCII.
 */
import { Pad, fixed, run, sensitive, variable } from './build.js';
import type { MessageSpec } from './types.js';
import { validateSpec } from './validate.js';

/** IFB_NUMERIC pad="true": BCD, an odd digit count gets a leading 0 nibble. */
const n = (length: number, name: string) => fixed('n', 'bcd', length, name, { pad: Pad.zeroLeft });
/** IF_CHAR: ASCII characters, space-filled on the right. */
const ans = (length: number, name: string) => fixed('ans', 'ascii', length, name, { pad: Pad.spaceRight });
/** IFB_AMOUNT pad="true": one ASCII 'C'/'D' byte, then length - 1 digits in BCD; the length counts the sign. */
const amount = (length: number, name: string) => fixed('x+n', 'bcd', length, name, { pad: Pad.zeroLeft });
/** IFB_BINARY: raw bytes. */
const bin = (length: number, name: string) => fixed('b', 'binary', length, name);
/** IFB_LLNUM pad="false": one BCD length byte counting digits; an odd digit count gets a trailing 0 nibble. */
const llnum = (length: number, name: string) =>
  variable('n', 'bcd', length, name, { digits: 2, encoding: 'bcd' }, { pad: Pad.zeroRight });
/** IFB_LLCHAR / IFB_LLLCHAR: ASCII characters after a BCD length of one byte (LL) or two bytes (LLL, 0x0999 max). */
const llchar = (length: number, name: string) => variable('ans', 'ascii', length, name, { digits: 2, encoding: 'bcd' });
const lllchar = (length: number, name: string) => variable('ans', 'ascii', length, name, { digits: 3, encoding: 'bcd' });

export const iso87binary: MessageSpec = validateSpec({
  name: 'iso87binary',
  description: 'ISO 8583:1987, binary (jPOS ISO87BPackager, iso87binary.xml)',
  mti: { encoding: 'bcd' },
  bitmap: { encoding: 'binary' },
  fields: {
    2: sensitive('pan', llnum(19, 'Primary account number')),
    3: n(6, 'Processing code'),
    4: n(12, 'Amount, transaction'),
    5: n(12, 'Amount, settlement'),
    6: n(12, 'Amount, cardholder billing'),
    7: n(10, 'Transmission date and time'),
    8: n(8, 'Amount, cardholder billing fee'),
    9: n(8, 'Conversion rate, settlement'),
    10: n(8, 'Conversion rate, cardholder billing'),
    11: n(6, 'System trace audit number'),
    12: n(6, 'Time, local transaction'),
    13: n(4, 'Date, local transaction'),
    14: n(4, 'Date, expiration'),
    15: n(4, 'Date, settlement'),
    16: n(4, 'Date, conversion'),
    17: n(4, 'Date, capture'),
    18: n(4, 'Merchant type'),
    19: n(3, 'Acquiring institution country code'),
    20: n(3, 'PAN extended country code'),
    21: n(3, 'Forwarding institution country code'),
    22: n(3, 'Point of service entry mode'),
    23: n(3, 'Card sequence number'),
    24: n(3, 'Network international identifier'),
    25: n(2, 'Point of service condition code'),
    26: n(2, 'Point of service PIN capture code'),
    27: n(1, 'Authorization identification response length'),
    28: amount(9, 'Amount, transaction fee'),
    29: amount(9, 'Amount, settlement fee'),
    30: amount(9, 'Amount, transaction processing fee'),
    31: amount(9, 'Amount, settlement processing fee'),
    32: llnum(11, 'Acquiring institution identification code'),
    33: llnum(11, 'Forwarding institution identification code'),
    34: sensitive('pan', llchar(28, 'Primary account number, extended')),
    // IFB_LLNUM in jPOS: class z so the '=' separator packs as the BCD nibble D.
    35: sensitive('track', variable('z', 'bcd', 37, 'Track 2 data', { digits: 2, encoding: 'bcd' }, { pad: Pad.zeroRight })),
    36: sensitive('track', lllchar(104, 'Track 3 data')),
    37: ans(12, 'Retrieval reference number'),
    38: ans(6, 'Authorization identification response'),
    39: ans(2, 'Response code'),
    40: ans(3, 'Service restriction code'),
    41: ans(8, 'Card acceptor terminal identification'),
    42: ans(15, 'Card acceptor identification code'),
    43: ans(40, 'Card acceptor name/location'),
    44: llchar(25, 'Additional response data'),
    45: sensitive('track', llchar(76, 'Track 1 data')),
    46: lllchar(999, 'Additional data, ISO'),
    47: lllchar(999, 'Additional data, national'),
    48: lllchar(999, 'Additional data, private'),
    49: ans(3, 'Currency code, transaction'),
    50: ans(3, 'Currency code, settlement'),
    51: ans(3, 'Currency code, cardholder billing'),
    52: sensitive('pin', bin(8, 'PIN data')),
    53: n(16, 'Security related control information'),
    54: lllchar(120, 'Additional amounts'),
    // IFB_LLLBINARY: raw bytes after a two-byte BCD length counting bytes.
    55: sensitive('emv', variable('b', 'binary', 999, 'Reserved for ISO use (ICC data)', { digits: 3, encoding: 'bcd' })),
    56: lllchar(999, 'Reserved for ISO use'),
    ...run(57, 59, () => lllchar(999, 'Reserved for national use')),
    ...run(60, 63, () => lllchar(999, 'Reserved for private use')),
    64: bin(8, 'Message authentication code'),
    // jPOS quirk: field 65 is a single byte (IFB_BINARY 1), not a bitmap.
    65: bin(1, 'Bitmap, extended'),
    66: n(1, 'Settlement code'),
    67: n(2, 'Extended payment code'),
    68: n(3, 'Receiving institution country code'),
    69: n(3, 'Settlement institution country code'),
    70: n(3, 'Network management information code'),
    71: n(4, 'Message number'),
    72: n(4, 'Message number, last'),
    73: n(6, 'Date, action'),
    74: n(10, 'Credits, number'),
    75: n(10, 'Credits, reversal number'),
    76: n(10, 'Debits, number'),
    77: n(10, 'Debits, reversal number'),
    78: n(10, 'Transfer, number'),
    79: n(10, 'Transfer, reversal number'),
    80: n(10, 'Inquiries, number'),
    81: n(10, 'Authorizations, number'),
    82: n(12, 'Credits, processing fee amount'),
    83: n(12, 'Credits, transaction fee amount'),
    84: n(12, 'Debits, processing fee amount'),
    85: n(12, 'Debits, transaction fee amount'),
    86: n(16, 'Credits, amount'),
    87: n(16, 'Credits, reversal amount'),
    88: n(16, 'Debits, amount'),
    89: n(16, 'Debits, reversal amount'),
    90: n(42, 'Original data elements'),
    91: ans(1, 'File update code'),
    92: ans(2, 'File security code'),
    93: ans(6, 'Response indicator'),
    94: ans(7, 'Service indicator'),
    95: ans(42, 'Replacement amounts'),
    96: bin(16, 'Message security code'),
    // pad="false" in jPOS; 16 digits, so the filler nibble never appears.
    97: fixed('x+n', 'bcd', 17, 'Amount, net settlement', { pad: Pad.zeroRight }),
    98: ans(25, 'Payee'),
    99: llnum(11, 'Settlement institution identification code'),
    100: llnum(11, 'Receiving institution identification code'),
    101: llchar(17, 'File name'),
    102: llchar(28, 'Account identification 1'),
    103: llchar(28, 'Account identification 2'),
    104: lllchar(100, 'Transaction description'),
    ...run(105, 111, () => lllchar(999, 'Reserved for ISO use')),
    ...run(112, 119, () => lllchar(999, 'Reserved for national use')),
    ...run(120, 127, () => lllchar(999, 'Reserved for private use')),
    128: bin(8, 'Message authentication code (secondary)'),
  },
});
