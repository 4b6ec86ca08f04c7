import type { PrefixSpec } from '../spec/types.js';
import { asciiPrefix } from './ascii.js';
import { bcdPrefix } from './bcd.js';
import { binaryPrefix } from './binary.js';
import { ebcdicPrefix } from './ebcdic.js';
import { hexPrefix } from './hex.js';
import type { Prefix } from './prefix.js';

export type { Prefix } from './prefix.js';

const factories = { ascii: asciiPrefix, bcd: bcdPrefix, binary: binaryPrefix, ebcdic: ebcdicPrefix, hex: hexPrefix } as const;

export function makePrefix(spec: PrefixSpec): Prefix {
  return factories[spec.encoding](spec.digits);
}
