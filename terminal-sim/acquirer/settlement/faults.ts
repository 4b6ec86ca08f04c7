/**
 * Settlement faults: what the acquirer gets wrong on purpose, so reconciliation has something to find. A fault is
 * chosen by RRN (every credit with that RRN) or by rate (a seeded draw per credit: the same seed and the same ledger
 * give the same faults). Faults act on CREDIT lines only; refunds (DEBIT) are always paid as due.
 */

export const FaultKinds = {
  omit: 'the credit is left out of every report: never paid',
  wrongAmount: 'the credit pays amount + delta',
  duplicate: 'the credit appears twice in the report',
  late: 'the credit is held back and paid in the first report `days` settlement dates after it was due',
  phantom: 'a credit with a made-up RRN and auth code that was never authorized',
} as const;
export type FaultKind = keyof typeof FaultKinds;

/** Kinds that change one due credit; at most one of them applies to a credit. */
export const CreditFaultKinds = ['omit', 'wrongAmount', 'duplicate', 'late'] as const;
export type CreditFaultKind = (typeof CreditFaultKinds)[number];

export interface FaultTarget {
  /** Probability per due credit, 0 to 1. */
  rate: number;
  /** Credits with these RRNs (phantom: the made-up RRNs to pay, each once). */
  rrns: readonly string[];
}

export interface SettlementFaults {
  /** Seeds the per-credit draws. */
  seed: number;
  omit: FaultTarget;
  wrongAmount: FaultTarget & { delta: number };
  duplicate: FaultTarget;
  late: FaultTarget & { days: number };
  phantom: FaultTarget & {
    /** Default: the merchant (and terminal) of the credit it rides on (rate), or of the report's first credit (RRN). */
    merchantId: string | null;
    terminalId: string | null;
    /** Minor units. Default: a seeded amount from 1.00 to 999.99. */
    amount: number | null;
    /** Default: the currency of the credit it rides on, or of the report's first credit. */
    currency: string | null;
  };
}

/** Settlement faults input that does not validate; `path` names the key. RRNs are not card data. */
export class FaultsError extends Error {
  readonly path: string;
  readonly detail: string;
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'FaultsError';
    this.path = path;
    this.detail = detail;
  }
}

export const noFaults = (seed = 0): SettlementFaults =>
  freeze({
    seed,
    omit: { rate: 0, rrns: [] },
    wrongAmount: { rate: 0, rrns: [], delta: 100 },
    duplicate: { rate: 0, rrns: [] },
    late: { rate: 0, rrns: [], days: 1 },
    phantom: { rate: 0, rrns: [], merchantId: null, terminalId: null, amount: null, currency: null },
  });

const TOP_KEYS = ['seed', ...Object.keys(FaultKinds)];
const TARGET_KEYS = ['rate', 'rrns'];
const EXTRA_KEYS: Record<FaultKind, readonly string[]> = {
  omit: [],
  wrongAmount: ['delta'],
  duplicate: [],
  late: ['days'],
  phantom: ['merchantId', 'terminalId', 'amount', 'currency'],
};
// Field 37 is an 12; the gateway sends 12 digits, tests may send shorter.
const RRN = /^[0-9A-Za-z]{1,12}$/;
const MAX_RRNS = 100_000;
const MAX_LATE_DAYS = 30;
const MAX_SEED = 0xffffffff;
const MAX_AMOUNT = 999_999_999_999;

/**
 * Validates faults given as data (the control API body, a CLI-built object, setSettlementFaults()). Omitted kinds
 * have no fault; omitted `seed` is `defaultSeed`. Unknown keys are rejected; the result is frozen. The rates of the
 * credit kinds add up to at most 1 and an RRN names at most one credit kind, so a credit gets at most one fault.
 */
export function parseFaults(input: unknown, defaultSeed = 0): SettlementFaults {
  const top = object(input, 'faults');
  rejectUnknown(top, TOP_KEYS, 'faults');
  const out = structuredClone(noFaults(defaultSeed)) as Mutable<SettlementFaults>;
  if (top.seed !== undefined) out.seed = integer(top.seed, 'faults.seed', 0, MAX_SEED);
  for (const kind of Object.keys(FaultKinds) as FaultKind[]) {
    if (top[kind] === undefined) continue;
    const path = `faults.${kind}`;
    const o = object(top[kind], path);
    rejectUnknown(o, [...TARGET_KEYS, ...EXTRA_KEYS[kind]], path);
    const target = out[kind] as Mutable<FaultTarget>;
    if (o.rate !== undefined) {
      if (typeof o.rate !== 'number' || !(o.rate >= 0 && o.rate <= 1)) throw new FaultsError(`${path}.rate`, 'must be a number from 0 to 1');
      target.rate = o.rate;
    }
    if (o.rrns !== undefined) target.rrns = rrns(o.rrns, `${path}.rrns`);
  }
  const w = top.wrongAmount as Record<string, unknown> | undefined;
  if (w?.delta !== undefined) {
    out.wrongAmount.delta = integer(w.delta, 'faults.wrongAmount.delta', -MAX_AMOUNT, MAX_AMOUNT);
    if (out.wrongAmount.delta === 0) throw new FaultsError('faults.wrongAmount.delta', 'must not be 0');
  }
  const l = top.late as Record<string, unknown> | undefined;
  if (l?.days !== undefined) out.late.days = integer(l.days, 'faults.late.days', 1, MAX_LATE_DAYS);
  const p = top.phantom as Record<string, unknown> | undefined;
  if (p !== undefined) {
    if (p.merchantId !== undefined) out.phantom.merchantId = id(p.merchantId, 'faults.phantom.merchantId', 15);
    if (p.terminalId !== undefined) out.phantom.terminalId = id(p.terminalId, 'faults.phantom.terminalId', 8);
    if (p.amount !== undefined) out.phantom.amount = integer(p.amount, 'faults.phantom.amount', 1, MAX_AMOUNT);
    if (p.currency !== undefined) {
      if (typeof p.currency !== 'string' || !/^\d{3}$/.test(p.currency)) throw new FaultsError('faults.phantom.currency', 'must be a 3-digit ISO 4217 code');
      out.phantom.currency = p.currency;
    }
  }
  const total = CreditFaultKinds.reduce((sum, k) => sum + out[k].rate, 0);
  if (total > 1 + 1e-9) throw new FaultsError('faults', `the rates of ${CreditFaultKinds.join(', ')} add up to more than 1`);
  const owner = new Map<string, CreditFaultKind>();
  for (const kind of CreditFaultKinds) {
    for (const rrn of out[kind].rrns) {
      const other = owner.get(rrn);
      if (other !== undefined && other !== kind) throw new FaultsError(`faults.${kind}.rrns`, `RRN ${rrn} is already in faults.${other}.rrns`);
      owner.set(rrn, kind);
    }
  }
  return freeze(out);
}

/** Faults made ready to apply: RRNs looked up in a map, not a list, since a day has many credits. */
export class FaultPlan {
  readonly faults: SettlementFaults;
  readonly #byRrn = new Map<string, CreditFaultKind>();

  constructor(faults: SettlementFaults) {
    this.faults = faults;
    for (const kind of CreditFaultKinds) for (const rrn of faults[kind].rrns) this.#byRrn.set(rrn, kind);
  }

  /** The fault a due credit gets: its RRN's, else one drawn by the rates; null for none. */
  creditFault(credit: { id: number; rrn: string }): { kind: CreditFaultKind; by: 'rrn' | 'rate' } | null {
    const named = this.#byRrn.get(credit.rrn);
    if (named !== undefined) return { kind: named, by: 'rrn' };
    // One draw split into consecutive intervals, one per kind: the kinds exclude each other.
    const u = draw(this.faults.seed, credit.id, Streams.credit);
    let edge = 0;
    for (const kind of CreditFaultKinds) {
      edge += this.faults[kind].rate;
      if (u < edge) return { kind, by: 'rate' };
    }
    return null;
  }

  /** Whether a phantom rides along with this credit (rate only). */
  phantomAfter(credit: { id: number }): boolean {
    return this.faults.phantom.rate > 0 && draw(this.faults.seed, credit.id, Streams.phantom) < this.faults.phantom.rate;
  }
}

/** Independent draw streams per credit, so adding a phantom rate does not move the credit faults. */
export const Streams = { credit: 0, phantom: 1, phantomRrn: 2, phantomAuthCode: 3, phantomAmount: 4, phantomPan: 5 } as const;

/**
 * A uniform number in [0, 1) from (seed, key, stream), counter-based (murmur3's finaliser): a credit's draw depends
 * on its ledger id alone, not on which cutover first saw it or on how many credits came before.
 */
export function draw(seed: number, key: number, stream: number): number {
  let h = fmix32((seed ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ (key >>> 0)) >>> 0);
  h = fmix32((h ^ Math.floor(key / 0x100000000)) >>> 0);
  h = fmix32((h ^ Math.imul(stream + 1, 0x27d4eb2f)) >>> 0);
  return h / 0x100000000;
}

/** A stable 32-bit key for a string (FNV-1a), for draws keyed by a given RRN. */
export function keyOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

function rrns(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new FaultsError(path, 'must be an array of RRNs');
  if (v.length > MAX_RRNS) throw new FaultsError(path, `at most ${MAX_RRNS} RRNs`);
  v.forEach((r, i) => {
    if (typeof r !== 'string' || !RRN.test(r)) throw new FaultsError(`${path}[${i}]`, 'an RRN is 1 to 12 letters or digits');
  });
  return [...new Set(v as string[])];
}

function id(v: unknown, path: string, max: number): string {
  if (typeof v !== 'string' || v === '' || v.length > max || /[,\r\n"]/.test(v)) {
    throw new FaultsError(path, `must be 1 to ${max} characters without commas, quotes or line breaks`);
  }
  return v;
}

function integer(v: unknown, path: string, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) throw new FaultsError(path, `must be an integer from ${min} to ${max}`);
  return v as number;
}

function object(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new FaultsError(path, 'must be an object');
  return v as Record<string, unknown>;
}

function rejectUnknown(o: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new FaultsError(path, `unknown key "${key}" (known: ${known.join(', ')})`);
  }
}

function freeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) freeze(v);
    Object.freeze(o);
  }
  return o;
}
