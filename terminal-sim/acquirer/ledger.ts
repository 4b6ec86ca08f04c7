import { createHmac } from 'node:crypto';
import { maskPan } from '../../protocol/index.js';
import type { OriginalData } from './messages.js';
import { openDatabase, type SqliteDatabase, type SqliteStatement } from './sqlite.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const LedgerStatuses = ['approved', 'declined', 'reversed'] as const;
export type LedgerStatus = (typeof LedgerStatuses)[number];

/** What an authorization is, from its MTI, processing code and field 90. */
export const Kinds = {
  preauth: '0100: funds held, not captured',
  purchase: '0200 proc 000000: captured',
  refund: '0200 proc 200000: credit to the card',
  void: '0200 proc 020000: cancels the original named by field 90',
  advice: '0220 without a known pre-auth original: offline sale, captured',
  completion: '0220 naming a pre-auth in field 90: the hold becomes a capture',
} as const;
export type Kind = keyof typeof Kinds;

/** Kinds that move money from the card to the merchant. */
const CHARGE_KINDS: readonly Kind[] = ['purchase', 'advice', 'completion'];

export interface NewAuthorization {
  mti: string;
  procCode: string;
  kind: Kind;
  rrn: string;
  stan: string;
  /** Field 7 as the gateway sent it (MMDDhhmmss). */
  transmittedAt: string;
  terminalId: string | null;
  merchantId: string | null;
  /** Kept only long enough to mask and hash it. */
  pan: string | null;
  /** The PAN's hash when the caller has it already (it looked the card up by it): not computed a second time. */
  panHmac?: string;
  amount: number;
  currency: string | null;
  authCode: string | null;
  responseCode: string;
  status: 'approved' | 'declined';
  originalId: number | null;
}

export interface LedgerRow {
  id: number;
  mti: string;
  procCode: string;
  kind: Kind;
  rrn: string;
  stan: string;
  transmittedAt: string;
  terminalId: string | null;
  merchantId: string | null;
  panMasked: string | null;
  /** HMAC-SHA256 of the PAN under the stub's key, hex. */
  panHmac: string | null;
  amount: number;
  currency: string | null;
  authCode: string | null;
  responseCode: string;
  status: LedgerStatus;
  /** An earlier row has the same RRN, MTI and processing code: the same sale sent (and charged) again. */
  duplicateRrn: boolean;
  originalId: number | null;
  createdAt: string;
  reversedAt: string | null;
}

export interface ReversalRow {
  id: number;
  mti: string;
  rrn: string | null;
  stan: string;
  transmittedAt: string | null;
  originalId: number | null;
  responseCode: string;
  /** True when this message reversed its original; false for repeats and unknown originals. */
  reversed: boolean;
  createdAt: string;
}

export interface Total {
  count: number;
  amount: number;
}

export interface LedgerSummary {
  /** Charges (purchase, advice, completion) answered 00/08, reversed since or not. */
  approved: Total;
  declined: { count: number };
  /** Charges approved and then reversed or voided. */
  reversed: Total;
  /** Charges approved and not reversed: what the acquirer will pay out. */
  charged: Total;
  /** Pre-auths approved, not reversed and not completed. */
  held: Total;
  /** Refunds approved and not reversed. */
  refunded: Total;
  /** RRNs with more than one charged row. */
  doubleCharged: { rrn: string; count: number; amount: number }[];
}

export interface LedgerFilter {
  rrn?: string;
  status?: LedgerStatus;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS authorizations (
  id INTEGER PRIMARY KEY,
  mti TEXT NOT NULL,
  proc_code TEXT NOT NULL,
  kind TEXT NOT NULL,
  rrn TEXT NOT NULL,
  stan TEXT NOT NULL,
  transmitted_at TEXT NOT NULL,
  terminal_id TEXT,
  merchant_id TEXT,
  pan_masked TEXT,
  pan_hmac TEXT,
  amount INTEGER NOT NULL CHECK (amount >= 0),
  currency TEXT,
  auth_code TEXT,
  response_code TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('approved', 'declined', 'reversed')),
  duplicate_rrn INTEGER NOT NULL DEFAULT 0,
  original_id INTEGER REFERENCES authorizations(id),
  created_at TEXT NOT NULL,
  reversed_at TEXT
);
CREATE INDEX IF NOT EXISTS authorizations_rrn ON authorizations (rrn);
CREATE INDEX IF NOT EXISTS authorizations_trace ON authorizations (stan, transmitted_at);
CREATE TABLE IF NOT EXISTS reversals (
  id INTEGER PRIMARY KEY,
  mti TEXT NOT NULL,
  rrn TEXT,
  stan TEXT NOT NULL,
  transmitted_at TEXT,
  original_id INTEGER REFERENCES authorizations(id),
  response_code TEXT NOT NULL,
  reversed INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
`;

const ROW_COLUMNS = `id, mti, proc_code AS procCode, kind, rrn, stan, transmitted_at AS transmittedAt,
  terminal_id AS terminalId, merchant_id AS merchantId, pan_masked AS panMasked, pan_hmac AS panHmac, amount,
  currency, auth_code AS authCode, response_code AS responseCode, status, duplicate_rrn AS duplicateRrn,
  original_id AS originalId, created_at AS createdAt, reversed_at AS reversedAt`;

const CHARGES = `kind IN (${CHARGE_KINDS.map((k) => `'${k}'`).join(', ')})`;

/**
 * What the acquirer received and decided, in its own SQLite file: one row per authorization (0100/0200/0220), never
 * de-duplicated, and one row per reversal message. A PAN is stored only masked and as a keyed hash.
 */
export class Ledger {
  readonly #db: SqliteDatabase;
  readonly #panKey: Buffer;
  readonly #clock: Clock;
  readonly #insert: SqliteStatement;
  readonly #duplicateOf: SqliteStatement;
  readonly #byId: SqliteStatement;
  readonly #byTrace: SqliteStatement;
  readonly #byTraceAndMti: SqliteStatement;
  readonly #byRrn: SqliteStatement;
  readonly #markReversed: SqliteStatement;
  readonly #insertReversal: SqliteStatement;
  readonly #inTransaction: (fn: () => void) => void;
  #stampedAt = Number.NaN;
  #stamp = '';

  constructor(path: string, panKey: Buffer, clock: Clock) {
    this.#db = openDatabase(path);
    this.#panKey = panKey;
    this.#clock = clock;
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare(`INSERT INTO authorizations (mti, proc_code, kind, rrn, stan, transmitted_at,
      terminal_id, merchant_id, pan_masked, pan_hmac, amount, currency, auth_code, response_code, status,
      duplicate_rrn, original_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#duplicateOf = this.#db.prepare('SELECT 1 FROM authorizations WHERE rrn = ? AND mti = ? AND proc_code = ? LIMIT 1');
    this.#byId = this.#db.prepare(`SELECT ${ROW_COLUMNS} FROM authorizations WHERE id = ?`);
    this.#byTrace = this.#db.prepare(
      `SELECT ${ROW_COLUMNS} FROM authorizations WHERE stan = ? AND transmitted_at = ? ORDER BY id DESC LIMIT 1`,
    );
    this.#byTraceAndMti = this.#db.prepare(
      `SELECT ${ROW_COLUMNS} FROM authorizations WHERE stan = ? AND transmitted_at = ? AND mti = ? ORDER BY id DESC LIMIT 1`,
    );
    this.#byRrn = this.#db.prepare(
      `SELECT ${ROW_COLUMNS} FROM authorizations WHERE rrn = ? AND kind <> 'void' ORDER BY id DESC LIMIT 1`,
    );
    this.#markReversed = this.#db.prepare(
      "UPDATE authorizations SET status = CASE status WHEN 'approved' THEN 'reversed' ELSE status END, reversed_at = ? WHERE id = ? AND reversed_at IS NULL",
    );
    this.#insertReversal = this.#db.prepare(`INSERT INTO reversals (mti, rrn, stan, transmitted_at, original_id,
      response_code, reversed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#inTransaction = this.#db.transaction((fn: () => void) => fn());
  }

  /**
   * Runs `fn` in one transaction: what it records is committed together when it returns (one commit for many rows
   * instead of one each), or rolled back if it throws. Nested calls join the outer transaction.
   */
  batch(fn: () => void): void {
    this.#inTransaction(fn);
  }

  /** The SQLite file, shared with the settlement's tables (they join on authorizations). */
  get database(): SqliteDatabase {
    return this.#db;
  }

  /** HMAC-SHA256 of a PAN under the stub's key: how card rules and balances are looked up without storing PANs. */
  panHash(pan: string): string {
    return createHmac('sha256', this.#panKey).update(pan, 'ascii').digest('hex');
  }

  record(a: NewAuthorization): LedgerRow {
    const duplicateRrn = this.#duplicateOf.get(a.rrn, a.mti, a.procCode) !== undefined;
    const panMasked = a.pan === null ? null : maskPan(a.pan);
    const panHmac = a.pan === null ? null : (a.panHmac ?? this.panHash(a.pan));
    const createdAt = this.#timestamp();
    // positional parameters: binding by name costs a property lookup per column, on every authorization
    const { lastInsertRowid } = this.#insert.run(
      a.mti, a.procCode, a.kind, a.rrn, a.stan, a.transmittedAt, a.terminalId, a.merchantId, panMasked, panHmac,
      a.amount, a.currency, a.authCode, a.responseCode, a.status, duplicateRrn ? 1 : 0, a.originalId, createdAt,
    );
    // the row as written, without reading it back: every authorization goes through here
    return {
      id: Number(lastInsertRowid),
      mti: a.mti,
      procCode: a.procCode,
      kind: a.kind,
      rrn: a.rrn,
      stan: a.stan,
      transmittedAt: a.transmittedAt,
      terminalId: a.terminalId,
      merchantId: a.merchantId,
      panMasked,
      panHmac,
      amount: a.amount,
      currency: a.currency,
      authCode: a.authCode,
      responseCode: a.responseCode,
      status: a.status,
      duplicateRrn,
      originalId: a.originalId,
      createdAt,
      reversedAt: null,
    };
  }

  byId(id: number): LedgerRow | undefined {
    return toRow(this.#byId.get(id));
  }

  /**
   * The original of a reversal, void or completion: by field 90 (original MTI, STAN and field 7) when given and
   * known, else by RRN (the latest non-void row with it).
   */
  findOriginal(by: { rrn?: string; original?: OriginalData }): LedgerRow | undefined {
    const o = by.original;
    if (o !== undefined) {
      const row = /^0+$/.test(o.mti)
        ? this.#byTrace.get(o.stan, o.transmittedAt)
        : this.#byTraceAndMti.get(o.stan, o.transmittedAt, o.mti);
      if (row !== undefined) return toRow(row);
    }
    return by.rrn === undefined ? undefined : toRow(this.#byRrn.get(by.rrn));
  }

  /** Marks a row reversed; false when it already was (reversals are idempotent). Declined rows keep their status. */
  markReversed(id: number): boolean {
    return this.#markReversed.run(this.#timestamp(), id).changes === 1;
  }

  recordReversal(r: Omit<ReversalRow, 'id' | 'createdAt'>): void {
    this.#insertReversal.run(r.mti, r.rrn, r.stan, r.transmittedAt, r.originalId, r.responseCode, r.reversed ? 1 : 0, this.#timestamp());
  }

  rows(filter: LedgerFilter = {}): LedgerRow[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.rrn !== undefined) {
      where.push('rrn = ?');
      params.push(filter.rrn);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const sql = `SELECT ${ROW_COLUMNS} FROM authorizations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return this.#db.prepare(sql).all(...params).map((r) => toRow(r) as LedgerRow);
  }

  reversals(): ReversalRow[] {
    return this.#db
      .prepare(`SELECT id, mti, rrn, stan, transmitted_at AS transmittedAt, original_id AS originalId,
        response_code AS responseCode, reversed, created_at AS createdAt FROM reversals ORDER BY id`)
      .all()
      .map((r) => ({ ...(r as ReversalRow), reversed: (r as { reversed: number }).reversed === 1 }));
  }

  summary(): LedgerSummary {
    const total = (where: string): Total => {
      const r = this.#db.prepare(`SELECT count(*) AS count, coalesce(sum(amount), 0) AS amount FROM authorizations WHERE ${where}`).get() as Total;
      return { count: r.count, amount: r.amount };
    };
    const approvedAnswer = "response_code IN ('00', '08')";
    return {
      approved: total(`${CHARGES} AND ${approvedAnswer}`),
      declined: { count: total("status = 'declined'").count },
      reversed: total(`${CHARGES} AND status = 'reversed'`),
      charged: total(`${CHARGES} AND status = 'approved'`),
      held: total(`kind = 'preauth' AND status = 'approved' AND id NOT IN
        (SELECT original_id FROM authorizations WHERE kind = 'completion' AND status = 'approved' AND original_id IS NOT NULL)`),
      refunded: total("kind = 'refund' AND status = 'approved'"),
      doubleCharged: this.#db
        .prepare(`SELECT rrn, count(*) AS count, sum(amount) AS amount FROM authorizations
          WHERE ${CHARGES} AND status = 'approved' GROUP BY rrn HAVING count(*) > 1 ORDER BY rrn`)
        .all() as { rrn: string; count: number; amount: number }[],
    };
  }

  /** Empties both tables. */
  reset(): void {
    this.#db.exec('DELETE FROM reversals; DELETE FROM authorizations;');
  }

  close(): void {
    if (!this.#db.open) return;
    // Fold the WAL back into the main file so the ledger is one self-contained file after a clean stop.
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#db.close();
  }

  /** The clock's time as ISO 8601; the string is reused while the clock stays on the same millisecond. */
  #timestamp(): string {
    const now = this.#clock.now();
    if (now !== this.#stampedAt) {
      this.#stamp = new Date(now).toISOString();
      this.#stampedAt = now;
    }
    return this.#stamp;
  }
}

/** Completes a row as SQLite returned it (a fresh object): a copy by spread costs V8 microseconds per key after it. */
function toRow(r: unknown): LedgerRow | undefined {
  if (r === undefined) return undefined;
  const row = r as { duplicateRrn: number | boolean };
  row.duplicateRrn = row.duplicateRrn === 1;
  return row as LedgerRow;
}
