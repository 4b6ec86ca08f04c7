/**
 * Golden vectors for the built-in jPOS-compatible specs. Every expected wire image was derived by hand from jPOS's
 * field classes (org.jpos.iso: IFB_NUMERIC, IFB_LLNUM, IFB_LLCHAR, IFB_LLLCHAR, IFB_BINARY, IFB_LLLBINARY,
 * IFB_AMOUNT, IFB_BITMAP, IFA_*, IF_CHAR; BCDInterpreter over ISOUtil.str2bcd / bcd2str; BcdPrefixer, AsciiPrefixer;
 * AsciiHexInterpreter; ISOAmountFieldPackager) and the packager XMLs in ./fixtures, never from our own encoder.
 * Each vector is checked both ways: encode gives exactly these bytes, decode gives back exactly these values.
 *
 * Rules used (jPOS):
 * - BCDInterpreter LEFT_PADDED (pad="true") puts the odd digit count's 0 nibble first, RIGHT_PADDED (pad="false")
 *   last; bcd2str reads exactly `len` digits, skipping the filler nibble whatever it holds, and maps nibble D to '='.
 * - BcdPrefixer packs (digits + 1) / 2 bytes: LL one byte (0x16 for 16), LLL two (0x01 0x23 for 123).
 * - ISOStringFieldPackager writes the prefix with the value's length in digits / characters, and unpacks without
 *   trimming: IF_CHAR keeps its trailing spaces on read.
 * - IFB_AMOUNT: one ASCII sign byte, then length - 1 digits zero-padded in BCD. ISOAmountFieldPackager (IFA_AMOUNT):
 *   the sign character, then length - 1 zero-filled ASCII digits.
 * - AsciiHexInterpreter writes upper-case hex and reads either case (Character.digit).
 * - IFB_BITMAP / IFA_BITMAP: 8 bytes / 16 hex characters, doubled with bit 1 set once a field above 64 is present.
 */
import { describe, expect, it } from 'vitest';
import type { EncodeOptions } from '../../../protocol/field/codec.js';
import { codecFor, type MessageCodec } from '../../../protocol/message.js';
import type { Primitive } from '../../../protocol/encoding/body.js';
import { builtinSpecs } from '../../../protocol/spec/index.js';
import { ascii, caught, hex, plain, upperHex, wire } from '../specs.fixture.js';

const B = codecFor(builtinSpecs.iso87binary);
const A = codecFor(builtinSpecs.iso87ascii);

interface Vector {
  name: string;
  mti: string;
  /** The values decode returns (and, unless `input` is given, what encode is fed). */
  fields: Record<number, Primitive>;
  wire: Buffer;
  /** Encode input when it differs from the decoded values (short values with `pad`, hex strings for bytes). */
  input?: Record<number, unknown>;
  opts?: EncodeOptions;
}

function bothWays(codec: MessageCodec, v: Vector): void {
  expect(upperHex(codec.encode({ mti: v.mti, fields: v.input ?? v.fields }, v.opts))).toBe(upperHex(v.wire));
  expect(plain(codec.decode(v.wire))).toEqual({ mti: v.mti, fields: v.fields });
}

const PAN16 = '4761739001010119';
const PAN15 = '476173900101011';
const TRACK2 = '4761739001010119=25122011'; // 25 characters: PAN, '=', YYMM 2512, service code 201, 1
const CORNER_SHOP = 'CORNER SHOP' + ' '.repeat(29); // 40 characters, trailing spaces part of the value

describe('iso87binary golden vectors (jPOS ISO87BPackager)', () => {
  const vectors: Vector[] = [
    {
      // MTI IFB_NUMERIC 4 pad=true: 0x02 0x00; IFB_BITMAP: field 4 is bit 0x10 of byte 0
      // IFB_NUMERIC 12, even: 6 bytes, no filler
      name: 'IFB_NUMERIC even length (field 4 n12)',
      mti: '0200',
      fields: { 4: '000000001000' },
      wire: wire('02 00', '10 00 00 00 00 00 00 00', '00 00 00 00 10 00'),
    },
    {
      // IFB_NUMERIC 12, LeftPadder.ZERO_PADDER: "1000" -> "000000001000"
      name: 'IFB_NUMERIC zero-filled on the left with pad (field 4)',
      mti: '0200',
      fields: { 4: '000000001000' },
      input: { 4: '1000' },
      opts: { pad: true },
      wire: wire('02 00', '10 00 00 00 00 00 00 00', '00 00 00 00 10 00'),
    },
    {
      // IFB_NUMERIC 3 pad=true (LEFT_PADDED): 0 nibble first -> 0x00 0x51; field 22 is bit 0x04 of byte 2
      name: 'IFB_NUMERIC odd length, filler nibble first (field 22 n3)',
      mti: '0200',
      fields: { 22: '051' },
      wire: wire('02 00', '00 00 04 00 00 00 00 00', '00 51'),
    },
    {
      // "123" -> 0x01 0x23, read back as 3 digits "123", not "0123"
      name: 'IFB_NUMERIC odd length keeps its digit count (field 22 "123")',
      mti: '0200',
      fields: { 22: '123' },
      wire: wire('02 00', '00 00 04 00 00 00 00 00', '01 23'),
    },
    {
      // IFB_NUMERIC 3 with pad: "51" -> "051" -> 0x00 0x51
      name: 'IFB_NUMERIC odd length padded (field 22 "51")',
      mti: '0200',
      fields: { 22: '051' },
      input: { 22: '51' },
      opts: { pad: true },
      wire: wire('02 00', '00 00 04 00 00 00 00 00', '00 51'),
    },
    {
      // IFB_NUMERIC 1 pad=true: "5" -> 0x05; field 27 is bit 0x20 of byte 3
      name: 'IFB_NUMERIC one digit (field 27 n1)',
      mti: '0200',
      fields: { 27: '5' },
      wire: wire('02 00', '00 00 00 20 00 00 00 00', '05'),
    },
    {
      // IFB_LLNUM 19 pad=false: LL prefix 0x16 (16 digits, BCD) + 8 bytes; field 2 is bit 0x40 of byte 0
      name: 'IFB_LLNUM even digit count (field 2, 16 digits)',
      mti: '0200',
      fields: { 2: PAN16 },
      wire: wire('02 00', '40 00 00 00 00 00 00 00', '16', '47 61 73 90 01 01 01 19'),
    },
    {
      // IFB_LLNUM 19 pad=false (RIGHT_PADDED): prefix 0x15 counts digits, 8 bytes, trailing 0 filler nibble
      name: 'IFB_LLNUM odd digit count (field 2, 15 digits)',
      mti: '0200',
      fields: { 2: PAN15 },
      wire: wire('02 00', '40 00 00 00 00 00 00 00', '15', '47 61 73 90 01 01 01 10'),
    },
    {
      // IFB_LLNUM 11 pad=false: prefix 0x11 (11 digits), 6 bytes, last nibble filler 0; field 32 is bit 0x01 of byte 3
      name: 'IFB_LLNUM odd digit count (field 32, 11 digits)',
      mti: '0200',
      fields: { 32: '12345678901' },
      wire: wire('02 00', '00 00 00 01 00 00 00 00', '11', '12 34 56 78 90 10'),
    },
    {
      // IFB_LLNUM 11: prefix 0x06, 3 bytes
      name: 'IFB_LLNUM even digit count (field 32, 6 digits)',
      mti: '0200',
      fields: { 32: '123456' },
      wire: wire('02 00', '00 00 00 01 00 00 00 00', '06', '12 34 56'),
    },
    {
      // IFB_LLNUM 37 pad=false: prefix 0x25 (25 characters), '=' - '0' = nibble D, 13 bytes, trailing filler 0;
      // field 35 is bit 0x20 of byte 4
      name: 'track 2 IFB_LLNUM with "=" as nibble D, odd length (field 35)',
      mti: '0200',
      fields: { 35: TRACK2 },
      wire: wire('02 00', '00 00 00 00 20 00 00 00', '25', '47 61 73 90 01 01 01 19 D2 51 22 01 10'),
    },
    {
      // IFB_LLCHAR 25: BCD prefix 0x08, 8 ASCII bytes; field 44 is bit 0x10 of byte 5
      name: 'IFB_LLCHAR (field 44)',
      mti: '0210',
      fields: { 44: 'APPROVED' },
      wire: wire('02 10', '00 00 00 00 00 10 00 00', '08', '41 50 50 52 4F 56 45 44'),
    },
    {
      // IFB_LLCHAR 25: prefix 0x04 counts the trailing spaces too, kept on read
      name: 'IFB_LLCHAR keeps trailing spaces (field 44)',
      mti: '0210',
      fields: { 44: 'AB  ' },
      wire: wire('02 10', '00 00 00 00 00 10 00 00', '04', '41 42 20 20'),
    },
    {
      // IFB_LLCHAR 28 (PAN extended): prefix 0x06; field 34 is bit 0x40 of byte 4
      name: 'IFB_LLCHAR (field 34)',
      mti: '0200',
      fields: { 34: 'ABC123' },
      wire: wire('02 00', '00 00 00 00 40 00 00 00', '06', '41 42 43 31 32 33'),
    },
    {
      // IFB_LLLCHAR 999: BcdPrefixer.LLL is two bytes, 0x00 0x03; field 48 is bit 0x01 of byte 5
      name: 'IFB_LLLCHAR (field 48)',
      mti: '0200',
      fields: { 48: 'ABC' },
      wire: wire('02 00', '00 00 00 00 00 01 00 00', '00 03', '41 42 43'),
    },
    {
      // IFB_LLLCHAR 999, empty value: still its two-byte prefix 0x00 0x00 and nothing after it
      name: 'IFB_LLLCHAR empty value (field 48)',
      mti: '0200',
      fields: { 48: '' },
      wire: wire('02 00', '00 00 00 00 00 01 00 00', '00 00'),
    },
    {
      // IFB_LLLCHAR 999 with 123 characters: prefix 0x01 0x23, then 123 x 'X' (0x58); field 60 is bit 0x10 of byte 7
      name: 'IFB_LLLCHAR with a three-digit length (field 60)',
      mti: '0200',
      fields: { 60: 'X'.repeat(123) },
      wire: wire('02 00', '00 00 00 00 00 00 00 10', '01 23', '58'.repeat(123)),
    },
    {
      // IFB_BINARY 8: the 8 bytes as they are; field 52 is bit 0x10 of byte 6
      name: 'IFB_BINARY (field 52)',
      mti: '0200',
      fields: { 52: hex('01 23 45 67 89 AB CD EF') },
      input: { 52: '0123456789abcdef' },
      wire: wire('02 00', '00 00 00 00 00 00 10 00', '01 23 45 67 89 AB CD EF'),
    },
    {
      // IFB_BINARY 8: field 64 is bit 0x01 of byte 7
      name: 'IFB_BINARY (field 64)',
      mti: '0200',
      fields: { 64: hex('11 22 33 44 55 66 77 88') },
      wire: wire('02 00', '00 00 00 00 00 00 00 01', '11 22 33 44 55 66 77 88'),
    },
    {
      // IFB_LLLBINARY 999: BCD prefix 0x00 0x11 counts 11 bytes, then the bytes; field 55 is bit 0x02 of byte 6
      name: 'IFB_LLLBINARY (field 55)',
      mti: '0200',
      fields: { 55: hex('9F 26 08 11 22 33 44 55 66 77 88') },
      wire: wire('02 00', '00 00 00 00 00 00 02 00', '00 11', '9F 26 08 11 22 33 44 55 66 77 88'),
    },
    {
      // IFB_AMOUNT 9 pad=true: 'D' = 0x44, then 8 digits LEFT_PADDED in 4 BCD bytes; field 28 is bit 0x10 of byte 3
      name: 'IFB_AMOUNT debit (field 28)',
      mti: '0200',
      fields: { 28: 'D00000150' },
      wire: wire('02 00', '00 00 00 10 00 00 00 00', '44', '00 00 01 50'),
    },
    {
      // IFB_AMOUNT: zeropad(s.substring(1), 8): "C1000" -> 'C' = 0x43, 0x00 0x00 0x10 0x00
      name: 'IFB_AMOUNT credit, digits zero-filled with pad (field 28)',
      mti: '0200',
      fields: { 28: 'C00001000' },
      input: { 28: 'C1000' },
      opts: { pad: true },
      wire: wire('02 00', '00 00 00 10 00 00 00 00', '43', '00 00 10 00'),
    },
    {
      // IF_CHAR 8: ASCII; field 41 is bit 0x80 of byte 5
      name: 'IF_CHAR (field 41)',
      mti: '0200',
      fields: { 41: 'TERM0001' },
      wire: wire('02 00', '00 00 00 00 00 80 00 00', '54 45 52 4D 30 30 30 31'),
    },
    {
      // IF_CHAR 8, RightTPadder.SPACE_PADDER: "TERM1" -> "TERM1   "; read back with the spaces
      name: 'IF_CHAR space-filled on the right with pad, spaces kept on read (field 41)',
      mti: '0200',
      fields: { 41: 'TERM1   ' },
      input: { 41: 'TERM1' },
      opts: { pad: true },
      wire: wire('02 00', '00 00 00 00 00 80 00 00', '54 45 52 4D 31 20 20 20'),
    },
    {
      // IF_CHAR 40: "CORNER SHOP" then 29 spaces (0x20); field 43 is bit 0x20 of byte 5
      name: 'IF_CHAR keeps trailing spaces (field 43)',
      mti: '0200',
      fields: { 43: CORNER_SHOP },
      wire: wire(
        '02 00',
        '00 00 00 00 00 20 00 00',
        '43 4F 52 4E 45 52 20 53 48 4F 50',
        '20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20',
      ),
    },
    {
      // field 65 is IFB_BINARY 1 in iso87binary.xml, not a bitmap: bit 1 set, secondary bitmap 0x80 (bit 65), one byte
      name: 'field 65 quirk: one binary byte after a secondary bitmap',
      mti: '0800',
      fields: { 65: hex('01') },
      wire: wire('08 00', '80 00 00 00 00 00 00 00', '80 00 00 00 00 00 00 00', '01'),
    },
    {
      // field 70 forces the secondary bitmap: bit 1 (0x80 of byte 0), then 70 - 64 = bit 6 = 0x04 of the secondary's
      // byte 0; IFB_NUMERIC 3 pad=true "301" -> 0x03 0x01
      name: 'IFB_BITMAP with a secondary bitmap, IFB_NUMERIC n3 (field 70)',
      mti: '0800',
      fields: { 70: '301' },
      wire: wire('08 00', '80 00 00 00 00 00 00 00', '04 00 00 00 00 00 00 00', '03 01'),
    },
    {
      // primary: bit 1 + field 7 (0x02) = 0x82, field 11 = 0x20 of byte 1; secondary: field 70 = 0x04;
      // 7 n10 0x06 0x12 0x14 0x30 0x15, 11 n6 0x00 0x01 0x23, 70 n3 0x03 0x01
      name: '0800 echo: fields on both sides of the secondary bitmap (7, 11, 70)',
      mti: '0800',
      fields: { 7: '0612143015', 11: '000123', 70: '301' },
      wire: wire('08 00', '82 20 00 00 00 00 00 00', '04 00 00 00 00 00 00 00', '06 12 14 30 15', '00 01 23', '03 01'),
    },
    {
      // IFB_AMOUNT 17 pad=false: 'C' then 16 digits in 8 BCD bytes (even, no filler); 97 - 64 = 33: byte 4 0x80
      name: 'IFB_AMOUNT pad=false (field 97)',
      mti: '0500',
      fields: { 97: 'C0000000000012345' },
      wire: wire('05 00', '80 00 00 00 00 00 00 00', '00 00 00 00 80 00 00 00', '43', '00 00 00 00 00 01 23 45'),
    },
    {
      // IFB_BINARY 8 (field 128): last bit of the secondary bitmap, 0x01 of its byte 7
      name: 'IFB_BINARY (field 128)',
      mti: '0200',
      fields: { 128: hex('A1 B2 C3 D4 E5 F6 07 18') },
      wire: wire('02 00', '80 00 00 00 00 00 00 00', '00 00 00 00 00 00 00 01', 'A1 B2 C3 D4 E5 F6 07 18'),
    },
  ];

  it.each(vectors)('$name', (v) => bothWays(B, v));

  describe('jPOS read behaviour', () => {
    it('accepts an F filler nibble on a right-padded LLNUM (field 2, 15 digits)', () => {
      // bcd2str reads 15 digits and never looks at the 16th nibble
      const msg = B.decode(wire('02 00', '40 00 00 00 00 00 00 00', '15', '47 61 73 90 01 01 01 1F'));
      expect(msg.fields[2]).toBe(PAN15);
    });

    it('accepts an F filler nibble after track 2 (field 35)', () => {
      const msg = B.decode(wire('02 00', '00 00 00 00 20 00 00 00', '25', '47 61 73 90 01 01 01 19 D2 51 22 01 1F'));
      expect(msg.fields[35]).toBe(TRACK2);
    });

    it('accepts an F filler nibble in front of a left-padded IFB_NUMERIC (field 22)', () => {
      const msg = B.decode(wire('02 00', '00 00 04 00 00 00 00 00', 'F0 51'));
      expect(msg.fields[22]).toBe('051');
    });

    it('keeps leading zeros and the exact digit count of numeric fields', () => {
      const msg = B.decode(wire('02 00', '40 00 00 00 00 00 00 00', '03', '12 30'));
      expect(msg.fields[2]).toBe('123');
    });
  });

  it('rejects an IF_CHAR value longer than the field (jPOS: "Field length 9 too long. Max: 8")', () => {
    const e = caught(() => B.encode({ mti: '0200', fields: { 41: 'TERMINAL1' } }, { pad: true }));
    expect(e.code).toBe('VALUE_TOO_LONG');
  });

  describe('a 24-field 0200, assembled from the vectors above', () => {
    // bitmap: byte 0 = 2 3 4 7 -> 0x40|0x20|0x10|0x02 = 0x72; byte 1 = 11 12 13 14 -> 0x20|0x10|0x08|0x04 = 0x3C;
    // byte 2 = 18 22 23 -> 0x40|0x04|0x02 = 0x46; byte 3 = 25 28 32 -> 0x80|0x10|0x01 = 0x91;
    // byte 4 = 35 37 -> 0x20|0x08 = 0x28; byte 5 = 41 42 43 48 -> 0x80|0x40|0x20|0x01 = 0xE1;
    // byte 6 = 49 52 55 -> 0x80|0x10|0x02 = 0x92; byte 7 = 64 -> 0x01
    const FULL = wire(
      '02 00', // MTI, IFB_NUMERIC 4
      '72 3C 46 91 28 E1 92 01', // IFB_BITMAP, primary only
      '16 47 61 73 90 01 01 01 19', // 2 IFB_LLNUM: 0x16 + 16 digits
      '00 00 00', // 3 IFB_NUMERIC 6
      '00 00 00 00 10 00', // 4 IFB_NUMERIC 12
      '06 12 14 30 15', // 7 IFB_NUMERIC 10
      '00 01 23', // 11 IFB_NUMERIC 6
      '14 30 15', // 12 IFB_NUMERIC 6
      '06 12', // 13 IFB_NUMERIC 4
      '25 12', // 14 IFB_NUMERIC 4
      '54 11', // 18 IFB_NUMERIC 4
      '00 51', // 22 IFB_NUMERIC 3, 0 nibble first
      '00 01', // 23 IFB_NUMERIC 3
      '00', // 25 IFB_NUMERIC 2
      '44 00 00 01 50', // 28 IFB_AMOUNT 9: 'D' + 8 digits
      '11 12 34 56 78 90 10', // 32 IFB_LLNUM: 0x11 + 11 digits, 0 nibble last
      '25 47 61 73 90 01 01 01 19 D2 51 22 01 10', // 35 IFB_LLNUM: 0x25 + 25 characters, '=' as D, 0 nibble last
      '36 31 32 33 30 30 30 30 30 31 32 33', // 37 IF_CHAR 12 "612300000123"
      '54 45 52 4D 31 20 20 20', // 41 IF_CHAR 8 "TERM1   "
      '4D 45 52 43 48 41 4E 54 30 30 30 31 20 20 20', // 42 IF_CHAR 15 "MERCHANT0001   "
      '43 4F 52 4E 45 52 20 53 48 4F 50', // 43 IF_CHAR 40 "CORNER SHOP" ...
      '20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20', // ... + 29 spaces
      '00 03 41 42 43', // 48 IFB_LLLCHAR: 0x00 0x03 + "ABC"
      '38 35 38', // 49 IF_CHAR 3 "858"
      '01 23 45 67 89 AB CD EF', // 52 IFB_BINARY 8
      '00 11 9F 26 08 11 22 33 44 55 66 77 88', // 55 IFB_LLLBINARY: 0x00 0x11 + 11 bytes
      '11 22 33 44 55 66 77 88', // 64 IFB_BINARY 8
    );
    const FIELDS: Record<number, Primitive> = {
      2: PAN16,
      3: '000000',
      4: '000000001000',
      7: '0612143015',
      11: '000123',
      12: '143015',
      13: '0612',
      14: '2512',
      18: '5411',
      22: '051',
      23: '001',
      25: '00',
      28: 'D00000150',
      32: '12345678901',
      35: TRACK2,
      37: '612300000123',
      41: 'TERM1   ',
      42: 'MERCHANT0001   ',
      43: CORNER_SHOP,
      48: 'ABC',
      49: '858',
      52: hex('01 23 45 67 89 AB CD EF'),
      55: hex('9F 26 08 11 22 33 44 55 66 77 88'),
      64: hex('11 22 33 44 55 66 77 88'),
    };

    it('has 24 fields in 188 bytes', () => {
      expect(Object.keys(FIELDS)).toHaveLength(24);
      // 2 + 8 + 9 + 3 + 6 + 5 + 3 + 3 + 2 + 2 + 2 + 2 + 2 + 1 + 5 + 7 + 14 + 12 + 8 + 15 + 40 + 5 + 3 + 8 + 13 + 8
      expect(FULL.length).toBe(188);
    });

    it('encodes to the golden bytes and decodes back', () => {
      bothWays(B, { name: 'full 0200', mti: '0200', fields: FIELDS, wire: FULL });
    });
  });
});

describe('iso87ascii golden vectors (jPOS ISO87APackager)', () => {
  // Every byte of this packager is a printable ASCII character, so the vectors are written as the wire text,
  // piece by piece: MTI (IFA_NUMERIC 4), bitmap (IFA_BITMAP, 16 hex characters), then the fields.
  const vectors: Vector[] = [
    {
      // IFA_NUMERIC 12; bitmap byte 0 = 0x10 -> "10" + 14 x "0"
      name: 'IFA_NUMERIC (field 4 n12)',
      mti: '0200',
      fields: { 4: '000000001000' },
      wire: wire(ascii('0200'), ascii('1000000000000000'), ascii('000000001000')),
    },
    {
      // IFA_NUMERIC 12, LeftPadder.ZERO_PADDER: "1000" -> "000000001000"
      name: 'IFA_NUMERIC zero-filled on the left with pad (field 4)',
      mti: '0200',
      fields: { 4: '000000001000' },
      input: { 4: '1000' },
      opts: { pad: true },
      wire: wire(ascii('0200'), ascii('1000000000000000'), ascii('000000001000')),
    },
    {
      // IFA_NUMERIC 3: three ASCII digits, no nibbles; bitmap byte 2 = 0x04
      name: 'IFA_NUMERIC odd length (field 22 n3)',
      mti: '0200',
      fields: { 22: '051' },
      wire: wire(ascii('0200'), ascii('0000040000000000'), ascii('051')),
    },
    {
      // IFA_LLNUM 19: AsciiPrefixer.LL "16" + 16 digits
      name: 'IFA_LLNUM even digit count (field 2, 16 digits)',
      mti: '0200',
      fields: { 2: PAN16 },
      wire: wire(ascii('0200'), ascii('4000000000000000'), ascii('16'), ascii(PAN16)),
    },
    {
      // IFA_LLNUM 19: "15" + 15 digits, no filler in ASCII
      name: 'IFA_LLNUM odd digit count (field 2, 15 digits)',
      mti: '0200',
      fields: { 2: PAN15 },
      wire: wire(ascii('0200'), ascii('4000000000000000'), ascii('15'), ascii(PAN15)),
    },
    {
      // IFA_LLNUM 11: "11" + 11 digits; bitmap byte 3 = 0x01
      name: 'IFA_LLNUM odd digit count (field 32, 11 digits)',
      mti: '0200',
      fields: { 32: '12345678901' },
      wire: wire(ascii('0200'), ascii('0000000100000000'), ascii('11'), ascii('12345678901')),
    },
    {
      // IFA_LLNUM 11: "06" + 6 digits
      name: 'IFA_LLNUM even digit count (field 32, 6 digits)',
      mti: '0200',
      fields: { 32: '123456' },
      wire: wire(ascii('0200'), ascii('0000000100000000'), ascii('06'), ascii('123456')),
    },
    {
      // IFA_LLNUM 37: "25" + the 25 characters, '=' as the ASCII byte 0x3D; bitmap byte 4 = 0x20
      name: 'track 2 IFA_LLNUM with "=" (field 35)',
      mti: '0200',
      fields: { 35: TRACK2 },
      wire: wire(ascii('0200'), ascii('0000000020000000'), ascii('25'), '34 37 36 31 37 33 39 30 30 31 30 31 30 31 31 39 3D 32 35 31 32 32 30 31 31'),
    },
    {
      // IFA_LLCHAR 25: "08" + 8 characters; bitmap byte 5 = 0x10
      name: 'IFA_LLCHAR (field 44)',
      mti: '0210',
      fields: { 44: 'APPROVED' },
      wire: wire(ascii('0210'), ascii('0000000000100000'), ascii('08APPROVED')),
    },
    {
      // IFA_LLCHAR 25: the prefix counts the trailing spaces, kept on read
      name: 'IFA_LLCHAR keeps trailing spaces (field 44)',
      mti: '0210',
      fields: { 44: 'AB  ' },
      wire: wire(ascii('0210'), ascii('0000000000100000'), ascii('04AB  ')),
    },
    {
      // IFA_LLLCHAR 999: "003" + 3 characters; bitmap byte 5 = 0x01
      name: 'IFA_LLLCHAR (field 48)',
      mti: '0200',
      fields: { 48: 'ABC' },
      wire: wire(ascii('0200'), ascii('0000000000010000'), ascii('003ABC')),
    },
    {
      // IFA_LLLCHAR 999, empty: the prefix "000" alone
      name: 'IFA_LLLCHAR empty value (field 48)',
      mti: '0200',
      fields: { 48: '' },
      wire: wire(ascii('0200'), ascii('0000000000010000'), ascii('000')),
    },
    {
      // IFA_LLLCHAR 999: "123" + 123 x 'X'; bitmap byte 7 = 0x10
      name: 'IFA_LLLCHAR with a three-digit length (field 60)',
      mti: '0200',
      fields: { 60: 'X'.repeat(123) },
      wire: wire(ascii('0200'), ascii('0000000000000010'), ascii('123'), '58'.repeat(123)),
    },
    {
      // IFA_LLLCHAR 999 (field 55 is character data in iso87ascii.xml): "011" + 11 characters; bitmap byte 6 = 0x02
      name: 'IFA_LLLCHAR (field 55)',
      mti: '0200',
      fields: { 55: 'ICC DATA 01' },
      wire: wire(ascii('0200'), ascii('0000000000000200'), ascii('011ICC DATA 01')),
    },
    {
      // IFA_AMOUNT 9: 'D' + 8 zero-filled ASCII digits; bitmap byte 3 = 0x10
      name: 'IFA_AMOUNT debit (field 28)',
      mti: '0200',
      fields: { 28: 'D00000150' },
      wire: wire(ascii('0200'), ascii('0000001000000000'), ascii('D00000150')),
    },
    {
      // ISOAmountFieldPackager: sign, then padder.pad("1000", 8) -> "C00001000"
      name: 'IFA_AMOUNT credit, digits zero-filled with pad (field 28)',
      mti: '0200',
      fields: { 28: 'C00001000' },
      input: { 28: 'C1000' },
      opts: { pad: true },
      wire: wire(ascii('0200'), ascii('0000001000000000'), ascii('C00001000')),
    },
    {
      // IFA_AMOUNT 17: 'C' + 16 digits; secondary bitmap, 97 - 64 = 33: byte 4 = 0x80
      name: 'IFA_AMOUNT (field 97)',
      mti: '0500',
      fields: { 97: 'C0000000000012345' },
      wire: wire(ascii('0500'), ascii('8000000000000000'), ascii('0000000080000000'), ascii('C0000000000012345')),
    },
    {
      // IFA_BINARY 8: AsciiHexInterpreter, 16 upper-case hex characters, even from lower-case input; byte 6 = 0x10
      name: 'IFA_BINARY written in upper case (field 52)',
      mti: '0200',
      fields: { 52: hex('01 23 45 67 89 AB CD EF') },
      input: { 52: '0123456789abcdef' },
      wire: wire(ascii('0200'), ascii('0000000000001000'), ascii('0123456789ABCDEF')),
    },
    {
      // IFA_BINARY 8 (field 64): bitmap byte 7 = 0x01
      name: 'IFA_BINARY (field 64)',
      mti: '0200',
      fields: { 64: hex('11 22 33 44 55 66 77 88') },
      wire: wire(ascii('0200'), ascii('0000000000000001'), ascii('1122334455667788')),
    },
    {
      // IF_CHAR 8: bitmap byte 5 = 0x80
      name: 'IF_CHAR (field 41)',
      mti: '0200',
      fields: { 41: 'TERM0001' },
      wire: wire(ascii('0200'), ascii('0000000000800000'), ascii('TERM0001')),
    },
    {
      // IF_CHAR 8, RightTPadder.SPACE_PADDER: "TERM1" -> "TERM1   "
      name: 'IF_CHAR space-filled on the right with pad, spaces kept on read (field 41)',
      mti: '0200',
      fields: { 41: 'TERM1   ' },
      input: { 41: 'TERM1' },
      opts: { pad: true },
      wire: wire(ascii('0200'), ascii('0000000000800000'), '54 45 52 4D 31 20 20 20'),
    },
    {
      // IF_CHAR 40: "CORNER SHOP" + 29 spaces; bitmap byte 5 = 0x20
      name: 'IF_CHAR keeps trailing spaces (field 43)',
      mti: '0200',
      fields: { 43: CORNER_SHOP },
      wire: wire(
        ascii('0200'),
        ascii('0000000000200000'),
        '43 4F 52 4E 45 52 20 53 48 4F 50',
        '20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20',
      ),
    },
    {
      // field 65 is IFA_BINARY 1 in iso87ascii.xml: bitmaps "80..." and "80...", then "01"
      name: 'field 65 quirk: one byte as two hex characters',
      mti: '0800',
      fields: { 65: hex('01') },
      wire: wire(ascii('0800'), ascii('8000000000000000'), ascii('8000000000000000'), ascii('01')),
    },
    {
      // IFA_BITMAP 32 characters: bit 1 set ("80..."), secondary "04..." for field 70; IFA_NUMERIC 3 "301"
      name: 'IFA_BITMAP with a secondary bitmap (field 70)',
      mti: '0800',
      fields: { 70: '301' },
      wire: wire(ascii('0800'), ascii('8000000000000000'), ascii('0400000000000000'), ascii('301')),
    },
    {
      // primary "82 20 ..." (bit 1, 7, 11), secondary "04 ..." (70)
      name: '0800 echo: fields on both sides of the secondary bitmap (7, 11, 70)',
      mti: '0800',
      fields: { 7: '0612143015', 11: '000123', 70: '301' },
      wire: wire(ascii('0800'), ascii('8220000000000000'), ascii('0400000000000000'), ascii('0612143015'), ascii('000123'), ascii('301')),
    },
  ];

  it.each(vectors)('$name', (v) => bothWays(A, v));

  describe('jPOS read behaviour', () => {
    it('reads IFA_BINARY hex in lower case (AsciiHexInterpreter uses Character.digit)', () => {
      const bytes = wire(ascii('0200'), ascii('0000000000001000'), ascii('0123456789abcdef'));
      const msg = A.decode(bytes);
      expect(upperHex(msg.fields[52] as Buffer)).toBe('0123456789ABCDEF');
      // and writes it back in upper case
      expect(A.encode(msg).toString('latin1')).toBe('0200' + '0000000000001000' + '0123456789ABCDEF');
    });

    it('keeps leading zeros and trailing spaces exactly as on the wire', () => {
      const msg = A.decode(wire(ascii('0200'), ascii('0000000000800000'), ascii('T       ')));
      expect(msg.fields[41]).toBe('T       ');
    });
  });

  describe('a 24-field 0200, assembled from the vectors above', () => {
    // same fields and bitmap as the binary 0200: 72 3C 46 91 28 E1 92 01, written as 16 hex characters
    const FULL = wire(
      ascii('0200'), // MTI, IFA_NUMERIC 4
      ascii('723C469128E19201'), // IFA_BITMAP
      ascii('16' + '4761739001010119'), // 2 IFA_LLNUM
      ascii('000000'), // 3 IFA_NUMERIC 6
      ascii('000000001000'), // 4 IFA_NUMERIC 12
      ascii('0612143015'), // 7 IFA_NUMERIC 10
      ascii('000123'), // 11
      ascii('143015'), // 12
      ascii('0612'), // 13
      ascii('2512'), // 14
      ascii('5411'), // 18
      ascii('051'), // 22 IFA_NUMERIC 3
      ascii('001'), // 23
      ascii('00'), // 25
      ascii('D00000150'), // 28 IFA_AMOUNT 9
      ascii('11' + '12345678901'), // 32 IFA_LLNUM
      ascii('25' + '4761739001010119=25122011'), // 35 IFA_LLNUM track 2
      ascii('612300000123'), // 37 IF_CHAR 12
      ascii('TERM1   '), // 41 IF_CHAR 8
      ascii('MERCHANT0001   '), // 42 IF_CHAR 15
      '43 4F 52 4E 45 52 20 53 48 4F 50', // 43 IF_CHAR 40 "CORNER SHOP" ...
      '20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20', // ... + 29 spaces
      ascii('003' + 'ABC'), // 48 IFA_LLLCHAR
      ascii('858'), // 49 IF_CHAR 3
      ascii('0123456789ABCDEF'), // 52 IFA_BINARY 8
      ascii('011' + 'ICC DATA 01'), // 55 IFA_LLLCHAR
      ascii('1122334455667788'), // 64 IFA_BINARY 8
    );
    const FIELDS: Record<number, Primitive> = {
      2: PAN16,
      3: '000000',
      4: '000000001000',
      7: '0612143015',
      11: '000123',
      12: '143015',
      13: '0612',
      14: '2512',
      18: '5411',
      22: '051',
      23: '001',
      25: '00',
      28: 'D00000150',
      32: '12345678901',
      35: TRACK2,
      37: '612300000123',
      41: 'TERM1   ',
      42: 'MERCHANT0001   ',
      43: CORNER_SHOP,
      48: 'ABC',
      49: '858',
      52: hex('01 23 45 67 89 AB CD EF'),
      55: 'ICC DATA 01',
      64: hex('11 22 33 44 55 66 77 88'),
    };

    it('has 24 fields in 277 bytes', () => {
      expect(Object.keys(FIELDS)).toHaveLength(24);
      // 4 + 16 + 18 + 6 + 12 + 10 + 6 + 6 + 4 + 4 + 4 + 3 + 3 + 2 + 9 + 13 + 27 + 12 + 8 + 15 + 40 + 6 + 3 + 16 + 14 + 16
      expect(FULL.length).toBe(277);
    });

    it('encodes to the golden bytes and decodes back', () => {
      bothWays(A, { name: 'full 0200', mti: '0200', fields: FIELDS, wire: FULL });
    });
  });
});
