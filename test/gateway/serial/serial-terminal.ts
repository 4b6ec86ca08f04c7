import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import {
  builtinSpecs,
  codecFor,
  encodeFrame,
  FrameDecoder,
  parseTpdu,
  SerialControl,
  SerialLink,
  tpdu,
  TPDU_SIZE,
  writeTpdu,
  type IsoMessage,
  type LinkAction,
  type Primitive,
  type SerialLinkOptions,
  type SerialLinkStats,
} from '../../../protocol/index.js';

const codec = codecFor(builtinSpecs.iso87binary);
/** The terminal's TPDU: to NII 0001 from NII 0000, as on TCP. */
const TPDU = writeTpdu(tpdu(0x0001, 0x0000));

/**
 * Line faults, injected at the terminal's end of the line: a corrupted byte on the way out is one the gateway reads
 * damaged, one corrupted on the way in is one the gateway wrote and the line damaged.
 *
 * Each corrupted byte has one bit flipped, a different bit for each error within one write or one read: errors the
 * XOR LRC always detects. Two errors in the same bit of one frame cancel in the XOR and pass as a good frame; no
 * retransmission scheme can stop that, it is the LRC's documented limit (hardware-notes.md section 6), and at 1% of
 * bytes it would hit about one frame in 1,300 of this size. What these tests check is everything above it.
 */
export interface LineFaults {
  /** Probability that a byte is corrupted, in each direction. */
  corruptRate: number;
  /** Probability that an ACK is lost, in each direction. */
  dropAckRate: number;
  seed: number;
}

export interface FaultCounts {
  corruptedOut: number;
  corruptedIn: number;
  acksDroppedOut: number;
  acksDroppedIn: number;
  /** Bytes written to and read from the line: frames, retransmissions, ACK and NAK bytes. */
  bytesOut: number;
  bytesIn: number;
  /** TPDU and message bytes of each request (counted once, however often sent) and of each reply taken. */
  payloadOut: number;
  payloadIn: number;
}

export interface SerialTerminalOptions {
  framing?: 'stx-etx' | 'length';
  link?: SerialLinkOptions;
  faults?: LineFaults;
  /** Opens the port (tests with @serialport/binding-mock); real serialport bindings by default. */
  openPort?: (path: string) => PortLike;
}

/** The part of a serialport stream the terminal uses. */
export interface PortLike extends Duplex {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
}

export interface RequestOptions {
  /** Give up (reject) after this long. */
  timeoutMs?: number;
  /**
   * Send the same request again when no reply came this long after the last send, or at once when the link
   * reports the frame failed, as a terminal does before it gives up and reverses. 0: never.
   */
  resendAfterMs?: number;
}

interface Pending {
  bytes: Buffer;
  resolve(m: IsoMessage): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  resendTimer: NodeJS.Timeout | undefined;
  resendAfterMs: number;
  sends: number;
}

/**
 * A small serial terminal for tests, independent of gateway/ code: serialport on one end of a line, the protocol's
 * SerialLink (or plain length framing) above it, TPDU + iso87binary messages, replies matched by MTI class and STAN.
 * A request can be resent until answered, which is what makes a noisy line end in exactly one answer.
 */
export class SerialTestTerminal {
  readonly link: SerialLink | null;
  readonly faults: FaultCounts = {
    corruptedOut: 0,
    corruptedIn: 0,
    acksDroppedOut: 0,
    acksDroppedIn: 0,
    bytesOut: 0,
    bytesIn: 0,
    payloadOut: 0,
    payloadIn: 0,
  };
  /** Replies that matched no waiting request: repeats of a reply already taken. */
  strayReplies = 0;
  /** Replies that passed the framing (and the LRC) but did not decode. */
  undecodable = 0;
  /** Sends beyond the first, over all requests. */
  resends = 0;
  #port: PortLike | undefined;
  #decoder: FrameDecoder | undefined;
  #timer: NodeJS.Timeout | undefined;
  #armedAt: number | null = null;
  readonly #pending = new Map<string, Pending>();
  /** Link frame id -> the request key it carries, to resend when the link gives up. */
  readonly #linkIds = new Map<number, string>();
  readonly #random: () => number;
  #stan: number;

  private constructor(
    readonly path: string,
    private readonly options: SerialTerminalOptions,
    stanBase: number,
  ) {
    this.link = (options.framing ?? 'stx-etx') === 'stx-etx' ? new SerialLink(options.link ?? {}) : null;
    this.#random = mulberry32(options.faults?.seed ?? 1);
    this.#stan = stanBase;
  }

  static async open(path: string, options: SerialTerminalOptions = {}, stanBase = 0): Promise<SerialTestTerminal> {
    const t = new SerialTestTerminal(path, options, stanBase);
    await t.reopen();
    return t;
  }

  get isOpen(): boolean {
    return this.#port?.isOpen ?? false;
  }

  get linkStats(): SerialLinkStats | null {
    return this.link?.stats ?? null;
  }

  nextStan(): string {
    this.#stan = (this.#stan % 999999) + 1;
    return String(this.#stan).padStart(6, '0');
  }

  /** Opens the port (again, after a replug); retries for up to `waitMs` while the device is missing. */
  async reopen(waitMs = 5000): Promise<void> {
    const end = Date.now() + waitMs;
    for (;;) {
      try {
        await this.#openOnce();
        return;
      } catch (e) {
        if (Date.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  #openOnce(): Promise<void> {
    const port: PortLike = this.options.openPort?.(this.path) ?? new SerialPort({ path: this.path, baudRate: 9600, autoOpen: false });
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) return reject(err);
        this.#port = port;
        this.#decoder = new FrameDecoder({ header: 'binary2', tpdu: true, maxFrameSize: 8192 });
        port.on('data', (chunk: Buffer) => this.#onData(chunk));
        port.on('error', () => undefined);
        port.on('close', () => {
          if (this.#port === port) this.#port = undefined;
          if (this.link) this.#run(this.link.reset());
        });
        resolve();
      });
    });
  }

  /** Sends a request; resolves with its reply. */
  request(msg: { mti: string; fields: Record<number, Primitive> }, opts: RequestOptions = {}): Promise<IsoMessage> {
    const key = `${msg.mti.slice(0, 2)}|${String(msg.fields[11] ?? '')}`;
    if (this.#pending.has(key)) throw new Error(`a request ${key} is already waiting`);
    const bytes = Buffer.concat([TPDU, codec.encode(msg as IsoMessage, { pad: true })]);
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise<IsoMessage>((resolve, reject) => {
      const p: Pending = {
        bytes,
        resolve,
        reject,
        sends: 0,
        resendAfterMs: opts.resendAfterMs ?? 0,
        resendTimer: undefined,
        timer: setTimeout(() => {
          this.#settle(key);
          reject(new Error(`no reply to ${msg.mti} STAN ${String(msg.fields[11])} within ${timeoutMs} ms (${p.sends} sends)`));
        }, timeoutMs),
      };
      this.#pending.set(key, p);
      this.#send(key, p);
    });
  }

  /** Raw bytes to the line, faults applied (to break frames on purpose). */
  writeRaw(bytes: Buffer): void {
    this.#write(bytes, false);
  }

  async close(): Promise<void> {
    for (const key of [...this.#pending.keys()]) {
      const p = this.#settle(key);
      p?.reject(new Error('terminal closed'));
    }
    clearTimeout(this.#timer);
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  #send(key: string, p: Pending): void {
    clearTimeout(p.resendTimer);
    if (p.resendAfterMs > 0) p.resendTimer = setTimeout(() => this.#send(key, p), p.resendAfterMs);
    // unplugged: the resend timer tries again once the port is back
    if (!this.isOpen) return;
    p.sends++;
    if (p.sends > 1) this.resends++;
    else this.faults.payloadOut += p.bytes.length;
    if (this.link === null) {
      this.#write(encodeFrame(p.bytes.subarray(TPDU_SIZE), { header: 'binary2', tpdu: parseTpdu(p.bytes) }), false);
      return;
    }
    const { id, actions } = this.link.send(p.bytes, performance.now());
    this.#linkIds.set(id, key);
    this.#run(actions);
  }

  #settle(key: string): Pending | undefined {
    const p = this.#pending.get(key);
    if (p === undefined) return undefined;
    clearTimeout(p.timer);
    clearTimeout(p.resendTimer);
    this.#pending.delete(key);
    return p;
  }

  #onData(chunk: Buffer): void {
    const faults = this.options.faults;
    let bytes = chunk;
    if (faults !== undefined) {
      if (bytes[0] === SerialControl.ACK && this.#random() < faults.dropAckRate) {
        this.faults.acksDroppedIn++;
        bytes = bytes.subarray(1);
      }
      const { out, count } = corrupt(bytes, faults.corruptRate, this.#random);
      this.faults.corruptedIn += count;
      bytes = out;
    }
    this.faults.bytesIn += chunk.length;
    if (this.link !== null) {
      this.#run(this.link.receive(bytes, performance.now()));
      return;
    }
    for (const frame of this.#decoder!.push(bytes)) this.#onMessage(frame.payload);
  }

  #onMessage(payload: Buffer): void {
    let msg: IsoMessage;
    try {
      msg = codec.decode(payload);
    } catch {
      this.undecodable++;
      return;
    }
    const key = `${msg.mti.slice(0, 2)}|${String(msg.fields[11] ?? '')}`;
    const p = this.#settle(key);
    if (p === undefined) {
      this.strayReplies++;
      return;
    }
    this.faults.payloadIn += TPDU_SIZE + payload.length;
    p.resolve(msg);
  }

  #run(actions: LinkAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'write':
          this.#write(a.bytes, a.what === 'ack');
          break;
        case 'deliver':
          this.#onMessage(a.payload.subarray(TPDU_SIZE));
          break;
        case 'sent':
          this.#linkIds.delete(a.id);
          break;
        case 'failed': {
          // the link gave up on the request frame: send it again at once if the request still waits
          const key = this.#linkIds.get(a.id);
          this.#linkIds.delete(a.id);
          const p = key === undefined ? undefined : this.#pending.get(key);
          if (p !== undefined && key !== undefined && p.resendAfterMs > 0 && a.reason !== 'reset') this.#send(key, p);
          break;
        }
        case 'timer':
          break;
      }
    }
    this.#arm();
  }

  /** One timer on the link's deadline, armed again after every call (a timeout may fire a little early). */
  #arm(): void {
    const link = this.link;
    const at = link?.deadline ?? null;
    if (at === this.#armedAt) return;
    clearTimeout(this.#timer);
    this.#armedAt = at;
    if (at === null || link === null) return;
    this.#timer = setTimeout(() => {
      this.#armedAt = null;
      this.#run(link.tick(performance.now()));
    }, Math.max(0, Math.ceil(at - performance.now())));
  }

  #write(bytes: Buffer, isAck: boolean): void {
    const port = this.#port;
    if (port === undefined || !port.isOpen) return;
    const faults = this.options.faults;
    let out = bytes;
    if (faults !== undefined) {
      if (isAck && this.#random() < faults.dropAckRate) {
        this.faults.acksDroppedOut++;
        return;
      }
      const c = corrupt(bytes, faults.corruptRate, this.#random);
      this.faults.corruptedOut += c.count;
      out = c.out;
    }
    this.faults.bytesOut += out.length;
    port.write(out);
  }
}

/** Flips one bit in each byte picked with probability `rate`, a different bit for each (see LineFaults). */
function corrupt(bytes: Buffer, rate: number, random: () => number): { out: Buffer; count: number } {
  let out = bytes;
  let used = 0;
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (random() >= rate || used === 0xff) continue;
    if (out === bytes) out = Buffer.from(bytes);
    let bit: number;
    do bit = 1 << Math.floor(random() * 8);
    while (used & bit);
    used |= bit;
    out[i] ^= bit;
    count++;
  }
  return { out, count };
}

/** A small seeded PRNG: the same faults for the same seed (give or take the order bytes arrive in). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const TEST_PAN = '4761739001010119';

export interface TxOptions {
  terminalId: string;
  merchantId?: string;
  amount: number;
  stan: string;
  mti?: string;
  proc?: string;
  batch?: string;
  invoice?: string;
  extra?: Record<number, Primitive>;
}

/** A terminal request as a terminal builds it (fields 2, 3, 4, 11, 12, 13, 14, 22, 25, 41, 42, 49, 60, 62). */
export function txRequest(o: TxOptions): { mti: string; fields: Record<number, Primitive> } {
  return {
    mti: o.mti ?? '0200',
    fields: {
      2: TEST_PAN,
      3: o.proc ?? '000000',
      4: String(o.amount).padStart(12, '0'),
      11: o.stan,
      12: '101500',
      13: '1121',
      14: '2812',
      22: '051',
      25: '00',
      41: o.terminalId,
      42: (o.merchantId ?? 'MERCHANT0000001').padEnd(15, ' '),
      49: '840',
      60: o.batch ?? '000001',
      62: o.invoice ?? '000001',
      ...o.extra,
    },
  };
}
