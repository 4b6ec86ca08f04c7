import { dayOfIso } from '../format.js';
import { Interner, KeyCodec } from './codec.js';

/** An Interner that also keeps one derived flag per value (computed once, when the value is first seen). */
export class FlaggedInterner extends Interner {
  readonly flags: number[] = [];

  constructor(private readonly flagOf: (value: string) => number) {
    super();
  }

  override code(s: string): number {
    const c = super.code(s);
    if (c === this.flags.length) this.flags.push(this.flagOf(s));
    return c;
  }
}

export const MtiFlags = { FINANCIAL: 1, ADVICE: 2 } as const;
export const ProcFlags = { VOID: 1, REFUND: 2 } as const;

/** The codes every table shares, so that equal values compare equal across receipts, journal and credits. */
export class Dictionary {
  readonly keys = new KeyCodec();
  readonly currency = new Interner();
  /** "02.." financial (what receipts match and acquirers pay), "022." advice. */
  readonly mti = new FlaggedInterner((m) => (m.startsWith('02') ? MtiFlags.FINANCIAL : 0) | (m.startsWith('022') ? MtiFlags.ADVICE : 0));
  /** Processing code: "02...." void, "20...." refund. */
  readonly proc = new FlaggedInterner((p) => (p.startsWith('02') ? ProcFlags.VOID : 0) | (p.startsWith('20') ? ProcFlags.REFUND : 0));
  readonly acquirer = new Interner();
  readonly responseCode = new Interner();
  readonly report = new Interner();
  readonly date = new Interner();
  /** Days since the epoch by date code; NaN for a string that is not a date. */
  private readonly days: number[] = [];

  /** The code of an ISO date and its day number, parsed once per distinct date. */
  day(iso: string): number {
    return this.dayOfCode(this.date.code(iso));
  }

  dayOfCode(code: number): number {
    while (this.days.length <= code) this.days.push(dayOfIso(this.date.values[this.days.length]) ?? Number.NaN);
    return this.days[code];
  }
}
