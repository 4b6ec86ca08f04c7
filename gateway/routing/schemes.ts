import type { Scheme } from '../config/types.js';

/** BIN ranges by scheme, as data: [first digits from, to] with equal lengths, checked in order. */
const RANGES: readonly (readonly [Scheme, string, string])[] = [
  ['amex', '34', '34'],
  ['amex', '37', '37'],
  ['diners', '300', '305'],
  ['diners', '36', '36'],
  ['diners', '38', '39'],
  ['jcb', '3528', '3589'],
  ['visa', '4', '4'],
  ['mastercard', '51', '55'],
  ['mastercard', '2221', '2720'],
  ['discover', '6011', '6011'],
  ['discover', '644', '649'],
  ['discover', '65', '65'],
  ['unionpay', '62', '62'],
];

export function schemeOf(pan: string | null): Scheme | undefined {
  if (pan === null) return undefined;
  for (const [scheme, from, to] of RANGES) {
    const head = pan.slice(0, from.length);
    if (head.length === from.length && head >= from && head <= to) return scheme;
  }
  return undefined;
}
