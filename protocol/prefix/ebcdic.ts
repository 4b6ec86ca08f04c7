import { digitPrefix } from './digits.js';
import type { Prefix } from './prefix.js';

// EBCDIC digits are 0xF0-0xF9.
export function ebcdicPrefix(digits: number): Prefix {
  return digitPrefix(digits, 0xf0);
}
