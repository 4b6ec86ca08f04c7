import { DeviceError } from './errors.js';

/** Field 4 holds 12 digits of minor units. */
export const MAX_AMOUNT_DIGITS = 12;

/** Minor-unit digits of the currencies a tester is likely to use (ISO 4217 numeric); others default to 2. */
export const CurrencyExponents: Readonly<Record<string, number>> = {
  '840': 2, // USD
  '978': 2, // EUR
  '826': 2, // GBP
  '124': 2, // CAD
  '036': 2, // AUD
  '392': 0, // JPY
  '410': 0, // KRW
  '048': 3, // BHD
  '414': 3, // KWD
};

export const CurrencyLetters: Readonly<Record<string, string>> = {
  '840': 'USD', '978': 'EUR', '826': 'GBP', '124': 'CAD', '036': 'AUD', '392': 'JPY', '410': 'KRW', '048': 'BHD', '414': 'KWD',
};

export function exponentOf(currency: string): number {
  return CurrencyExponents[currency] ?? 2;
}

/**
 * "12.34" -> 1234 with exponent 2; "12" -> 1200; "12.3" -> 1230. Parsed from the string, never through a float:
 * digits only, one optional point, at most `exponent` digits after it, at most 12 digits in minor units, and more
 * than zero unless `allowZero`.
 */
export function parseAmount(text: string, exponent = 2, opts: { allowZero?: boolean; option?: string } = {}): number {
  const name = opts.option ?? 'amount';
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) {
    throw new DeviceError('BAD_AMOUNT', `${name} must be decimal money such as 12.34 (digits, one point, no sign, spaces or separators)`);
  }
  const [, whole, fraction = ''] = m;
  if (fraction.length > exponent) {
    throw new DeviceError('BAD_AMOUNT', exponent === 0 ? `${name} takes no decimals in this currency` : `${name} has more than ${exponent} decimals`);
  }
  const digits = (whole + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_AMOUNT_DIGITS) {
    throw new DeviceError('BAD_AMOUNT', `${name} is too large: field 4 holds at most ${MAX_AMOUNT_DIGITS} digits of minor units`);
  }
  const minor = Number(digits);
  if (minor === 0 && opts.allowZero !== true) throw new DeviceError('BAD_AMOUNT', `${name} must be more than zero`);
  return minor;
}

/** 1234 -> "12.34"; exact for any safe integer. */
export function formatAmount(minor: number, exponent = 2): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError('amount must be a safe integer of minor units');
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Field 4: twelve digits. */
export function amountField(minor: number): string {
  return String(minor).padStart(MAX_AMOUNT_DIGITS, '0');
}
