import { createHmac } from 'node:crypto';
import { maskPan, type Primitive } from '../protocol/index.js';

export interface CardFacts {
  /** HMAC-SHA256 of the PAN under the gateway's key: the only form in which a PAN is kept. */
  panHash: string | null;
  /** First 6 / last 4. */
  panMasked: string | null;
}

/** The PAN of a request: field 2, or the part of track 2 (field 35) before its separator. In memory only. */
export function panOf(fields: Record<number, Primitive>): string | null {
  const pan = fields[2];
  if (typeof pan === 'string' && pan !== '') return pan;
  const track = fields[35];
  if (typeof track !== 'string') return null;
  const sep = track.search(/[=D]/);
  return sep > 0 ? track.slice(0, sep) : null;
}

export function cardFacts(fields: Record<number, Primitive>, key: Buffer): CardFacts {
  const pan = panOf(fields);
  if (pan === null) return { panHash: null, panMasked: null };
  return { panHash: createHmac('sha256', key).update(pan).digest('hex'), panMasked: maskPan(pan) };
}
