import { randomInt } from 'node:crypto';
import { builtinSpecs, codecFor, maskPan, type IsoMessage, type MessageCodec, type MessageSpec } from '../../protocol/index.js';
import { isTransportError, TransportError, type Transport } from '../transport/index.js';
import { TestCards, track2Of, type Card } from './cards.js';
import { stampOf, systemClock, type Clock, type LocalStamp } from './clock.js';
import { chipData } from './emv.js';
import { DeviceError } from './errors.js';
import { exchange, textOf, type TerminalEvent } from './exchange.js';
import {
  JournalFile,
  newJournal,
  type EntryMode,
  type JournalEntry,
  type JournalState,
  type PendingReversal,
  type ReversalReason,
  type Totals,
  type TxKind,
} from './journal.js';
import { keySetNamed, type KeySet } from './keys.js';
import {
  NetworkCodes,
  ProcCodes,
  SettlementCodes,
  authorizationRequest,
  fitToSpec,
  networkRequest,
  reversalRequest,
  settlementRequest,
  uploadRequest,
  type CardPresentation,
  type Identity,
} from './messages.js';
import { encryptedPinBlock } from './pin.js';
import { cardVault, type CardVault, type StoredCard } from './vault.js';
import { receiptOf, type Receipt } from './receipt.js';
import { LocalCodes, isApproved, isRetryLater, responseText } from './responses.js';
import { batchTotals, isCaptured, parseTotals } from './totals.js';

export interface TerminalOptions {
  /** Field 41: up to 8 letters, digits, '-' or '_' (8 is what gateways expect). */
  terminalId: string;
  /** Field 42, up to 15 characters; required the first time, checked against the journal after. */
  merchantId?: string;
  /** Printed on receipts. Default: the merchant id. */
  merchantName?: string;
  /** Where the journal lives: `<dataDir>/<terminalId>.json`. */
  dataDir: string;
  /** How to reach the host; only `receipts()` and offline sales work without one. */
  transport?: Transport;
  /** Default iso87binary (the terminal link profile). */
  spec?: MessageSpec;
  /** ISO 4217 numeric, field 49. Default '840'. */
  currency?: string;
  /** ISO 3166 numeric for EMV tag 9F1A. Default '840'. */
  country?: string;
  /** Purchases strictly below this (minor units) may be approved offline. Default 0: never. */
  floorLimit?: number;
  /** How long to wait for each reply. Default 30 000 ms. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Default the 'test' key set. */
  keySet?: KeySet | string;
  clock?: Clock;
  /** fsync each journal write. Default true. */
  durable?: boolean;
  /** Auth codes of offline approvals. Default six random digits. */
  authCode?: () => string;
  onEvent?: (e: TerminalEvent) => void;
  /**
   * 32 bytes the journal's card data is sealed under (with the terminal id). Default: a key derived from the key
   * set and the terminal id.
   */
  dataKey?: Buffer;
  /** Misbehaviours of buggy terminals, switched on for tests; see DeviceFaults. */
  faults?: DeviceFaults;
}

/** How real terminals get it wrong. Read at each use: a caller may switch them per transaction. */
export interface DeviceFaults {
  /** Never sends a saved reversal: drops it when it should go out. */
  skipReversal?: boolean;
  /** Prints an APPROVED receipt (no auth code, no RRN) when no answer came; the saved reversal stays. */
  printApprovedOnTimeout?: boolean;
  /** Never sends its advices: drops offline sales and completions from the batch, receipt printed all the same. */
  skipAdvice?: boolean;
}

export interface SaleInput {
  /** Minor units. */
  amount: number;
  /** Default the built-in Visa test card. */
  card?: Card;
  /** Default chip. */
  entryMode?: EntryMode;
  /** Sends field 52, an ISO 9564 format 0 PIN block under the key set's PIN key. */
  pin?: string;
  /** Field 55 chip data; default on for chip and contactless. */
  emv?: boolean;
  /** Decide offline without trying the host (purchases only). */
  offline?: boolean;
}

/** Names a transaction of the journal, as the merchant finds it on the receipt. */
export interface TxRef {
  invoice?: string;
  rrn?: string;
}

export type Outcome = 'approved' | 'declined' | 'no_answer';

/** Why the host could not be used before a transaction: it cannot be reached, it did not answer, or it refused the reversal. */
export type Blocked = 'unreachable' | 'no_answer' | 'reversal_refused';

export interface ReversalResult {
  outcome: Outcome;
  mti: string;
  responseCode: string | null;
  /** The reversal is done with (acknowledged, or the host does not know the original). */
  cleared: boolean;
  entry: JournalEntry;
}

export interface AdviceResult {
  outcome: Outcome;
  mti: string;
  responseCode: string | null;
  entry: JournalEntry;
}

/** What went out before the transaction itself: the pending reversal first, then pending advices. */
export interface Housekeeping {
  reversal: ReversalResult | null;
  advices: AdviceResult[];
  blocked: Blocked | null;
  /** The connection failure, when blocked is 'unreachable'. */
  error?: TransportError;
}

export interface TxResult {
  outcome: Outcome;
  responseCode: string | null;
  responseText: string;
  /** The journal entry; null when the transaction could not start (the host was blocked). */
  entry: JournalEntry | null;
  /** What was printed; null when nothing was (no answer). */
  receipt: Receipt | null;
  offline: boolean;
  /** A reversal is saved and will go out before the next transaction. */
  reversalPending: boolean;
  housekeeping: Housekeeping;
}

export interface NetworkResult {
  outcome: Outcome;
  responseCode: string | null;
  responseText: string;
}

export interface SettlementResult {
  outcome: Outcome;
  responseCode: string | null;
  /** Field 44 of the last reply, or the response code's text. */
  responseText: string;
  batch: string;
  totals: Totals;
  /** Field 63 of the host's first reply. */
  hostTotals: Totals | null;
  /** 0320s sent after a 95. */
  uploaded: number;
  closed: boolean;
  /** The open batch after this settlement. */
  nextBatch: string;
  housekeeping: Housekeeping;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_MS = 10_000;
const WRAP = 999_999;

const pad6 = (n: number): string => String(n).padStart(6, '0');

/**
 * A simulated card terminal: identity, counters, a journal on disk, and the behaviour of a real device: a reversal
 * saved before every authorization and sent before anything else, offline approvals below the floor limit sent as
 * advices later, receipts, and terminal-capture settlement with batch upload.
 */
export class Terminal {
  readonly terminalId: string;
  readonly merchantName: string;
  readonly journalPath: string;
  #state: JournalState;
  readonly #file: JournalFile;
  readonly #codec: MessageCodec;
  readonly #transport: Transport | undefined;
  readonly #currency: string;
  readonly #country: string;
  readonly #floorLimit: number;
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #keys: KeySet;
  readonly #clock: Clock;
  readonly #authCode: () => string;
  readonly #onEvent: ((e: TerminalEvent) => void) | undefined;
  readonly #vault: CardVault;
  /** Switched on and off by tests and scenarios; see DeviceFaults. */
  readonly faults: DeviceFaults;
  #busy = false;
  /** Counters moved since the last save: saved before the next message goes out, so no STAN is used twice. */
  #dirty = false;

  private constructor(state: JournalState, file: JournalFile, vault: CardVault, o: TerminalOptions) {
    this.#state = state;
    this.#file = file;
    this.terminalId = o.terminalId;
    this.journalPath = file.path;
    this.merchantName = o.merchantName ?? state.merchantId;
    this.#codec = codecFor(o.spec ?? builtinSpecs.iso87binary);
    this.#transport = o.transport;
    this.#currency = o.currency ?? '840';
    this.#country = o.country ?? '840';
    this.#floorLimit = o.floorLimit ?? 0;
    this.#timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#connectTimeoutMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_MS;
    this.#keys = keySetOf(o);
    this.#vault = vault;
    this.faults = { ...o.faults };
    this.#clock = o.clock ?? systemClock;
    this.#authCode = o.authCode ?? (() => pad6(randomInt(1, 1_000_000)));
    this.#onEvent = o.onEvent;
  }

  /** Opens (or creates) the terminal's journal under `dataDir` and takes its lock. */
  static async open(o: TerminalOptions): Promise<Terminal> {
    checkOptions(o);
    const vault = cardVault(o.terminalId, keySetOf(o), o.dataKey);
    const file = new JournalFile(o.dataDir, o.terminalId, o.durable ?? true);
    let state = await file.open();
    try {
      if (state === undefined) {
        if (o.merchantId === undefined) {
          throw new DeviceError('BAD_IDENTITY', `terminal ${o.terminalId} has no journal yet: a merchant id is required`);
        }
        state = newJournal(o.terminalId, o.merchantId, vault.keyCheck);
        await file.save(state);
      } else if (o.merchantId !== undefined && o.merchantId !== state.merchantId) {
        throw new DeviceError('IDENTITY_MISMATCH', `the journal of ${o.terminalId} in ${o.dataDir} belongs to another merchant`);
      } else if (state.cardKeyCheck !== vault.keyCheck) {
        throw new DeviceError('DATA_KEY_MISMATCH', `the journal of ${o.terminalId} in ${o.dataDir} was sealed under another data key or key set`);
      }
    } catch (e) {
      await file.release();
      throw e;
    }
    return new Terminal(state, file, vault, o);
  }

  /** A copy of the journal as it stands. */
  get journal(): JournalState {
    return structuredClone(this.#state);
  }

  get merchantId(): string {
    return this.#state.merchantId;
  }

  get batch(): string {
    return pad6(this.#state.batch);
  }

  /** What the terminal believes its open batch holds. */
  totals(): Totals {
    return batchTotals(this.#state.entries);
  }

  receipts(): Receipt[] {
    return structuredClone(this.#state.receipts);
  }

  signOn(): Promise<NetworkResult> {
    return this.#exclusive(() => this.#network(NetworkCodes.signOn));
  }

  echo(): Promise<NetworkResult> {
    return this.#exclusive(() => this.#network(NetworkCodes.echo));
  }

  purchase(input: SaleInput): Promise<TxResult> {
    return this.#exclusive(() => this.#cardTransaction('purchase', input));
  }

  refund(input: SaleInput): Promise<TxResult> {
    return this.#exclusive(() => this.#cardTransaction('refund', input));
  }

  preauth(input: SaleInput): Promise<TxResult> {
    return this.#exclusive(() => this.#cardTransaction('preauth', input));
  }

  /** Voids an approved sale or refund of the open batch, named by invoice or RRN; the amount is the original's. */
  void(ref: TxRef): Promise<TxResult> {
    return this.#exclusive(async () => {
      const original = this.#find(ref, (e) => e.kind === 'purchase' || e.kind === 'refund' || e.kind === 'completion');
      if (original.status !== 'approved' || original.closedBy !== null) {
        throw new DeviceError('NOT_ALLOWED', `invoice ${original.invoice} is ${original.status === 'approved' ? 'already voided' : original.status}: nothing to void`);
      }
      const hk = await this.#housekeeping();
      if (hk.blocked !== null) return this.#blocked(hk);
      if (original.rrn === null && ref.rrn === undefined && original.offline) {
        throw new DeviceError('NOT_ALLOWED', `invoice ${original.invoice} is an offline sale the host has not acknowledged yet`);
      }
      const entry = this.#newEntry('void', original.amount, this.#cardOf(original), original.entryMode, {
        invoice: original.invoice,
        original: { id: original.id, invoice: original.invoice, rrn: original.rrn, by: ref.rrn !== undefined ? 'rrn' : 'invoice' },
      });
      return this.#online(entry, { card: this.#vault.open(entry.card) }, hk);
    });
  }

  /** Completes an approved pre-authorization (0220, 37 = its RRN) for `amount` (default: the amount held). */
  complete(ref: TxRef, amount?: number): Promise<TxResult> {
    return this.#exclusive(async () => {
      const preauth = this.#find(ref, (e) => e.kind === 'preauth');
      if (preauth.status !== 'approved' || preauth.closedBy !== null || preauth.rrn === null) {
        throw new DeviceError('NOT_ALLOWED', `pre-auth invoice ${preauth.invoice} is ${preauth.closedBy !== null ? 'already completed' : preauth.status}`);
      }
      const hk = await this.#housekeeping();
      const entry = this.#newEntry('completion', amount ?? preauth.amount, this.#cardOf(preauth), preauth.entryMode, {
        original: { id: preauth.id, invoice: preauth.invoice, rrn: preauth.rrn, by: 'rrn' },
      });
      // an advice: in the batch from now on, delivered store-and-forward
      entry.status = 'approved';
      entry.authCode = preauth.authCode;
      entry.advice = { pending: true, attempts: 0, responseCode: null };
      preauth.closedBy = entry.id;
      this.#state.entries.push(entry);
      await this.#save();
      if (hk.blocked !== null) return { ...this.#blocked(hk), entry: structuredClone(entry) };
      const sent = await this.#sendAdvice(entry);
      if (sent.outcome === 'no_answer' || entry.advice.pending) {
        return { ...this.#result('no_answer', entry, null, hk), responseCode: sent.responseCode };
      }
      return this.#result(isApproved(entry.responseCode) ? 'approved' : 'declined', entry, await this.#print(entry), hk);
    });
  }

  /**
   * Sends the pending reversal if there is one; otherwise reverses the transaction named (or with `last`, the last
   * online authorization still standing), saving the reversal first like any other.
   */
  reverse(ref: TxRef & { last?: boolean } = {}): Promise<ReversalResult | null> {
    return this.#exclusive(async () => {
      if (this.#state.reversal !== null) {
        await this.#connect();
        return this.#sendReversal();
      }
      if (ref.invoice === undefined && ref.rrn === undefined && ref.last !== true) return null;
      const reversible = (e: JournalEntry): boolean => !e.offline && e.kind !== 'completion' && e.status === 'approved' && e.closedBy === null;
      const entry = ref.last === true ? this.#state.entries.filter(reversible).at(-1) : this.#find(ref, (e) => e.kind !== 'completion');
      if (entry === undefined) throw new DeviceError('NOT_FOUND', 'no online authorization in the open batch to reverse');
      if (!reversible(entry)) throw new DeviceError('NOT_ALLOWED', `invoice ${entry.invoice} cannot be reversed (${entry.offline ? 'offline' : entry.status})`);
      await this.#connect();
      this.#state.reversal = { entryId: entry.id, reason: 'manual', attempts: 0, lastResponseCode: null };
      await this.#save();
      return this.#sendReversal();
    });
  }

  /** Sends the pending reversal and advices, as the terminal does before a transaction. */
  flush(): Promise<Housekeeping> {
    return this.#exclusive(() => this.#housekeeping());
  }

  /**
   * 0500/920000 with the batch totals; on 95 an 0320 for every captured transaction, then 0500/960000. The batch
   * number advances only on a 00.
   */
  settle(): Promise<SettlementResult> {
    return this.#exclusive(async () => {
      const hk = await this.#housekeeping();
      const batch = this.batch;
      const totals = batchTotals(this.#state.entries);
      const result = (outcome: Outcome, rc: string | null, text: string | null, extra: Partial<SettlementResult> = {}): SettlementResult => ({
        outcome,
        responseCode: rc,
        responseText: text ?? responseText(rc),
        batch,
        totals,
        hostTotals: null,
        uploaded: 0,
        closed: false,
        nextBatch: this.batch,
        housekeeping: hk,
        ...extra,
      });
      if (hk.blocked === 'unreachable') throw hk.error!;
      if (hk.blocked !== null) return result('no_answer', null, 'PENDING REVERSAL OR ADVICE NOT DELIVERED');
      let reply: IsoMessage;
      try {
        reply = await this.#call(settlementRequest(this.#identity(), SettlementCodes.request, this.#stamp(), batch, totals));
      } catch (e) {
        if (isTransportError(e) && e.sent) return result('no_answer', null, null);
        throw e;
      }
      const rc = textOf(reply, 39);
      const hostTotals = parseTotals(textOf(reply, 63) ?? undefined);
      if (rc === '00') {
        await this.#closeBatch(totals, 0, rc, textOf(reply, 44));
        return result('approved', rc, textOf(reply, 44), { hostTotals, closed: true, nextBatch: this.batch });
      }
      if (rc !== '95') return result('declined', rc, textOf(reply, 44), { hostTotals });
      let uploaded = 0;
      try {
        for (const e of this.#state.entries.filter(isCaptured)) {
          await this.#call(uploadRequest(this.#identity(), e, this.#vault.open(e.card), this.#stamp().stan));
          uploaded++;
        }
        reply = await this.#call(settlementRequest(this.#identity(), SettlementCodes.trailer, this.#stamp(), batch, totals));
      } catch (e) {
        if (isTransportError(e) && e.sent) return result('no_answer', null, null, { hostTotals, uploaded });
        throw e;
      }
      const trailerRc = textOf(reply, 39);
      if (trailerRc !== '00') return result('declined', trailerRc, textOf(reply, 44), { hostTotals, uploaded });
      await this.#closeBatch(totals, uploaded, trailerRc, textOf(reply, 44));
      return result('approved', trailerRc, textOf(reply, 44), { hostTotals, uploaded, closed: true, nextBatch: this.batch });
    });
  }

  /** Closes the connection and releases the journal; the journal on disk stays as the last save left it. */
  async close(): Promise<void> {
    await this.#transport?.close();
    await this.#file.release();
  }

  // ---- transactions

  async #cardTransaction(kind: 'purchase' | 'refund' | 'preauth', input: SaleInput): Promise<TxResult> {
    checkAmount(input.amount);
    const card = input.card ?? { ...TestCards.visa };
    const entryMode = input.entryMode ?? 'chip';
    if (input.offline === true && kind !== 'purchase') throw new DeviceError('NOT_ALLOWED', `a ${kind} cannot be done offline`);
    if (input.offline === true) return this.#offline(input, card, entryMode, false, emptyHousekeeping());
    const hk = await this.#housekeeping();
    if (hk.blocked !== null) {
      if (kind === 'purchase' && input.amount < this.#floorLimit) return this.#offline(input, card, entryMode, true, hk);
      if (hk.blocked === 'unreachable') throw hk.error!;
      return this.#blocked(hk);
    }
    const emv = input.emv ?? (entryMode === 'chip' || entryMode === 'contactless');
    const entry = this.#newEntry(kind, input.amount, card, entryMode, { pin: input.pin !== undefined, emv: emv && entryMode !== 'manual' });
    const presentation: CardPresentation = {};
    if (entryMode !== 'manual') presentation.track2 = track2Of(card);
    else presentation.card = { pan: card.pan, expiry: card.expiry };
    if (input.pin !== undefined) presentation.pinBlock = encryptedPinBlock(input.pin, card.pan, this.#keys.tpk);
    if (entry.emv) {
      this.#state.atc = (this.#state.atc % 0xffff) + 1;
      presentation.emv = chipData({
        card,
        amount: input.amount,
        currency: this.#currency,
        country: this.#country,
        type: kind,
        date: this.#stampFor(entry).emvDate,
        atc: this.#state.atc,
        sequence: entry.stan,
        terminalId: this.terminalId,
        pin: entry.pin,
      });
    }
    return this.#online(entry, presentation, hk);
  }

  /** An authorization that goes online: its reversal is durable before the first byte leaves. */
  async #online(entry: JournalEntry, presentation: CardPresentation, hk: Housekeeping): Promise<TxResult> {
    await this.#connect();
    const request = authorizationRequest(this.#identity(), entry, presentation);
    // a request the spec cannot carry fails here, before a reversal is saved for something that never left
    this.#codec.encode(fitToSpec(request, this.#codec.spec), { pad: true });
    entry.status = 'in_flight';
    this.#state.entries.push(entry);
    const reversal: PendingReversal = { entryId: entry.id, reason: 'in_flight', attempts: 0, lastResponseCode: null };
    this.#state.reversal = reversal;
    await this.#save();
    let reply: IsoMessage;
    try {
      reply = await this.#call(request);
    } catch (e) {
      if (!isTransportError(e)) throw e;
      if (!e.sent) {
        // it never left: nothing to reverse, nothing in the batch
        this.#state.entries = this.#state.entries.filter((x) => x !== entry);
        this.#state.reversal = null;
        await this.#save();
        throw e;
      }
      reversal.reason = reasonOf(e);
      return this.#noAnswer(entry, hk);
    }
    const rc = textOf(reply, 39);
    if (rc === null) {
      reversal.reason = 'unreadable';
      return this.#noAnswer(entry, hk);
    }
    this.#state.reversal = null;
    entry.responseCode = rc;
    entry.rrn = textOf(reply, 37);
    entry.authCode = textOf(reply, 38);
    entry.status = isApproved(rc) ? 'approved' : 'declined';
    if (entry.kind === 'void' && entry.status === 'approved') {
      const original = this.#entryById(entry.original!.id);
      if (original !== undefined) {
        original.status = 'voided';
        original.closedBy = entry.id;
      }
    }
    return this.#result(entry.status === 'approved' ? 'approved' : 'declined', entry, await this.#print(entry), hk);
  }

  /** No answer: the reversal stays saved. The buggy terminal (printApprovedOnTimeout) prints APPROVED all the same. */
  async #noAnswer(entry: JournalEntry, hk: Housekeeping): Promise<TxResult> {
    entry.status = 'no_answer';
    if (this.faults.printApprovedOnTimeout === true && entry.kind !== 'void') {
      entry.status = 'approved';
      entry.responseCode = '00';
      entry.faults.push('print-approved-on-timeout');
      return this.#result('approved', entry, await this.#print(entry), hk);
    }
    await this.#save();
    return this.#result('no_answer', entry, null, hk);
  }

  /** A purchase below the floor limit decided by the terminal: its own auth code, an advice to send later. */
  async #offline(input: SaleInput, card: Card, entryMode: EntryMode, unreachable: boolean, hk: Housekeeping): Promise<TxResult> {
    const entry = this.#newEntry('purchase', input.amount, card, entryMode, { pin: input.pin !== undefined, emv: false });
    entry.mti = '0220';
    entry.offline = true;
    if (input.amount < this.#floorLimit) {
      entry.status = 'approved';
      entry.responseCode = unreachable ? LocalCodes.unreachableApproved : LocalCodes.offlineApproved;
      entry.authCode = this.#authCode();
      entry.advice = { pending: true, attempts: 0, responseCode: null };
    } else {
      entry.status = 'declined';
      entry.responseCode = unreachable ? LocalCodes.unreachableDeclined : LocalCodes.offlineDeclined;
    }
    this.#state.entries.push(entry);
    const receipt = await this.#print(entry);
    return this.#result(entry.status === 'approved' ? 'approved' : 'declined', entry, receipt, hk);
  }

  async #network(code: string): Promise<NetworkResult> {
    await this.#connect();
    try {
      const reply = await this.#call(networkRequest(this.#identity(), code, this.#nextStan()));
      const rc = textOf(reply, 39);
      return { outcome: rc === '00' ? 'approved' : 'declined', responseCode: rc, responseText: responseText(rc) };
    } catch (e) {
      if (isTransportError(e) && e.sent) return { outcome: 'no_answer', responseCode: null, responseText: 'NO ANSWER' };
      throw e;
    }
  }

  // ---- reversal and advices

  async #housekeeping(): Promise<Housekeeping> {
    const hk = emptyHousekeeping();
    try {
      await this.#connect();
    } catch (e) {
      if (!isTransportError(e, 'CONNECT_FAILED')) throw e;
      hk.blocked = 'unreachable';
      hk.error = e;
      return hk;
    }
    if (this.#state.reversal !== null && this.faults.skipReversal === true) {
      // the buggy terminal: the reversal it saved is forgotten, never sent
      const entry = this.#entryById(this.#state.reversal.entryId);
      entry?.faults.push('skip-reversal');
      this.#state.reversal = null;
      await this.#save();
    }
    if (this.#state.reversal !== null) {
      hk.reversal = await this.#sendReversal();
      if (!hk.reversal.cleared) {
        hk.blocked = hk.reversal.outcome === 'no_answer' ? 'no_answer' : 'reversal_refused';
        return hk;
      }
    }
    if (this.faults.skipAdvice === true && this.#pendingAdvices().length > 0) {
      for (const entry of this.#pendingAdvices()) {
        entry.advice!.pending = false;
        entry.status = 'lost';
        entry.faults.push('skip-advice');
      }
      await this.#save();
    }
    for (const entry of this.#pendingAdvices()) {
      const r = await this.#sendAdvice(entry);
      hk.advices.push(r);
      if (r.outcome === 'no_answer') {
        hk.blocked = 'no_answer';
        break;
      }
    }
    return hk;
  }

  async #sendReversal(): Promise<ReversalResult> {
    const pending = this.#state.reversal!;
    const entry = this.#entryById(pending.entryId);
    if (entry === undefined) {
      // a journal edited by hand: nothing left to reverse
      this.#state.reversal = null;
      await this.#save();
      throw new DeviceError('JOURNAL_CORRUPT', `the pending reversal names entry ${pending.entryId}, which the journal does not hold`);
    }
    const req = reversalRequest(this.#identity(), entry, this.#vault.open(entry.card), pending.attempts > 0);
    pending.attempts++;
    await this.#save();
    let reply: IsoMessage;
    try {
      reply = await this.#call(req);
    } catch (e) {
      if (!isTransportError(e)) throw e;
      if (!e.sent) pending.attempts--;
      else pending.reason = reasonOf(e);
      await this.#save();
      if (!e.sent) throw e;
      return { outcome: 'no_answer', mti: req.mti, responseCode: null, cleared: false, entry: structuredClone(entry) };
    }
    const rc = textOf(reply, 39) ?? '96';
    pending.lastResponseCode = rc;
    if (isRetryLater(rc)) {
      await this.#save();
      return { outcome: 'declined', mti: req.mti, responseCode: rc, cleared: false, entry: structuredClone(entry) };
    }
    // 00 reversed; 25 the host never had it; anything else is final too: the slot is freed either way
    entry.status = 'reversed';
    // the host names the original it reversed: the only RRN a transaction that got no answer ever has
    entry.rrn ??= textOf(reply, 37);
    entry.reversalResponseCode = rc;
    this.#state.reversal = null;
    await this.#save();
    return { outcome: rc === '00' ? 'approved' : 'declined', mti: req.mti, responseCode: rc, cleared: true, entry: structuredClone(entry) };
  }

  async #sendAdvice(entry: JournalEntry): Promise<AdviceResult> {
    const advice = entry.advice!;
    const mti = advice.attempts > 0 ? '0221' : '0220';
    advice.attempts++;
    await this.#save();
    let reply: IsoMessage;
    try {
      reply = await this.#call(authorizationRequest(this.#identity(), entry, { card: this.#vault.open(entry.card) }, mti));
    } catch (e) {
      if (!isTransportError(e)) throw e;
      if (!e.sent) advice.attempts--;
      await this.#save();
      if (!e.sent) throw e;
      return { outcome: 'no_answer', mti, responseCode: null, entry: structuredClone(entry) };
    }
    const rc = textOf(reply, 39) ?? '96';
    advice.responseCode = rc;
    if (!isRetryLater(rc)) {
      advice.pending = false;
      entry.rrn = textOf(reply, 37) ?? entry.rrn;
      if (entry.kind === 'completion') {
        entry.responseCode = rc;
        entry.authCode = textOf(reply, 38) ?? entry.authCode;
        if (!isApproved(rc)) entry.status = 'declined';
      }
    }
    await this.#save();
    return { outcome: isApproved(rc) ? 'approved' : 'declined', mti, responseCode: rc, entry: structuredClone(entry) };
  }

  #pendingAdvices(): JournalEntry[] {
    return this.#state.entries.filter((e) => e.advice?.pending === true);
  }

  // ---- batch

  async #closeBatch(totals: Totals, uploaded: number, rc: string, text: string | null): Promise<void> {
    const s = this.#state;
    s.batches.push({ batch: this.batch, closedAt: this.#stamp(false).at, totals, uploaded, responseCode: rc, responseText: text });
    // approved pre-authorizations not yet completed stay open across batches, as holds do
    s.entries = s.entries.filter((e) => e.kind === 'preauth' && e.status === 'approved' && e.closedBy === null);
    s.batch = (s.batch % WRAP) + 1;
    await this.#save();
  }

  // ---- plumbing

  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new DeviceError('BUSY', `terminal ${this.terminalId} is already running a transaction`);
    this.#busy = true;
    try {
      return await fn();
    } finally {
      this.#busy = false;
    }
  }

  async #connect(): Promise<void> {
    if (this.#transport === undefined) throw new TransportError('NOT_CONNECTED', `terminal ${this.terminalId} has no transport (no --target)`);
    if (!this.#transport.connected) await this.#transport.connect(this.#connectTimeoutMs);
  }

  async #call(req: IsoMessage): Promise<IsoMessage> {
    await this.#connect();
    if (this.#dirty) await this.#save();
    return exchange(this.#transport!, this.#codec, req, this.#timeoutMs, this.terminalId, this.#onEvent);
  }

  #identity(): Identity {
    return { terminalId: this.terminalId, merchantId: this.#state.merchantId, currency: this.#currency };
  }

  #nextStan(): string {
    this.#state.stan = (this.#state.stan % WRAP) + 1;
    this.#dirty = true;
    return pad6(this.#state.stan);
  }

  /** A new STAN (unless `withStan` is false) and the local time. */
  #stamp(withStan = true): LocalStamp & { stan: string } {
    return { ...stampOf(this.#clock.now()), stan: withStan ? this.#nextStan() : '' };
  }

  #stampFor(entry: JournalEntry): LocalStamp {
    return stampOf(Date.parse(entry.at));
  }

  #newEntry(
    kind: TxKind,
    amount: number,
    card: Card,
    entryMode: EntryMode,
    extra: { invoice?: string; original?: JournalEntry['original']; pin?: boolean; emv?: boolean } = {},
  ): JournalEntry {
    const s = this.#state;
    const stamp = this.#stamp();
    let invoice = extra.invoice;
    if (invoice === undefined) {
      s.invoice = (s.invoice % WRAP) + 1;
      invoice = pad6(s.invoice);
    }
    return {
      id: s.nextEntryId++,
      kind,
      mti: kind === 'preauth' ? '0100' : kind === 'completion' ? '0220' : '0200',
      procCode: ProcCodes[kind],
      stan: stamp.stan,
      invoice,
      batch: this.batch,
      localDate: stamp.localDate,
      localTime: stamp.localTime,
      at: stamp.at,
      amount,
      currency: this.#currency,
      card: this.#vault.seal({ pan: card.pan, expiry: card.expiry }),
      panMasked: maskPan(card.pan),
      scheme: card.scheme,
      entryMode,
      pin: extra.pin ?? false,
      emv: extra.emv ?? false,
      offline: false,
      status: 'in_flight',
      responseCode: null,
      authCode: null,
      rrn: null,
      advice: null,
      original: extra.original ?? null,
      closedBy: null,
      reversalResponseCode: null,
      faults: [],
    };
  }

  #cardOf(e: JournalEntry): Card {
    const { pan, expiry }: StoredCard = this.#vault.open(e.card);
    return { pan, expiry, serviceCode: '201', sequence: '01', scheme: e.scheme };
  }

  #find(ref: TxRef, kind: (e: JournalEntry) => boolean): JournalEntry {
    if (ref.invoice === undefined && ref.rrn === undefined) throw new DeviceError('NOT_FOUND', 'name the transaction by invoice or RRN');
    const invoice = ref.invoice === undefined ? undefined : ref.invoice.padStart(6, '0');
    const found = this.#state.entries.filter(
      (e) => kind(e) && e.kind !== 'void' && (invoice === undefined || e.invoice === invoice) && (ref.rrn === undefined || e.rrn === ref.rrn),
    );
    const entry = found.at(-1);
    if (entry === undefined) {
      throw new DeviceError('NOT_FOUND', `no matching transaction with ${invoice !== undefined ? `invoice ${invoice}` : `RRN ${ref.rrn}`} in the open batch`);
    }
    return entry;
  }

  #entryById(id: number): JournalEntry | undefined {
    return this.#state.entries.find((e) => e.id === id);
  }

  /** Records the receipt of `entry` and saves the journal: what was printed is durable before it is shown. */
  async #print(entry: JournalEntry): Promise<Receipt> {
    const receipt = receiptOf(entry, { terminalId: this.terminalId, merchantId: this.#state.merchantId, merchantName: this.merchantName });
    this.#state.receipts.push(receipt);
    await this.#save();
    return receipt;
  }

  #result(outcome: Outcome, entry: JournalEntry, receipt: Receipt | null, hk: Housekeeping): TxResult {
    return {
      outcome,
      responseCode: entry.responseCode,
      responseText: outcome === 'no_answer' ? 'NO ANSWER' : responseText(entry.responseCode),
      entry: structuredClone(entry),
      receipt,
      offline: entry.offline,
      reversalPending: this.#state.reversal !== null,
      housekeeping: hk,
    };
  }

  #blocked(hk: Housekeeping): TxResult {
    const text = hk.blocked === 'reversal_refused' ? 'PENDING REVERSAL REFUSED' : 'NO ANSWER TO PENDING REVERSAL OR ADVICE';
    return { outcome: 'no_answer', responseCode: null, responseText: text, entry: null, receipt: null, offline: false, reversalPending: this.#state.reversal !== null, housekeeping: hk };
  }

  #save(): Promise<void> {
    this.#dirty = false;
    return this.#file.save(this.#state);
  }
}

function emptyHousekeeping(): Housekeeping {
  return { reversal: null, advices: [], blocked: null };
}

function reasonOf(e: TransportError): ReversalReason {
  return e.code === 'TIMEOUT' ? 'timeout' : e.code === 'BAD_FRAME' ? 'unreadable' : 'closed';
}

function keySetOf(o: TerminalOptions): KeySet {
  return typeof o.keySet === 'object' ? o.keySet : keySetNamed(o.keySet ?? 'test');
}

function checkAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > 999_999_999_999) {
    throw new DeviceError('BAD_AMOUNT', 'amount must be a positive integer of minor units, 12 digits at most');
  }
}

function checkOptions(o: TerminalOptions): void {
  if (typeof o.terminalId !== 'string' || !/^[A-Za-z0-9_-]{1,8}$/.test(o.terminalId)) {
    throw new DeviceError('BAD_IDENTITY', 'terminal id must be 1 to 8 letters, digits, "-" or "_"');
  }
  if (o.merchantId !== undefined && !/^[!-~][ -~]{0,14}$/.test(o.merchantId)) {
    throw new DeviceError('BAD_IDENTITY', 'merchant id must be 1 to 15 printable characters');
  }
  if (typeof o.dataDir !== 'string' || o.dataDir === '') throw new DeviceError('BAD_IDENTITY', 'a data directory is required');
  if (o.currency !== undefined && !/^\d{3}$/.test(o.currency)) throw new DeviceError('BAD_IDENTITY', 'currency must be 3 digits (ISO 4217 numeric)');
  if (o.country !== undefined && !/^\d{3}$/.test(o.country)) throw new DeviceError('BAD_IDENTITY', 'country must be 3 digits (ISO 3166 numeric)');
  if (o.floorLimit !== undefined && (!Number.isSafeInteger(o.floorLimit) || o.floorLimit < 0)) {
    throw new DeviceError('BAD_IDENTITY', 'floor limit must be a non-negative integer of minor units');
  }
  for (const [name, v] of [['timeoutMs', o.timeoutMs], ['connectTimeoutMs', o.connectTimeoutMs]] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0)) throw new DeviceError('BAD_IDENTITY', `${name} must be a positive integer`);
  }
}
