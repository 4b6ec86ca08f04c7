import { maskPan, type IsoMessage, type MessageCodec } from '../../protocol/index.js';
import {
  authorizationRequest,
  chipData,
  exchange,
  exchangeEncoded,
  fitToSpec,
  isApproved,
  reversalRequest,
  stampOf,
  track2Of,
  type Card,
  type JournalEntry,
  type LocalStamp,
} from '../device/index.js';
import type { Identity } from '../device/messages.js';
import { isTransportError, type Transport } from '../transport/index.js';
import { FrameTemplate } from './template.js';

export type LeanOutcome = 'approved' | 'declined' | 'timed_out' | 'error';

export interface LeanResult {
  outcome: LeanOutcome;
  responseCode: string | null;
  /** Reversal sent first (of an earlier timeout), and its answer. */
  reversal: { responseCode: string | null } | null;
}

const pad6 = (n: number): string => String(n).padStart(6, '0');

/**
 * A terminal for load: the same requests a device builds (track 2, chip data, fields 22, 25, 60, 62) and the same
 * reversal rule (an authorization that got no answer is reversed before the next one), but its state lives in
 * memory: no journal, no receipts, no settlement.
 */
export class LeanTerminal {
  #stan = 0;
  #invoice = 0;
  #atc = 0;
  /** The authorization that got no answer, and how many reversals of it went out. */
  #pending: { entry: JournalEntry; attempts: number } | null = null;
  #stampAt = -1;
  #stampCache: LocalStamp | undefined;
  /** Without chip data a purchase differs from the last only in STAN and invoice until the second changes. */
  #template: { stamp: LocalStamp; frame: FrameTemplate | null } | undefined;

  constructor(
    readonly id: Identity,
    readonly transport: Transport,
    private readonly codec: MessageCodec,
    private readonly o: { batch: number; card: Card; amount: number; emv: boolean; timeoutMs: number; connectTimeoutMs: number },
  ) {}

  async purchase(): Promise<LeanResult> {
    let reversal: LeanResult['reversal'] = null;
    try {
      if (!this.transport.connected) await this.transport.connect(this.o.connectTimeoutMs);
      if (this.#pending !== null) {
        reversal = await this.#reverse(this.#pending);
        if (reversal.responseCode === null) return { outcome: 'timed_out', responseCode: null, reversal };
      }
    } catch (e) {
      if (!isTransportError(e)) throw e;
      return { outcome: 'error', responseCode: null, reversal };
    }
    const entry = this.#entry();
    try {
      const reply = await this.#send(entry);
      const rc = typeof reply.fields[39] === 'string' ? reply.fields[39] : null;
      if (rc === null) {
        this.#pending = { entry, attempts: 0 };
        return { outcome: 'timed_out', responseCode: null, reversal };
      }
      return { outcome: isApproved(rc) ? 'approved' : 'declined', responseCode: rc, reversal };
    } catch (e) {
      if (!isTransportError(e)) throw e;
      if (!e.sent) return { outcome: 'error', responseCode: null, reversal };
      this.#pending = { entry, attempts: 0 };
      return { outcome: 'timed_out', responseCode: null, reversal };
    }
  }

  /** Sends the reversal still pending, as the terminal would before its next transaction; null when none was. */
  async flush(): Promise<{ responseCode: string | null } | null> {
    if (this.#pending === null) return null;
    try {
      if (!this.transport.connected) await this.transport.connect(this.o.connectTimeoutMs);
      return await this.#reverse(this.#pending);
    } catch (e) {
      if (!isTransportError(e)) throw e;
      return { responseCode: null };
    }
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  #send(entry: JournalEntry): Promise<IsoMessage> {
    const { transport, codec, o } = this;
    const card = o.card;
    const id = this.id.terminalId;
    if (!o.emv) {
      const stamp = this.#stamp();
      if (this.#template?.stamp !== stamp) {
        const frame = FrameTemplate.of(codec, (n) => fitToSpec(authorizationRequest(this.id, { ...entry, stan: n.stan, invoice: n.invoice }, { track2: track2Of(card) }), codec.spec));
        this.#template = { stamp, frame };
      }
      const frame = this.#template.frame;
      if (frame !== null) {
        const payload = frame.render({ stan: Number(entry.stan), invoice: Number(entry.invoice) });
        return exchangeEncoded(transport, codec, payload, entry.mti, entry.stan, o.timeoutMs, id);
      }
    }
    const presentation = {
      track2: track2Of(card),
      emv: o.emv
        ? chipData({ card, amount: entry.amount, currency: entry.currency, country: '840', type: 'purchase', date: this.#stamp().emvDate, atc: (this.#atc = (this.#atc % 0xffff) + 1), sequence: entry.stan, terminalId: id, pin: false })
        : undefined,
    };
    return exchange(transport, codec, authorizationRequest(this.id, entry, presentation), o.timeoutMs, id);
  }

  /** 0400, then 0401 for the same original, until the host answers it. */
  async #reverse(pending: { entry: JournalEntry; attempts: number }): Promise<{ responseCode: string | null }> {
    const repeat = pending.attempts++ > 0;
    try {
      const reply = await exchange(this.transport, this.codec, reversalRequest(this.id, pending.entry, this.o.card, repeat), this.o.timeoutMs, this.id.terminalId);
      const rc = typeof reply.fields[39] === 'string' ? reply.fields[39] : null;
      if (rc !== null && rc !== '91' && rc !== '96') this.#pending = null;
      return { responseCode: rc };
    } catch (e) {
      if (!isTransportError(e) || !e.sent) throw e;
      return { responseCode: null };
    }
  }

  /** Local time changes once a second: formatted once a second. */
  #stamp(): LocalStamp {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.#stampAt || this.#stampCache === undefined) {
      this.#stampAt = second;
      this.#stampCache = stampOf(now);
    }
    return this.#stampCache;
  }

  #entry(): JournalEntry {
    const s = this.#stamp();
    this.#stan = (this.#stan % 999_999) + 1;
    this.#invoice = (this.#invoice % 999_999) + 1;
    return {
      id: this.#stan,
      kind: 'purchase',
      mti: '0200',
      procCode: '000000',
      stan: pad6(this.#stan),
      invoice: pad6(this.#invoice),
      batch: pad6(this.o.batch),
      localDate: s.localDate,
      localTime: s.localTime,
      at: s.at,
      amount: this.o.amount,
      currency: this.id.currency,
      card: '',
      panMasked: maskPan(this.o.card.pan),
      scheme: this.o.card.scheme,
      entryMode: 'chip',
      pin: false,
      emv: this.o.emv,
      offline: false,
      status: 'in_flight',
      responseCode: null,
      authCode: null,
      rrn: null,
      advice: null,
      original: null,
      closedBy: null,
      reversalResponseCode: null,
      faults: [],
    };
  }
}
