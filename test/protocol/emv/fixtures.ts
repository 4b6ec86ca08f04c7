import type { TlvMap } from '../../../protocol/emv/index.js';

/** Readable hex: one object per line, spaces and line breaks ignored. */
export function hex(...lines: string[]): Buffer {
  return Buffer.from(lines.join('').replace(/\s+/g, ''), 'hex');
}

/** A TlvMap as nested [key, hex] pairs, in order, so comparisons see order and values. */
export type Plain = Array<[string, string | Plain]>;
export function plain(map: TlvMap): Plain {
  return [...map].map(([k, v]) => [k, v instanceof Map ? plain(v) : v.toString('hex').toUpperCase()]);
}

/** Field 55 of an online authorisation request from a contact EMV terminal (Mastercard AID, EUR, France). */
export const FIELD_55_LINES = [
  '9F26 08 1A2B3C4D5E6F7081', // application cryptogram (ARQC)
  '9F27 01 80', // cryptogram information data: ARQC
  '9F10 12 0110A00001220000000000000000000000FF', // issuer application data
  '9F37 04 9BADBCAB', // unpredictable number
  '9F36 02 0001', // ATC
  '95 05 0000008000', // TVR
  '9A 03 250314', // transaction date 2025-03-14
  '9C 01 00', // transaction type: purchase
  '9F02 06 000000001000', // amount authorised: 10.00
  '5F2A 02 0978', // currency: EUR
  '82 02 1980', // AIP
  '9F1A 02 0250', // terminal country: France
  '9F03 06 000000000000', // amount other
  '9F33 03 E0F8C8', // terminal capabilities
  '9F34 03 1F0302', // CVM results
  '9F35 01 22', // terminal type
  '84 07 A0000000041010', // DF name
  '9F09 02 0002', // application version number
  '9F1E 08 3132333435363738', // IFD serial number "12345678"
  '5F34 01 01', // PAN sequence number
];
export const FIELD_55 = hex(...FIELD_55_LINES);

export const PAN_HEX = '4761739001010119';
export const TRACK2_HEX = '4761739001010119D22122011143804400000F';

/** A READ RECORD response: template 70 holding cardholder data (all test card values). */
export const RECORD_70 = hex(
  '70 35',
  `  57 13 ${TRACK2_HEX}`,
  `  5A 08 ${PAN_HEX}`,
  '  5F20 0D 444F452F4A4F484E2020202020', // "DOE/JOHN     "
  '  5F24 03 221231',
);
