import { digitPrefix } from './digits.js';
import type { Prefix } from './prefix.js';

/** `digits` ASCII decimal digits: LL = "12". */
export function asciiPrefix(digits: number): Prefix {
  return digitPrefix(digits, 0x30);
}
