import type { SqliteDatabase, SqliteStatement } from '../sqlite.js';
import type { SettlementLine } from './csv.js';
import type { FaultKind } from './faults.js';

/** An approved charge or refund the settlement has not dealt with yet, or one held back by a `late` fault. */
export interface DueRow {
  id: number;
  kind: string;
  rrn: string;
  terminalId: string | null;
  merchantId: string | null;
  panMasked: string | null;
  amount: number;
  currency: string | null;
  authCode: string | null;
  /** The acquirer's approval date (its clock). */
  transactionDate: string;
}

export interface ReportSummary {
  reportId: string;
  acquirerId: string;
  settlementDate: string;
  /** 1, 2, ... per settlement date. */
  sequence: number;
  /** The cutover instant, ISO. */
  cutoverAt: string;
  /** True for the daily cutover, false for one forced by cutover() or POST /settlement/cutover. */
  scheduled: boolean;
  counts: { credit: number; debit: number; payout: number };
  /** Sums of the CREDIT and DEBIT lines; net = credit - debit - fee. */
  totals: { credit: number; debit: number; fee: number; net: number };
  /** Where the CSV was written; null without a reports directory or when writing failed. */
  file: string | null;
}

export interface AppliedFault {
  id: number;
  kind: FaultKind;
  /** Chosen by its RRN or by the seeded rate draw. */
  selectedBy: 'rrn' | 'rate';
  /** The ledger row the fault changed; null for a phantom. */
  authorizationId: number | null;
  rrn: string;
  authCode: string | null;
  merchantId: string;
  terminalId: string | null;
  /** What was authorized (a phantom: what was paid). */
  amount: number;
  /** What the reports pay for it in all: omit 0, wrongAmount amount + delta, duplicate 2 x amount, late and phantom amount. */
  paidAmount: number;
  /** wrongAmount: the delta; late: the days; otherwise null. */
  delta: number | null;
  days: number | null;
  /** The settlement date it was due (a phantom: the date it was paid). */
  settlementDate: string;
  /** The report of that date where the fault shows; null when that cutover had nothing else to pay (no report). */
  reportId: string | null;
  /** late: the first settlement date it may be paid, and the report that paid it once one has. */
  payOn: string | null;
  paidReportId: string | null;
}

export type NewAppliedFault = Omit<AppliedFault, 'id' | 'paidReportId'>;

export interface Item {
  authorizationId: number;
  dueDate: string;
  state: 'paid' | 'omitted' | 'held';
  payOn: string | null;
}

export interface NewReport {
  summary: Omit<ReportSummary, 'file'>;
  csv: string;
  lines: (SettlementLine & { authorizationId: number | null })[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS settlement_reports (
  id TEXT PRIMARY KEY,
  acquirer_id TEXT NOT NULL,
  settlement_date TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  cutover_at TEXT NOT NULL,
  scheduled INTEGER NOT NULL,
  credit_count INTEGER NOT NULL,
  debit_count INTEGER NOT NULL,
  payout_count INTEGER NOT NULL,
  credit_total INTEGER NOT NULL,
  debit_total INTEGER NOT NULL,
  fee_total INTEGER NOT NULL,
  file TEXT,
  UNIQUE (settlement_date, sequence)
);
CREATE TABLE IF NOT EXISTS settlement_report_csv (
  report_id TEXT PRIMARY KEY REFERENCES settlement_reports(id),
  csv TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settlement_lines (
  report_id TEXT NOT NULL REFERENCES settlement_reports(id),
  line INTEGER NOT NULL,
  record TEXT NOT NULL CHECK (record IN ('CREDIT', 'DEBIT', 'PAYOUT')),
  authorization_id INTEGER REFERENCES authorizations(id),
  merchant_id TEXT NOT NULL,
  terminal_id TEXT,
  rrn TEXT,
  auth_code TEXT,
  pan_masked TEXT,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  transaction_date TEXT,
  fee INTEGER NOT NULL,
  net_amount INTEGER NOT NULL,
  PRIMARY KEY (report_id, line)
);
CREATE TABLE IF NOT EXISTS settlement_items (
  authorization_id INTEGER PRIMARY KEY REFERENCES authorizations(id),
  due_date TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('paid', 'omitted', 'held')),
  pay_on TEXT
);
CREATE INDEX IF NOT EXISTS settlement_items_held ON settlement_items (pay_on) WHERE state = 'held';
CREATE TABLE IF NOT EXISTS settlement_faults_applied (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  selected_by TEXT NOT NULL CHECK (selected_by IN ('rrn', 'rate')),
  authorization_id INTEGER REFERENCES authorizations(id),
  rrn TEXT NOT NULL,
  auth_code TEXT,
  merchant_id TEXT NOT NULL,
  terminal_id TEXT,
  amount INTEGER NOT NULL,
  paid_amount INTEGER NOT NULL,
  delta INTEGER,
  days INTEGER,
  settlement_date TEXT NOT NULL,
  report_id TEXT,
  pay_on TEXT,
  paid_report_id TEXT
);
`;

const DUE_COLUMNS = `a.id, a.kind, a.rrn, a.terminal_id AS terminalId, a.merchant_id AS merchantId, a.pan_masked AS panMasked,
  a.amount, a.currency, a.auth_code AS authCode, substr(a.created_at, 1, 10) AS transactionDate`;

const LINE_COLUMNS = `record, report_id AS reportId, acquirer_id AS acquirerId, settlement_date AS settlementDate,
  merchant_id AS merchantId, terminal_id AS terminalId, rrn, auth_code AS authCode, pan_masked AS panMasked, amount,
  currency, transaction_date AS transactionDate, fee, net_amount AS netAmount`;

const SUMMARY_COLUMNS = `id, acquirer_id, settlement_date, sequence, cutover_at, scheduled, credit_count, debit_count,
  payout_count, credit_total, debit_total, fee_total, file`;

const APPLIED_COLUMNS = `id, kind, selected_by AS selectedBy, authorization_id AS authorizationId, rrn, auth_code AS authCode,
  merchant_id AS merchantId, terminal_id AS terminalId, amount, paid_amount AS paidAmount, delta, days,
  settlement_date AS settlementDate, report_id AS reportId, pay_on AS payOn, paid_report_id AS paidReportId`;

/** The settlement's tables, in the ledger's SQLite file so a due credit is one join away from its authorization. */
export class SettlementStore {
  readonly #db: SqliteDatabase;
  readonly #due: SqliteStatement;
  readonly #held: SqliteStatement;
  readonly #lastSequence: SqliteStatement;
  readonly #insertReport: SqliteStatement;
  readonly #insertCsv: SqliteStatement;
  readonly #insertLine: SqliteStatement;
  readonly #insertItem: SqliteStatement;
  readonly #payHeld: SqliteStatement;
  readonly #insertApplied: SqliteStatement;
  readonly #paidLate: SqliteStatement;
  readonly #setFile: SqliteStatement;
  readonly #summary: SqliteStatement;
  readonly #csv: SqliteStatement;
  readonly #rrnKnown: SqliteStatement;
  readonly #phantomPaid: SqliteStatement;
  readonly #save: (report: NewReport | null, items: Item[], paidHeld: { id: number }[], applied: NewAppliedFault[]) => void;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    db.exec(SCHEMA);
    // A cutover writes a day's lines in one transaction: a page cache of 64 MB keeps it from spilling page by page.
    db.pragma('cache_size = -65536');
    this.#due = db.prepare(`SELECT ${DUE_COLUMNS} FROM authorizations a
      WHERE a.status = 'approved' AND a.kind IN ('purchase', 'advice', 'completion', 'refund')
        AND a.created_at <= @cutoverAt AND substr(a.created_at, 1, 10) <= @lastTransactionDate
        AND NOT EXISTS (SELECT 1 FROM settlement_items i WHERE i.authorization_id = a.id)
      ORDER BY a.id`);
    this.#held = db.prepare(`SELECT ${DUE_COLUMNS} FROM settlement_items i JOIN authorizations a ON a.id = i.authorization_id
      WHERE i.state = 'held' AND i.pay_on <= ? ORDER BY a.id`);
    this.#lastSequence = db.prepare('SELECT coalesce(max(sequence), 0) AS n FROM settlement_reports WHERE settlement_date = ?');
    this.#insertReport = db.prepare(`INSERT INTO settlement_reports (id, acquirer_id, settlement_date, sequence, cutover_at,
      scheduled, credit_count, debit_count, payout_count, credit_total, debit_total, fee_total)
      VALUES (@reportId, @acquirerId, @settlementDate, @sequence, @cutoverAt, @scheduled, @creditCount, @debitCount,
      @payoutCount, @creditTotal, @debitTotal, @feeTotal)`);
    this.#insertCsv = db.prepare('INSERT INTO settlement_report_csv (report_id, csv) VALUES (?, ?)');
    this.#insertLine = db.prepare(`INSERT INTO settlement_lines (report_id, line, record, authorization_id, merchant_id,
      terminal_id, rrn, auth_code, pan_masked, amount, currency, transaction_date, fee, net_amount)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#insertItem = db.prepare('INSERT INTO settlement_items (authorization_id, due_date, state, pay_on) VALUES (?, ?, ?, ?)');
    this.#payHeld = db.prepare("UPDATE settlement_items SET state = 'paid' WHERE authorization_id = ? AND state = 'held'");
    this.#insertApplied = db.prepare(`INSERT INTO settlement_faults_applied (kind, selected_by, authorization_id, rrn,
      auth_code, merchant_id, terminal_id, amount, paid_amount, delta, days, settlement_date, report_id, pay_on)
      VALUES (@kind, @selectedBy, @authorizationId, @rrn, @authCode, @merchantId, @terminalId, @amount, @paidAmount,
      @delta, @days, @settlementDate, @reportId, @payOn)`);
    this.#paidLate = db.prepare(`UPDATE settlement_faults_applied SET paid_report_id = ?
      WHERE authorization_id = ? AND kind = 'late' AND paid_report_id IS NULL`);
    this.#setFile = db.prepare('UPDATE settlement_reports SET file = ? WHERE id = ?');
    this.#summary = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM settlement_reports WHERE id = ?`);
    this.#csv = db.prepare('SELECT csv FROM settlement_report_csv WHERE report_id = ?');
    this.#rrnKnown = db.prepare(`SELECT 1 FROM authorizations WHERE rrn = @rrn
      UNION ALL SELECT 1 FROM settlement_faults_applied WHERE rrn = @rrn LIMIT 1`);
    this.#phantomPaid = db.prepare("SELECT 1 FROM settlement_faults_applied WHERE kind = 'phantom' AND rrn = ? LIMIT 1");
    // One commit per cutover: a report, what it paid and the faults it carries are there together or not at all.
    this.#save = db.transaction((report: NewReport | null, items: Item[], paidHeld: { id: number }[], applied: NewAppliedFault[]) => {
      if (report !== null) {
        const s = report.summary;
        this.#insertReport.run({
          reportId: s.reportId,
          acquirerId: s.acquirerId,
          settlementDate: s.settlementDate,
          sequence: s.sequence,
          cutoverAt: s.cutoverAt,
          scheduled: s.scheduled ? 1 : 0,
          creditCount: s.counts.credit,
          debitCount: s.counts.debit,
          payoutCount: s.counts.payout,
          creditTotal: s.totals.credit,
          debitTotal: s.totals.debit,
          feeTotal: s.totals.fee,
        });
        this.#insertCsv.run(s.reportId, report.csv);
        let line = 2;
        for (const l of report.lines) {
          this.#insertLine.run(s.reportId, line++, l.record, l.authorizationId, l.merchantId, l.terminalId, l.rrn, l.authCode,
            l.panMasked, l.amount, l.currency, l.transactionDate, l.fee, l.netAmount);
        }
      }
      for (const it of items) this.#insertItem.run(it.authorizationId, it.dueDate, it.state, it.payOn);
      for (const h of paidHeld) {
        this.#payHeld.run(h.id);
        this.#paidLate.run(report?.summary.reportId ?? null, h.id);
      }
      for (const a of applied) this.#insertApplied.run(a);
    });
  }

  /** Charges and refunds approved at or before the cutover, on or before the last date this cutover pays. */
  due(cutoverAt: string, lastTransactionDate: string): DueRow[] {
    return this.#due.all({ cutoverAt, lastTransactionDate }) as DueRow[];
  }

  /** Credits held back by a `late` fault that may be paid on this date. */
  held(date: string): DueRow[] {
    return this.#held.all(date) as DueRow[];
  }

  nextSequence(date: string): number {
    return (this.#lastSequence.get(date) as { n: number }).n + 1;
  }

  /** True when an authorization or an earlier phantom has this RRN: a made-up RRN must be neither. */
  rrnKnown(rrn: string): boolean {
    return this.#rrnKnown.get({ rrn }) !== undefined;
  }

  phantomPaid(rrn: string): boolean {
    return this.#phantomPaid.get(rrn) !== undefined;
  }

  save(report: NewReport | null, items: Item[], paidHeld: { id: number }[], applied: NewAppliedFault[]): void {
    this.#save(report, items, paidHeld, applied);
  }

  setFile(reportId: string, file: string): void {
    this.#setFile.run(file, reportId);
  }

  reports(): ReportSummary[] {
    return this.#db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM settlement_reports ORDER BY settlement_date, sequence`)
      .all()
      .map((r) => toSummary(r as SummaryRow));
  }

  summary(reportId: string): ReportSummary | undefined {
    const r = this.#summary.get(reportId) as SummaryRow | undefined;
    return r === undefined ? undefined : toSummary(r);
  }

  csv(reportId: string): string | undefined {
    return (this.#csv.get(reportId) as { csv: string } | undefined)?.csv;
  }

  lines(reportId: string): SettlementLine[] {
    return this.#db
      .prepare(`SELECT ${LINE_COLUMNS} FROM settlement_lines l JOIN settlement_reports r ON r.id = l.report_id
        WHERE l.report_id = ? ORDER BY line`)
      .all(reportId) as SettlementLine[];
  }

  applied(filter: { kind?: FaultKind; reportId?: string } = {}): AppliedFault[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.kind !== undefined) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    if (filter.reportId !== undefined) {
      where.push('(report_id = ? OR paid_report_id = ?)');
      params.push(filter.reportId, filter.reportId);
    }
    return this.#db
      .prepare(`SELECT ${APPLIED_COLUMNS} FROM settlement_faults_applied ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`)
      .all(...params) as AppliedFault[];
  }

  /** Empties the settlement tables (before the ledger's, which they reference). */
  reset(): void {
    this.#db.exec(`DELETE FROM settlement_faults_applied; DELETE FROM settlement_items; DELETE FROM settlement_lines;
      DELETE FROM settlement_report_csv; DELETE FROM settlement_reports;`);
  }
}

interface SummaryRow {
  id: string;
  acquirer_id: string;
  settlement_date: string;
  sequence: number;
  cutover_at: string;
  scheduled: number;
  credit_count: number;
  debit_count: number;
  payout_count: number;
  credit_total: number;
  debit_total: number;
  fee_total: number;
  file: string | null;
}

function toSummary(r: SummaryRow): ReportSummary {
  return {
    reportId: r.id,
    acquirerId: r.acquirer_id,
    settlementDate: r.settlement_date,
    sequence: r.sequence,
    cutoverAt: r.cutover_at,
    scheduled: r.scheduled === 1,
    counts: { credit: r.credit_count, debit: r.debit_count, payout: r.payout_count },
    totals: { credit: r.credit_total, debit: r.debit_total, fee: r.fee_total, net: r.credit_total - r.debit_total - r.fee_total },
    file: r.file,
  };
}

