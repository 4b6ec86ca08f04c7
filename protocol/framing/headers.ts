import { ascii4 } from './ascii4.js';
import { bcd2 } from './bcd2.js';
import { binary2 } from './binary2.js';
import { binary4 } from './binary4.js';
import type { LengthHeader } from './length-header.js';

export const LengthHeaders = { binary2, bcd2, ascii4, binary4 } as const;
export type LengthHeaderKind = keyof typeof LengthHeaders;

/** A header option: the name of a built-in header, or a custom `LengthHeader`. */
export type LengthHeaderOption = LengthHeaderKind | LengthHeader;

export function resolveHeader(option: unknown, optionName = 'header'): LengthHeader {
  if (typeof option === 'string' && Object.hasOwn(LengthHeaders, option)) {
    return LengthHeaders[option as LengthHeaderKind];
  }
  if (isLengthHeader(option)) return option;
  throw new TypeError(`"${optionName}" must be one of ${Object.keys(LengthHeaders).join(', ')} or a LengthHeader`);
}

function isLengthHeader(x: unknown): x is LengthHeader {
  if (typeof x !== 'object' || x === null) return false;
  const h = x as Partial<LengthHeader>;
  return (
    typeof h.name === 'string' &&
    Number.isInteger(h.size) &&
    (h.size as number) > 0 &&
    Number.isInteger(h.max) &&
    (h.max as number) > 0 &&
    typeof h.read === 'function' &&
    typeof h.write === 'function'
  );
}
