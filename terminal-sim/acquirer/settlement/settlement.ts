import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../ledger.js';
import type { SqliteDatabase } from '../sqlite.js';
import { csvSafe, formatSettlementCsv, type SettlementLine, type SettlementRecord } from './csv.js';
import { FaultPlan, Streams, draw, keyOf, parseFaults, type FaultKind, type SettlementFaults } from './faults.js';
import { addDays, dateOf, nextCutover } from './schedule.js';
import { SettlementStore, type AppliedFault, type DueRow, type Item, type NewAppliedFault, type ReportSummary } from './store.js';

export interface SettlementConfig {
  acquirerId: string;
  /** Minutes after midnight UTC of the daily cutover; null: only forced cutovers. */
  cutoverMinutes: number | null;
  /** A transaction approved on date T is paid at the cutover of date T + this. */
  settleAfterDays: number;
  /** Fee per credit: amount x basis points / 10000, rounded half up, plus the fixed part. */
  feeBasisPoints: number;
  feeFixed: number;
  /** Where each report is written as <report_id>.csv; null: kept in the database only. */
  reportsDir: string | null;
  /** The faults at start and after reset(). */
  faults: SettlementFaults;
  /** How often the clock is checked for a due cutover. */
  checkMs: number;
  clock: Clock;
  logger: Logger;
}

export interface SettlementReport extends ReportSummary {
  lines: SettlementLine[];
  csv: string;
}

export interface SettlementState {
  acquirerId: string;
  /** 'HH:MM' UTC, or null when only forced cutovers run. */
  cutover: string | null;
  /** The next daily cutover instant, ISO; null when none is scheduled. */
  nextCutoverAt: string | null;
  settleAfterDays: number;
  feeBasisPoints: number;
  feeFixed: number;
  reportsDir: string | null;
}

/** A charge without field 49 (the gateway always sends it) is paid in this currency. */
const FALLBACK_CURRENCY = '840';
/** A clock that jumps further than this is not caught up day by day: the missed cutovers are skipped. */
const MAX_CATCH_UP = 366;

type Draft = Omit<SettlementLine, 'reportId' | 'acquirerId' | 'settlementDate'> & { authorizationId: number | null };

/**
 * The acquirer pays: at each cutover, one CREDIT per approved, captured, unreversed charge due by the settlement lag,
 * one DEBIT per approved refund, one PAYOUT per merchant and currency, each paid once, faults applied on the way.
 */
export class Settlement {
  readonly #cfg: SettlementConfig;
  readonly #store: SettlementStore;
  readonly #log: Logger;
  #plan: FaultPlan;
  #next: number | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(db: SqliteDatabase, cfg: SettlementConfig) {
    this.#cfg = cfg;
    this.#store = new SettlementStore(db);
    this.#log = cfg.logger;
    this.#plan = new FaultPlan(cfg.faults);
  }

  /** Schedules the daily cutover from now on; cutovers missed while the stub was down are not made up. */
  start(): void {
    if (this.#cfg.reportsDir !== null) mkdirSync(this.#cfg.reportsDir, { recursive: true });
    this.#schedule();
    if (this.#cfg.cutoverMinutes === null || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.tick(), this.#cfg.checkMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Runs every daily cutover due by the clock, oldest first; what the timer calls. */
  tick(): ReportSummary[] {
    const made: ReportSummary[] = [];
    const now = this.#cfg.clock.now();
    for (let n = 0; this.#next !== null && this.#next <= now; n++) {
      if (n === MAX_CATCH_UP) {
        this.#log.warn({ event: 'settlement_cutovers_skipped', until: new Date(now).toISOString() });
        this.#schedule();
        break;
      }
      const at = this.#next;
      this.#next = nextCutover(at, this.#cfg.cutoverMinutes as number);
      try {
        const report = this.#run(at, true);
        if (report !== null) made.push(report);
      } catch (e) {
        this.#log.error({ event: 'settlement_failed', cutoverAt: new Date(at).toISOString(), error: (e as Error).message });
      }
    }
    return made;
  }

  /** A cutover now, outside the schedule; null when nothing is due (no report is made: a report has lines). */
  cutover(): ReportSummary | null {
    return this.#run(this.#cfg.clock.now(), false);
  }

  state(): SettlementState {
    const m = this.#cfg.cutoverMinutes;
    return {
      acquirerId: this.#cfg.acquirerId,
      cutover: m === null ? null : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`,
      nextCutoverAt: this.#next === null ? null : new Date(this.#next).toISOString(),
      settleAfterDays: this.#cfg.settleAfterDays,
      feeBasisPoints: this.#cfg.feeBasisPoints,
      feeFixed: this.#cfg.feeFixed,
      reportsDir: this.#cfg.reportsDir,
    };
  }

  faults(): SettlementFaults {
    return this.#plan.faults;
  }

  /** Validates and replaces the faults (omitted kinds: none); they apply to credits first due from now on. */
  setFaults(input: unknown): SettlementFaults {
    this.#plan = new FaultPlan(parseFaults(input, this.#cfg.faults.seed));
    this.#log.info({ event: 'settlement_faults_set' });
    return this.#plan.faults;
  }

  reports(): ReportSummary[] {
    return this.#store.reports();
  }

  report(reportId: string): SettlementReport | undefined {
    const summary = this.#store.summary(reportId);
    if (summary === undefined) return undefined;
    return { ...summary, lines: this.#store.lines(reportId), csv: this.#store.csv(reportId) as string };
  }

  csv(reportId: string): string | undefined {
    return this.#store.csv(reportId);
  }

  applied(filter?: { kind?: FaultKind; reportId?: string }): AppliedFault[] {
    return this.#store.applied(filter);
  }

  /** Forgets every report and payment (not the files written), restores the starting faults and reschedules. */
  reset(): void {
    this.#store.reset();
    this.#plan = new FaultPlan(this.#cfg.faults);
    this.#schedule();
  }

  #schedule(): void {
    const m = this.#cfg.cutoverMinutes;
    this.#next = m === null ? null : nextCutover(this.#cfg.clock.now(), m);
  }

  #run(at: number, scheduled: boolean): ReportSummary | null {
    const cfg = this.#cfg;
    const store = this.#store;
    const { faults } = this.#plan;
    const date = dateOf(at);
    const cutoverAt = new Date(at).toISOString();
    const sequence = store.nextSequence(date);
    const reportId = `${cfg.acquirerId}-${date}-${String(sequence).padStart(3, '0')}`;
    const dueDate = addDays(date, -cfg.settleAfterDays);
    const drafts: Draft[] = [];
    const items: Item[] = [];
    const applied: NewAppliedFault[] = [];
    const madeUp = new Set<string>();

    const fault = (kind: FaultKind, by: 'rrn' | 'rate', row: DueRow, extra: Partial<NewAppliedFault>): void => {
      applied.push({
        kind,
        selectedBy: by,
        authorizationId: row.id,
        rrn: row.rrn,
        authCode: row.authCode,
        merchantId: merchantOf(row),
        terminalId: row.terminalId,
        amount: row.amount,
        paidAmount: row.amount,
        delta: null,
        days: null,
        settlementDate: date,
        reportId,
        payOn: null,
        ...extra,
      });
    };
    const phantom = (key: number, by: 'rrn' | 'rate', rrn: string | null, riding: Draft | undefined): boolean => {
      const p = faults.phantom;
      const merchantId = p.merchantId ?? riding?.merchantId;
      if (merchantId === undefined) return false;
      const line = this.#phantomLine(key, rrn, merchantId, p.merchantId === null ? riding?.terminalId ?? null : p.terminalId, riding, dueDate, madeUp);
      drafts.push(line);
      applied.push({
        kind: 'phantom',
        selectedBy: by,
        authorizationId: null,
        rrn: line.rrn as string,
        authCode: line.authCode,
        merchantId,
        terminalId: line.terminalId,
        amount: line.amount,
        paidAmount: line.amount,
        delta: null,
        days: null,
        settlementDate: date,
        reportId,
        payOn: null,
      });
      return true;
    };

    for (const row of store.due(cutoverAt, dueDate)) {
      if (row.kind === 'refund') {
        drafts.push(this.#line('DEBIT', row, row.amount));
        items.push({ authorizationId: row.id, dueDate: date, state: 'paid', payOn: null });
        continue;
      }
      const f = this.#plan.creditFault(row);
      switch (f?.kind) {
        case undefined:
          drafts.push(this.#line('CREDIT', row, row.amount));
          break;
        case 'omit':
          fault('omit', f.by, row, { paidAmount: 0 });
          break;
        case 'wrongAmount': {
          const wrong = wrongAmount(row.amount, faults.wrongAmount.delta);
          drafts.push(this.#line('CREDIT', row, wrong));
          fault('wrongAmount', f.by, row, { paidAmount: wrong, delta: wrong - row.amount });
          break;
        }
        case 'duplicate':
          drafts.push(this.#line('CREDIT', row, row.amount), this.#line('CREDIT', row, row.amount));
          fault('duplicate', f.by, row, { paidAmount: 2 * row.amount });
          break;
        case 'late': {
          const payOn = addDays(date, faults.late.days);
          fault('late', f.by, row, { days: faults.late.days, payOn });
          items.push({ authorizationId: row.id, dueDate: date, state: 'held', payOn });
          break;
        }
      }
      if (f?.kind !== 'late') items.push({ authorizationId: row.id, dueDate: date, state: f?.kind === 'omit' ? 'omitted' : 'paid', payOn: null });
      if (this.#plan.phantomAfter(row)) phantom(row.id, 'rate', null, this.#line('CREDIT', row, row.amount));
    }
    const paidHeld = store.held(date);
    for (const row of paidHeld) drafts.push(this.#line('CREDIT', row, row.amount));
    const firstCredit = drafts.find((d) => d.record === 'CREDIT' && d.authorizationId !== null);
    for (const rrn of faults.phantom.rrns) {
      if (!store.phantomPaid(rrn) && !madeUp.has(rrn)) {
        madeUp.add(rrn);
        if (!phantom(keyOf(rrn), 'rrn', rrn, firstCredit)) madeUp.delete(rrn);
      }
    }

    const lines = drafts.length === 0 ? [] : withPayouts(drafts);
    const full = lines.map((l) => ({ ...l, reportId, acquirerId: cfg.acquirerId, settlementDate: date }));
    const count = (r: SettlementRecord) => lines.filter((l) => l.record === r).length;
    const sum = (r: SettlementRecord, k: 'amount' | 'fee') => lines.reduce((s, l) => (l.record === r ? s + l[k] : s), 0);
    const summary: Omit<ReportSummary, 'file'> = {
      reportId,
      acquirerId: cfg.acquirerId,
      settlementDate: date,
      sequence,
      cutoverAt,
      scheduled,
      counts: { credit: count('CREDIT'), debit: count('DEBIT'), payout: count('PAYOUT') },
      totals: { credit: sum('CREDIT', 'amount'), debit: sum('DEBIT', 'amount'), fee: sum('CREDIT', 'fee'), net: 0 },
    };
    summary.totals.net = summary.totals.credit - summary.totals.debit - summary.totals.fee;
    if (full.length === 0) {
      for (const a of applied) a.reportId = null;
      store.save(null, items, [], applied);
      this.#log.info({ event: 'settlement_cutover', cutoverAt, settlementDate: date, scheduled, report: null, faults: applied.length });
      return null;
    }
    const csv = formatSettlementCsv(full);
    store.save({ summary, csv, lines: full }, items, paidHeld, applied);
    const file = this.#write(reportId, csv);
    this.#log.info({ event: 'settlement_cutover', cutoverAt, settlementDate: date, scheduled, report: reportId, ...summary.counts, faults: applied.length, file });
    return { ...summary, file };
  }

  #line(record: 'CREDIT' | 'DEBIT', row: DueRow, amount: number): Draft {
    const fee = record === 'CREDIT' ? this.#fee(amount) : 0;
    return {
      record,
      merchantId: merchantOf(row),
      terminalId: row.terminalId === null ? null : csvSafe(row.terminalId),
      rrn: csvSafe(row.rrn),
      authCode: row.authCode === null ? null : csvSafe(row.authCode),
      panMasked: row.panMasked,
      amount,
      currency: row.currency ?? FALLBACK_CURRENCY,
      transactionDate: row.transactionDate,
      fee,
      netAmount: amount - fee,
      authorizationId: row.id,
    };
  }

  /** A credit for something never authorized: RRN, auth code, amount and card made up from the seeded draws. */
  #phantomLine(
    key: number,
    rrn: string | null,
    merchantId: string,
    terminalId: string | null,
    riding: Draft | undefined,
    transactionDate: string,
    madeUp: Set<string>,
  ): Draft {
    const seed = this.#plan.faults.seed;
    const p = this.#plan.faults.phantom;
    let made = rrn;
    for (let k = 0; made === null; k += 8) {
      const candidate = `9${String(Math.floor(draw(seed, key, Streams.phantomRrn + k) * 1e11)).padStart(11, '0')}`;
      if (!madeUp.has(candidate) && !this.#store.rrnKnown(candidate)) made = candidate;
    }
    madeUp.add(made);
    const authCode = Math.floor(draw(seed, key, Streams.phantomAuthCode) * 36 ** 6).toString(36).toUpperCase().padStart(6, '0');
    const amount = p.amount ?? 100 + Math.floor(draw(seed, key, Streams.phantomAmount) * 99_900);
    const fee = this.#fee(amount);
    return {
      record: 'CREDIT',
      merchantId,
      terminalId,
      rrn: made,
      authCode,
      panMasked: `400000******${String(Math.floor(draw(seed, key, Streams.phantomPan) * 10_000)).padStart(4, '0')}`,
      amount,
      currency: p.currency ?? riding?.currency ?? FALLBACK_CURRENCY,
      transactionDate,
      fee,
      netAmount: amount - fee,
      authorizationId: null,
    };
  }

  #fee(amount: number): number {
    // BigInt: a 12-digit amount times 10000 basis points is past 2^53.
    return Number((BigInt(amount) * BigInt(this.#cfg.feeBasisPoints) + 5000n) / 10000n) + this.#cfg.feeFixed;
  }

  /** Writes <dir>/<report_id>.csv through a temporary name, so a reader polling the directory never sees half a file. */
  #write(reportId: string, csv: string): string | null {
    if (this.#cfg.reportsDir === null) return null;
    const file = join(this.#cfg.reportsDir, `${reportId}.csv`);
    try {
      writeFileSync(`${file}.part`, csv, 'utf8');
      renameSync(`${file}.part`, file);
      this.#store.setFile(reportId, file);
      return file;
    } catch (e) {
      this.#log.error({ event: 'settlement_write_failed', report: reportId, code: (e as NodeJS.ErrnoException).code });
      return null;
    }
  }
}

function merchantOf(row: DueRow): string {
  return csvSafe(row.merchantId ?? '');
}

/** amount + delta, or amount + |delta| where that would not be a positive credit. */
function wrongAmount(amount: number, delta: number): number {
  const wrong = amount + delta;
  return wrong > 0 ? wrong : amount + Math.abs(delta);
}

/** Lines grouped by merchant and currency (sorted), each group in ledger order and closed by its PAYOUT. */
function withPayouts(drafts: Draft[]): Draft[] {
  const groups = new Map<string, Draft[]>();
  for (const d of drafts) {
    const key = `${d.merchantId}\u0000${d.currency}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [d]);
    else g.push(d);
  }
  const out: Draft[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key) as Draft[];
    let amount = 0;
    let fee = 0;
    for (const d of g) {
      amount += d.record === 'DEBIT' ? -d.amount : d.amount;
      fee += d.fee;
    }
    for (const d of g) out.push(d);
    out.push({
      record: 'PAYOUT',
      merchantId: g[0].merchantId,
      terminalId: null,
      rrn: null,
      authCode: null,
      panMasked: null,
      amount,
      currency: g[0].currency,
      transactionDate: null,
      fee,
      netAmount: amount - fee,
      authorizationId: null,
    });
  }
  return out;
}
