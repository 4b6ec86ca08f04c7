/** Money and day arithmetic for explanations and windows: integer minor units, whole days, no floats. */

const DAY_MS = 86_400_000;

/** ISO 4217 minor-unit exponents that are not 2, by numeric and alphabetic code. */
const EXPONENTS: Readonly<Record<string, number>> = {
  '392': 0, JPY: 0, '410': 0, KRW: 0, '152': 0, CLP: 0, '704': 0, VND: 0, '352': 0, ISK: 0, '953': 0, XPF: 0,
  '048': 3, BHD: 3, '368': 3, IQD: 3, '400': 3, JOD: 3, '414': 3, KWD: 3, '434': 3, LYD: 3, '512': 3, OMR: 3, '788': 3, TND: 3,
};

/** 1234 in EUR -> "12.34"; 1234 in JPY -> "1234". */
export function formatAmount(minor: number, currency: string | null | undefined): string {
  const e = currency != null && Object.hasOwn(EXPONENTS, currency) ? EXPONENTS[currency] : 2;
  const digits = String(Math.abs(minor));
  const sign = minor < 0 ? '-' : '';
  if (e === 0) return sign + digits;
  const padded = digits.padStart(e + 1, '0');
  return `${sign}${padded.slice(0, -e)}.${padded.slice(-e)}`;
}

/** Days since the epoch of a timestamp, in the gateway's local time. */
export function dayOf(ms: number, utcOffsetMinutes: number): number {
  return Math.floor((ms + utcOffsetMinutes * 60_000) / DAY_MS);
}

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2024-03-05" -> days since the epoch; undefined when it is not a real date. */
export function dayOfIso(s: string): number | undefined {
  const m = ISO_DATE.exec(s);
  if (m === null) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  return isoDay(ms / DAY_MS) === s ? ms / DAY_MS : undefined;
}

/** Local date and time of a timestamp, "2024-03-05 14:30", for sentences. */
export function localStamp(ms: number, utcOffsetMinutes: number): string {
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}
