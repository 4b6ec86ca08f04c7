import pg from 'pg';
import { JournalError, JournalErrorCodes, type JournalErrorCode } from './errors.js';
import type { FeedEvent, NewFeedEvent } from '../feed/types.js';
import { appendedEvent, byId, insertedTx, optional, rrnSequence, sinceBound, toBatch, toCase, toCredit, toEvent, toException, toReceipt, toReport, toSaf, toTotals, toTx, toUpload, type Row } from './rows.js';
import { journalLockSql, PG_MIGRATIONS, PG_SCHEMA, SCHEMA_NAME } from './postgres-schema.js';
import {
  DuplicateKeyError,
  type BatchRecord,
  type BatchStatus,
  type CaseRow,
  type CreditRecord,
  type ExceptionRecord,
  type NewTransaction,
  type ReceiptRecord,
  type ReportSummary,
  type ReversalReason,
  type SafItem,
  type SafStats,
  type Store,
  type Totals,
  type TxKey,
  type TxOutcome,
  type TxRecord,
  type UploadRecord,
  type JournalObserver,
} from './types.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Schema holding the journal's tables, created when missing. Default "public". */
  schema?: string;
  /** Connections for reads; writes have one connection of their own. Default 4. */
  readConnections?: number;
  /** How long a read or write waits for a connection before it fails. Default 5000 ms. */
  connectTimeoutMs?: number;
  /**
   * The server cancels a statement that runs (or waits for a lock) longer than this: a write stuck behind another
   * writer fails (the terminal gets 96) instead of hanging past the terminal's own timeout. Default 15000 ms.
   */
  statementTimeoutMs?: number;
  /** Told when a group of writes fails for the server's or the connection's sake, and when writes commit again. */
  observer?: Pick<JournalObserver, 'writeFailed' | 'writesResumed'>;
}

export { JournalError, JournalErrorCodes, type JournalErrorCode };

/** A write of the turn: runs inside the group's transaction, settles once that transaction has committed or failed. */
interface Op {
  run(c: pg.PoolClient): Promise<unknown>;
  resolve(value: unknown): void;
  reject(e: unknown): void;
}

/** SQLSTATE classes of errors that belong to one statement (bad data, a constraint, a query bug), not to the connection. */
const STATEMENT_ERROR_CLASSES = new Set(['22', '23', '42', '44']);

const INT8_OID = 20;
/** BIGINT columns (amounts, times, ids) arrive as numbers: every value the journal keeps is below 2^53. */
const typeParsers = {
  getTypeParser: (oid: number, format?: string) =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, (format ?? 'text') as 'text'),
} as unknown as pg.CustomTypesConfig;

/**
 * The journal in PostgreSQL (node-postgres). Reads go through a pool; writes through one writer connection of their
 * own, in group commits: every write of an event-loop turn is queued and the queue runs at setImmediate as one
 * transaction (BEGIN, the journal's advisory lock, the writes in order, COMMIT). Writes queued while a commit is
 * under way share the next one. A write's promise resolves only after COMMIT returned, which PostgreSQL answers once
 * the commit record is flushed (synchronous_commit on; the store switches it on for its transactions if the server
 * has it off). Reads see committed data: a write is visible to reads once its promise has resolved.
 *
 * A write that fails on its own (the duplicate key of a transaction, a constraint) rejects alone: its group rolls back
 * and runs again without it. A write that fails with the connection (PostgreSQL restarted, the network gone) rejects
 * with the whole group; nothing of the group is visible, the broken connection is dropped and the next group
 * connects anew. When the connection breaks during COMMIT itself the group's outcome is unknown: it rejects all the
 * same (the flow answers 96, and recovery reverses what stays in flight).
 *
 * Numbering. Every write transaction takes the journal's advisory lock first and holds it to its commit, so write
 * transactions, this process's and any other's on the same schema, commit one after another, each taking its numbers
 * after the previous one committed. Hence:
 * - change numbers (`change_seq`, from a sequence) increase in commit order: a reader that has seen number N has
 *   seen every change numbered N or less, so "what changed after N" misses nothing. A rolled-back group burns
 *   numbers: gaps, never a number below one already read.
 * - a merchant's event `seq` is MAX(seq) + 1 read inside the transaction: a rolled-back group leaves no rows, so the
 *   next group takes the same numbers and no gap is ever visible. Global event ids come from a sequence (gaps
 *   possible), increasing in commit order like change numbers.
 */
export class PostgresStore implements Store {
  readonly schema: string;
  /** host:port/database: names the server in errors, never the password. */
  readonly address: string;
  private readonly reader: pg.Pool;
  private readonly writer: pg.Pool;
  private begin: string;
  private queued: Op[] = [];
  private scheduled = false;
  private running = false;
  private idle: (() => void)[] = [];
  private closing = false;
  private readonly observer: PostgresStoreOptions['observer'];
  /** A group failed for the server's or the connection's sake, and none has committed since. */
  private faulty = false;
  private closed: Promise<void> | undefined;

  constructor(opts: PostgresStoreOptions) {
    if (typeof opts.url !== 'string' || !/^postgres(?:ql)?:\/\//.test(opts.url)) {
      throw new TypeError('option "url" must be a postgres:// or postgresql:// URL');
    }
    this.schema = opts.schema ?? 'public';
    if (!SCHEMA_NAME.test(this.schema)) {
      throw new TypeError('option "schema" must be a lower-case name: letters, digits and _, not starting with a digit, at most 63');
    }
    this.address = addressOf(opts.url);
    this.observer = opts.observer;
    const base: pg.PoolConfig = {
      connectionString: opts.url,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      statement_timeout: opts.statementTimeoutMs ?? 15_000,
      // every connection resolves the journal's tables in its schema, so no statement names it
      options: `-c search_path=${this.schema}`,
      application_name: 'pos-gateway',
      keepAlive: true,
      types: typeParsers,
    };
    this.reader = new Pool({ ...base, max: opts.readConnections ?? 4 });
    this.writer = new Pool({ ...base, max: 1 });
    for (const pool of [this.reader, this.writer]) {
      // an idle connection closed by the server (a restart): the pool drops it and connects anew when next needed
      pool.on('error', (e) => process.emitWarning(`journal: an idle PostgreSQL connection to ${this.address} closed: ${e.message}`));
    }
    this.begin = `BEGIN; ${journalLockSql(this.schema)}`;
  }

  /** Creates the schema and the tables when missing (under the journal's lock: concurrent starts do not race). */
  async init(): Promise<void> {
    const c = await this.connect();
    try {
      await c.query(
        `BEGIN; ${journalLockSql(this.schema)}; CREATE SCHEMA IF NOT EXISTS ${this.schema}; ${PG_SCHEMA}; ${PG_MIGRATIONS.map((m) => `${m};`).join('\n')} COMMIT`,
      );
      const { rows } = await c.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
      // "off" would let COMMIT return before the commit record is on disk: the journal's writes must not
      if (rows[0]?.synchronous_commit === 'off') this.begin += '; SET LOCAL synchronous_commit = on';
      c.release();
    } catch (e) {
      c.release(e as Error);
      throw new JournalError(JournalErrorCodes.unreachable, `journal: cannot create its tables in schema "${this.schema}" at PostgreSQL ${this.address}: ${messageOf(e)}`, { cause: e });
    }
  }

  /** Waits for the writes already made, then closes every connection. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      await this.flushed();
      await Promise.all([this.reader.end(), this.writer.end()]);
    })();
    return this.closed;
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.writer.connect();
    } catch (e) {
      throw new JournalError(JournalErrorCodes.unreachable, `journal: cannot reach PostgreSQL at ${this.address}: ${messageOf(e)}`, { cause: e });
    }
  }

  // ---- writes: group commit on the writer connection

  /** Queues `run` for the turn's transaction; resolves with its result once that transaction has committed. */
  private write<T>(run: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new JournalError(JournalErrorCodes.closed, 'journal: the store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.drain();
        });
      }
    });
  }

  /** Commits the queue group by group; each group is taken at setImmediate, once the turn that wrote it is over. */
  private async drain(): Promise<void> {
    this.running = true;
    while (this.queued.length > 0) {
      const group = this.queued;
      this.queued = [];
      await this.commitGroup(group);
      if (this.queued.length > 0) await new Promise((r) => setImmediate(r));
    }
    this.running = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private flushed(): Promise<void> {
    if (!this.running && !this.scheduled && this.queued.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** One transaction for the group; a write failing on its own is taken out and the rest runs again (bounded by its size). */
  private async commitGroup(group: Op[]): Promise<void> {
    let ops = group;
    while (ops.length > 0) {
      let c: pg.PoolClient;
      try {
        c = await this.connect();
      } catch (e) {
        const error = this.writeError(e, 'no connection');
        this.toldOfFault(error);
        for (const op of ops) op.reject(error);
        return;
      }
      const results: unknown[] = [];
      let failed = -1;
      let failure: unknown;
      let committing = false;
      try {
        await c.query(this.begin);
        for (const op of ops) {
          try {
            results.push(await op.run(c));
          } catch (e) {
            if (!(e instanceof DuplicateKeyError) && !isStatementError(e)) throw e;
            failed = results.length;
            failure = e;
            break;
          }
        }
        if (failed >= 0) {
          await c.query('ROLLBACK');
          c.release();
          ops[failed].reject(failure instanceof DuplicateKeyError ? failure : this.writeError(failure, 'rolled back'));
          ops = ops.filter((_, i) => i !== failed);
          continue;
        }
        committing = true;
        const done = await c.query('COMMIT');
        // COMMIT of a transaction that failed on the server answers ROLLBACK
        if (done.command !== 'COMMIT') throw new Error(`the transaction ended with ${done.command}`);
        c.release();
      } catch (e) {
        // the connection is in an unknown state: dropped, the next group connects anew
        c.release(e instanceof Error ? e : new Error(String(e)));
        const error = this.writeError(e, committing ? 'commit outcome unknown' : 'not committed');
        this.toldOfFault(error);
        for (const op of ops) op.reject(error);
        return;
      }
      if (this.faulty) {
        this.faulty = false;
        this.observer?.writesResumed?.();
      }
      ops.forEach((op, i) => op.resolve(results[i]));
      return;
    }
  }

  private toldOfFault(error: JournalError): void {
    this.faulty = true;
    this.observer?.writeFailed?.(error);
  }

  private writeError(e: unknown, what: string): JournalError {
    return new JournalError(JournalErrorCodes.writeFailed, `journal write failed (${what}) at PostgreSQL ${this.address}: ${messageOf(e)}`, { cause: e });
  }

  // ---- reads: any pooled connection, committed data

  private async rows(key: Statement, values: unknown[] = []): Promise<Row[]> {
    if (this.closing) throw new JournalError(JournalErrorCodes.closed, 'journal: the store is closed');
    try {
      return (await this.reader.query<Row>(named(key, values))).rows;
    } catch (e) {
      throw new JournalError(JournalErrorCodes.readFailed, `journal read failed at PostgreSQL ${this.address}: ${messageOf(e)}`, { cause: e });
    }
  }

  private async row(key: Statement, values: unknown[] = []): Promise<Row | undefined> {
    return (await this.rows(key, values))[0];
  }

  // ---- transactions

  insertTransaction(tx: NewTransaction): Promise<TxRecord> {
    return this.write(async (c) => {
      try {
        const { rows } = await c.query<{ id: number }>(named('insertTx', [
          tx.terminalId, tx.batchNo, tx.stan, tx.localDate, tx.mtiClass, tx.merchantId, tx.mti, tx.procCode, tx.localTime,
          tx.invoice, tx.amount, tx.currency, tx.panHash, tx.panMasked, tx.entryMode, tx.fingerprint, tx.acquirerId, tx.route,
          tx.upstreamStan, tx.rrn, rrnSequence(tx.rrn), tx.transmittedAt, tx.state, tx.responseCode, tx.authCode,
          tx.captured, tx.originalId, tx.createdAt,
        ]));
        return insertedTx(tx, rows[0].id);
      } catch (e) {
        if (e instanceof pg.DatabaseError && e.code === '23505' && e.constraint === 'transactions_key') throw new DuplicateKeyError(tx);
        throw e;
      }
    });
  }

  async findTransaction(k: TxKey): Promise<TxRecord | undefined> {
    return optional(await this.row('findTx', [k.terminalId, k.batchNo, k.stan, k.localDate, k.mtiClass]), toTx);
  }

  async getTransaction(id: number): Promise<TxRecord | undefined> {
    return optional(await this.row('getTx', [id]), toTx);
  }

  async findByRrn(rrn: string): Promise<TxRecord | undefined> {
    return optional(await this.row('byRrn', [rrn]), toTx);
  }

  async findByInvoice(terminalId: string, batchNo: string, invoice: string): Promise<TxRecord | undefined> {
    return optional(await this.row('byInvoice', [terminalId, batchNo, invoice]), toTx);
  }

  recordOutcome(id: number, o: TxOutcome): Promise<void> {
    return this.exec('outcome', [o.state, o.responseCode, o.authCode ?? null, o.captured ?? false, o.at, id]);
  }

  setCaptured(id: number, captured: boolean, at: number): Promise<void> {
    return this.exec('setCaptured', [captured, at, id]);
  }

  recordLateReply(id: number, responseCode: string, at: number): Promise<void> {
    return this.exec('late', [responseCode, at, id]);
  }

  reassign(id: number, acquirerId: string, upstreamStan: string, transmittedAt: string, route: string, at: number): Promise<void> {
    return this.exec('reassign', [acquirerId, upstreamStan, transmittedAt, route, at, id]);
  }

  async inFlight(): Promise<TxRecord[]> {
    return (await this.rows('inFlight')).map(toTx);
  }

  async lastRrnSequence(): Promise<number> {
    return (await this.row('lastRrnSeq'))!.seq as number;
  }

  async changedTransactions(after: number, limit: number): Promise<{ rows: TxRecord[]; last: number }> {
    const rows = await this.rows('txChanged', [after, limit]);
    return { rows: rows.map(toTx), last: rows.length === 0 ? after : (rows[rows.length - 1].change_seq as number) };
  }

  async transactions(since?: number): Promise<TxRecord[]> {
    return (await this.rows('txSince', [sinceBound(since)])).map(toTx);
  }

  /** A write of one statement and no result. */
  private exec(key: Statement, values: unknown[]): Promise<void> {
    return this.write(async (c) => {
      await c.query(named(key, values));
    });
  }

  // ---- store-and-forward

  queueReversal(txId: number, acquirerId: string, reason: ReversalReason, at: number): Promise<SafItem> {
    return this.write(async (c) => {
      const { rows } = await c.query<Row>(named('insertSaf', [txId, acquirerId, reason, at]));
      if (rows.length === 0) return toSaf((await c.query<Row>(named('safByTx', [txId]))).rows[0]);
      await c.query(named('markReversal', [reason, at, txId]));
      return toSaf(rows[0]);
    });
  }

  async dueSaf(acquirerId: string, now: number, limit: number): Promise<SafItem[]> {
    return (await this.rows('dueSaf', [acquirerId, now, limit])).map(toSaf);
  }

  async pendingSaf(acquirerId?: string): Promise<SafItem[]> {
    const rows = acquirerId === undefined ? await this.rows('pendingSafAll') : await this.rows('pendingSafOf', [acquirerId]);
    return rows.map(toSaf);
  }

  updateSaf(id: number, patch: Partial<Pick<SafItem, 'attempts' | 'nextAttemptAt' | 'state' | 'lastResult'>>, at: number): Promise<void> {
    const names = { attempts: 'attempts', nextAttemptAt: 'next_attempt_at', state: 'state', lastResult: 'last_result' } as const;
    const keys = (Object.keys(patch) as (keyof typeof names)[]).filter((k) => k in names);
    const sets = [...keys.map((k, i) => `${names[k]} = $${i + 1}`), `updated_at = $${keys.length + 1}`];
    const text = `UPDATE saf SET ${sets.join(', ')} WHERE id = $${keys.length + 2}`;
    return this.write(async (c) => {
      await c.query(text, [...keys.map((k) => patch[k]), at, id]);
    });
  }

  async safStats(): Promise<SafStats> {
    const r = (await this.row('safStats'))!;
    return { depth: r.depth as number, oldestCreatedAt: r.oldest as number | null };
  }

  async safSince(since: number): Promise<SafItem[]> {
    return (await this.rows('safSince', [sinceBound(since)])).map(toSaf);
  }

  // ---- batches and uploads

  async getBatch(terminalId: string, batchNo: string): Promise<BatchRecord | undefined> {
    return optional(await this.row('getBatch', [terminalId, batchNo]), toBatch);
  }

  openBatch(terminalId: string, batchNo: string, merchantId: string, at: number): Promise<BatchRecord> {
    return this.write(async (c) => {
      await c.query(named('insertBatch', [terminalId, batchNo, merchantId, at]));
      return toBatch((await c.query<Row>(named('getBatch', [terminalId, batchNo]))).rows[0]);
    });
  }

  async journalTotals(terminalId: string, batchNo: string): Promise<Totals> {
    return toTotals((await this.row('journalTotals', [terminalId, batchNo]))!);
  }

  setTerminalTotals(terminalId: string, batchNo: string, totals: Totals): Promise<void> {
    return this.exec('terminalTotals', [JSON.stringify(totals), terminalId, batchNo]);
  }

  closeBatch(terminalId: string, batchNo: string, status: BatchStatus, at: number, stan: string): Promise<void> {
    return this.write(async (c) => {
      const uploaded = status === 'balanced' ? null : JSON.stringify(toTotals((await c.query<Row>(named('uploadTotals', [terminalId, batchNo]))).rows[0]));
      await c.query(named('closeBatch', [status, at, uploaded, stan, terminalId, batchNo]));
    });
  }

  async openBatches(): Promise<BatchRecord[]> {
    return (await this.rows('openBatches')).map(toBatch);
  }

  async batches(since?: number): Promise<BatchRecord[]> {
    return (await this.rows('batchesSince', [sinceBound(since)])).map(toBatch);
  }

  addUpload(u: UploadRecord): Promise<void> {
    return this.exec('insertUpload', [
      u.terminalId, u.merchantId, u.batchNo, u.originalMti, u.originalStan, u.procCode, u.amount, u.currency, u.rrn, u.authCode,
      u.panHash, u.panMasked, u.localDate, u.localTime, u.invoice, u.matchedTxId, u.createdAt,
    ]);
  }

  async uploads(terminalId: string, batchNo: string): Promise<UploadRecord[]> {
    return (await this.rows('uploads', [terminalId, batchNo])).map(toUpload);
  }

  async uploadsSince(since: number): Promise<UploadRecord[]> {
    return (await this.rows('uploadsSince', [sinceBound(since)])).map(toUpload);
  }

  async uploadsAfter(after: number, limit: number): Promise<{ rows: UploadRecord[]; last: number }> {
    return byId(await this.rows('uploadsAfter', [after, limit]), after, toUpload);
  }

  async uploadTotals(terminalId: string, batchNo: string): Promise<Totals> {
    return toTotals((await this.row('uploadTotals', [terminalId, batchNo]))!);
  }

  // ---- reconciliation

  addException(e: ExceptionRecord): Promise<void> {
    return this.exec('insertException', [e.kind, e.txId, e.terminalId, e.merchantId, e.detail, e.createdAt]);
  }

  async exceptions(since?: number): Promise<ExceptionRecord[]> {
    return (await this.rows('exceptionsSince', [sinceBound(since)])).map(toException);
  }

  importReport(summary: Omit<ReportSummary, 'importedAt'>, lines: CreditRecord[], at: number): Promise<boolean> {
    return this.write(async (c) => {
      const { rowCount } = await c.query(named('insertReport', [summary.reportId, summary.acquirerId, summary.settlementDate, summary.lines, at]));
      if (rowCount === 0) return false;
      if (lines.length > 0) {
        const col = <K extends keyof CreditRecord>(k: K) => lines.map((l) => l[k]);
        await c.query(named('insertCredits', [
          col('reportId'), col('line'), col('record'), col('acquirerId'), col('settlementDate'), col('merchantId'), col('terminalId'),
          col('rrn'), col('authCode'), col('panMasked'), col('amount'), col('currency'), col('transactionDate'), col('fee'), col('netAmount'),
        ]));
      }
      return true;
    });
  }

  async reports(): Promise<ReportSummary[]> {
    return (await this.rows('reports')).map(toReport);
  }

  async credits(reportId?: string): Promise<CreditRecord[]> {
    const rows = reportId === undefined ? await this.rows('creditsAll') : await this.rows('creditsOf', [reportId]);
    return rows.map(toCredit);
  }

  addReceipts(receipts: ReceiptRecord[]): Promise<number> {
    if (receipts.length === 0) return this.write(async () => 0);
    const col = <K extends keyof ReceiptRecord>(k: K) => receipts.map((r) => r[k]);
    return this.write(async (c) => {
      const { rowCount } = await c.query(named('insertReceipts', [
        col('terminalId'), col('merchantId'), col('batchNo'), col('stan'), col('localDate'), col('kind'), col('amount'), col('currency'),
        col('rrn'), col('authCode'), col('panMasked'), col('invoice'), col('source'), col('createdAt'),
      ]));
      return rowCount ?? 0;
    });
  }

  async receipts(since?: number): Promise<ReceiptRecord[]> {
    return (await this.rows('receiptsSince', [sinceBound(since)])).map(toReceipt);
  }

  async receiptsAfter(after: number, limit: number): Promise<{ rows: ReceiptRecord[]; last: number }> {
    return byId(await this.rows('receiptsAfter', [after, limit]), after, toReceipt);
  }

  saveCases(cases: CaseRow[]): Promise<void> {
    // one row per id, the last given winning (ON CONFLICT cannot touch a row twice in one statement)
    const last = [...new Map(cases.map((c) => [c.id, c])).values()];
    if (last.length === 0) return this.write(async () => undefined);
    const col = <K extends keyof CaseRow>(k: K) => last.map((c) => c[k]);
    return this.exec('saveCases', [col('id'), col('merchantId'), col('class'), col('status'), col('data'), col('updatedAt')]);
  }

  async loadCases(): Promise<CaseRow[]> {
    return (await this.rows('loadCases')).map(toCase);
  }

  // ---- the feed's events

  appendEvents(events: NewFeedEvent[]): Promise<FeedEvent[]> {
    if (events.length === 0) return this.write(async () => []);
    const data = events.map((e) => JSON.stringify(e.data));
    return this.write(async (c) => {
      const { rows } = await c.query<{ id: number; seq: number; merchant_id: string }>(named('insertEvents', [
        events.map((e) => e.merchantId), events.map((e) => e.at), events.map((e) => e.type), data,
      ]));
      // a merchant's events were numbered in the order given: matched back by merchant and seq
      const ids = new Map(rows.map((r) => [`${r.seq}:${r.merchant_id}`, r.id]));
      const first = new Map<string, number>();
      for (const r of rows) first.set(r.merchant_id, Math.min(first.get(r.merchant_id) ?? r.seq, r.seq));
      const next = new Map<string, number>();
      return events.map((e) => {
        const seq = next.get(e.merchantId) ?? first.get(e.merchantId)!;
        next.set(e.merchantId, seq + 1);
        return appendedEvent(e, ids.get(`${seq}:${e.merchantId}`)!, seq);
      });
    });
  }

  async eventsSince(merchantId: string | null, after: number, limit: number): Promise<FeedEvent[]> {
    const rows = merchantId === null ? await this.rows('eventsAll', [after, limit]) : await this.rows('eventsOf', [merchantId, after, limit]);
    return rows.map(toEvent);
  }

  async lastEventSeq(merchantId: string | null): Promise<number> {
    const r = merchantId === null ? await this.row('lastEventId') : await this.row('lastEventSeq', [merchantId]);
    return r!.seq as number;
  }
}

const { Pool } = pg;

const TOTALS = `
  COALESCE(SUM(CASE WHEN proc_code LIKE '00%' THEN 1 END), 0)::bigint AS sale_count,
  COALESCE(SUM(CASE WHEN proc_code LIKE '00%' THEN amount END), 0)::bigint AS sale_amount,
  COALESCE(SUM(CASE WHEN proc_code LIKE '20%' THEN 1 END), 0)::bigint AS refund_count,
  COALESCE(SUM(CASE WHEN proc_code LIKE '20%' THEN amount END), 0)::bigint AS refund_amount`;

const NEXT_CHANGE = `nextval('transactions_change_seq')`;

/** Every statement, prepared once per connection (its text is its name). */
const SQL = {
  insertTx: `INSERT INTO transactions (terminal_id, batch_no, stan, local_date, mti_class, merchant_id, mti, proc_code, local_time,
    invoice, amount, currency, pan_hash, pan_masked, entry_mode, fingerprint, acquirer_id, route, upstream_stan, rrn, rrn_seq,
    transmitted_at, state, response_code, auth_code, captured, original_id, created_at, updated_at, change_seq)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,
    $26, $27, $28, $28, ${NEXT_CHANGE}) RETURNING id`,
  findTx: `SELECT * FROM transactions WHERE terminal_id = $1 AND batch_no = $2 AND stan = $3 AND local_date = $4 AND mti_class = $5`,
  getTx: `SELECT * FROM transactions WHERE id = $1`,
  byRrn: `SELECT * FROM transactions WHERE rrn = $1`,
  byInvoice: `SELECT * FROM transactions WHERE terminal_id = $1 AND batch_no = $2 AND invoice = $3 AND captured
    AND (proc_code LIKE '00%' OR proc_code LIKE '20%') ORDER BY id DESC LIMIT 1`,
  // a transaction reversed while its reply was on the way stays uncaptured
  outcome: `UPDATE transactions SET state = $1, response_code = $2, auth_code = COALESCE($3, auth_code),
    captured = CASE WHEN reversal IS NULL THEN $4::boolean ELSE FALSE END, updated_at = $5, change_seq = ${NEXT_CHANGE} WHERE id = $6`,
  setCaptured: `UPDATE transactions SET captured = $1, updated_at = $2, change_seq = ${NEXT_CHANGE} WHERE id = $3`,
  late: `UPDATE transactions SET late_response_code = $1, updated_at = $2, change_seq = ${NEXT_CHANGE} WHERE id = $3`,
  reassign: `UPDATE transactions SET acquirer_id = $1, upstream_stan = $2, transmitted_at = $3, route = $4, updated_at = $5,
    change_seq = ${NEXT_CHANGE} WHERE id = $6`,
  txChanged: `SELECT * FROM transactions WHERE change_seq > $1 ORDER BY change_seq LIMIT $2`,
  txSince: `SELECT * FROM transactions WHERE updated_at >= $1 ORDER BY id`,
  inFlight: `SELECT * FROM transactions WHERE state = 'forwarding' ORDER BY id`,
  lastRrnSeq: `SELECT COALESCE(MAX(rrn_seq), 0)::bigint AS seq FROM transactions`,
  insertSaf: `INSERT INTO saf (tx_id, acquirer_id, reason, attempts, next_attempt_at, state, created_at, updated_at)
    VALUES ($1, $2, $3, 0, $4, 'pending', $4, $4) ON CONFLICT (tx_id) DO NOTHING RETURNING *`,
  safByTx: `SELECT * FROM saf WHERE tx_id = $1`,
  markReversal: `UPDATE transactions SET reversal = $1, captured = FALSE, updated_at = $2, change_seq = ${NEXT_CHANGE} WHERE id = $3`,
  dueSaf: `SELECT * FROM saf WHERE acquirer_id = $1 AND state = 'pending' AND next_attempt_at <= $2 ORDER BY id LIMIT $3`,
  pendingSafAll: `SELECT * FROM saf WHERE state = 'pending' ORDER BY id`,
  pendingSafOf: `SELECT * FROM saf WHERE state = 'pending' AND acquirer_id = $1 ORDER BY id`,
  safStats: `SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM saf WHERE state = 'pending'`,
  safSince: `SELECT * FROM saf WHERE updated_at >= $1 ORDER BY id`,
  getBatch: `SELECT * FROM batches WHERE terminal_id = $1 AND batch_no = $2`,
  insertBatch: `INSERT INTO batches (terminal_id, batch_no, merchant_id, status, opened_at) VALUES ($1, $2, $3, 'open', $4)
    ON CONFLICT DO NOTHING`,
  journalTotals: `SELECT ${TOTALS} FROM transactions WHERE terminal_id = $1 AND batch_no = $2 AND captured`,
  terminalTotals: `UPDATE batches SET terminal_totals = $1 WHERE terminal_id = $2 AND batch_no = $3`,
  closeBatch: `UPDATE batches SET status = $1, closed_at = $2, upload_totals = $3, closed_by_stan = $4 WHERE terminal_id = $5 AND batch_no = $6`,
  openBatches: `SELECT * FROM batches WHERE status = 'open' ORDER BY opened_at`,
  batchesSince: `SELECT * FROM batches WHERE opened_at >= $1 OR closed_at >= $1 ORDER BY opened_at, terminal_id, batch_no`,
  insertUpload: `INSERT INTO uploads (terminal_id, merchant_id, batch_no, original_mti, original_stan, proc_code, amount, currency, rrn,
    auth_code, pan_hash, pan_masked, local_date, local_time, invoice, matched_tx_id, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT DO NOTHING`,
  uploads: `SELECT * FROM uploads WHERE terminal_id = $1 AND batch_no = $2 ORDER BY id`,
  uploadsSince: `SELECT * FROM uploads WHERE created_at >= $1 ORDER BY id`,
  uploadsAfter: `SELECT * FROM uploads WHERE id > $1 ORDER BY id LIMIT $2`,
  uploadTotals: `SELECT ${TOTALS} FROM uploads WHERE terminal_id = $1 AND batch_no = $2`,
  insertException: `INSERT INTO exceptions (kind, tx_id, terminal_id, merchant_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
  exceptionsSince: `SELECT * FROM exceptions WHERE created_at >= $1 ORDER BY id`,
  insertReport: `INSERT INTO settlement_reports (report_id, acquirer_id, settlement_date, lines, imported_at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT DO NOTHING`,
  insertCredits: `INSERT INTO credits (report_id, line, record, acquirer_id, settlement_date, merchant_id, terminal_id, rrn, auth_code,
    pan_masked, amount, currency, transaction_date, fee, net_amount)
    SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
    $10::text[], $11::bigint[], $12::text[], $13::text[], $14::bigint[], $15::bigint[])`,
  reports: `SELECT * FROM settlement_reports ORDER BY settlement_date, report_id`,
  creditsAll: `SELECT * FROM credits ORDER BY report_id, line`,
  creditsOf: `SELECT * FROM credits WHERE report_id = $1 ORDER BY line`,
  // in the order given, each unless its terminal, batch, STAN and date are kept already
  insertReceipts: `INSERT INTO receipts (terminal_id, merchant_id, batch_no, stan, local_date, kind, amount, currency, rrn, auth_code,
    pan_masked, invoice, source, created_at)
    SELECT terminal_id, merchant_id, batch_no, stan, local_date, kind, amount, currency, rrn, auth_code, pan_masked, invoice, source, created_at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[],
    $11::text[], $12::text[], $13::text[], $14::bigint[]) WITH ORDINALITY AS r(terminal_id, merchant_id, batch_no, stan, local_date, kind,
    amount, currency, rrn, auth_code, pan_masked, invoice, source, created_at, ord)
    ORDER BY ord ON CONFLICT DO NOTHING`,
  receiptsSince: `SELECT * FROM receipts WHERE created_at >= $1 ORDER BY id`,
  receiptsAfter: `SELECT * FROM receipts WHERE id > $1 ORDER BY id LIMIT $2`,
  saveCases: `INSERT INTO cases (id, merchant_id, class, status, data, updated_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
    ON CONFLICT (id) DO UPDATE SET merchant_id = excluded.merchant_id, class = excluded.class, status = excluded.status,
    data = excluded.data, updated_at = excluded.updated_at`,
  loadCases: `SELECT * FROM cases ORDER BY id`,
  // each merchant's seq goes on from its last committed one (the journal's lock keeps other writers out), in the order given
  insertEvents: `INSERT INTO events (merchant_id, seq, at, type, data)
    SELECT e.merchant_id,
      COALESCE((SELECT MAX(x.seq) FROM events x WHERE x.merchant_id = e.merchant_id), 0) + ROW_NUMBER() OVER (PARTITION BY e.merchant_id ORDER BY e.ord),
      e.at, e.type, e.data
    FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS e(merchant_id, at, type, data, ord)
    ORDER BY e.ord
    RETURNING id, seq, merchant_id`,
  eventsOf: `SELECT * FROM events WHERE merchant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
  eventsAll: `SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2`,
  lastEventSeq: `SELECT COALESCE(MAX(seq), 0)::bigint AS seq FROM events WHERE merchant_id = $1`,
  lastEventId: `SELECT COALESCE(MAX(id), 0)::bigint AS seq FROM events`,
} as const;

type Statement = keyof typeof SQL;

/** A prepared statement named by its key (the server keeps 63 bytes of a name: the text itself would collide). */
function named(key: Statement, values: unknown[]): pg.QueryConfig {
  return { name: key, text: SQL[key], values };
}


function isStatementError(e: unknown): boolean {
  return e instanceof pg.DatabaseError && typeof e.code === 'string' && STATEMENT_ERROR_CLASSES.has(e.code.slice(0, 2));
}

function messageOf(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return e.errors.map(messageOf).join('; ');
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/** host:port/database of a postgres:// URL, without user or password. */
export function addressOf(url: string): string {
  try {
    const u = new URL(url);
    const socket = u.searchParams.get('host');
    return `${u.hostname || socket || 'localhost'}:${u.port || '5432'}${u.pathname || ''}`;
  } catch {
    throw new TypeError('option "url" is not a valid URL');
  }
}
