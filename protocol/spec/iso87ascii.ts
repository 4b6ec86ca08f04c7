/**
 * ISO 8583:1987 with every field in ASCII, byte-for-byte as jPOS's ISO87APackager / iso87ascii.xml: MTI as four
 * ASCII digits, bitmaps as 16 ASCII hex characters each, binary fields as ASCII hex (IFA_BINARY).
 */
import { Pad, fixed, run, sensitive, variable } from './build.js';
import type { MessageSpec } from './types.js';
import { validateSpec } from './validate.js';

/** IFA_NUMERIC: ASCII digits, zero-filled on the left. */
const n = (length: number, name: string) => fixed('n', 'ascii', length, name, { pad: Pad.zeroLeft });
/** IF_CHAR: ASCII characters, space-filled on the right. */
const ans = (length: number, name: string) => fixed('ans', 'ascii', length, name, { pad: Pad.spaceRight });
/** IFA_AMOUNT: ASCII 'C'/'D' then zero-filled digits; the length counts the sign. */
const amount = (length: number, name: string) => fixed('x+n', 'ascii', length, name, { pad: Pad.zeroLeft });
/** IFA_BINARY: `length` bytes written as 2 x length ASCII hex characters. */
const hex = (length: number, name: string) => fixed('b', 'hex', length, name);
/** IFA_LLNUM: two ASCII length digits counting the digits. */
const llnum = (length: number, name: string) => variable('n', 'ascii', length, name, { digits: 2, encoding: 'ascii' });
/** IFA_LLCHAR / IFA_LLLCHAR: two or three ASCII length digits counting the characters. */
const llchar = (length: number, name: string) => variable('ans', 'ascii', length, name, { digits: 2, encoding: 'ascii' });
const lllchar = (length: number, name: string) => variable('ans', 'ascii', length, name, { digits: 3, encoding: 'ascii' });

export const iso87ascii: MessageSpec = validateSpec({
  name: 'iso87ascii',
  description: 'ISO 8583:1987, ASCII (jPOS ISO87APackager, iso87ascii.xml)',
  mti: { encoding: 'ascii' },
  bitmap: { encoding: 'hex' },
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
    // IFA_LLNUM in jPOS, which does not check digits: class z so the '=' separator is accepted.
    35: sensitive('track', variable('z', 'ascii', 37, 'Track 2 data', { digits: 2, encoding: 'ascii' })),
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
    52: sensitive('pin', hex(8, 'PIN data')),
    53: n(16, 'Security related control information'),
    54: lllchar(120, 'Additional amounts'),
    // jPOS keeps field 55 as IFA_LLLCHAR here (reserved ISO), unlike iso93ascii's binary ICC data.
    55: sensitive('emv', lllchar(999, 'Reserved for ISO use (ICC data)')),
    56: lllchar(999, 'Reserved for ISO use'),
    ...run(57, 59, () => lllchar(999, 'Reserved for national use')),
    ...run(60, 63, () => lllchar(999, 'Reserved for private use')),
    64: hex(8, 'Message authentication code'),
    // jPOS quirk: field 65 is one byte (two hex characters), not a bitmap.
    65: hex(1, 'Bitmap, extended'),
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
    96: hex(16, 'Message security code'),
    97: amount(17, 'Amount, net settlement'),
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
    128: hex(8, 'Message authentication code (secondary)'),
  },
});
