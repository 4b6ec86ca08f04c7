/** PCI DSS: at most the first six and the last four digits of a PAN may be shown. */
const SHOW_FIRST = 6;
const SHOW_LAST = 4;
export const HIDDEN = '****';

/** "4761739001010119" -> "476173******0119"; a trailing F pad (cn values) stays; too short to show -> "****". */
export function maskPan(pan: string): string {
  const digits = pan.replace(/[Ff]+$/, '');
  const pad = pan.slice(digits.length);
  if (digits.length <= SHOW_FIRST + SHOW_LAST) return HIDDEN;
  return digits.slice(0, SHOW_FIRST) + '*'.repeat(digits.length - SHOW_FIRST - SHOW_LAST) + digits.slice(-SHOW_LAST) + pad;
}

/**
 * Track data: the PAN before the separator masked as above, the separator kept, everything after it (expiry,
 * service code and discretionary data, which can hold a CVV) hidden, one '*' per character.
 */
export function maskTrack(track: string, separators = '=D^'): string {
  let sep = -1;
  for (const s of separators) {
    const at = track.indexOf(s);
    if (at >= 0 && (sep < 0 || at < sep)) sep = at;
  }
  if (sep < 0) return HIDDEN;
  const start = track.startsWith('B') || track.startsWith(';') || track.startsWith('%') ? 1 : 0;
  const pan = maskPan(track.slice(start, sep));
  if (pan === HIDDEN) return HIDDEN;
  return track.slice(0, start) + pan + track[sep] + '*'.repeat(track.length - sep - 1);
}

/** Hides a value entirely, keeping only its length visible. */
export function hideAll(value: string): string {
  return '*'.repeat(Math.max(4, value.length));
}
