import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ChurnTable } from '../churn-table.js';
import { JournalError, JournalErrorCodes } from './errors.js';
import type { SqliteStoreOptions } from './sqlite.js';
import { isShort, Outbox, Short, type Call, type FileNews, type Ready, type Result, type ThreadMethod, type WireError } from './thread-protocol.js';
import { DuplicateKeyError, type JournalObserver, type Store, type TxKey } from './types.js';

/** Every method the thread runs; the check below fails to compile when the Store interface gains one not listed. */
const METHODS = [
  'insertTransaction', 'findTransaction', 'getTransaction', 'findByRrn', 'findByInvoice', 'recordOutcome', 'setCaptured',
  'recordLateReply', 'reassign', 'inFlight', 'lastRrnSequence', 'queueReversal', 'dueSaf', 'pendingSaf', 'updateSaf',
  'safStats', 'getBatch', 'openBatch', 'journalTotals', 'setTerminalTotals', 'closeBatch', 'openBatches', 'batches',
  'changedTransactions', 'transactions', 'addUpload', 'addException', 'importReport', 'reports', 'credits', 'exceptions',
  'safSince', 'uploadsSince', 'uploadsAfter', 'uploads', 'uploadTotals', 'addReceipts', 'receipts', 'receiptsAfter', 'saveCases', 'loadCases',
  'appendEvents', 'eventsSince', 'lastEventSeq',
] as const satisfies readonly ThreadMethod[];
const complete: Exclude<ThreadMethod, (typeof METHODS)[number]> extends never ? true : never = true;
void complete;

/**
 * The worker's script. Compiled, it sits beside this file; run from the sources (vitest), the build's copy is used:
 * `npm test` builds first.
 */
function workerScript(): URL {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.js')) return new URL('./thread-worker.js', here);
  const built = new URL('../../dist/gateway/store/thread-worker.js', here);
  if (!existsSync(built)) throw new Error(`${fileURLToPath(built)} is missing: run "npm run build" first`);
  return built;
}

function fromWire(w: WireError): Error {
  if (w.name === 'DuplicateKeyError') return new DuplicateKeyError(w.key as TxKey);
  const e = new Error(w.message) as Error & { code?: string };
  e.name = w.name;
  if (w.code !== undefined) e.code = w.code;
  return e;
}

type Pending = {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** The call, kept for a result sent short: it is rebuilt from the arguments. */
  method: ThreadMethod | 'close';
  args: unknown[];
};

export interface SqliteThreadStore extends Pick<Store, ThreadMethod> {}

/**
 * The SQLite journal on a thread of its own. Statements, commits and their syncs run there; the event loop only posts
 * the calls of its turn as one message and gets their outcomes back, a write's once it is committed and synced. The
 * thread runs the calls in the order they were made, so a read sees every write made before it, as with SqliteStore
 * in the same thread.
 */
export class SqliteThreadStore implements Store {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private nextId = 1;
  private readonly pending = new ChurnTable<Pending>();
  /** The calls of this whole turn go as one message (or a few). */
  private readonly outbox = new Outbox<Call>((calls) => this.worker.postMessage(calls));
  /** Why every call now fails: the thread died, or the store was closed. */
  private failed: Error | undefined;
  /** Set once the thread says its journal stopped for good (a failed sync). */
  private syncFailure: JournalError | undefined;
  private closing: Promise<void> | undefined;

  /** Told of the journal's failures (its commits and syncs are counted in the thread, not here). */
  private readonly observer: JournalObserver | undefined;

  constructor({ observer, ...opts }: SqliteStoreOptions) {
    this.observer = observer;
    this.worker = new Worker(workerScript(), { workerData: opts });
    this.ready = new Promise<void>((resolve, reject) => {
      const failed = (e: Error): void => {
        this.fail(e);
        reject(e);
      };
      this.worker.once('message', (m: Ready) => {
        if (!m.ready) {
          failed(new JournalError(JournalErrorCodes.threadFailed, `journal: cannot open ${opts.path}: ${m.error.message}`, { cause: fromWire(m.error) }));
          return;
        }
        this.worker.on('message', (m: Result[] | FileNews) => {
          if (Array.isArray(m)) this.settle(m);
          else if ('failed' in m) {
            this.syncFailure ??= new JournalError(JournalErrorCodes.syncFailed, m.failed.message);
            this.observer?.failed?.(this.syncFailure);
          } else if ('writeFailed' in m) this.observer?.writeFailed?.(fromWire(m.writeFailed));
          else this.observer?.writesResumed?.();
        });
        // alive only while calls are waiting (or it is opening): an idle journal never keeps the process running
        if (this.pending.size === 0) this.worker.unref();
        resolve();
      });
      this.worker.on('error', (e) => failed(new JournalError(JournalErrorCodes.threadFailed, `journal: its thread failed: ${e.message}`, { cause: e })));
      this.worker.on('exit', (code) => {
        if (this.closing === undefined) failed(new JournalError(JournalErrorCodes.threadFailed, `journal: its thread exited (code ${code})`));
      });
    });
    // a rejection nobody awaits yet (init() comes later) must not crash the process
    this.ready.catch(() => undefined);
    for (const m of METHODS) {
      (this as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[m] = (...args) => this.call(m, args);
    }
  }

  init(): Promise<void> {
    return this.ready;
  }

  /** Commits and syncs what was written, then the thread ends; after a thread failure there is nothing left to save. */
  close(): Promise<void> {
    this.closing ??= this.ready
      .then(() => (this.failed === undefined ? this.call('close', []) : this.worker.terminate()))
      .then(
        () => this.fail(new JournalError(JournalErrorCodes.closed, 'journal: closed')),
        () => undefined,
      );
    return this.closing;
  }

  private call(method: ThreadMethod | 'close', args: unknown[]): Promise<unknown> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(String(id), { resolve, reject, method, args });
      this.outbox.push([id, method, args]);
    });
  }

  private settle(results: Result[]): void {
    for (const r of results) {
      const key = String(r[0]);
      const p = this.pending.get(key);
      if (p === undefined) continue;
      this.pending.delete(key);
      if (!r[1]) p.reject(fromWire(r[2]));
      else if (isShort(p.method)) p.resolve((Short[p.method].expand as (v: unknown, args: unknown[]) => unknown)(r[2], p.args));
      else p.resolve(r[2]);
    }
    if (this.pending.size === 0) this.worker.unref();
  }

  failure(): JournalError | undefined {
    if (this.syncFailure !== undefined) return this.syncFailure;
    // a thread that stopped takes no writes either; a closed journal is not a failure
    return this.failed instanceof JournalError && this.failed.code === JournalErrorCodes.threadFailed ? this.failed : undefined;
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(this.failed);
    this.pending.clear();
    this.outbox.clear();
    this.worker.unref();
  }
}
