import type { IsoMessage } from '../../protocol/index.js';

/** Host link profile field numbers (see the gateway design notes). */
export const F = {
  pan: 2,
  procCode: 3,
  amount: 4,
  transmittedAt: 7,
  stan: 11,
  track2: 35,
  rrn: 37,
  authCode: 38,
  responseCode: 39,
  terminalId: 41,
  merchantId: 42,
  currency: 49,
  networkCode: 70,
  original: 90,
} as const;

export const ProcCodes = { purchase: '000000', refund: '200000', void: '020000', cutover: '920000' } as const;

export const ResponseCodes = {
  approved: '00',
  approvedWithId: '08',
  insufficientFunds: '51',
  originalNotFound: '25',
  formatError: '30',
  issuerUnavailable: '91',
  systemMalfunction: '96',
} as const;

export function isApproval(rc: string): boolean {
  return rc === ResponseCodes.approved || rc === ResponseCodes.approvedWithId;
}

/** A request the stub cannot act on: answered '30' (format error), naming the field (never its value). */
export class FormatError extends Error {
  readonly field: number;
  constructor(field: number, detail: string) {
    super(`field ${field}: ${detail}`);
    this.name = 'FormatError';
    this.field = field;
  }
}

/** Wire fact: the MTI's third digit is the function; requests (0) and advices (2) are answered one up, origin 0. */
export function isRequestMti(mti: string): boolean {
  return mti[2] === '0' || mti[2] === '2';
}

/** 0200 -> 0210, 0220 -> 0230, 0401 -> 0410, 0421 -> 0430 (a repeat is answered with the plain response MTI). */
export function responseMti(mti: string): string {
  return `${mti.slice(0, 2)}${Number(mti[2]) + 1}0`;
}

export function text(msg: IsoMessage, field: number): string | undefined {
  const v = msg.fields[field];
  return typeof v === 'string' ? v : undefined;
}

export function required(msg: IsoMessage, field: number): string {
  const v = text(msg, field);
  if (v === undefined) throw new FormatError(field, 'required');
  return v;
}

/** Field 4: 12 digits of minor units. */
export function amountOf(msg: IsoMessage): number {
  const v = required(msg, F.amount);
  if (!/^\d{12}$/.test(v)) throw new FormatError(F.amount, 'expected 12 digits');
  return Number(v);
}

/** The PAN from field 2, else from track 2 (field 35): the digits before the '=' (or 'D') separator. */
export function panOf(msg: IsoMessage): string | undefined {
  const pan = text(msg, F.pan);
  if (pan !== undefined) return pan;
  const track = text(msg, F.track2);
  if (track === undefined) return undefined;
  const pan2 = track.replace(/^;/, '').split(/[=D]/)[0];
  if (!/^\d{12,19}$/.test(pan2)) throw new FormatError(F.track2, 'no PAN before the separator');
  return pan2;
}

export interface OriginalData {
  mti: string;
  stan: string;
  transmittedAt: string;
}

/** Field 90 (n 42): original MTI (4) + original STAN (6) + original field 7 (10) + 22 zeros (acquirer/forwarder ids). */
export function originalOf(msg: IsoMessage): OriginalData | undefined {
  const v = text(msg, F.original);
  if (v === undefined) return undefined;
  if (!/^\d{42}$/.test(v)) throw new FormatError(F.original, 'expected 42 digits');
  return { mti: v.slice(0, 4), stan: v.slice(4, 10), transmittedAt: v.slice(10, 20) };
}

/** The listed fields the request carries, copied into a reply. */
export function echo(msg: IsoMessage, fields: readonly number[]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const n of fields) {
    const v = text(msg, n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}
