import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { JournalError, JournalErrorCodes } from './errors.js';

/** Who holds a journal, as it wrote beside the journal once it took it. */
export interface JournalHolder {
  role: 'gateway' | 'import';
  pid: number;
  host: string;
  /** ISO time it took the journal. */
  since: string;
  /** A gateway's HTTP API once it listens (an import goes through it). */
  http?: string;
}

/**
 * One process writes a SQLite journal at a time. A second gateway on the same file would hand out RRNs the first
 * has given already, settle batches under it, and each would recover the other's requests in flight as its own
 * crash's. An import run while a gateway writes would hold the write lock against it, and SQLite's busy wait would
 * stop the gateway's event loop meanwhile.
 *
 * The lock is an exclusive lock on a small SQLite file beside the journal (`<journal>-owner`), held by an open
 * transaction for the owner's life: the operating system drops it when the process ends, however it ends (kill -9
 * included), so a crash never leaves a stale lock. `<journal>-owner.json` says who holds it, for the one refused.
 */
export class JournalOwner {
  private released = false;

  private constructor(
    private readonly lock: Database.Database,
    private readonly infoPath: string,
    private readonly info: JournalHolder,
  ) {}

  /** Takes the journal at `path` for this process at `now` (epoch ms), or throws JOURNAL_IN_USE naming its holder. */
  static take(path: string, role: JournalHolder['role'], now: number): JournalOwner {
    const lockPath = `${path}-owner`;
    let lock: Database.Database | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true });
      lock = new Database(lockPath, { timeout: 0 });
      // nothing is ever written: no rollback journal beside it
      lock.pragma('journal_mode = MEMORY');
      lock.pragma('locking_mode = EXCLUSIVE');
      lock.exec('BEGIN EXCLUSIVE');
    } catch (e) {
      lock?.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY') {
        throw new JournalError(JournalErrorCodes.inUse, `journal ${path} is in use by ${describe(JournalOwner.holder(path))} (lock ${lockPath}): one process writes a journal at a time`);
      }
      throw new JournalError(JournalErrorCodes.openFailed, `journal: cannot lock ${lockPath}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const owner = new JournalOwner(lock, `${lockPath}.json`, { role, pid: process.pid, host: hostname(), since: new Date(now).toISOString() });
    owner.write();
    return owner;
  }

  /** What the holder of the journal at `path` wrote of itself; undefined when it wrote nothing readable. */
  static holder(path: string): JournalHolder | undefined {
    try {
      return JSON.parse(readFileSync(`${path}-owner.json`, 'utf8')) as JournalHolder;
    } catch {
      return undefined;
    }
  }

  /** Tells whoever finds the journal taken where this gateway's HTTP API listens. */
  announce(http: string): void {
    this.info.http = http;
    this.write();
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    rmSync(this.infoPath, { force: true });
    this.lock.close();
  }

  private write(): void {
    // only informative: the lock is what counts, so a file that cannot be written is no reason to stop
    try {
      writeFileSync(this.infoPath, JSON.stringify(this.info) + '\n');
    } catch {
      // the refused process then names the lock file only
    }
  }
}

function describe(h: JournalHolder | undefined): string {
  if (h === undefined) return 'another process';
  return `${h.role === 'gateway' ? 'a gateway' : 'an import'} (pid ${h.pid} on ${h.host}, since ${h.since})`;
}
