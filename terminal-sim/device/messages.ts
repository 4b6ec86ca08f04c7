import type { IsoMessage, MessageSpec, Primitive } from '../../protocol/index.js';
import type { JournalEntry, EntryMode, Totals } from './journal.js';
import type { StoredCard } from './vault.js';
import { amountField } from './money.js';
import { formatTotals } from './totals.js';

/** Field 3 by transaction kind. */
export const ProcCodes = { purchase: '000000', refund: '200000', void: '020000', preauth: '000000', completion: '000000' } as const;

/** Field 3 of an 0500: the settlement request with totals, the trailer after a batch upload. */
export const SettlementCodes = { request: '920000', trailer: '960000' } as const;

/** Field 70 of an 0800. */
export const NetworkCodes = { signOn: '001', signOff: '002', echo: '301' } as const;

/** Field 22: PAN entry mode (2 digits) + PIN entry capability (1 = the terminal can take a PIN). */
export const PosEntryModes: Readonly<Record<EntryMode, string>> = {
  manual: '011',
  swipe: '021',
  chip: '051',
  contactless: '071',
};

export interface Identity {
  terminalId: string;
  merchantId: string;
  currency: string;
}

/** What the card gave for this request only: never journaled (the PAN and expiry only sealed). */
export interface CardPresentation {
  /** PAN and expiry (fields 2 and 14): keyed entry, and advices sent later. */
  card?: StoredCard;
  track2?: string;
  pinBlock?: Buffer;
  emv?: Buffer;
}

function base(id: Identity, e: JournalEntry): Record<number, Primitive> {
  return {
    3: e.procCode,
    4: amountField(e.amount),
    11: e.stan,
    12: e.localTime,
    13: e.localDate,
    41: id.terminalId,
    42: id.merchantId,
    49: e.currency,
    60: e.batch,
    62: e.invoice,
  };
}

/**
 * 0100 / 0200 / 0220 (and their repeats 0221): the card as read (track 2 when swiped, dipped or tapped; PAN and
 * expiry when keyed, and in advices sent later, since track 2 is never kept), 22, 25, the chip data and PIN block when there are, and for a void or completion the original named by
 * RRN (37); an offline sale or a completion carries its auth code in 38.
 */
export function authorizationRequest(id: Identity, e: JournalEntry, card: CardPresentation, mti = e.mti): IsoMessage {
  const f = base(id, e);
  if (card.track2 !== undefined) f[35] = card.track2;
  else if (card.card !== undefined) {
    f[2] = card.card.pan;
    f[14] = card.card.expiry;
  }
  f[22] = PosEntryModes[e.entryMode];
  if (e.emv && card.emv !== undefined) f[23] = '001';
  f[25] = '00';
  if (card.pinBlock !== undefined) f[52] = card.pinBlock;
  if (card.emv !== undefined) f[55] = card.emv;
  if (e.original !== null && (e.original.by === 'rrn' || e.kind === 'completion') && e.original.rrn !== null) f[37] = e.original.rrn;
  if (e.mti.startsWith('022') && e.authCode !== null) f[38] = e.authCode;
  return { mti, fields: f };
}

/** 0400, then 0401: the same 3, 4, 11, 12, 13, 41, 42, 60 as the original, so the host finds it. */
export function reversalRequest(id: Identity, e: JournalEntry, card: StoredCard, repeat: boolean): IsoMessage {
  const f = base(id, e);
  f[2] = card.pan;
  f[14] = card.expiry;
  f[22] = PosEntryModes[e.entryMode];
  f[25] = '00';
  return { mti: repeat ? '0401' : '0400', fields: f };
}

export function networkRequest(id: Identity, code: string, stan: string): IsoMessage {
  return { mti: '0800', fields: { 11: stan, 41: id.terminalId, 42: id.merchantId, 70: code } };
}

export interface Stamp {
  stan: string;
  localTime: string;
  localDate: string;
}

export function settlementRequest(id: Identity, proc: string, s: Stamp, batch: string, totals: Totals): IsoMessage {
  return {
    mti: '0500',
    fields: { 3: proc, 11: s.stan, 12: s.localTime, 13: s.localDate, 41: id.terminalId, 42: id.merchantId, 60: batch, 63: formatTotals(totals) },
  };
}

/** 0320: one captured transaction as the terminal printed it; 60 = original MTI (4) + original STAN (6) + batch (6). */
export function uploadRequest(id: Identity, e: JournalEntry, card: StoredCard, stan: string): IsoMessage {
  const f: Record<number, Primitive> = {
    2: card.pan,
    3: e.procCode,
    4: amountField(e.amount),
    11: stan,
    12: e.localTime,
    13: e.localDate,
    14: card.expiry,
    22: PosEntryModes[e.entryMode],
    41: id.terminalId,
    42: id.merchantId,
    49: e.currency,
    60: `${e.mti}${e.stan}${e.batch}`,
    62: e.invoice,
  };
  if (e.rrn !== null) f[37] = e.rrn;
  if (e.authCode !== null) f[38] = e.authCode;
  return { mti: '0320', fields: f };
}

/** The response MTI a request waits for: 0200 -> 0210, 0221 -> 0230, 0401 -> 0410. */
export function expectedResponseMti(mti: string): string {
  return `${mti.slice(0, 2)}${Number(mti[2]) + 1}0`;
}

/**
 * Binary values (PIN block, chip data) for a spec that packs the field as characters (iso87ascii's field 55): as
 * upper-case hex there, as terminals on such links send them.
 */
export function fitToSpec(msg: IsoMessage, spec: MessageSpec): IsoMessage {
  let fields: Record<number, Primitive> | undefined;
  for (const [k, v] of Object.entries(msg.fields)) {
    if (!Buffer.isBuffer(v) || spec.fields[k]?.class === 'b') continue;
    fields ??= { ...msg.fields };
    fields[Number(k)] = v.toString('hex').toUpperCase();
  }
  return fields === undefined ? msg : { mti: msg.mti, fields };
}
