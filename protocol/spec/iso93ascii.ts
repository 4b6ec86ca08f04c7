/**
 * ISO 8583:1993 with every field in ASCII, byte-for-byte as jPOS's ISO93APackager / iso93ascii.xml. Fixed binary
 * fields are ASCII hex (IFA_BINARY), but the variable ones (IFA_LLBINARY, IFA_LLLBINARY) carry raw bytes after an
 * ASCII length that counts bytes.
 */
import { Pad, fixed, run, sensitive, variable } from './build.js';
import type { MessageSpec } from './types.js';
import { validateSpec } from './validate.js';

/** IFA_NUMERIC: ASCII digits, zero-filled on the left. */
const n = (length: number, name: string) => fixed('n', 'ascii', length, name, { pad: Pad.zeroLeft });
/** IF_CHAR: ASCII characters, space-filled on the right. */
const ans = (length: number, name: string) => fixed('ans', 'ascii', length, name, { pad: Pad.spaceRight });
/** IFA_BINARY: `length` bytes written as 2 x length ASCII hex characters. */
const hex = (length: number, name: string) => fixed('b', 'hex', length, name);
/** IFA_LLNUM: two ASCII length digits counting the digits. */
const llnum = (length: number, name: string) => variable('n', 'ascii', length, name, { digits: 2, encoding: 'ascii' });
/** IFA_LLCHAR / IFA_LLLCHAR: two or three ASCII length digits counting the characters. */
const llchar = (length: number, name: string) => variable('ans', 'ascii', length, name, { digits: 2, encoding: 'ascii' });
const lllchar = (length: number, name: string) => variable('ans', 'ascii', length, name, { digits: 3, encoding: 'ascii' });
/** IFA_LLBINARY / IFA_LLLBINARY: raw bytes (LiteralBinaryInterpreter), ASCII length counting bytes. */
const llbin = (length: number, name: string) => variable('b', 'binary', length, name, { digits: 2, encoding: 'ascii' });
const lllbin = (length: number, name: string) => variable('b', 'binary', length, name, { digits: 3, encoding: 'ascii' });

export const iso93ascii: MessageSpec = validateSpec({
  name: 'iso93ascii',
  description: 'ISO 8583:1993, ASCII (jPOS ISO93APackager, iso93ascii.xml)',
  mti: { encoding: 'ascii' },
  bitmap: { encoding: 'hex' },
  fields: {
    2: sensitive('pan', llnum(19, 'Primary account number')),
    3: n(6, 'Processing code'),
    4: n(12, 'Amount, transaction'),
    5: n(12, 'Amount, reconciliation'),
    6: n(12, 'Amount, cardholder billing'),
    7: n(10, 'Date and time, transmission'),
    8: n(8, 'Amount, cardholder billing fee'),
    9: n(8, 'Conversion rate, reconciliation'),
    10: n(8, 'Conversion rate, cardholder billing'),
    11: n(6, 'System trace audit number'),
    12: n(12, 'Date and time, local transaction'),
    13: n(4, 'Date, effective'),
    14: n(4, 'Date, expiration'),
    15: n(6, 'Date, settlement'),
    16: n(4, 'Date, conversion'),
    17: n(4, 'Date, capture'),
    18: n(4, 'Merchant type'),
    19: n(3, 'Country code, acquiring institution'),
    20: n(3, 'Country code, primary account number'),
    21: n(3, 'Country code, forwarding institution'),
    22: ans(12, 'Point of service data code'),
    23: n(3, 'Card sequence number'),
    24: n(3, 'Function code'),
    25: n(4, 'Message reason code'),
    26: n(4, 'Card acceptor business code'),
    27: n(1, 'Approval code length'),
    28: n(6, 'Date, reconciliation'),
    29: n(3, 'Reconciliation indicator'),
    30: n(24, 'Amounts, original'),
    31: llchar(99, 'Acquirer reference data'),
    32: llnum(11, 'Acquiring institution identification code'),
    33: llnum(11, 'Forwarding institution identification code'),
    34: sensitive('pan', llchar(28, 'Primary account number, extended')),
    // IFA_LLCHAR in jPOS's 1993 packager (not LLNUM as in 1987), so class ans.
    35: sensitive('track', llchar(37, 'Track 2 data')),
    36: sensitive('track', lllchar(104, 'Track 3 data')),
    37: ans(12, 'Retrieval reference number'),
    38: ans(6, 'Approval code'),
    39: n(3, 'Action code'),
    40: n(3, 'Service code'),
    41: ans(8, 'Card acceptor terminal identification'),
    42: ans(15, 'Card acceptor identification code'),
    43: llchar(99, 'Card acceptor name/location'),
    44: llchar(99, 'Additional response data'),
    45: sensitive('track', llchar(76, 'Track 1 data')),
    46: lllchar(204, 'Amounts, fees'),
    47: lllchar(999, 'Additional data, national'),
    48: lllchar(999, 'Additional data, private'),
    49: ans(3, 'Currency code, transaction'),
    50: ans(3, 'Currency code, reconciliation'),
    51: ans(3, 'Currency code, cardholder billing'),
    52: sensitive('pin', hex(8, 'PIN data')),
    53: llbin(48, 'Security related control information'),
    54: lllchar(120, 'Amounts, additional'),
    55: sensitive('emv', lllbin(255, 'ICC system related data')),
    56: llnum(35, 'Original data elements'),
    57: n(3, 'Authorization life cycle code'),
    58: llnum(11, 'Authorizing agent institution identification code'),
    59: lllchar(999, 'Transport data'),
    ...run(60, 61, () => lllchar(999, 'Reserved for national use')),
    ...run(62, 63, () => lllchar(999, 'Reserved for private use')),
    64: hex(8, 'Message authentication code'),
    65: hex(8, 'Reserved for ISO use'),
    66: lllchar(204, 'Amounts, original fees'),
    67: n(2, 'Extended payment data'),
    68: n(3, 'Country code, receiving institution'),
    69: n(3, 'Country code, settlement institution'),
    70: n(3, 'Country code, authorizing agent institution'),
    71: n(8, 'Message number'),
    72: lllchar(999, 'Data record'),
    73: n(6, 'Date, action'),
    74: n(10, 'Credits, number'),
    75: n(10, 'Credits, reversal number'),
    76: n(10, 'Debits, number'),
    77: n(10, 'Debits, reversal number'),
    78: n(10, 'Transfer, number'),
    79: n(10, 'Transfer, reversal number'),
    80: n(10, 'Inquiries, number'),
    81: n(10, 'Authorizations, number'),
    82: n(10, 'Inquiries, reversal number'),
    83: n(10, 'Payments, number'),
    84: n(10, 'Payments, reversal number'),
    85: n(10, 'Fee collections, number'),
    86: n(16, 'Credits, amount'),
    87: n(16, 'Credits, reversal amount'),
    88: n(16, 'Debits, amount'),
    89: n(16, 'Debits, reversal amount'),
    90: n(10, 'Authorizations, reversal number'),
    91: n(3, 'Country code, transaction destination institution'),
    92: n(3, 'Country code, transaction originator institution'),
    93: llnum(11, 'Transaction destination institution identification code'),
    94: llnum(11, 'Transaction originator institution identification code'),
    95: llchar(99, 'Card issuer reference data'),
    96: lllbin(999, 'Key management data'),
    // IFA_AMOUNT(1+16): ASCII 'C'/'D' then 16 digits.
    97: fixed('x+n', 'ascii', 17, 'Amount, net reconciliation', { pad: Pad.zeroLeft }),
    98: ans(25, 'Payee'),
    // IFA_LLCHAR in jPOS, unlike its neighbour 100.
    99: llchar(11, 'Settlement institution identification code'),
    100: llnum(11, 'Receiving institution identification code'),
    101: llchar(17, 'File name'),
    102: llchar(28, 'Account identification 1'),
    103: llchar(28, 'Account identification 2'),
    104: lllchar(100, 'Transaction description'),
    105: n(16, 'Credits, chargeback amount'),
    106: n(16, 'Debits, chargeback amount'),
    107: n(10, 'Credits, chargeback number'),
    108: n(10, 'Debits, chargeback number'),
    109: llchar(84, 'Credits, fee amounts'),
    110: llchar(84, 'Debits, fee amounts'),
    ...run(111, 115, () => lllchar(999, 'Reserved for ISO use')),
    ...run(116, 122, () => lllchar(999, 'Reserved for national use')),
    ...run(123, 127, () => lllchar(999, 'Reserved for private use')),
    128: hex(8, 'Message authentication code (secondary)'),
  },
});
