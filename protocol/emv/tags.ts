/**
 * EMV data element formats (EMV Book 3, Annex A and section 4.3).
 * - a / an / ans: alphabetic / alphanumeric / alphanumeric and special characters, one ASCII byte each
 * - b: binary
 * - n: BCD digits, right-justified and left-padded with 0
 * - cn: compressed numeric, BCD digits left-justified and right-padded with F
 * - var: a template or a list of other objects
 */
export type EmvFormat = 'a' | 'an' | 'ans' | 'b' | 'cn' | 'n' | 'var';

export interface EmvTagInfo {
  readonly name: string;
  readonly format?: EmvFormat;
  /** Cardholder data: masked by `describeTlv` unless asked for clear values. */
  readonly sensitive?: boolean;
}

/** The tags that commonly travel in ISO 8583 field 55 or in the card responses that feed it. */
export const EmvTags = {
  '4F': { name: 'Application Identifier (AID) - card', format: 'b' },
  '50': { name: 'Application Label', format: 'ans' },
  '56': { name: 'Track 1 Data', format: 'ans', sensitive: true },
  '57': { name: 'Track 2 Equivalent Data', format: 'b', sensitive: true },
  '5A': { name: 'Application Primary Account Number (PAN)', format: 'cn', sensitive: true },
  '5F20': { name: 'Cardholder Name', format: 'ans', sensitive: true },
  '5F24': { name: 'Application Expiration Date', format: 'n' },
  '5F25': { name: 'Application Effective Date', format: 'n' },
  '5F28': { name: 'Issuer Country Code', format: 'n' },
  '5F2A': { name: 'Transaction Currency Code', format: 'n' },
  '5F2D': { name: 'Language Preference', format: 'an' },
  '5F30': { name: 'Service Code', format: 'n' },
  '5F34': { name: 'Application PAN Sequence Number', format: 'n' },
  '5F36': { name: 'Transaction Currency Exponent', format: 'n' },
  '6F': { name: 'File Control Information (FCI) Template', format: 'var' },
  '70': { name: 'READ RECORD Response Message Template', format: 'var' },
  '71': { name: 'Issuer Script Template 1', format: 'var' },
  '72': { name: 'Issuer Script Template 2', format: 'var' },
  '77': { name: 'Response Message Template Format 2', format: 'var' },
  '80': { name: 'Response Message Template Format 1', format: 'var' },
  '82': { name: 'Application Interchange Profile', format: 'b' },
  '84': { name: 'Dedicated File (DF) Name', format: 'b' },
  '86': { name: 'Issuer Script Command', format: 'b' },
  '87': { name: 'Application Priority Indicator', format: 'b' },
  '88': { name: 'Short File Identifier (SFI)', format: 'b' },
  '89': { name: 'Authorisation Code', format: 'ans' },
  '8A': { name: 'Authorisation Response Code', format: 'an' },
  '8C': { name: 'Card Risk Management Data Object List 1 (CDOL1)', format: 'b' },
  '8D': { name: 'Card Risk Management Data Object List 2 (CDOL2)', format: 'b' },
  '8E': { name: 'Cardholder Verification Method (CVM) List', format: 'b' },
  '8F': { name: 'Certification Authority Public Key Index', format: 'b' },
  '90': { name: 'Issuer Public Key Certificate', format: 'b' },
  '91': { name: 'Issuer Authentication Data', format: 'b' },
  '92': { name: 'Issuer Public Key Remainder', format: 'b' },
  '93': { name: 'Signed Static Application Data', format: 'b' },
  '94': { name: 'Application File Locator (AFL)', format: 'var' },
  '95': { name: 'Terminal Verification Results (TVR)', format: 'b' },
  '9A': { name: 'Transaction Date', format: 'n' },
  '9B': { name: 'Transaction Status Information (TSI)', format: 'b' },
  '9C': { name: 'Transaction Type', format: 'n' },
  A5: { name: 'File Control Information (FCI) Proprietary Template', format: 'var' },
  BF0C: { name: 'File Control Information (FCI) Issuer Discretionary Data', format: 'var' },
  '9F01': { name: 'Acquirer Identifier', format: 'n' },
  '9F02': { name: 'Amount, Authorised (Numeric)', format: 'n' },
  '9F03': { name: 'Amount, Other (Numeric)', format: 'n' },
  '9F06': { name: 'Application Identifier (AID) - terminal', format: 'b' },
  '9F07': { name: 'Application Usage Control', format: 'b' },
  '9F08': { name: 'Application Version Number - card', format: 'b' },
  '9F09': { name: 'Application Version Number - terminal', format: 'b' },
  '9F0B': { name: 'Cardholder Name Extended', format: 'ans', sensitive: true },
  '9F0D': { name: 'Issuer Action Code - Default', format: 'b' },
  '9F0E': { name: 'Issuer Action Code - Denial', format: 'b' },
  '9F0F': { name: 'Issuer Action Code - Online', format: 'b' },
  '9F10': { name: 'Issuer Application Data (IAD)', format: 'b' },
  '9F11': { name: 'Issuer Code Table Index', format: 'n' },
  '9F12': { name: 'Application Preferred Name', format: 'ans' },
  '9F13': { name: 'Last Online Application Transaction Counter (ATC) Register', format: 'b' },
  '9F14': { name: 'Lower Consecutive Offline Limit', format: 'b' },
  '9F15': { name: 'Merchant Category Code', format: 'n' },
  '9F16': { name: 'Merchant Identifier', format: 'ans' },
  '9F17': { name: 'Personal Identification Number (PIN) Try Counter', format: 'b' },
  '9F18': { name: 'Issuer Script Identifier', format: 'b' },
  '9F1A': { name: 'Terminal Country Code', format: 'n' },
  '9F1B': { name: 'Terminal Floor Limit', format: 'b' },
  '9F1C': { name: 'Terminal Identification', format: 'an' },
  '9F1D': { name: 'Terminal Risk Management Data', format: 'b' },
  '9F1E': { name: 'Interface Device (IFD) Serial Number', format: 'an' },
  '9F1F': { name: 'Track 1 Discretionary Data', format: 'ans', sensitive: true },
  '9F20': { name: 'Track 2 Discretionary Data', format: 'cn', sensitive: true },
  '9F21': { name: 'Transaction Time', format: 'n' },
  '9F26': { name: 'Application Cryptogram', format: 'b' },
  '9F27': { name: 'Cryptogram Information Data', format: 'b' },
  '9F32': { name: 'Issuer Public Key Exponent', format: 'b' },
  '9F33': { name: 'Terminal Capabilities', format: 'b' },
  '9F34': { name: 'Cardholder Verification Method (CVM) Results', format: 'b' },
  '9F35': { name: 'Terminal Type', format: 'n' },
  '9F36': { name: 'Application Transaction Counter (ATC)', format: 'b' },
  '9F37': { name: 'Unpredictable Number', format: 'b' },
  '9F38': { name: 'Processing Options Data Object List (PDOL)', format: 'b' },
  '9F39': { name: 'Point-of-Service (POS) Entry Mode', format: 'n' },
  '9F40': { name: 'Additional Terminal Capabilities', format: 'b' },
  '9F41': { name: 'Transaction Sequence Counter', format: 'n' },
  '9F42': { name: 'Application Currency Code', format: 'n' },
  '9F44': { name: 'Application Currency Exponent', format: 'n' },
  '9F46': { name: 'ICC Public Key Certificate', format: 'b' },
  '9F4C': { name: 'ICC Dynamic Number', format: 'b' },
  '9F53': { name: 'Transaction Category Code', format: 'an' },
  '9F5B': { name: 'Issuer Script Results', format: 'b' },
  '9F66': { name: 'Terminal Transaction Qualifiers (TTQ)', format: 'b' },
  '9F6B': { name: 'Track 2 Data', format: 'b', sensitive: true },
  '9F6C': { name: 'Card Transaction Qualifiers (CTQ)', format: 'b' },
  '9F6E': { name: 'Form Factor Indicator / Third Party Data', format: 'b' },
  '9F7C': { name: 'Customer Exclusive Data / Merchant Custom Data', format: 'b' },
} as const satisfies Record<string, EmvTagInfo>;

/** Tags DF01-DFFF... belong to the payment system or issuer; we name the range, not each tag. */
const PROPRIETARY_DF: EmvTagInfo = { name: 'Proprietary data (DF range)', format: 'b' };

/** What is known about `tag` (upper-case hex, no "#n"), or undefined for a tag we do not know. */
export function emvTagInfo(tag: string): EmvTagInfo | undefined {
  const known = Object.hasOwn(EmvTags, tag) ? (EmvTags as Record<string, EmvTagInfo>)[tag] : undefined;
  if (known !== undefined) return known;
  return tag.startsWith('DF') && tag.length > 2 ? PROPRIETARY_DF : undefined;
}

export function isSensitiveTag(tag: string): boolean {
  return emvTagInfo(tag)?.sensitive === true;
}
