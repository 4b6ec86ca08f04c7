import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import {
  encodeFrame,
  FrameDecoder,
  ProtocolError,
  SerialLink,
  TPDU_SIZE,
  writeSerialFrameFor,
  writeTpdu,
  type LinkAction,
  type SerialLinkStats,
} from './serial-protocol.js';
import { Inbox } from './inbox.js';
import { TransportError } from './errors.js';
import type { LinkOptions } from './link-options.js';
import { hasSerialFaults, type SerialFaultSet } from './serial-faults.js';
import { formatSerialTarget, type SerialTarget } from './target.js';
import type { Transport } from './transport.js';

/** Frames queued while nobody waits, as on TCP. */
const DEFAULT_CONNECT_MS = 10_000;

/** What the line faults did, for reports and tests. */
export interface SerialFaultLog {
  corruptedBytes: number;
  acksDropped: number;
  framesRepeated: number;
  pauses: number;
  /** How each break was made: on the line (TIOCSBRK), or by closing and reopening the port. */
  breaks: ('line' | 'reopen')[];
  /** Repeated reply frames (retransmissions after a lost ACK) not passed up. */
  repeatsDropped: number;
}

/**
 * A serial port with the terminal payload (TPDU + message, as on TCP) in `STX | length | message | ETX | LRC` frames
 * answered ACK/NAK (the protocol's SerialLink), or in the TCP length framing without a link layer. `send` resolves
 * once the frame is ACKed. `frame` and `writeRaw` let the wire faults write bytes past the link layer.
 */
export class SerialTransport implements Transport {
  readonly description: string;
  readonly faultLog: SerialFaultLog = { corruptedBytes: 0, acksDropped: 0, framesRepeated: 0, pauses: 0, breaks: [], repeatsDropped: 0 };
  readonly #link: SerialLink | null;
  #port: SerialPort | undefined;
  #decoder: FrameDecoder | undefined;
  readonly #inbox: Inbox;
  #writes: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #armedAt: number | null = null;
  readonly #sends = new Map<number, { resolve(): void; reject(e: TransportError): void }>();
  #armed: { faults: SerialFaultSet; isTarget: (payload: Buffer) => boolean } | undefined;
  /** The link id of the request frame the armed faults hit. */
  #faulted: { id: number; faults: SerialFaultSet } | undefined;
  #dropNextAck = false;

  constructor(
    readonly target: SerialTarget,
    readonly link: LinkOptions,
  ) {
    this.description = formatSerialTarget(target);
    this.#inbox = new Inbox(this.description);
    const { ackTimeoutMs, interCharTimeoutMs, retries } = target;
    this.#link = target.framing === 'stx-etx' ? new SerialLink(definedOnly({ ackTimeoutMs, interCharTimeoutMs, retries, maxFrameSize: Math.min(link.maxFrameSize, 9999) })) : null;
  }

  get connected(): boolean {
    return this.#port !== undefined && this.#inbox.failure === undefined;
  }

  /** The link layer's counters (null in length framing). */
  get linkStats(): SerialLinkStats | null {
    return this.#link?.stats ?? null;
  }

  /** Line faults for the next request `isTarget` accepts (TPDU + message), once; `disarm` ends them. */
  arm(faults: SerialFaultSet, isTarget: (payload: Buffer) => boolean = () => true): void {
    this.#armed = hasSerialFaults(faults) ? { faults, isTarget } : undefined;
  }

  disarm(): void {
    this.#armed = undefined;
    this.#faulted = undefined;
    this.#dropNextAck = false;
  }

  async connect(timeoutMs = DEFAULT_CONNECT_MS): Promise<void> {
    if (this.connected) return;
    this.#reset();
    const port = await this.#open(timeoutMs);
    this.#attach(port);
  }

  /** The bytes `send` would write for `payload` (the first attempt, without faults). */
  frame(payload: Buffer): Buffer {
    if (this.#link === null) return encodeFrame(payload, { header: this.link.header, tpdu: this.link.tpdu ?? undefined });
    return writeSerialFrameFor(this.#message(payload), this.#link);
  }

  async send(payload: Buffer): Promise<void> {
    if (this.#port === undefined) throw new TransportError('NOT_CONNECTED', `not connected to ${this.description}`);
    if (this.#inbox.failure !== undefined) throw new TransportError('CLOSED', this.#inbox.failure.message, { sent: false });
    const armed = this.#armed;
    const faults = armed !== undefined && armed.isTarget(payload) ? armed.faults : undefined;
    if (faults !== undefined) this.#armed = undefined;
    if (faults?.breakMs !== undefined) await this.#break(faults.breakMs);
    const link = this.#link;
    if (link === null) {
      await this.writeRaw(this.frame(payload));
      return;
    }
    let id: number;
    let actions: LinkAction[];
    try {
      ({ id, actions } = link.send(this.#message(payload), performance.now()));
    } catch (e) {
      if (e instanceof ProtocolError) throw new TransportError('BAD_FRAME', `request does not fit a serial frame (${e.code})`, { cause: e });
      throw e;
    }
    if (faults !== undefined) this.#faulted = { id, faults };
    const settled = new Promise<void>((resolve, reject) => this.#sends.set(id, { resolve, reject }));
    this.#run(actions);
    return settled;
  }

  /** Writes bytes as they are, past the link layer (in order with the link's own writes). */
  writeRaw(bytes: Buffer): Promise<void> {
    if (this.#port === undefined) return Promise.reject(new TransportError('NOT_CONNECTED', `not connected to ${this.description}`));
    if (this.#inbox.failure !== undefined) return Promise.reject(new TransportError('CLOSED', this.#inbox.failure.message, { sent: false }));
    return this.#write(bytes);
  }

  receive(timeoutMs: number): Promise<Buffer> {
    return this.#inbox.receive(timeoutMs, this.#port !== undefined);
  }

  discard(): void {
    this.#inbox.discard();
  }

  async close(): Promise<void> {
    const port = this.#port;
    this.#fail(new TransportError('CLOSED', `${this.description} closed`));
    if (port === undefined || !port.isOpen) return;
    // an ACK for the last reply may still be on its way out
    await this.#writes;
    await new Promise<void>((resolve) => port.drain(() => port.close(() => resolve())));
  }

  #message(payload: Buffer): Buffer {
    return this.link.tpdu === null ? payload : Buffer.concat([writeTpdu(this.link.tpdu), payload]);
  }

  #open(timeoutMs: number): Promise<SerialPort> {
    const t = this.target;
    const port = new SerialPort({ path: t.path, baudRate: t.baudRate, dataBits: t.dataBits, parity: t.parity, stopBits: t.stopBits, autoOpen: false });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new TransportError('CONNECT_FAILED', `${this.description} did not open within ${timeoutMs} ms`)), timeoutMs);
      port.open((err) => {
        clearTimeout(timer);
        if (err) reject(new TransportError('CONNECT_FAILED', `cannot open ${this.description}: ${err.message}`, { cause: err }));
        else resolve(port);
      });
    });
  }

  #reset(): void {
    if (this.#port?.isOpen) this.#port.close(() => undefined);
    this.#port = undefined;
    this.#inbox.reset();
    this.#writes = Promise.resolve();
    this.#decoder = new FrameDecoder({ header: this.link.header, tpdu: this.link.tpdu !== null, maxFrameSize: this.link.maxFrameSize });
  }

  #attach(port: SerialPort): void {
    this.#port = port;
    port.on('data', (chunk: Buffer) => this.#onData(chunk));
    port.on('error', (e: Error) => this.#fail(new TransportError('CLOSED', `${this.description} failed: ${e.message}`, { sent: true, cause: e })));
    port.on('close', () => {
      if (this.#port !== port) return;
      this.#fail(new TransportError('CLOSED', `${this.description} closed (unplugged?)`, { sent: true }));
    });
  }

  #onData(chunk: Buffer): void {
    if (this.#link !== null) {
      this.#run(this.#link.receive(chunk, performance.now()));
      return;
    }
    try {
      this.#decoder!.append(chunk);
      for (let f = this.#decoder!.next(); f !== undefined; f = this.#decoder!.next()) this.#deliver(Buffer.from(f.payload));
    } catch (e) {
      const detail = e instanceof ProtocolError ? `${e.code}: ${e.message}` : String(e);
      this.#fail(new TransportError('BAD_FRAME', `unreadable frame from ${this.description} (${detail})`, { sent: true, cause: e }));
    }
  }

  #run(actions: LinkAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'write':
          if (a.what === 'frame') this.#writeFrame(a.bytes, a.id, a.attempt);
          else if (a.what === 'ack' && this.#dropNextAck) {
            this.#dropNextAck = false;
            this.faultLog.acksDropped++;
          } else void this.#write(a.bytes).catch(() => undefined);
          break;
        case 'deliver':
          if (a.repeat) {
            // a reply frame sent again because our ACK was lost: the message is already in
            this.faultLog.repeatsDropped++;
            break;
          }
          this.#deliver(this.link.tpdu === null ? Buffer.from(a.payload) : Buffer.from(a.payload.subarray(TPDU_SIZE)));
          break;
        case 'sent': {
          const f = this.#faulted;
          if (f?.id === a.id) {
            this.#faulted = undefined;
            if (f.faults.repeatFrame === true) {
              this.faultLog.framesRepeated++;
              void this.#write(this.#lastFrame.get(a.id) ?? Buffer.alloc(0)).catch(() => undefined);
            }
            if (f.faults.dropAck === true) this.#dropNextAck = true;
          }
          this.#lastFrame.delete(a.id);
          this.#sends.get(a.id)?.resolve();
          this.#sends.delete(a.id);
          break;
        }
        case 'failed': {
          this.#lastFrame.delete(a.id);
          const e = new TransportError(a.reason === 'reset' ? 'CLOSED' : 'TIMEOUT', `${this.description}: the request frame was not acknowledged (${a.reason}, ${a.attempts} attempts)`, { sent: a.attempts > 0 });
          this.#sends.get(a.id)?.reject(e);
          this.#sends.delete(a.id);
          break;
        }
        case 'timer':
          break;
      }
    }
    this.#arm();
  }

  readonly #lastFrame = new Map<number, Buffer>();

  #writeFrame(bytes: Buffer, id: number, attempt: number): void {
    this.#lastFrame.set(id, bytes);
    const f = this.#faulted?.id === id && attempt === 1 ? this.#faulted.faults : undefined;
    let out = bytes;
    if (f?.corruptByte === true) {
      // a message byte, not STX or the length: the frame still ends where it says, so the gateway NAKs at once
      out = Buffer.from(bytes);
      out[3 + Math.floor((bytes.length - 5) / 2)] ^= 0x10;
      this.faultLog.corruptedBytes++;
    }
    if (f?.pauseMs !== undefined) {
      const half = Math.floor(out.length / 2);
      this.faultLog.pauses++;
      void this.#write(out.subarray(0, half), f.pauseMs).catch(() => undefined);
      void this.#write(out.subarray(half)).catch(() => undefined);
      return;
    }
    void this.#write(out).catch(() => undefined);
  }

  /** Writes in order; `thenPauseMs` holds the line that long after these bytes are out. */
  #write(bytes: Buffer, thenPauseMs = 0): Promise<void> {
    const run = async (): Promise<void> => {
      const port = this.#port;
      if (port === undefined || !port.isOpen) throw new TransportError('CLOSED', `${this.description} is not open`);
      await new Promise<void>((resolve, reject) => {
        port.write(bytes, (e) => (e ? reject(new TransportError('CLOSED', `write to ${this.description} failed: ${e.message}`, { sent: true, cause: e })) : resolve()));
      });
      if (thenPauseMs > 0) {
        await new Promise<void>((resolve) => port.drain(() => resolve()));
        await sleep(thenPauseMs);
      }
    };
    const p = this.#writes.then(run, run);
    this.#writes = p.catch(() => undefined);
    return p;
  }

  /** A break on the line; a port whose driver refuses it is closed and opened again instead. */
  async #break(ms: number): Promise<void> {
    const port = this.#port!;
    await this.#writes;
    try {
      await new Promise<void>((resolve, reject) => port.set({ brk: true }, (e) => (e ? reject(e) : resolve())));
      await sleep(ms);
      await new Promise<void>((resolve, reject) => port.set({ brk: false }, (e) => (e ? reject(e) : resolve())));
      this.faultLog.breaks.push('line');
    } catch {
      this.#port = undefined;
      await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
      if (this.#link !== null) this.#run(this.#link.reset());
      await sleep(ms);
      this.#attach(await this.#open(DEFAULT_CONNECT_MS));
      this.faultLog.breaks.push('reopen');
    }
  }

  /** One timer on the link's deadline, armed again after every call: Node may fire a timeout a little early. */
  #arm(): void {
    const link = this.#link;
    const at = link === null || this.#inbox.failure !== undefined ? null : link.deadline;
    if (at === this.#armedAt) return;
    clearTimeout(this.#timer);
    this.#armedAt = at;
    if (at === null || link === null) return;
    this.#timer = setTimeout(() => {
      this.#armedAt = null;
      this.#run(link.tick(performance.now()));
    }, Math.max(0, Math.ceil(at - performance.now())));
  }

  #deliver(payload: Buffer): void {
    if (!this.#inbox.deliver(payload)) this.#fail(this.#inbox.flooded());
  }

  #fail(e: TransportError): void {
    if (!this.#inbox.fail(e)) return;
    clearTimeout(this.#timer);
    this.#armedAt = null;
    if (this.#link !== null) {
      const reset = this.#link.reset();
      for (const a of reset) if (a.type === 'failed') this.#sends.get(a.id)?.reject(new TransportError('CLOSED', e.message, { sent: a.attempts > 0 }));
    }
    this.#sends.clear();
    this.#lastFrame.clear();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
