import type { IsoMessage } from '../../protocol/index.js';

/**
 * The matching key of a request or reply: MTI class (the first two digits, so 0200 and 0210 share "02"), STAN
 * (field 11) and RRN (field 37, empty when absent, as in 0800/0810). STAN and RRN are trace data, not card data, so
 * the key is safe to log.
 */
export function matchKey(msg: IsoMessage): string {
  return `${msg.mti.slice(0, 2)}|${text(msg.fields[11])}|${text(msg.fields[37])}`;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** MTI digit 3 is the message function: odd (1 response, 3 advice response ...) marks an answer to a request. */
export function isResponseMti(mti: string): boolean {
  return (mti.charCodeAt(2) & 1) === 1;
}
