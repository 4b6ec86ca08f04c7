import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scheme } from './cards.js';
import { DeviceError } from './errors.js';
import type { Receipt } from './receipt.js';

export const JOURNAL_VERSION = 2;

export const TxKinds = ['purchase', 'refund', 'void', 'preauth', 'completion'] as const;
export type TxKind = (typeof TxKinds)[number];

export const EntryModes = ['chip', 'swipe', 'manual', 'contactless'] as const;
export type EntryMode = (typeof EntryModes)[number];

/**
 * - in_flight: the request went out (or was about to), no answer yet; its reversal is saved
 * - approved / declined: the host (or the terminal offline) answered
 * - no_answer: timed out or unreadable reply; the reversal is pending
 * - reversed: the reversal was acknowledged
 * - voided: an approved void names it
 * - lost: a buggy terminal dropped it from its batch without telling the host (the skip-advice fault)
 */
export const EntryStatuses = ['in_flight', 'approved', 'declined', 'no_answer', 'reversed', 'voided', 'lost'] as const;
export type EntryStatus = (typeof EntryStatuses)[number];

/** A 0220 the host has to hear about: an offline sale or a completion; sent 0220 first, 0221 after. */
export interface AdviceState {
  pending: boolean;
  attempts: number;
  responseCode: string | null;
}

/** One transaction of the open batch (pre-authorizations not yet completed carry over to the next batch). */
export interface JournalEntry {
  id: number;
  kind: TxKind;
  mti: string;
  procCode: string;
  stan: string;
  invoice: string;
  batch: string;
  /** Fields 13 (MMDD) and 12 (hhmmss) as sent. */
  localDate: string;
  localTime: string;
  at: string;
  amount: number;
  currency: string;
  /**
   * PAN and expiry, sealed (AES-256-GCM, see vault.ts): kept for advices, reversals and the batch upload (0320) as
   * terminals keep them for their batch, never in clear. Track 2 and the PIN block are never written here.
   */
  card: string;
  panMasked: string;
  scheme: Scheme;
  entryMode: EntryMode;
  pin: boolean;
  emv: boolean;
  offline: boolean;
  status: EntryStatus;
  responseCode: string | null;
  authCode: string | null;
  rrn: string | null;
  advice: AdviceState | null;
  /** For a void or a completion: the entry it acts on, and how the request named it. */
  original: { id: number; invoice: string; rrn: string | null; by: 'invoice' | 'rrn' } | null;
  /** The void or completion that acted on this entry. */
  closedBy: number | null;
  /** The answer to this entry's reversal, once one came. */
  reversalResponseCode: string | null;
  /** Device faults that acted on this entry (print-approved-on-timeout, skip-reversal, skip-advice). */
  faults: string[];
}

export const ReversalReasons = ['in_flight', 'timeout', 'unreadable', 'closed', 'manual'] as const;
export type ReversalReason = (typeof ReversalReasons)[number];

/** The one reversal a terminal holds: saved before its authorization goes out, cleared on a definite answer. */
export interface PendingReversal {
  entryId: number;
  reason: ReversalReason;
  /** 0400 on the first attempt, 0401 after. */
  attempts: number;
  lastResponseCode: string | null;
}

/** Sale and refund counts and amounts (minor units): field 63 of the 0500. */
export interface Totals {
  saleCount: number;
  saleAmount: number;
  refundCount: number;
  refundAmount: number;
}

export interface ClosedBatch {
  batch: string;
  closedAt: string;
  totals: Totals;
  /** How many 0320 went out after a 95; 0 when the totals matched at once. */
  uploaded: number;
  responseCode: string;
  /** Field 44 of the accepting reply ("GB ACCEPTED"). */
  responseText: string | null;
}

export interface JournalState {
  version: typeof JOURNAL_VERSION;
  terminalId: string;
  merchantId: string;
  /** Check value of the key the cards are sealed under (vault.ts). */
  cardKeyCheck: string;
  /** Last STAN used (1-999999, wraps). */
  stan: number;
  /** Last invoice number used. */
  invoice: number;
  /** The open batch's number. */
  batch: number;
  /** The card's application transaction counter for chip reads (one simulated card set per terminal). */
  atc: number;
  nextEntryId: number;
  entries: JournalEntry[];
  reversal: PendingReversal | null;
  /** Every receipt printed, across batches, in order: what the merchant and the customer hold. */
  receipts: Receipt[];
  batches: ClosedBatch[];
}

export function newJournal(terminalId: string, merchantId: string, cardKeyCheck: string): JournalState {
  return {
    version: JOURNAL_VERSION,
    terminalId,
    merchantId,
    cardKeyCheck,
    stan: 0,
    invoice: 0,
    batch: 1,
    atc: 0,
    nextEntryId: 1,
    entries: [],
    reversal: null,
    receipts: [],
    batches: [],
  };
}

/** Locks held by this process: a second Terminal on the same journal here is refused like one in another process. */
const heldLocks = new Set<string>();

/**
 * The journal on disk: `<dir>/<terminalId>.json`, rewritten whole on every change by write-to-temp, fsync, rename
 * (and an fsync of the directory), so a crash leaves the old or the new journal, never half of one. A lock file
 * (`<terminalId>.lock`, holding the pid) keeps two processes from running one terminal.
 */
export class JournalFile {
  readonly path: string;
  readonly lockPath: string;
  #locked = false;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly terminalId: string,
    /** fsync file and directory on every save; load tests may trade durability for speed. */
    readonly durable = true,
  ) {
    this.path = join(dir, `${terminalId}.json`);
    this.lockPath = join(dir, `${terminalId}.lock`);
  }

  /** Takes the lock and reads the journal; undefined when this terminal has none yet. */
  async open(): Promise<JournalState | undefined> {
    await mkdir(this.dir, { recursive: true });
    await this.#lock();
    try {
      return await this.read();
    } catch (e) {
      await this.release();
      throw e;
    }
  }

  async read(): Promise<JournalState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let state: unknown;
    try {
      state = JSON.parse(text);
    } catch {
      throw new DeviceError('JOURNAL_CORRUPT', `${this.path} is not valid JSON`);
    }
    return checkJournal(state, this.path, this.terminalId);
  }

  /** Writes the whole state atomically; resolves once it is durable. Saves run one after another. */
  save(state: JournalState): Promise<void> {
    const text = JSON.stringify(state, null, 1) + '\n';
    const next = this.#writing.then(() => this.#write(text));
    this.#writing = next.catch(() => undefined);
    return next;
  }

  async release(): Promise<void> {
    await this.#writing;
    if (!this.#locked) return;
    this.#locked = false;
    heldLocks.delete(this.lockPath);
    await unlink(this.lockPath).catch(() => undefined);
  }

  async #write(text: string): Promise<void> {
    const tmp = `${this.path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      if (this.durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
    if (this.durable) await syncDir(this.dir);
  }

  async #lock(): Promise<void> {
    if (heldLocks.has(this.lockPath)) {
      throw new DeviceError('JOURNAL_LOCKED', `terminal ${this.terminalId} is already open in this process`);
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(this.lockPath, String(process.pid), { flag: constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY });
        this.#locked = true;
        heldLocks.add(this.lockPath);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const pid = Number((await readFile(this.lockPath, 'utf8').catch(() => '')).trim());
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new DeviceError('JOURNAL_LOCKED', `terminal ${this.terminalId} is in use by process ${pid} (${this.lockPath})`);
      }
      // the process that held it is gone (or was this one, before a restart of the object): the lock is stale
      await unlink(this.lockPath).catch(() => undefined);
    }
    throw new DeviceError('JOURNAL_LOCKED', `cannot take the lock ${this.lockPath}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // some platforms cannot fsync a directory; the rename is still atomic there
  } finally {
    await fh?.close();
  }
}

/** A shape check of what was read: enough to refuse another program's file or a journal from a newer version. */
function checkJournal(state: unknown, path: string, terminalId: string): JournalState {
  const s = state as Partial<JournalState> | null;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    s.version === JOURNAL_VERSION &&
    typeof s.terminalId === 'string' &&
    typeof s.merchantId === 'string' &&
    typeof s.cardKeyCheck === 'string' &&
    Number.isSafeInteger(s.stan) &&
    Number.isSafeInteger(s.invoice) &&
    Number.isSafeInteger(s.batch) &&
    Number.isSafeInteger(s.atc) &&
    Number.isSafeInteger(s.nextEntryId) &&
    Array.isArray(s.entries) &&
    Array.isArray(s.receipts) &&
    Array.isArray(s.batches) &&
    (s.reversal === null || typeof s.reversal === 'object');
  if (!ok) throw new DeviceError('JOURNAL_CORRUPT', `${path} is not a version ${JOURNAL_VERSION} terminal journal`);
  if (s.terminalId !== terminalId) throw new DeviceError('JOURNAL_CORRUPT', `${path} holds the journal of another terminal`);
  return s as JournalState;
}
