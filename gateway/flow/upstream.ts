import { toHex, type IsoMessage, type Primitive } from '../../protocol/index.js';
import { transmissionDateTime } from '../acquirer/index.js';
import type { AcquirerConfig } from '../config/types.js';
import type { TxRecord } from '../store/types.js';

/** Fields relayed from a terminal request to the acquirer as they are (the host link profile). */
const RELAYED = [2, 3, 4, 12, 13, 14, 22, 23, 25, 35, 38, 41, 42, 49, 52, 55] as const;

/** The host's field 55 is character data in iso87ascii: EMV bytes travel as upper-case hex there. */
function hostValue(v: Primitive, hostBinary: boolean): Primitive {
  return typeof v === 'string' || hostBinary ? v : toHex(v);
}

/**
 * Original data elements (field 90, n 42): original MTI, STAN and transmission date/time of the upstream request,
 * then the acquiring and forwarding institution ids, zero here.
 */
export function originalData(tx: TxRecord): string {
  return `${tx.mti}${tx.upstreamStan ?? '000000'}${tx.transmittedAt ?? '0000000000'}${'0'.repeat(22)}`;
}

export interface UpstreamIds {
  stan: string;
  rrn: string;
  transmittedAt: string;
}

/** The acquirer-side request for a terminal request: the gateway's own STAN and RRN, field 90 for voids and completions. */
export function hostRequest(
  req: IsoMessage,
  ids: UpstreamIds,
  acquirer: AcquirerConfig,
  binaryHostFields: ReadonlySet<number>,
  original?: TxRecord,
): IsoMessage {
  // an array by field number, as the codec decodes: it encodes an array by index, an object by parsing each key;
  // sized for the highest field set (55, or 90), so that it never grows
  const fields = new Array<Primitive>(original === undefined ? 56 : 91);
  for (const n of RELAYED) {
    const v = req.fields[n];
    if (v !== undefined) fields[n] = hostValue(v, binaryHostFields.has(n));
  }
  fields[7] = ids.transmittedAt;
  fields[11] = ids.stan;
  fields[25] ??= '00';
  fields[32] = acquirer.acquiringInstitution;
  fields[37] = ids.rrn;
  if (original !== undefined) fields[90] = originalData(original);
  return { mti: req.mti.slice(0, 3) + '0', fields };
}

/** A reversal of `tx` for the acquirer: 0400 the first time, 0401 (repeat) after; no card data needed. */
export function hostReversal(tx: TxRecord, attempt: number, stan: string, now: number): IsoMessage {
  return {
    mti: attempt === 0 ? '0400' : '0401',
    fields: {
      3: tx.procCode,
      4: String(tx.amount).padStart(12, '0'),
      7: transmissionDateTime(now),
      11: stan,
      37: tx.rrn,
      41: tx.terminalId,
      42: tx.merchantId.padEnd(15, ' '),
      49: tx.currency,
      90: originalData(tx),
    },
  };
}
