import { ReversalReasons, TxStates, type ReversalReason, type TxState } from '../../store/types.js';
import { CreditRecords, ReceiptKinds, ReceiptSources, ReversalStates, type Credit, type JournalEntry, type Receipt } from '../types.js';
import { hashTerminalKey, LastCode, LastKey, seqHash } from './codec.js';
import type { Dictionary } from './dictionary.js';
import { SlotIndex } from './slot-index.js';

function f64(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
function i32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
function u8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

const STATE_CODE = new Map<string, number>(TxStates.map((s, i) => [s, i]));
const REVERSAL_CODE = new Map<string, number>(ReversalReasons.map((s, i) => [s, i + 1]));
const REVERSAL_STATE_CODE = new Map<string, number>(ReversalStates.map((s, i) => [s, i + 1]));
export const StateCode = Object.fromEntries(TxStates.map((s, i) => [s, i])) as Record<TxState, number>;

/** The journal as columns: one slot per entry id; a newer version of an entry overwrites its slot. */
export class JournalTable {
  size = 0;
  private cap = 1024;
  id = new Float64Array(this.cap);
  version = new Float64Array(this.cap);
  createdAt = new Float64Array(this.cap);
  amount = new Float64Array(this.cap);
  rrn = new Float64Array(this.cap);
  auth = new Float64Array(this.cap);
  terminal = new Float64Array(this.cap);
  merchant = new Float64Array(this.cap);
  batch = new Float64Array(this.cap);
  date = new Float64Array(this.cap);
  stan = new Float64Array(this.cap);
  currency = new Int32Array(this.cap);
  acquirer = new Int32Array(this.cap);
  mti = new Int32Array(this.cap);
  proc = new Int32Array(this.cap);
  rc = new Int32Array(this.cap);
  state = new Uint8Array(this.cap);
  reversal = new Uint8Array(this.cap);
  reversalState = new Uint8Array(this.cap);
  captured = new Uint8Array(this.cap);
  private readonly byId = new SlotIndex();
  readonly byRrn = new SlotIndex();
  /** Receipt-matchable entries (financial, not voids) by terminal key. */
  readonly byKey = new SlotIndex();
  readonly byAuth = new SlotIndex();
  private readonly last;

  constructor(private readonly d: Dictionary) {
    this.last = {
      terminal: new LastKey(d.keys), merchant: new LastKey(d.keys), batch: new LastKey(d.keys), date: new LastKey(d.keys),
      currency: new LastCode(d.currency), acquirer: new LastCode(d.acquirer), mti: new LastCode(d.mti), proc: new LastCode(d.proc),
    };
  }

  slotOf(id: number): number {
    const h = seqHash(id);
    for (let p = this.byId.first(h); p !== -1; p = this.byId.next(h, p)) {
      const s = this.byId.slotAt(p);
      if (this.id[s] === id) return s;
    }
    return -1;
  }

  /** A new slot for an id not seen before. */
  allocate(id: number): number {
    if (this.size === this.cap) this.grow();
    const s = this.size++;
    this.id[s] = id;
    this.byId.add(seqHash(id), s);
    return s;
  }

  matchable(s: number): boolean {
    return (this.d.mti.flags[this.mti[s]] & 1) !== 0 && (this.d.proc.flags[this.proc[s]] & 1) === 0;
  }

  keyHash(s: number): number {
    return hashTerminalKey(this.terminal[s], this.batch[s], this.date[s], this.stan[s]);
  }

  write(s: number, j: JournalEntry): void {
    const k = this.d.keys;
    this.version[s] = j.updatedAt ?? j.createdAt;
    this.createdAt[s] = j.createdAt;
    this.amount[s] = j.amount;
    this.rrn[s] = k.encode(j.rrn);
    this.auth[s] = k.encode(j.authCode);
    const last = this.last;
    this.terminal[s] = last.terminal.encode(j.terminalId);
    this.merchant[s] = last.merchant.encode(j.merchantId);
    this.batch[s] = last.batch.encode(j.batchNo);
    this.date[s] = last.date.encode(j.localDate);
    this.stan[s] = k.encode(j.stan);
    this.currency[s] = last.currency.code(j.currency);
    this.acquirer[s] = j.acquirerId === null ? -1 : last.acquirer.code(j.acquirerId);
    this.mti[s] = last.mti.code(j.mti);
    this.proc[s] = last.proc.code(j.procCode);
    this.rc[s] = j.responseCode == null ? -1 : this.d.responseCode.code(j.responseCode);
    this.state[s] = STATE_CODE.get(j.state)!;
    this.reversal[s] = j.reversal === null ? 0 : REVERSAL_CODE.get(j.reversal)!;
    this.reversalState[s] = j.reversalState === null ? 0 : REVERSAL_STATE_CODE.get(j.reversalState)!;
    this.captured[s] = j.captured ? 1 : 0;
  }

  index(s: number): void {
    this.byRrn.add(seqHash(this.rrn[s]), s);
    if (this.auth[s] !== 0) this.byAuth.add(seqHash(this.auth[s]), s);
    if (this.matchable(s)) this.byKey.add(this.keyHash(s), s);
  }

  unindex(s: number): void {
    this.byRrn.remove(seqHash(this.rrn[s]), s);
    if (this.auth[s] !== 0) this.byAuth.remove(seqHash(this.auth[s]), s);
    if (this.matchable(s)) this.byKey.remove(this.keyHash(s), s);
  }

  /** The entry holding an RRN (the lowest id, were an RRN ever reused), or -1. */
  slotOfRrn(rrn: number): number {
    const h = seqHash(rrn);
    let best = -1;
    for (let p = this.byRrn.first(h); p !== -1; p = this.byRrn.next(h, p)) {
      const s = this.byRrn.slotAt(p);
      if (this.rrn[s] === rrn && (best === -1 || this.id[s] < this.id[best])) best = s;
    }
    return best;
  }

  entry(s: number): JournalEntry {
    const k = this.d.keys;
    return {
      id: this.id[s],
      terminalId: k.decode(this.terminal[s])!,
      merchantId: k.decode(this.merchant[s])!,
      batchNo: k.decode(this.batch[s])!,
      stan: k.decode(this.stan[s])!,
      localDate: k.decode(this.date[s])!,
      mti: this.d.mti.values[this.mti[s]],
      procCode: this.d.proc.values[this.proc[s]],
      rrn: k.decode(this.rrn[s])!,
      authCode: k.decode(this.auth[s]),
      amount: this.amount[s],
      currency: this.d.currency.values[this.currency[s]],
      state: TxStates[this.state[s]],
      responseCode: this.rc[s] === -1 ? null : this.d.responseCode.values[this.rc[s]],
      captured: this.captured[s] === 1,
      reversal: this.reversal[s] === 0 ? null : (ReversalReasons[this.reversal[s] - 1] as ReversalReason),
      reversalState: this.reversalState[s] === 0 ? null : ReversalStates[this.reversalState[s] - 1],
      acquirerId: this.acquirer[s] === -1 ? null : this.d.acquirer.values[this.acquirer[s]],
      createdAt: this.createdAt[s],
      updatedAt: this.version[s],
    };
  }

  private grow(): void {
    const n = (this.cap *= 2);
    this.id = f64(this.id, n);
    this.version = f64(this.version, n);
    this.createdAt = f64(this.createdAt, n);
    this.amount = f64(this.amount, n);
    this.rrn = f64(this.rrn, n);
    this.auth = f64(this.auth, n);
    this.terminal = f64(this.terminal, n);
    this.merchant = f64(this.merchant, n);
    this.batch = f64(this.batch, n);
    this.date = f64(this.date, n);
    this.stan = f64(this.stan, n);
    this.currency = i32(this.currency, n);
    this.acquirer = i32(this.acquirer, n);
    this.mti = i32(this.mti, n);
    this.proc = i32(this.proc, n);
    this.rc = i32(this.rc, n);
    this.state = u8(this.state, n);
    this.reversal = u8(this.reversal, n);
    this.reversalState = u8(this.reversalState, n);
    this.captured = u8(this.captured, n);
  }
}

const KIND_CODE = new Map<string, number>(ReceiptKinds.map((s, i) => [s, i]));
const SOURCE_CODE = new Map<string, number>(ReceiptSources.map((s, i) => [s, i + 1]));
export const KindCode = { sale: 0, refund: 1, offline: 2 } as const;

/** Receipts as columns, indexed by terminal key. */
export class ReceiptTable {
  size = 0;
  private cap = 1024;
  terminal = new Float64Array(this.cap);
  merchant = new Float64Array(this.cap);
  batch = new Float64Array(this.cap);
  date = new Float64Array(this.cap);
  stan = new Float64Array(this.cap);
  rrn = new Float64Array(this.cap);
  auth = new Float64Array(this.cap);
  amount = new Float64Array(this.cap);
  currency = new Int32Array(this.cap);
  kind = new Uint8Array(this.cap);
  source = new Uint8Array(this.cap);
  pan: (string | null)[] = [];
  readonly byKey = new SlotIndex();
  private readonly last;

  constructor(private readonly d: Dictionary) {
    this.last = {
      terminal: new LastKey(d.keys), merchant: new LastKey(d.keys), batch: new LastKey(d.keys), date: new LastKey(d.keys),
      currency: new LastCode(d.currency),
    };
  }

  keyHash(s: number): number {
    return hashTerminalKey(this.terminal[s], this.batch[s], this.date[s], this.stan[s]);
  }

  /** Adds the receipt unless the same one is there; returns its new slot, or -1. */
  add(r: Receipt): number {
    if (this.size === this.cap) this.grow();
    const s = this.size;
    const k = this.d.keys;
    const last = this.last;
    this.terminal[s] = last.terminal.encode(r.terminalId);
    this.merchant[s] = last.merchant.encode(r.merchantId);
    this.batch[s] = last.batch.encode(r.batchNo);
    this.date[s] = last.date.encode(r.localDate);
    this.stan[s] = k.encode(r.stan);
    this.rrn[s] = k.encode(r.rrn);
    this.auth[s] = k.encode(r.authCode);
    this.amount[s] = r.amount;
    this.currency[s] = last.currency.code(r.currency);
    this.kind[s] = KIND_CODE.get(r.kind)!;
    this.source[s] = r.source === undefined ? 0 : SOURCE_CODE.get(r.source)!;
    const h = this.keyHash(s);
    for (let p = this.byKey.first(h); p !== -1; p = this.byKey.next(h, p)) if (this.same(this.byKey.slotAt(p), s)) return -1;
    this.pan[s] = r.panMasked ?? null;
    this.byKey.add(h, s);
    this.size++;
    return s;
  }

  /** Same terminal, batch, local date and STAN. */
  sameKey(a: number, b: number): boolean {
    return this.stan[a] === this.stan[b] && this.terminal[a] === this.terminal[b] && this.batch[a] === this.batch[b] && this.date[a] === this.date[b];
  }

  /** A fixed order of the receipts of one key, whatever order they came in. */
  compare(a: number, b: number): number {
    return (
      this.kind[a] - this.kind[b] || this.amount[a] - this.amount[b] || this.rrn[a] - this.rrn[b] || this.auth[a] - this.auth[b] ||
      this.currency[a] - this.currency[b] || this.source[a] - this.source[b] || this.merchant[a] - this.merchant[b] || a - b
    );
  }

  private same(a: number, b: number): boolean {
    return (
      this.terminal[a] === this.terminal[b] && this.merchant[a] === this.merchant[b] && this.batch[a] === this.batch[b] &&
      this.date[a] === this.date[b] && this.stan[a] === this.stan[b] && this.rrn[a] === this.rrn[b] && this.auth[a] === this.auth[b] &&
      this.amount[a] === this.amount[b] && this.currency[a] === this.currency[b] && this.kind[a] === this.kind[b] && this.source[a] === this.source[b]
    );
  }

  receipt(s: number): Receipt {
    const k = this.d.keys;
    const r: Receipt = {
      terminalId: k.decode(this.terminal[s])!,
      merchantId: k.decode(this.merchant[s])!,
      batchNo: k.decode(this.batch[s])!,
      stan: k.decode(this.stan[s])!,
      localDate: k.decode(this.date[s])!,
      rrn: k.decode(this.rrn[s]),
      authCode: k.decode(this.auth[s]),
      amount: this.amount[s],
      currency: this.d.currency.values[this.currency[s]],
      panMasked: this.pan[s],
      kind: ReceiptKinds[this.kind[s]],
    };
    if (this.source[s] !== 0) r.source = ReceiptSources[this.source[s] - 1];
    return r;
  }

  private grow(): void {
    const n = (this.cap *= 2);
    this.terminal = f64(this.terminal, n);
    this.merchant = f64(this.merchant, n);
    this.batch = f64(this.batch, n);
    this.date = f64(this.date, n);
    this.stan = f64(this.stan, n);
    this.rrn = f64(this.rrn, n);
    this.auth = f64(this.auth, n);
    this.amount = f64(this.amount, n);
    this.currency = i32(this.currency, n);
    this.kind = u8(this.kind, n);
    this.source = u8(this.source, n);
  }
}

export const RecordCode = { CREDIT: 0, DEBIT: 1 } as const;

/** Credit lines as columns, indexed by RRN and by report line (their identity: a table per report, by line number). */
export class CreditTable {
  size = 0;
  private cap = 1024;
  report = new Int32Array(this.cap);
  line = new Int32Array(this.cap);
  acquirer = new Int32Array(this.cap);
  /** Settlement day, days since the epoch. */
  day = new Int32Array(this.cap);
  settlementDate = new Int32Array(this.cap);
  transactionDate = new Int32Array(this.cap);
  currency = new Int32Array(this.cap);
  record = new Uint8Array(this.cap);
  merchant = new Float64Array(this.cap);
  terminal = new Float64Array(this.cap);
  rrn = new Float64Array(this.cap);
  auth = new Float64Array(this.cap);
  amount = new Float64Array(this.cap);
  fee = new Float64Array(this.cap);
  net = new Float64Array(this.cap);
  pan: (string | null)[] = [];
  readonly byRrn = new SlotIndex();
  /** Slot + 1 by line number, per report code. */
  private readonly lines: Int32Array[] = [];
  private readonly last;

  constructor(private readonly d: Dictionary) {
    this.last = {
      merchant: new LastKey(d.keys), terminal: new LastKey(d.keys), report: new LastCode(d.report), acquirer: new LastCode(d.acquirer),
      date: new LastCode(d.date), transactionDate: new LastCode(d.date), currency: new LastCode(d.currency),
    };
  }

  /** The slot of a report line, or -1. */
  slotOf(reportId: string, line: number): number {
    const report = this.d.report.find(reportId);
    if (report === -1) return -1;
    const lines = this.lines[report];
    return lines !== undefined && line < lines.length ? lines[line] - 1 : -1;
  }

  add(c: Credit): number {
    if (this.size === this.cap) this.grow();
    const s = this.size++;
    const k = this.d.keys;
    const last = this.last;
    const report = (this.report[s] = last.report.code(c.reportId));
    this.line[s] = c.line;
    this.acquirer[s] = last.acquirer.code(c.acquirerId);
    this.settlementDate[s] = last.date.code(c.settlementDate);
    this.day[s] = this.d.dayOfCode(this.settlementDate[s]);
    this.transactionDate[s] = c.transactionDate == null ? -1 : last.transactionDate.code(c.transactionDate);
    this.currency[s] = last.currency.code(c.currency);
    this.record[s] = c.record === 'DEBIT' ? RecordCode.DEBIT : RecordCode.CREDIT;
    this.merchant[s] = last.merchant.encode(c.merchantId);
    this.terminal[s] = last.terminal.encode(c.terminalId);
    this.rrn[s] = k.encode(c.rrn);
    this.auth[s] = k.encode(c.authCode);
    this.amount[s] = c.amount;
    this.fee[s] = c.fee;
    this.net[s] = c.net;
    this.pan[s] = c.panMasked;
    let lines = this.lines[report];
    if (lines === undefined || c.line >= lines.length) {
      let n = lines === undefined ? 1024 : lines.length;
      while (n <= c.line) n *= 2;
      const more = new Int32Array(n);
      if (lines !== undefined) more.set(lines);
      this.lines[report] = lines = more;
    }
    lines[c.line] = s + 1;
    if (this.rrn[s] !== 0) this.byRrn.add(seqHash(this.rrn[s]), s);
    return s;
  }

  credit(s: number): Credit {
    const k = this.d.keys;
    return {
      reportId: this.d.report.values[this.report[s]],
      line: this.line[s],
      acquirerId: this.d.acquirer.values[this.acquirer[s]],
      settlementDate: this.d.date.values[this.settlementDate[s]],
      merchantId: k.decode(this.merchant[s])!,
      terminalId: k.decode(this.terminal[s]),
      rrn: k.decode(this.rrn[s]),
      authCode: k.decode(this.auth[s]),
      panMasked: this.pan[s],
      amount: this.amount[s],
      currency: this.d.currency.values[this.currency[s]],
      transactionDate: this.transactionDate[s] === -1 ? null : this.d.date.values[this.transactionDate[s]],
      fee: this.fee[s],
      net: this.net[s],
      record: CreditRecords[this.record[s]],
    };
  }

  /** Canonical order of a sale's credits: paid first, then report id, then line. */
  compare(a: number, b: number): number {
    if (this.day[a] !== this.day[b]) return this.day[a] - this.day[b];
    if (this.report[a] !== this.report[b]) {
      const ra = this.d.report.values[this.report[a]];
      const rb = this.d.report.values[this.report[b]];
      return ra < rb ? -1 : 1;
    }
    return this.line[a] - this.line[b];
  }

  private grow(): void {
    const n = (this.cap *= 2);
    this.report = i32(this.report, n);
    this.line = i32(this.line, n);
    this.acquirer = i32(this.acquirer, n);
    this.day = i32(this.day, n);
    this.settlementDate = i32(this.settlementDate, n);
    this.transactionDate = i32(this.transactionDate, n);
    this.currency = i32(this.currency, n);
    this.record = u8(this.record, n);
    this.merchant = f64(this.merchant, n);
    this.terminal = f64(this.terminal, n);
    this.rrn = f64(this.rrn, n);
    this.auth = f64(this.auth, n);
    this.amount = f64(this.amount, n);
    this.fee = f64(this.fee, n);
    this.net = f64(this.net, n);
  }
}
