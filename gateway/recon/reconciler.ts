import { Actors, CaseBook } from './book.js';
import { caseId, Subject } from './case-id.js';
import { checkBatch, checkCredit, checkEntry, checkReceipt, sameCredit } from './check.js';
import { Classifier, NONE, PENDING, type Finding } from './classify.js';
import { hashTerminalKey, seqHash } from './columns/codec.js';
import { Dictionary, MtiFlags, ProcFlags } from './columns/dictionary.js';
import { DirtySet, SlotBytes, SlotInts, SlotList } from './columns/slot-index.js';
import { CreditTable, JournalTable, KindCode, ReceiptTable, RecordCode, StateCode } from './columns/tables.js';
import { dayOf, isoDay } from './format.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import {
  Severities, type Batch, type Case, type CaseClass, type CaseStatus, type Credit, type CreditRef, type JournalEntry, type Receipt,
  type ReconData, type ReconOptions, type Severity,
} from './types.js';

export interface CaseFilter {
  merchantId?: string;
  terminalId?: string;
  batchNo?: string;
  rrn?: string;
  class?: CaseClass;
  status?: CaseStatus;
  severity?: Severity;
  /** Also list the EXPECTED items (computed on demand, never stored). Default false. */
  includeExpected?: boolean;
  /** Also list cases the data has since cleared. Default true. */
  includeCleared?: boolean;
}

export const Stages = ['unknown', 'in_flight', 'not_approved', 'reversing', 'reversed', 'not_captured', 'awaiting_credit', 'overdue', 'credited'] as const;
export type Stage = (typeof Stages)[number];

/** "Where is my money": the stage of one sale and what happens next. */
export interface Whereabouts {
  stage: Stage;
  next: string;
  journalId: number | null;
  /** The last day its credit is on time (YYYY-MM-DD); null when no credit is due. */
  dueBy: string | null;
  credits: CreditRef[];
  cases: Case[];
}

const DAY_MS = 86_400_000;
const RANK: Readonly<Record<Severity, number>> = Object.fromEntries(Severities.map((s, i) => [s, i])) as Record<Severity, number>;

function asList<T>(items: Iterable<T>): readonly T[] {
  return Array.isArray(items) ? items : [...items];
}

function snapshot(c: Case): Case {
  return { ...c, resolution: c.resolution && { ...c.resolution }, refs: { ...c.refs, credits: c.refs.credits.map((r) => ({ ...r })) }, audit: c.audit.map((a) => ({ ...a })) };
}

function creditRef(c: Credit): CreditRef {
  return { reportId: c.reportId, line: c.line, settlementDate: c.settlementDate, amount: c.amount };
}

/**
 * The reconciliation engine: takes receipts, journal entries, credits and batches in any order and any split, and
 * gives out cases. Adding data only stores it (as columns: a million sales in a few hundred MB, out of the garbage
 * collector's way) and marks what it touches; `advance(now)` classifies what changed and what the clock moved past.
 * The cases depend only on the data and `now` (and on what people did to them), never on the order the data came in:
 * an incremental run and a full run agree.
 */
export class Reconciler {
  private readonly options: ResolvedOptions;
  private readonly classifier: Classifier;
  private readonly book: CaseBook;
  private readonly dict = new Dictionary();
  private readonly journal = new JournalTable(this.dict);
  private readonly receipts = new ReceiptTable(this.dict);
  private readonly credits = new CreditTable(this.dict);
  private readonly batches = new Map<string, Batch>();
  private readonly openBatches = new Set<string>();
  private now: number | undefined;
  private nowDay = Number.NEGATIVE_INFINITY;
  private readonly offsetMs: number;
  /** Settlement days plus grace, by acquirer code (-1: not looked up yet). */
  private readonly windowDays: number[] = [];

  /** Credits no RRN matches, by auth code: the fallback match on auth code, amount and merchant. */
  private readonly orphansByAuth = new Map<number, Set<number>>();
  private readonly pairOfTx = new Map<number, number>();
  private readonly pairOfCredit = new Map<number, number>();
  /** Last on-time day -> entries waiting for their credit until then. */
  private readonly due = new Map<number, SlotList>();
  /**
   * Each receipt's and credit's journal entry + 1 (0: none), as of the last advance. Every change that can move a
   * match marks the record again, so the links are fresh when entries are classified.
   */
  private readonly receiptTx = new SlotInts();
  private readonly creditTx = new SlotInts();
  /** Subjects that have (or had) cases: only these are looked up in the case book when they come out clean. */
  private readonly txCased = new SlotBytes();
  private readonly receiptCased = new SlotBytes();
  private readonly creditCased = new SlotBytes();
  /** Subjects of restored cases whose data has not come in yet. */
  private readonly restored = new Set<string>();

  private readonly dirtyTx = new DirtySet();
  private readonly dirtyReceipts = new DirtySet();
  private readonly dirtyCredits = new DirtySet();
  private readonly dirtyBatches = new Set<string>();
  private readonly dirtyAuth = new Set<number>();
  private readonly creditScratch: number[] = [];
  private readonly receiptScratch: number[] = [];

  constructor(options: ReconOptions = {}) {
    this.options = resolveOptions(options);
    this.classifier = new Classifier(this.options);
    this.book = new CaseBook(this.options.rules);
    this.offsetMs = this.options.utcOffsetMinutes * 60_000;
  }

  get counts(): { receipts: number; journal: number; credits: number; batches: number; cases: number } {
    return { receipts: this.receipts.size, journal: this.journal.size, credits: this.credits.size, batches: this.batches.size, cases: this.book.size };
  }

  /** Receipts the terminal printed. The same receipt given twice is kept once. */
  addReceipts(receipts: Iterable<Receipt>): void {
    const list = asList(receipts);
    for (const r of list) checkReceipt(r);
    for (const r of list) {
      const s = this.receipts.add(r);
      if (s !== -1) this.dirtyReceipts.add(s);
    }
  }

  /** Journal entries; a newer version (updatedAt) of an id replaces the older one, an older one is ignored. */
  addJournal(entries: Iterable<JournalEntry>): void {
    const list = asList(entries);
    for (const j of list) checkEntry(j);
    const J = this.journal;
    for (const j of list) {
      let s = J.slotOf(j.id);
      if (s !== -1) {
        if ((j.updatedAt ?? j.createdAt) < J.version[s]) continue;
        this.touchTx(s);
        J.unindex(s);
      } else {
        s = J.allocate(j.id);
      }
      J.write(s, j);
      J.index(s);
      this.touchTx(s);
    }
  }

  /** Credit and debit lines of settlement reports. A line given again is ignored; with other content it is refused. */
  addCredits(credits: Iterable<Credit>): void {
    const list = asList(credits);
    for (const c of list) {
      checkCredit(c);
      if (Number.isNaN(this.dict.day(c.settlementDate))) throw new TypeError(`credit ${c.reportId} line ${c.line}: "settlementDate" must be a date YYYY-MM-DD`);
      const s = this.credits.slotOf(c.reportId, c.line);
      if (s !== -1 && !sameCredit(this.credits.credit(s), c)) {
        throw new TypeError(`credit ${c.reportId} line ${c.line}: given again with other content (a report never changes)`);
      }
    }
    for (const c of list) {
      if (this.credits.slotOf(c.reportId, c.line) !== -1) continue;
      this.dirtyCredits.add(this.credits.add(c));
    }
  }

  /** Batches; a closed version replaces an open one, a later close an earlier one. */
  addBatches(batches: Iterable<Batch>): void {
    const list = asList(batches);
    for (const b of list) checkBatch(b);
    for (const b of list) {
      const key = Subject.batch(b.terminalId, b.batchNo);
      const old = this.batches.get(key);
      if (old !== undefined && (old.closedAt ?? -Infinity) > (b.closedAt ?? -Infinity)) continue;
      this.batches.set(key, b);
      if (b.status === 'open') this.openBatches.add(key);
      else this.openBatches.delete(key);
      this.dirtyBatches.add(key);
    }
  }

  /**
   * Classifies everything the new data touched and everything whose window `now` has passed. Returns the cases that
   * were opened or changed (copies), for the caller to store and announce.
   */
  advance(now: number): Case[] {
    if (!Number.isFinite(now)) throw new TypeError('"now" must be a timestamp (ms)');
    if (this.now !== undefined && now < this.now) throw new RangeError('"now" must not go back in time');
    this.now = now;
    this.nowDay = dayOf(now, this.options.utcOffsetMinutes);
    const changed = new Set<string>();
    const J = this.journal;
    const C = this.credits;
    if (this.restored.size > 0) this.resolveRestored();

    // credits: to their sale by RRN, or into the fallback pool
    for (let i = 0; i < this.dirtyCredits.size; i++) {
      const c = this.dirtyCredits.at(i);
      const t = this.txOfCredit(c);
      const was = this.creditTx.get(c) - 1;
      if (was !== t && was !== -1) this.dirtyTx.add(was);
      this.creditTx.set(c, t + 1);
      if (t !== -1) {
        this.dirtyTx.add(t);
        this.leaveOrphans(c);
        if (J.auth[t] !== 0 && this.orphansByAuth.has(J.auth[t])) this.dirtyAuth.add(J.auth[t]);
      } else if (C.auth[c] !== 0) {
        let pool = this.orphansByAuth.get(C.auth[c]);
        if (pool === undefined) this.orphansByAuth.set(C.auth[c], (pool = new Set()));
        pool.add(c);
        this.dirtyAuth.add(C.auth[c]);
      }
    }
    if (this.orphansByAuth.size > 0) {
      for (let i = 0; i < this.dirtyTx.size; i++) {
        const a = J.auth[this.dirtyTx.at(i)];
        if (a !== 0 && this.orphansByAuth.has(a)) this.dirtyAuth.add(a);
      }
    }
    for (const auth of this.dirtyAuth) this.pair(auth);
    this.dirtyAuth.clear();

    for (let i = 0; i < this.dirtyReceipts.size; i++) {
      const r = this.dirtyReceipts.at(i);
      const t = this.txOfReceipt(r);
      const was = this.receiptTx.get(r) - 1;
      if (was !== t && was !== -1) this.dirtyTx.add(was);
      this.receiptTx.set(r, t + 1);
      if (t !== -1) this.dirtyTx.add(t);
    }
    for (let i = 0; i < this.dirtyReceipts.size; i++) {
      const r = this.dirtyReceipts.at(i);
      // a matched receipt at a key that never had a case changes nothing there
      if (this.receiptTx.get(r) !== 0 && this.receiptCased.get(r) === 0) continue;
      this.classifyReceiptKey(r, now, changed);
    }
    this.dirtyReceipts.clear();

    for (const [day, slots] of this.due) {
      if (day >= this.nowDay) continue;
      for (let i = 0; i < slots.length; i++) this.dirtyTx.add(slots.at(i));
      this.due.delete(day);
    }
    for (let i = 0; i < this.dirtyTx.size; i++) this.classifyTx(this.dirtyTx.at(i), now, changed);
    this.dirtyTx.clear();

    for (let i = 0; i < this.dirtyCredits.size; i++) {
      const c = this.dirtyCredits.at(i);
      if (this.creditTx.get(c) !== 0 || this.pairOfCredit.has(c)) {
        if (this.creditCased.get(c) === 1) this.book.apply(this.creditSubject(c), NONE, now, changed);
        continue;
      }
      const other = C.rrn[c] === 0 ? -1 : J.slotOfRrn(C.rrn[c]);
      this.book.apply(this.creditSubject(c), this.classifier.credit(C.credit(c), other === -1 ? undefined : J.entry(other)), now, changed);
      this.creditCased.set(c, 1);
    }
    this.dirtyCredits.clear();

    for (const key of this.openBatches) this.dirtyBatches.add(key);
    for (const key of this.dirtyBatches) this.book.apply(key, this.classifier.batch(this.batches.get(key)!, now), now, changed);
    this.dirtyBatches.clear();

    return [...changed].sort().map((id) => snapshot(this.book.get(id)!));
  }

  /** The cases, most severe first; EXPECTED items only when asked for. */
  cases(filter: CaseFilter = {}): Case[] {
    const out: Case[] = [];
    for (const c of this.book.values()) if (keep(c, filter)) out.push(snapshot(c));
    if (filter.includeExpected === true) for (const c of this.expected(filter.merchantId)) if (keep(c, filter)) out.push(c);
    return out.sort((a, b) => RANK[a.severity] - RANK[b.severity] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  getCase(id: string): Case | undefined {
    const c = this.book.get(id);
    return c && snapshot(c);
  }

  /** Sales waiting for their credit inside the settlement window, as EXPECTED cases (computed now, not stored). */
  expected(merchantId?: string): Case[] {
    const J = this.journal;
    const merchant = merchantId === undefined ? undefined : this.dict.keys.peek(merchantId);
    const seen = new SlotBytes();
    const out: Case[] = [];
    for (const slots of this.due.values()) {
      for (let i = 0; i < slots.length; i++) {
        const t = slots.at(i);
        if (seen.get(t) === 1 || (merchant !== undefined && J.merchant[t] !== merchant)) continue;
        seen.set(t, 1);
        if (this.verdict(t) !== PENDING) continue;
        const receipts = this.receiptsOf(t, []).map((r) => this.receipts.receipt(r));
        out.push(this.expectedCase(this.classifier.expected(J.entry(t), receipts), J.createdAt[t]));
      }
    }
    return out;
  }

  acknowledge(id: string, actor: string, note: string, at: number): Case | undefined {
    const c = this.book.acknowledge(id, actor, note, at);
    return c && snapshot(c);
  }

  resolve(id: string, actor: string, reason: string, at: number): Case | undefined {
    const c = this.book.resolve(id, actor, reason, at);
    return c && snapshot(c);
  }

  reopen(id: string, actor: string, note: string, at: number): Case | undefined {
    const c = this.book.reopen(id, actor, note, at);
    return c && snapshot(c);
  }

  note(id: string, actor: string, note: string, at: number): Case | undefined {
    const c = this.book.note(id, actor, note, at);
    return c && snapshot(c);
  }

  /** Puts back cases stored by an earlier run (before or after their data is added again); `advance` then updates them. */
  restore(cases: Iterable<Case>): void {
    for (const c of cases) {
      this.book.restore(c);
      this.restored.add(c.subject);
    }
  }

  /** "Where is my money?" for a sale by its RRN. */
  locate(rrn: string): Whereabouts {
    const J = this.journal;
    const code = this.dict.keys.peek(rrn);
    const t = J.slotOfRrn(code);
    const bySubject = (subject: string): Case[] => this.cases({ rrn }).filter((c) => c.subject === subject);
    if (t === -1) {
      const credits: Credit[] = [];
      const h = seqHash(code);
      for (let p = this.credits.byRrn.first(h); p !== -1; p = this.credits.byRrn.next(h, p)) {
        const c = this.credits.byRrn.slotAt(p);
        if (this.credits.rrn[c] === code) credits.push(this.credits.credit(c));
      }
      return {
        stage: 'unknown',
        next: credits.length > 0 ? 'the acquirer paid it, but the gateway never saw this sale: see the case' : 'the gateway has no sale with this RRN: check the receipt',
        journalId: null,
        dueBy: null,
        credits: credits.map(creditRef),
        cases: credits.flatMap((c) => bySubject(Subject.credit(c.reportId, c.line))),
      };
    }
    const j = J.entry(t);
    const credits = this.creditsOf(t, []).map((c) => this.credits.credit(c));
    const dueBy = isoDay(this.deadline(t));
    const owes = j.state === 'approved' && j.captured && j.reversal === null;
    let stage: Stage;
    let next: string;
    if (credits.length > 0) {
      stage = 'credited';
      next = `credited on ${credits[0].settlementDate}: the money is in the acquirer's payout of that day`;
    } else if (j.state === 'forwarding') {
      stage = 'in_flight';
      next = 'the acquirer has not answered yet';
    } else if (j.reversal !== null) {
      stage = j.reversalState === 'pending' ? 'reversing' : 'reversed';
      next = `${stage === 'reversing' ? 'the gateway is reversing it' : 'it was reversed'}: no money will come; ask for the payment again`;
    } else if (j.state !== 'approved') {
      stage = 'not_approved';
      next = 'it was not approved: no money will come; ask for the payment again';
    } else if (!j.captured) {
      stage = 'not_captured';
      next = 'it was voided or never captured: no money will come';
    } else if (this.nowDay <= this.deadline(t)) {
      stage = 'awaiting_credit';
      next = `approved and captured: the acquirer should pay it by ${dueBy}`;
    } else {
      stage = 'overdue';
      next = `the acquirer should have paid it by ${dueBy}: see the case`;
    }
    return { stage, next, journalId: j.id, dueBy: owes ? dueBy : null, credits: credits.map(creditRef), cases: bySubject(Subject.tx(j.rrn)) };
  }

  // --- matching

  /** Marks an entry and what may match it: its credits (by RRN), its receipts (by terminal key), its fallback pool. */
  private touchTx(t: number): void {
    const J = this.journal;
    const C = this.credits;
    const R = this.receipts;
    this.dirtyTx.add(t);
    const rrn = J.rrn[t];
    const h = seqHash(rrn);
    for (let p = C.byRrn.first(h); p !== -1; p = C.byRrn.next(h, p)) {
      const c = C.byRrn.slotAt(p);
      if (C.rrn[c] === rrn) this.dirtyCredits.add(c);
    }
    const k = J.keyHash(t);
    for (let p = R.byKey.first(k); p !== -1; p = R.byKey.next(k, p)) {
      const r = R.byKey.slotAt(p);
      if (this.sameKey(r, t)) this.dirtyReceipts.add(r);
    }
    if (J.auth[t] !== 0 && this.orphansByAuth.has(J.auth[t])) this.dirtyAuth.add(J.auth[t]);
  }

  private sameKey(r: number, t: number): boolean {
    const R = this.receipts;
    const J = this.journal;
    return R.stan[r] === J.stan[t] && R.terminal[r] === J.terminal[t] && R.batch[r] === J.batch[t] && R.date[r] === J.date[t];
  }

  /** The credit's sale by RRN, same merchant; -1 when none. */
  private txOfCredit(c: number): number {
    const C = this.credits;
    if (C.rrn[c] === 0) return -1;
    const t = this.journal.slotOfRrn(C.rrn[c]);
    return t !== -1 && this.journal.merchant[t] === C.merchant[c] ? t : -1;
  }

  private hasRrnCredit(t: number): boolean {
    const J = this.journal;
    const C = this.credits;
    const h = seqHash(J.rrn[t]);
    for (let p = C.byRrn.first(h); p !== -1; p = C.byRrn.next(h, p)) {
      const c = C.byRrn.slotAt(p);
      if (C.rrn[c] === J.rrn[t] && C.merchant[c] === J.merchant[t]) return true;
    }
    return false;
  }

  /** A sale's credits in canonical order: by RRN, or the one paired by auth code, amount and merchant. */
  private creditsOf(t: number, out: number[]): number[] {
    const J = this.journal;
    const C = this.credits;
    const rrn = J.rrn[t];
    const h = seqHash(rrn);
    for (let p = C.byRrn.first(h); p !== -1; p = C.byRrn.next(h, p)) {
      const c = C.byRrn.slotAt(p);
      if (C.rrn[c] === rrn && C.merchant[c] === J.merchant[t]) out.push(c);
    }
    const paired = this.pairOfTx.get(t);
    if (paired !== undefined) out.push(paired);
    if (out.length > 1) out.sort((a, b) => C.compare(a, b));
    return out;
  }

  private leaveOrphans(c: number): void {
    const auth = this.credits.auth[c];
    if (auth === 0) return;
    const pool = this.orphansByAuth.get(auth);
    if (pool === undefined || !pool.delete(c)) return;
    const t = this.pairOfCredit.get(c);
    if (t !== undefined) {
      this.pairOfCredit.delete(c);
      this.pairOfTx.delete(t);
      this.dirtyTx.add(t);
    }
    this.dirtyAuth.add(auth);
  }

  /**
   * The fallback match of one auth code: credits no RRN matches, in canonical order, each to the earliest sale with
   * that auth code, merchant and amount (and terminal, when the credit names one) that has no credit by RRN.
   */
  private pair(auth: number): void {
    const J = this.journal;
    const C = this.credits;
    const pool = this.orphansByAuth.get(auth);
    const orphans = pool === undefined ? [] : [...pool].sort((a, b) => C.compare(a, b));
    const before = new Map<number, number>();
    for (const c of orphans) {
      const t = this.pairOfCredit.get(c);
      if (t === undefined) continue;
      before.set(c, t);
      this.pairOfCredit.delete(c);
      this.pairOfTx.delete(t);
    }
    const candidates: number[] = [];
    const h = seqHash(auth);
    for (let p = J.byAuth.first(h); p !== -1; p = J.byAuth.next(h, p)) {
      const t = J.byAuth.slotAt(p);
      if (J.auth[t] === auth && J.matchable(t) && !this.hasRrnCredit(t)) candidates.push(t);
    }
    candidates.sort((a, b) => J.createdAt[a] - J.createdAt[b] || J.id[a] - J.id[b]);
    for (const c of orphans) {
      const t = candidates.find(
        (s) => !this.pairOfTx.has(s) && J.merchant[s] === C.merchant[c] && J.amount[s] === C.amount[c] && (C.terminal[c] === 0 || C.terminal[c] === J.terminal[s]),
      );
      if (t !== undefined) {
        this.pairOfCredit.set(c, t);
        this.pairOfTx.set(t, c);
      }
      const was = before.get(c);
      if (was !== t) {
        this.dirtyCredits.add(c);
        if (was !== undefined) this.dirtyTx.add(was);
        if (t !== undefined) this.dirtyTx.add(t);
      }
    }
    if (pool !== undefined && pool.size === 0) this.orphansByAuth.delete(auth);
  }

  /**
   * The journal entry a receipt stands for: same terminal, batch, local date and STAN, and the same RRN and auth code
   * where both have one; an offline receipt prefers an 0220 advice, a sale or refund an 0200. -1 when none.
   */
  private txOfReceipt(r: number): number {
    const J = this.journal;
    const R = this.receipts;
    const h = R.keyHash(r);
    const offline = R.kind[r] === KindCode.offline;
    let best = -1;
    for (let p = J.byKey.first(h); p !== -1; p = J.byKey.next(h, p)) {
      const t = J.byKey.slotAt(p);
      if (!this.sameKey(r, t)) continue;
      if (R.rrn[r] !== 0 && R.rrn[r] !== J.rrn[t]) continue;
      if (R.auth[r] !== 0 && J.auth[t] !== 0 && R.auth[r] !== J.auth[t]) continue;
      if (best === -1) {
        best = t;
        continue;
      }
      const a = ((this.dict.mti.flags[J.mti[t]] & MtiFlags.ADVICE) !== 0) === offline;
      const b = ((this.dict.mti.flags[J.mti[best]] & MtiFlags.ADVICE) !== 0) === offline;
      if ((a && !b) || (a === b && J.id[t] < J.id[best])) best = t;
    }
    return best;
  }

  /** The entry with the receipt's terminal key that disagrees with it (lowest id), for the explanation; -1 when none. */
  private conflictOf(r: number): number {
    const J = this.journal;
    const h = this.receipts.keyHash(r);
    let min = -1;
    for (let p = J.byKey.first(h); p !== -1; p = J.byKey.next(h, p)) {
      const t = J.byKey.slotAt(p);
      if (this.sameKey(r, t) && (min === -1 || J.id[t] < J.id[min])) min = t;
    }
    return min;
  }

  /** The receipts linked to an entry, in a fixed order. */
  private receiptsOf(t: number, out: number[]): number[] {
    const J = this.journal;
    const R = this.receipts;
    if (!J.matchable(t)) return out;
    const h = J.keyHash(t);
    for (let p = R.byKey.first(h); p !== -1; p = R.byKey.next(h, p)) {
      const r = R.byKey.slotAt(p);
      if (this.receiptTx.get(r) === t + 1) out.push(r);
    }
    if (out.length > 1) out.sort((a, b) => R.compare(a, b));
    return out;
  }

  /**
   * The receipts of one terminal key that no entry stands for make one case (the first in a fixed order speaks for
   * them: the same sale from an upload and an export is one sale); when none is left, the key's case is cleared.
   */
  private classifyReceiptKey(r: number, now: number, changed: Set<string>): void {
    const R = this.receipts;
    const h = R.keyHash(r);
    let first = -1;
    let cased = false;
    for (let p = R.byKey.first(h); p !== -1; p = R.byKey.next(h, p)) {
      const s = R.byKey.slotAt(p);
      if (!R.sameKey(s, r)) continue;
      if (this.receiptCased.get(s) === 1) cased = true;
      if (this.receiptTx.get(s) === 0 && (first === -1 || R.compare(s, first) < 0)) first = s;
    }
    if (first === -1) {
      if (cased) this.book.apply(this.receiptSubject(r), NONE, now, changed);
      return;
    }
    const conflict = this.conflictOf(first);
    this.book.apply(this.receiptSubject(r), this.classifier.receipt(R.receipt(first), conflict === -1 ? undefined : this.journal.entry(conflict)), now, changed);
    for (let p = R.byKey.first(h); p !== -1; p = R.byKey.next(h, p)) {
      const s = R.byKey.slotAt(p);
      if (R.sameKey(s, r)) this.receiptCased.set(s, 1);
    }
  }

  /** The last day a credit for this entry is on time. */
  private deadline(t: number): number {
    const a = this.journal.acquirer[t];
    let days = a === -1 ? undefined : this.windowDays[a];
    if (days === undefined) {
      const w = this.classifier.window(a === -1 ? null : this.dict.acquirer.values[a]);
      days = w.settleAfterDays + w.graceDays;
      if (a !== -1) this.windowDays[a] = days;
    }
    return Math.floor((this.journal.createdAt[t] + this.offsetMs) / DAY_MS) + days;
  }

  /**
   * The findings of one entry. The two common cases (waiting for its credit; paid once, on time, the right amount)
   * are read off the columns; anything else goes to the classifier with the records rebuilt.
   */
  private verdict(t: number): readonly Finding[] {
    const J = this.journal;
    const C = this.credits;
    const credits = this.creditsOf(t, this.creditScratch);
    const receipts = this.receiptsOf(t, this.receiptScratch);
    try {
      if (J.state[t] === StateCode.approved && J.captured[t] === 1 && J.reversal[t] === 0) {
        const deadline = this.deadline(t);
        if (credits.length === 0 && this.nowDay <= deadline) return PENDING;
        if (credits.length === 1) {
          const c = credits[0];
          const record = (this.dict.proc.flags[J.proc[t]] & ProcFlags.REFUND) !== 0 ? RecordCode.DEBIT : RecordCode.CREDIT;
          let clean = C.day[c] <= deadline && C.amount[c] === J.amount[t] && C.currency[c] === J.currency[t] && C.record[c] === record;
          for (let i = 0; clean && i < receipts.length; i++) clean = this.receipts.amount[receipts[i]] === J.amount[t];
          if (clean) return NONE;
        }
      }
      return this.classifier.tx(
        J.entry(t),
        receipts.map((r) => this.receipts.receipt(r)),
        credits.map((c) => C.credit(c)),
        this.nowDay,
      );
    } finally {
      credits.length = 0;
      receipts.length = 0;
    }
  }

  private classifyTx(t: number, now: number, changed: Set<string>): void {
    const findings = this.verdict(t);
    if (findings === PENDING) {
      const deadline = this.deadline(t);
      if (deadline >= this.nowDay) {
        let slots = this.due.get(deadline);
        if (slots === undefined) this.due.set(deadline, (slots = new SlotList()));
        slots.push(t);
      }
    }
    if (findings.length === 0 && this.txCased.get(t) === 0) return;
    this.book.apply(Subject.tx(this.dict.keys.decode(this.journal.rrn[t])!), findings, now, changed);
    this.txCased.set(t, 1);
  }

  private receiptSubject(r: number): string {
    const R = this.receipts;
    const k = this.dict.keys;
    return Subject.receipt(k.decode(R.terminal[r])!, k.decode(R.batch[r])!, k.decode(R.date[r])!, k.decode(R.stan[r])!);
  }

  private creditSubject(c: number): string {
    return Subject.credit(this.dict.report.values[this.credits.report[c]], this.credits.line[c]);
  }

  /** Restored cases' subjects whose data is in: flag them so a clean classification clears their cases. */
  private resolveRestored(): void {
    const k = this.dict.keys;
    for (const subject of this.restored) {
      const [kind, ...parts] = subject.split('\x1f');
      let found = false;
      if (kind === 'J') {
        const t = this.journal.slotOfRrn(k.peek(parts[0]));
        if (t !== -1) {
          this.txCased.set(t, 1);
          this.dirtyTx.add(t);
          found = true;
        }
      } else if (kind === 'R') {
        const [terminal, batch, date, stan] = parts.map((p) => k.peek(p));
        const R = this.receipts;
        const h = hashTerminalKey(terminal, batch, date, stan);
        for (let p = R.byKey.first(h); p !== -1; p = R.byKey.next(h, p)) {
          const r = R.byKey.slotAt(p);
          if (R.terminal[r] === terminal && R.batch[r] === batch && R.date[r] === date && R.stan[r] === stan) {
            this.receiptCased.set(r, 1);
            this.dirtyReceipts.add(r);
            found = true;
          }
        }
      } else if (kind === 'C') {
        const c = this.credits.slotOf(parts[0], Number(parts[1]));
        if (c !== -1) {
          this.creditCased.set(c, 1);
          this.dirtyCredits.add(c);
          found = true;
        }
      } else {
        found = true;
        if (this.batches.has(subject)) this.dirtyBatches.add(subject);
      }
      if (found) this.restored.delete(subject);
    }
  }

  private expectedCase(f: Finding, openedAt: number): Case {
    return {
      id: caseId('EXPECTED', f.subject),
      subject: f.subject,
      class: 'EXPECTED',
      severity: f.severity,
      ...f.keys,
      explanation: f.explanation,
      likelyCause: f.likelyCause,
      suggestedAction: f.suggestedAction,
      status: 'open',
      resolution: null,
      manual: false,
      cleared: false,
      markedForRefund: false,
      refs: f.refs,
      openedAt,
      updatedAt: this.now ?? openedAt,
      audit: [],
    };
  }
}

function keep(c: Case, f: CaseFilter): boolean {
  return (
    (f.merchantId === undefined || c.merchantId === f.merchantId) &&
    (f.terminalId === undefined || c.terminalId === f.terminalId) &&
    (f.batchNo === undefined || c.batchNo === f.batchNo) &&
    (f.rrn === undefined || c.rrn === f.rrn) &&
    (f.class === undefined || c.class === f.class) &&
    (f.status === undefined || c.status === f.status) &&
    (f.severity === undefined || c.severity === f.severity) &&
    (f.includeCleared !== false || !c.cleared)
  );
}

function isChunked(data: ReconData | Iterable<ReconData>): data is Iterable<ReconData> {
  return typeof (data as Iterable<ReconData>)[Symbol.iterator] === 'function';
}

/**
 * Every record in, one `advance(now)`: the reference the incremental runs must agree with. `data` is all of it at
 * once or a sequence of chunks (so a day bigger than memory as objects can stream through).
 */
export function fullRun(data: ReconData | Iterable<ReconData>, now: number, options: ReconOptions = {}): Case[] {
  const r = new Reconciler(options);
  for (const chunk of isChunked(data) ? data : [data]) {
    if (chunk.journal) r.addJournal(chunk.journal);
    if (chunk.receipts) r.addReceipts(chunk.receipts);
    if (chunk.credits) r.addCredits(chunk.credits);
    if (chunk.batches) r.addBatches(chunk.batches);
  }
  r.advance(now);
  return r.cases();
}

export { Actors };
