import type { FieldSpec } from '../spec/types.js';
import { ascii } from './ascii.js';
import { bcd } from './bcd.js';
import { binary } from './binary.js';
import type { Body } from './body.js';
import { ebcdic } from './ebcdic.js';
import { hex } from './hex.js';

export type { Body, Primitive } from './body.js';

export function makeBody(spec: FieldSpec): Body {
  switch (spec.encoding) {
    case 'ascii':
      return ascii;
    case 'ebcdic':
      return ebcdic;
    case 'binary':
      return binary;
    case 'hex':
      return hex;
    case 'bcd':
      return bcd(spec.pad?.side ?? 'left', spec.pad?.char.toUpperCase() === 'F' ? 0x0f : 0);
  }
}
