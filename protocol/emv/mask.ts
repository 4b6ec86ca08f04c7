import { HIDDEN, maskPan, maskTrack } from '../mask.js';

// Track 2 equivalent data packs its separator as the nibble D.
const TRACK2_SEPARATOR = 'D';

const PARTIAL_MASKS: Record<string, (hex: string) => string> = {
  '5A': maskPan,
  '57': (hex) => maskTrack(hex, TRACK2_SEPARATOR),
  '9F6B': (hex) => maskTrack(hex, TRACK2_SEPARATOR),
};

/** The masked dump form of a sensitive tag's value: partial for PAN and track 2, "****" for the rest. */
export function maskSensitiveValue(tag: string, value: Buffer): string {
  const partial = Object.hasOwn(PARTIAL_MASKS, tag) ? PARTIAL_MASKS[tag] : undefined;
  return partial === undefined ? HIDDEN : partial(value.toString('hex').toUpperCase());
}
