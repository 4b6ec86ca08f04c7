import { closeSync, fdatasync, fdatasyncSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { FeedEvent, NewFeedEvent } from '../feed/types.js';
import { Checkpointer } from './checkpointer.js';
import { JournalError, JournalErrorCodes } from './errors.js';
import { appendedEvent, byId, insertedTx, optional, rrnSequence, sinceBound, toBatch, toCase, toCredit, toEvent, toException, toReceipt, toReport, toSaf, toTotals, toTx, toUpload, type Row } from './rows.js';
import { LATE_INDEXES, MIGRATIONS, SCHEMA } from './schema.js';
import {
  DuplicateKeyError,
  type BatchRecord,
  type CaseRow,
  type ReceiptRecord,
  type CreditRecord,
  type ExceptionRecord,
  type ReportSummary,
  type BatchStatus,
  type NewTransaction,
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

export interface SqliteStoreOptions {
  /** File path; ":memory:" for tests that need no durability. */
  path: string;
  /** "full" syncs every commit (the default: an answer is never ahead of the disk); "normal" survives kill -9 only. */
  synchronous?: 'full' | 'normal';
  /** How often a worker thread copies the WAL into the database file (ms). Default 1000. */
  checkpointIntervalMs?: number;
  /**
   * Sync on this thread, blocking it, rather than on libuv's pool: for a store with a thread of its own, where nothing
   * else waits on the event loop and a hand-off to the pool and back costs two thread wake-ups per commit.
   */
  syncInline?: boolean;
  /** Told of each commit (how many writes it held), each sync of the WAL (how long it took) and the file's failures. */
  observer?: JournalObserver;
  /**
   * Tests only: asked before each fdatasync of the journal's files; an error returned is taken as that sync's result
   * (a disk whose sync fails cannot be had here).
   */
  syncFault?: (fd: number) => NodeJS.ErrnoException | null;
}

/** SQLite's codes for a file that cannot take a write (full, failing, read-only, gone), as against a write's own fault. */
const FILE_ERROR = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/;

/** Bytes a WAL file keeps when it starts over (256 MiB): a few seconds of writes at full load. */
const WAL_SIZE_LIMIT = 256 * 1024 * 1024;
/** How long the WAL's start-over waits for a moment with every commit synced, before SQLite's blocking checkpoint. */
const QUIET_WAIT_MS = 1000;

type Waiter = { resolve: () => void; reject: (e: unknown) => void };

/**
 * The embedded journal: better-sqlite3 in WAL mode. Statements run at once inside an open transaction, so later reads
 * see them; the transaction commits at the end of the event-loop turn, and only then do the writes' promises
 * resolve. Everything written in one turn shares one commit and one sync: durability without an fsync per message.
 *
 * With `synchronous: 'full'` the COMMIT itself does not sync (SQLite runs with synchronous=NORMAL, which in WAL mode
 * keeps the file consistent); the store syncs the WAL file with fdatasync on libuv's thread pool and resolves the
 * writes only then. The sync (about 150 µs here) leaves the event loop, and the commits made while one sync runs share
 * the next; with `syncInline` (the journal's own thread) the sync blocks instead, and the calls that come in meanwhile
 * share the next commit. A power loss can only lose commits nobody was told about: WAL frames after a torn one are
 * ignored on recovery, so what survives is a prefix.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private open = false;
  private waiting: Waiter[] = [];
  /** The WAL file's path, when commits must reach the disk before writes resolve (synchronous 'full', not in memory). */
  private readonly walPath: string | undefined;
  private walFd: number | undefined;
  /** Committed, waiting for the next sync of the WAL. */
  private unsynced: Waiter[] = [];
  private syncRunning = false;
  private synced: (() => void) | undefined;
  private readonly checkpointer: Checkpointer | undefined;
  private readonly syncInline: boolean;
  private readonly observer: JournalObserver | undefined;
  /**
   * performance.now() when the checkpoint thread said it had copied the WAL as it was (time to copy the rest here and
   * start the WAL over); 0 when it has not.
   */
  private walCopiedAt = 0;
  /** The last frames were copied into the database file without a sync: no commit until it is synced. */
  private dbUnsynced = false;
  /** Set by a failed sync, for good: no write is taken after it. */
  private syncFailure: JournalError | undefined;
  private readonly syncFault: SqliteStoreOptions['syncFault'];
  /** A write failed for the file's sake and no commit has gone through since. */
  private fileFaulty = false;
  private dbFd: number | undefined;
  /** The last `change_seq` given to a transaction row. */
  private changeSeq: number;
  private readonly stmt: Record<string, Database.Statement>;
  /** Each merchant's last feed `seq` assigned, from the table at first use (and again after a failed commit). */
  private eventSeqs: Map<string, number> | undefined;

  constructor(opts: SqliteStoreOptions) {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    this.db = new Database(opts.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    if (opts.path !== ':memory:' && opts.synchronous !== 'normal') this.walPath = `${opts.path}-wal`;
    this.syncInline = opts.syncInline === true;
    this.observer = opts.observer;
    this.syncFault = opts.syncFault;
    if (opts.path !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      // after a burst the WAL file is cut back to this size when it starts over
      this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
      this.checkpointer = new Checkpointer(
        opts.path,
        opts.checkpointIntervalMs ?? 1000,
        (message) => {
          // nothing is lost while checkpoints fail, the WAL only grows: worth a line on stderr, not a crash
          process.emitWarning(`journal checkpoint failed: ${message}`);
        },
        () => (this.walCopiedAt ||= performance.now()),
      );
    }
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    for (const m of MIGRATIONS) {
      const columns = this.db.prepare(`PRAGMA table_info(${m.table})`).all() as { name: string }[];
      if (!columns.some((c) => c.name === m.column)) this.db.exec(m.sql);
    }
    this.db.exec(LATE_INDEXES);
    this.changeSeq = (this.db.prepare('SELECT COALESCE(MAX(change_seq), 0) AS n FROM transactions').get() as { n: number }).n;
    const s = (sql: string): Database.Statement => this.db.prepare(sql);
    this.stmt = {
      insertTx: s(`INSERT INTO transactions (terminal_id, batch_no, stan, local_date, mti_class, merchant_id, mti, proc_code,
        local_time, invoice, amount, currency, pan_hash, pan_masked, entry_mode, fingerprint, acquirer_id, route, upstream_stan, rrn,
        rrn_seq, transmitted_at, state, response_code, auth_code, captured, original_id, created_at, updated_at, change_seq)
        VALUES (${'?, '.repeat(29)}?)`),
      findTx: s(`SELECT * FROM transactions WHERE terminal_id = ? AND batch_no = ? AND stan = ? AND local_date = ? AND mti_class = ?`),
      getTx: s(`SELECT * FROM transactions WHERE id = ?`),
      byRrn: s(`SELECT * FROM transactions WHERE rrn = ?`),
      byInvoice: s(`SELECT * FROM transactions WHERE terminal_id = ? AND batch_no = ? AND invoice = ? AND captured = 1
        AND (proc_code LIKE '00%' OR proc_code LIKE '20%') ORDER BY id DESC LIMIT 1`),
      // a transaction reversed while its reply was on the way stays uncaptured
      outcome: s(`UPDATE transactions SET state = ?, response_code = ?, auth_code = COALESCE(?, auth_code),
        captured = CASE WHEN reversal IS NULL THEN ? ELSE 0 END, updated_at = ?, change_seq = ? WHERE id = ?`),
      setCaptured: s(`UPDATE transactions SET captured = ?, updated_at = ?, change_seq = ? WHERE id = ?`),
      late: s(`UPDATE transactions SET late_response_code = ?, updated_at = ?, change_seq = ? WHERE id = ?`),
      reassign: s(`UPDATE transactions SET acquirer_id = ?, upstream_stan = ?, transmitted_at = ?, route = ?, updated_at = ?, change_seq = ? WHERE id = ?`),
      txChanged: s(`SELECT * FROM transactions WHERE change_seq > ? ORDER BY change_seq LIMIT ?`),
      inFlight: s(`SELECT * FROM transactions WHERE state = 'forwarding' ORDER BY id`),
      lastSeq: s(`SELECT COALESCE(MAX(rrn_seq), 0) AS seq FROM transactions`),
      safByTx: s(`SELECT * FROM saf WHERE tx_id = ?`),
      insertSaf: s(`INSERT INTO saf (tx_id, acquirer_id, reason, attempts, next_attempt_at, state, created_at, updated_at)
        VALUES (?, ?, ?, 0, ?, 'pending', ?, ?)`),
      markReversal: s(`UPDATE transactions SET reversal = ?, captured = 0, updated_at = ?, change_seq = ? WHERE id = ?`),
      getSaf: s(`SELECT * FROM saf WHERE id = ?`),
      dueSaf: s(`SELECT * FROM saf WHERE acquirer_id = ? AND state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`),
      pendingSafAll: s(`SELECT * FROM saf WHERE state = 'pending' ORDER BY id`),
      pendingSafOf: s(`SELECT * FROM saf WHERE state = 'pending' AND acquirer_id = ? ORDER BY id`),
      safStats: s(`SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM saf WHERE state = 'pending'`),
      getBatch: s(`SELECT * FROM batches WHERE terminal_id = ? AND batch_no = ?`),
      insertBatch: s(`INSERT OR IGNORE INTO batches (terminal_id, batch_no, merchant_id, status, opened_at) VALUES (?, ?, ?, 'open', ?)`),
      journalTotals: s(`SELECT
          COALESCE(SUM(CASE WHEN proc_code LIKE '00%' THEN 1 END), 0) AS sale_count,
          COALESCE(SUM(CASE WHEN proc_code LIKE '00%' THEN amount END), 0) AS sale_amount,
          COALESCE(SUM(CASE WHEN proc_code LIKE '20%' THEN 1 END), 0) AS refund_count,
          COALESCE(SUM(CASE WHEN proc_code LIKE '20%' THEN amount END), 0) AS refund_amount
        FROM transactions WHERE terminal_id = ? AND batch_no = ? AND captured = 1`),
      terminalTotals: s(`UPDATE batches SET terminal_totals = ? WHERE terminal_id = ? AND batch_no = ?`),
      closeBatch: s(`UPDATE batches SET status = ?, closed_at = ?, upload_totals = ?, closed_by_stan = ? WHERE terminal_id = ? AND batch_no = ?`),
      openBatches: s(`SELECT * FROM batches WHERE status = 'open' ORDER BY opened_at`),
      batchesSince: s(`SELECT * FROM batches WHERE opened_at >= ? OR closed_at >= ? ORDER BY opened_at, terminal_id, batch_no`),
      safSince: s(`SELECT * FROM saf WHERE updated_at >= ? ORDER BY id`),
      uploadsSince: s(`SELECT * FROM uploads WHERE created_at >= ? ORDER BY id`),
      uploadsAfter: s(`SELECT * FROM uploads WHERE id > ? ORDER BY id LIMIT ?`),
      exceptionsSince: s(`SELECT * FROM exceptions WHERE created_at >= ? ORDER BY id`),
      txSince: s(`SELECT * FROM transactions WHERE updated_at >= ? ORDER BY id`),
      insertUpload: s(`INSERT OR IGNORE INTO uploads (terminal_id, merchant_id, batch_no, original_mti, original_stan, proc_code, amount,
        currency, rrn, auth_code, pan_hash, pan_masked, local_date, local_time, invoice, matched_tx_id, created_at)
        VALUES (@terminalId, @merchantId, @batchNo, @originalMti, @originalStan, @procCode, @amount, @currency, @rrn, @authCode,
        @panHash, @panMasked, @localDate, @localTime, @invoice, @matchedTxId, @createdAt)`),
      reportExists: s(`SELECT 1 FROM settlement_reports WHERE report_id = ?`),
      insertReport: s(`INSERT INTO settlement_reports (report_id, acquirer_id, settlement_date, lines, imported_at) VALUES (?, ?, ?, ?, ?)`),
      insertCredit: s(`INSERT INTO credits (report_id, line, record, acquirer_id, settlement_date, merchant_id, terminal_id, rrn, auth_code,
        pan_masked, amount, currency, transaction_date, fee, net_amount) VALUES (@reportId, @line, @record, @acquirerId, @settlementDate,
        @merchantId, @terminalId, @rrn, @authCode, @panMasked, @amount, @currency, @transactionDate, @fee, @netAmount)`),
      reports: s(`SELECT * FROM settlement_reports ORDER BY settlement_date, report_id`),
      creditsAll: s(`SELECT * FROM credits ORDER BY report_id, line`),
      creditsOf: s(`SELECT * FROM credits WHERE report_id = ? ORDER BY line`),
      insertException: s(`INSERT INTO exceptions (kind, tx_id, terminal_id, merchant_id, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
      uploads: s(`SELECT * FROM uploads WHERE terminal_id = ? AND batch_no = ? ORDER BY id`),
      uploadTotals: s(`SELECT
          COALESCE(SUM(CASE WHEN proc_code LIKE '00%' THEN 1 END), 0) AS sale_count,
          COALESCE(SUM(CASE WHEN proc_code LIKE '00%' THEN amount END), 0) AS sale_amount,
          COALESCE(SUM(CASE WHEN proc_code LIKE '20%' THEN 1 END), 0) AS refund_count,
          COALESCE(SUM(CASE WHEN proc_code LIKE '20%' THEN amount END), 0) AS refund_amount
        FROM uploads WHERE terminal_id = ? AND batch_no = ?`),
      saveCase: s(`INSERT INTO cases (id, merchant_id, class, status, data, updated_at) VALUES (@id, @merchantId, @class, @status, @data, @updatedAt)
        ON CONFLICT (id) DO UPDATE SET merchant_id = excluded.merchant_id, class = excluded.class, status = excluded.status,
        data = excluded.data, updated_at = excluded.updated_at`),
      loadCases: s(`SELECT * FROM cases ORDER BY id`),
      insertReceipt: s(`INSERT OR IGNORE INTO receipts (terminal_id, merchant_id, batch_no, stan, local_date, kind, amount, currency, rrn,
        auth_code, pan_masked, invoice, source, created_at) VALUES (@terminalId, @merchantId, @batchNo, @stan, @localDate, @kind, @amount,
        @currency, @rrn, @authCode, @panMasked, @invoice, @source, @createdAt)`),
      receiptsSince: s(`SELECT * FROM receipts WHERE created_at >= ? ORDER BY id`),
      receiptsAfter: s(`SELECT * FROM receipts WHERE id > ? ORDER BY id LIMIT ?`),
      insertEvent: s(`INSERT INTO events (merchant_id, seq, at, type, data) VALUES (?, ?, ?, ?, ?)`),
      eventsOf: s(`SELECT * FROM events WHERE merchant_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
      eventsAll: s(`SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?`),
      eventSeqs: s(`SELECT merchant_id, MAX(seq) AS seq FROM events GROUP BY merchant_id`),
      lastEventId: s(`SELECT COALESCE(MAX(id), 0) AS seq FROM events`),
    };
  }

  async init(): Promise<void> {
    // schema is created in the constructor; nothing else to wait for
  }

  async close(): Promise<void> {
    if (this.open) this.commit();
    if (this.syncRunning || this.unsynced.length > 0) await new Promise<void>((resolve) => (this.synced = resolve));
    await this.checkpointer?.stop();
    if (this.walFd !== undefined) closeSync(this.walFd);
    if (this.dbFd !== undefined) closeSync(this.dbFd);
    this.walFd = undefined;
    this.dbFd = undefined;
    this.db.close();
  }

  /**
   * The WAL starts over (its next frames overwrite the file from the start) only when a write transaction begins with
   * every frame already copied into the database file. Under steady load the checkpoint thread never gets there: there
   * are always newer commits. So once it has copied most of them, this connection copies the few left, between two
   * transactions, and the next one starts the WAL over. A WAL that is overwritten instead of growing also syncs faster:
   * fdatasync of a file whose size is unchanged has no metadata to write.
   *
   * SQLite's own checkpoint syncs the WAL, copies, then syncs the database file: 5-10 ms of the event loop, once a
   * second, under load. When every commit has been synced already (no sync running), the WAL needs no sync, and the
   * copy runs without SQLite's syncs; the database file is then synced on the pool, and the next commit, the one that
   * overwrites the WAL's start, waits for it. Without such a moment for QUIET_WAIT_MS, SQLite's blocking checkpoint.
   */
  private startWalOver(): void {
    // every commit synced: no sync running (a failed one would have stopped the journal)
    if (this.walPath !== undefined && !this.syncRunning) {
      this.walCopiedAt = 0;
      this.dbUnsynced = true;
      try {
        this.db.pragma('synchronous = OFF');
        try {
          this.db.pragma('wal_checkpoint(PASSIVE)');
        } finally {
          this.db.pragma('synchronous = NORMAL');
        }
      } catch (e) {
        process.emitWarning(`journal checkpoint failed: ${String(e)}`);
      }
      this.syncDatabase();
      return;
    }
    // a WAL sync is running: a moment with every commit synced is likely to come soon
    if (this.walPath !== undefined && performance.now() - this.walCopiedAt < QUIET_WAIT_MS) return;
    this.walCopiedAt = 0;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch (e) {
      process.emitWarning(`journal checkpoint failed: ${String(e)}`);
    }
  }

  /** Syncs the database file after a copy without syncs; meanwhile the open transaction gathers writes, as during a WAL sync. */
  private syncDatabase(): void {
    const file = this.walPath!.slice(0, -'-wal'.length);
    const done = (e: unknown): void => {
      // the open transaction would start the WAL over on top of frames the database file may not hold
      if (e !== null) this.fail(e, `fdatasync of ${file}`);
      else this.dbUnsynced = false;
      if (this.open) this.commit();
      this.sync();
    };
    let fd: number;
    try {
      fd = this.dbFd ??= openSync(file, 'r+');
    } catch (e) {
      done(e);
      return;
    }
    this.syncFile(fd, done);
  }

  /**
   * After a failed sync, commits since the last good one may not be on disk, and no later sync can tell: Linux reports a
   * failed writeback once and may drop the pages. So the journal stops, as PostgreSQL does: every write waiting or to
   * come rejects with JOURNAL_SYNC_FAILED; reads go on; a restart recovers from what the disk holds.
   */
  private fail(cause: unknown, what: string, batch: Waiter[] = []): void {
    if (this.syncFailure === undefined) {
      const code = (cause as { code?: unknown }).code;
      this.syncFailure = new JournalError(
        JournalErrorCodes.syncFailed,
        `journal: ${what} failed (${typeof code === 'string' ? code : String(cause)}): commits since the last good sync may not be on disk; no more writes until a restart`,
        { cause },
      );
      this.observer?.failed?.(this.syncFailure);
      // nothing more goes into the database file either
      void this.checkpointer?.stop();
    }
    for (const w of batch) w.reject(this.syncFailure);
    for (const w of this.unsynced.splice(0)) w.reject(this.syncFailure);
    if (this.open) this.rollback(this.syncFailure);
  }

  failure(): JournalError | undefined {
    return this.syncFailure;
  }

  /** fdatasync of `fd`: blocking with `syncInline`, else on libuv's pool, `syncRunning` meanwhile. */
  private syncFile(fd: number, done: (e: unknown) => void): void {
    const fault = this.syncFault?.(fd) ?? null;
    if (fault !== null) {
      done(fault);
      return;
    }
    if (this.syncInline) {
      let error: unknown = null;
      try {
        fdatasyncSync(fd);
      } catch (e) {
        error = e;
      }
      done(error);
      return;
    }
    this.syncRunning = true;
    fdatasync(fd, (e) => {
      this.syncRunning = false;
      done(e);
    });
  }

  /** Runs `fn` now, inside the turn's transaction; resolves once that transaction is committed. */
  private write<T>(fn: () => T): Promise<T> {
    if (this.syncFailure !== undefined) return Promise.reject(this.syncFailure);
    if (!this.open) {
      if (this.walCopiedAt !== 0 && this.db.open) this.startWalOver();
      try {
        this.db.exec('BEGIN IMMEDIATE');
      } catch (e) {
        this.toldIfFileFault(e);
        return Promise.reject(e);
      }
      this.open = true;
      // while the WAL is being synced the transaction stays open and gathers writes; the sync's end commits them
      if (!this.syncRunning) setImmediate(() => this.commit());
    }
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.toldIfFileFault(e);
      return Promise.reject(e);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ resolve: () => resolve(result), reject });
    });
  }

  /** A write that did not happen is told to the observer when the file is at fault. */
  private toldIfFileFault(e: unknown): void {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string' || !FILE_ERROR.test(code)) return;
    this.fileFaulty = true;
    this.observer?.writeFailed?.(e);
  }

  private commit(): void {
    if (!this.open) return;
    if (this.syncFailure !== undefined) {
      this.rollback(this.syncFailure);
      return;
    }
    // the database file's sync is running: its end commits
    if (this.dbUnsynced) return;
    const waiting = this.waiting;
    this.waiting = [];
    this.open = false;
    try {
      this.db.exec('COMMIT');
    } catch (e) {
      this.toldIfFileFault(e);
      this.rollback(e, waiting);
      return;
    }
    this.observer?.committed(waiting.length);
    if (this.fileFaulty) {
      this.fileFaulty = false;
      this.observer?.writesResumed?.();
    }
    if (this.walPath === undefined) {
      for (const w of waiting) w.resolve();
      return;
    }
    for (const w of waiting) this.unsynced.push(w);
    this.sync();
  }

  /** Ends the open transaction without its writes; their promises reject with `e`. */
  private rollback(e: unknown, waiting = this.waiting): void {
    this.waiting = [];
    this.open = false;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // a failed COMMIT already ended the transaction
    }
    // the rolled-back events' numbers are free again
    this.eventSeqs = undefined;
    for (const w of waiting) w.reject(e);
  }

  /** One fdatasync of the WAL at a time; it covers every commit made before it started. */
  private sync(): void {
    if (this.syncRunning) return;
    if (this.unsynced.length === 0) {
      this.synced?.();
      this.synced = undefined;
      return;
    }
    const batch = this.unsynced;
    this.unsynced = [];
    if (this.walFd === undefined) {
      try {
        this.walFd = openSync(this.walPath!, 'r+');
        // the WAL's directory entry must survive a power loss too: synced once, when the file is first opened
        const dir = openSync(dirname(this.walPath!), 'r');
        try {
          fsyncSync(dir);
        } finally {
          closeSync(dir);
        }
      } catch (e) {
        this.fail(e, `opening ${this.walPath!} to sync it`, batch);
        return;
      }
    }
    const started = performance.now();
    const done = (e: unknown): void => {
      this.observer?.synced(performance.now() - started);
      if (e !== null) this.fail(e, `fdatasync of ${this.walPath!}`, batch);
      else for (const w of batch) w.resolve();
      if (this.open) this.commit();
      this.sync();
    };
    this.syncFile(this.walFd, done);
  }

  insertTransaction(tx: NewTransaction): Promise<TxRecord> {
    return this.write(() => {
      try {
        const info = this.stmt.insertTx.run(
          tx.terminalId, tx.batchNo, tx.stan, tx.localDate, tx.mtiClass, tx.merchantId, tx.mti, tx.procCode, tx.localTime,
          tx.invoice, tx.amount, tx.currency, tx.panHash, tx.panMasked, tx.entryMode, tx.fingerprint, tx.acquirerId, tx.route,
          tx.upstreamStan, tx.rrn, rrnSequence(tx.rrn), tx.transmittedAt, tx.state, tx.responseCode, tx.authCode,
          tx.captured ? 1 : 0, tx.originalId, tx.createdAt, tx.createdAt, ++this.changeSeq,
        );
        // the record as written, without reading it back: this runs for every authorization
        return insertedTx(tx, Number(info.lastInsertRowid));
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && String(e).includes('transactions.terminal_id')) {
          throw new DuplicateKeyError(tx);
        }
        throw e;
      }
    });
  }

  async findTransaction(k: TxKey): Promise<TxRecord | undefined> {
    return optional(this.stmt.findTx.get(k.terminalId, k.batchNo, k.stan, k.localDate, k.mtiClass), toTx);
  }

  async getTransaction(id: number): Promise<TxRecord | undefined> {
    return optional(this.stmt.getTx.get(id), toTx);
  }

  async findByRrn(rrn: string): Promise<TxRecord | undefined> {
    return optional(this.stmt.byRrn.get(rrn), toTx);
  }

  async findByInvoice(terminalId: string, batchNo: string, invoice: string): Promise<TxRecord | undefined> {
    return optional(this.stmt.byInvoice.get(terminalId, batchNo, invoice), toTx);
  }

  recordOutcome(id: number, o: TxOutcome): Promise<void> {
    return this.write(() => {
      this.stmt.outcome.run(o.state, o.responseCode, o.authCode ?? null, o.captured ? 1 : 0, o.at, ++this.changeSeq, id);
    });
  }

  setCaptured(id: number, captured: boolean, at: number): Promise<void> {
    return this.write(() => {
      this.stmt.setCaptured.run(captured ? 1 : 0, at, ++this.changeSeq, id);
    });
  }

  recordLateReply(id: number, responseCode: string, at: number): Promise<void> {
    return this.write(() => {
      this.stmt.late.run(responseCode, at, ++this.changeSeq, id);
    });
  }

  reassign(id: number, acquirerId: string, upstreamStan: string, transmittedAt: string, route: string, at: number): Promise<void> {
    return this.write(() => {
      this.stmt.reassign.run(acquirerId, upstreamStan, transmittedAt, route, at, ++this.changeSeq, id);
    });
  }

  async inFlight(): Promise<TxRecord[]> {
    return (this.stmt.inFlight.all() as Row[]).map(toTx);
  }

  async lastRrnSequence(): Promise<number> {
    return (this.stmt.lastSeq.get() as { seq: number }).seq;
  }

  queueReversal(txId: number, acquirerId: string, reason: ReversalReason, at: number): Promise<SafItem> {
    return this.write(() =>
      this.db.transaction(() => {
        const existing = this.stmt.safByTx.get(txId) as Row | undefined;
        if (existing) return toSaf(existing);
        const info = this.stmt.insertSaf.run(txId, acquirerId, reason, at, at, at);
        this.stmt.markReversal.run(reason, at, ++this.changeSeq, txId);
        return toSaf(this.stmt.getSaf.get(info.lastInsertRowid) as Row);
      })(),
    );
  }

  async dueSaf(acquirerId: string, now: number, limit: number): Promise<SafItem[]> {
    return (this.stmt.dueSaf.all(acquirerId, now, limit) as Row[]).map(toSaf);
  }

  async pendingSaf(acquirerId?: string): Promise<SafItem[]> {
    const rows = acquirerId === undefined ? this.stmt.pendingSafAll.all() : this.stmt.pendingSafOf.all(acquirerId);
    return (rows as Row[]).map(toSaf);
  }

  updateSaf(id: number, patch: Partial<Pick<SafItem, 'attempts' | 'nextAttemptAt' | 'state' | 'lastResult'>>, at: number): Promise<void> {
    return this.write(() => {
      const cols: string[] = [];
      const vals: unknown[] = [];
      const names = { attempts: 'attempts', nextAttemptAt: 'next_attempt_at', state: 'state', lastResult: 'last_result' } as const;
      for (const k of Object.keys(patch) as (keyof typeof names)[]) {
        cols.push(`${names[k]} = ?`);
        vals.push(patch[k]);
      }
      this.db.prepare(`UPDATE saf SET ${[...cols, 'updated_at = ?'].join(', ')} WHERE id = ?`).run(...vals, at, id);
    });
  }

  async safStats(): Promise<SafStats> {
    const r = this.stmt.safStats.get() as { depth: number; oldest: number | null };
    return { depth: r.depth, oldestCreatedAt: r.oldest };
  }

  async getBatch(terminalId: string, batchNo: string): Promise<BatchRecord | undefined> {
    return optional(this.stmt.getBatch.get(terminalId, batchNo), toBatch);
  }

  openBatch(terminalId: string, batchNo: string, merchantId: string, at: number): Promise<BatchRecord> {
    return this.write(() => {
      this.stmt.insertBatch.run(terminalId, batchNo, merchantId, at);
      return toBatch(this.stmt.getBatch.get(terminalId, batchNo) as Row);
    });
  }

  async journalTotals(terminalId: string, batchNo: string): Promise<Totals> {
    return toTotals(this.stmt.journalTotals.get(terminalId, batchNo) as Row);
  }

  setTerminalTotals(terminalId: string, batchNo: string, totals: Totals): Promise<void> {
    return this.write(() => {
      this.stmt.terminalTotals.run(JSON.stringify(totals), terminalId, batchNo);
    });
  }

  closeBatch(terminalId: string, batchNo: string, status: BatchStatus, at: number, stan: string): Promise<void> {
    return this.write(() => {
      const uploaded = status === 'balanced' ? null : JSON.stringify(toTotals(this.stmt.uploadTotals.get(terminalId, batchNo) as Row));
      this.stmt.closeBatch.run(status, at, uploaded, stan, terminalId, batchNo);
    });
  }

  async openBatches(): Promise<BatchRecord[]> {
    return (this.stmt.openBatches.all() as Row[]).map(toBatch);
  }

  async batches(since?: number): Promise<BatchRecord[]> {
    const from = sinceBound(since);
    return (this.stmt.batchesSince.all(from, from) as Row[]).map(toBatch);
  }

  async safSince(since: number): Promise<SafItem[]> {
    return (this.stmt.safSince.all(sinceBound(since)) as Row[]).map(toSaf);
  }

  async uploadsSince(since: number): Promise<UploadRecord[]> {
    return (this.stmt.uploadsSince.all(sinceBound(since)) as Row[]).map(toUpload);
  }

  async uploadsAfter(after: number, limit: number): Promise<{ rows: UploadRecord[]; last: number }> {
    return byId(this.stmt.uploadsAfter.all(after, limit) as Row[], after, toUpload);
  }

  async changedTransactions(after: number, limit: number): Promise<{ rows: TxRecord[]; last: number }> {
    const rows = this.stmt.txChanged.all(after, limit) as Row[];
    return { rows: rows.map(toTx), last: rows.length === 0 ? after : (rows[rows.length - 1].change_seq as number) };
  }

  async transactions(since?: number): Promise<TxRecord[]> {
    return (this.stmt.txSince.all(sinceBound(since)) as Row[]).map(toTx);
  }

  addUpload(u: UploadRecord): Promise<void> {
    return this.write(() => {
      this.stmt.insertUpload.run(u);
    });
  }

  async uploads(terminalId: string, batchNo: string): Promise<UploadRecord[]> {
    return (this.stmt.uploads.all(terminalId, batchNo) as Row[]).map(toUpload);
  }

  addException(e: ExceptionRecord): Promise<void> {
    return this.write(() => {
      this.stmt.insertException.run(e.kind, e.txId, e.terminalId, e.merchantId, e.detail, e.createdAt);
    });
  }

  async exceptions(since?: number): Promise<ExceptionRecord[]> {
    return (this.stmt.exceptionsSince.all(sinceBound(since)) as Row[]).map(toException);
  }

  importReport(summary: Omit<ReportSummary, 'importedAt'>, lines: CreditRecord[], at: number): Promise<boolean> {
    return this.write(() =>
      // a savepoint inside the turn's transaction: the report goes in whole or not at all
      this.db.transaction(() => {
        if (this.stmt.reportExists.get(summary.reportId) !== undefined) return false;
        this.stmt.insertReport.run(summary.reportId, summary.acquirerId, summary.settlementDate, summary.lines, at);
        for (const line of lines) this.stmt.insertCredit.run(line);
        return true;
      })(),
    );
  }

  async reports(): Promise<ReportSummary[]> {
    return (this.stmt.reports.all() as Row[]).map(toReport);
  }

  async credits(reportId?: string): Promise<CreditRecord[]> {
    const rows = reportId === undefined ? this.stmt.creditsAll.all() : this.stmt.creditsOf.all(reportId);
    return (rows as Row[]).map(toCredit);
  }

  async uploadTotals(terminalId: string, batchNo: string): Promise<Totals> {
    return toTotals(this.stmt.uploadTotals.get(terminalId, batchNo) as Row);
  }

  saveCases(cases: CaseRow[]): Promise<void> {
    return this.write(() => {
      for (const c of cases) this.stmt.saveCase.run(c);
    });
  }

  addReceipts(receipts: ReceiptRecord[]): Promise<number> {
    return this.write(() => {
      let added = 0;
      for (const r of receipts) added += this.stmt.insertReceipt.run(r).changes;
      return added;
    });
  }

  async receipts(since?: number): Promise<ReceiptRecord[]> {
    return (this.stmt.receiptsSince.all(sinceBound(since)) as Row[]).map(toReceipt);
  }

  async receiptsAfter(after: number, limit: number): Promise<{ rows: ReceiptRecord[]; last: number }> {
    return byId(this.stmt.receiptsAfter.all(after, limit) as Row[], after, toReceipt);
  }

  async loadCases(): Promise<CaseRow[]> {
    return (this.stmt.loadCases.all() as Row[]).map(toCase);
  }

  appendEvents(events: NewFeedEvent[]): Promise<FeedEvent[]> {
    return this.write(() => {
      const seqs = this.merchantSeqs();
      const out: FeedEvent[] = [];
      try {
        // several events go in whole or not at all (a savepoint), so no merchant's numbering gets a gap; one alone
        // needs none (the usual case: an authorization's outcome)
        if (events.length === 1) this.insertEvents(events, seqs, out);
        else this.db.transaction(() => this.insertEvents(events, seqs, out))();
      } catch (e) {
        this.eventSeqs = undefined;
        throw e;
      }
      return out;
    });
  }

  private insertEvents(events: NewFeedEvent[], seqs: Map<string, number>, out: FeedEvent[]): void {
    for (const e of events) {
      const seq = (seqs.get(e.merchantId) ?? 0) + 1;
      const info = this.stmt.insertEvent.run(e.merchantId, seq, e.at, e.type, JSON.stringify(e.data));
      seqs.set(e.merchantId, seq);
      out.push(appendedEvent(e, Number(info.lastInsertRowid), seq));
    }
  }

  async eventsSince(merchantId: string | null, after: number, limit: number): Promise<FeedEvent[]> {
    const rows = merchantId === null ? this.stmt.eventsAll.all(after, limit) : this.stmt.eventsOf.all(merchantId, after, limit);
    return (rows as Row[]).map(toEvent);
  }

  async lastEventSeq(merchantId: string | null): Promise<number> {
    if (merchantId === null) return (this.stmt.lastEventId.get() as { seq: number }).seq;
    return this.merchantSeqs().get(merchantId) ?? 0;
  }

  private merchantSeqs(): Map<string, number> {
    return (this.eventSeqs ??= new Map((this.stmt.eventSeqs.all() as Row[]).map((r) => [r.merchant_id as string, r.seq as number])));
  }
}
