import { EventEmitter } from 'node:events';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { codecFor, FrameDecoder, FrameEncoder, iso87ascii, ProtocolError, type IsoMessage } from '../../protocol/index.js';
import { Backoff } from './backoff.js';
import { LinkError, type LinkErrorCode } from './errors.js';
import { isResponseMti, matchKey } from './key.js';
import { networkReply, networkRequest, NetworkCodes } from './network.js';
import { positive, resolveLinkOptions, type HostLinkOptions, type ResolvedLinkOptions } from './options.js';
import { PendingTable, type PendingRequest } from './pending.js';
import { StanCounter } from './stan.js';

export const LinkStates = {
  CONNECTING: 'connecting',
  SIGNING_ON: 'signing-on',
  UP: 'up',
  DOWN: 'down',
  STOPPED: 'stopped',
} as const;

export type LinkState = (typeof LinkStates)[keyof typeof LinkStates];

/** What the link knows about a reply that matched no request in flight. */
export interface LateReplyInfo {
  key: string;
  /** True when the key belongs to a request that timed out (and is still remembered); false for an unknown key. */
  afterDeadline: boolean;
  /** Clock times (epoch ms) of the timed-out request, when afterDeadline. */
  deadlineAt?: number;
  sentAt?: number;
}

export interface LinkStats {
  state: LinkState;
  pending: number;
  /** Requests written, network management included. */
  sent: number;
  /** Replies matched to a request in flight. */
  replies: number;
  timeouts: number;
  /** Replies that matched nothing: late or unknown. */
  late: number;
  /** Connection attempts after the first. */
  reconnects: number;
  /** Connections dropped for a malformed frame or message from the acquirer. */
  malformed: number;
  lastLatencyMs: number | null;
}

export interface HostLinkEvents {
  state: [state: LinkState];
  late: [reply: IsoMessage, info: LateReplyInfo];
  /** Round trip of every matched reply, ms. */
  latency: [ms: number];
  /** A request the acquirer initiated, other than the 0800s the link answers itself. */
  inbound: [msg: IsoMessage];
}

export interface RequestOptions {
  /** Overrides the link's deadlineMs for this request. */
  deadlineMs?: number;
}

interface Connection {
  socket: net.Socket;
  decoder: FrameDecoder;
  /** Set once the connection is given up, before its 'close' event, so nothing more is read from or written to it. */
  dead: boolean;
}

const codec = codecFor(iso87ascii);
const framer = new FrameEncoder({ header: 'binary2' });
const STAN = /^\d{6}$/;
const MTI = /^\d{4}$/;
/** Longest wait for the acquirer to close its side after a sign-off. */
const CLOSE_GRACE_MS = 1000;

/**
 * Every request on the link goes through one socket: the writes made in one tick (the authorizations a journal
 * commit released together) leave in one system call, the socket corked at the first and uncorked after the tick.
 */
function writeBatched(socket: net.Socket, frame: Buffer): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(uncork, socket);
  }
  socket.write(frame);
}

function uncork(socket: net.Socket): void {
  socket.uncork();
}

/**
 * The gateway's one persistent connection to one acquirer: sign-on, request/reply matching with per-request
 * deadlines, late replies, idle echoes, reconnect with backoff. Frames are binary2 + iso87ascii, no TPDU.
 */
export class HostLink extends EventEmitter<HostLinkEvents> {
  readonly id: string;
  readonly options: ResolvedLinkOptions;

  #state: LinkState = LinkStates.STOPPED;
  #running = false;
  /** True from the call to stop() until the link is stopped; requests are refused meanwhile. */
  #stopping = false;
  #stopPromise: Promise<void> | undefined;
  #conn: Connection | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #echoTimer: NodeJS.Timeout | undefined;
  /** performance.now() of the last frame read or written. */
  #lastActivity = 0;
  readonly #stans: StanCounter;
  readonly #pending: PendingTable;
  readonly #backoff: Backoff;
  readonly #counts = { sent: 0, replies: 0, timeouts: 0, late: 0, reconnects: 0, malformed: 0 };
  #lastLatencyMs: number | null = null;

  constructor(options: HostLinkOptions) {
    super();
    this.options = resolveLinkOptions(options);
    this.id = this.options.id;
    this.#stans = new StanCounter(this.options.initialStan);
    this.#pending = new PendingTable(this.options.lateMemory, (entry) => this.#onDeadline(entry));
    this.#backoff = new Backoff(this.options.reconnect);
  }

  get state(): LinkState {
    return this.#state;
  }

  /** The next STAN of this link, "000001".."999999", then "000001" again. */
  nextStan(): string {
    return this.#stans.next();
  }

  stats(): LinkStats {
    return { state: this.#state, pending: this.#pending.size, ...this.#counts, lastLatencyMs: this.#lastLatencyMs };
  }

  /** Starts connecting; watch 'state' for 'up'. Does nothing when already started. */
  start(): void {
    if (this.#stopping) throw new Error('HostLink.stop() is still in progress');
    if (this.#running) return;
    this.#running = true;
    this.#backoff.reset();
    this.#connect();
  }

  /**
   * Signs off (when up), lets replies arrive until the acquirer closes or a short grace ends, rejects what is still
   * pending with DISCONNECTED, and closes. New requests are refused from the moment it is called.
   */
  stop(): Promise<void> {
    if (this.#stopPromise) return this.#stopPromise;
    if (!this.#running) return Promise.resolve();
    this.#stopping = true;
    this.#stopPromise = this.#shutdown().finally(() => {
      this.#stopping = false;
      this.#stopPromise = undefined;
    });
    return this.#stopPromise;
  }

  /**
   * Sends a request and resolves with the reply matching its MTI class, STAN (11) and RRN (37). The caller sets
   * field 11 (from nextStan()) and every other field; the link adds nothing. Rejects with a LinkError.
   */
  request(msg: IsoMessage, opts?: RequestOptions): Promise<IsoMessage> {
    let deadlineMs: number;
    try {
      deadlineMs = positive(opts?.deadlineMs, 'deadlineMs', this.options.deadlineMs);
    } catch (e) {
      return Promise.reject(e);
    }
    if (typeof msg !== 'object' || msg === null || typeof msg.mti !== 'string' || !MTI.test(msg.mti) || typeof msg.fields !== 'object' || msg.fields === null) {
      return this.#fail('INVALID_REQUEST', 'a request needs a four-digit MTI and a fields object');
    }
    const stan = msg.fields[11];
    if (typeof stan !== 'string' || !STAN.test(stan)) {
      return this.#fail('INVALID_REQUEST', 'a request needs field 11 (STAN) as six digits', msg.mti);
    }
    const conn = this.#conn;
    if (this.#state !== LinkStates.UP || conn === undefined || this.#stopping) {
      return this.#fail('NOT_CONNECTED', `link ${this.id} is ${this.#stopping ? 'stopping' : this.#state}`, msg.mti, matchKey(msg));
    }
    return this.#send(conn, msg, deadlineMs);
  }

  /** Sends an 0800/301 echo and resolves with the round trip in ms; REJECTED when the answer is not 00. */
  echo(): Promise<number> {
    const conn = this.#conn;
    if (this.#state !== LinkStates.UP || conn === undefined || this.#stopping) {
      return this.#fail('NOT_CONNECTED', `link ${this.id} is ${this.#stopping ? 'stopping' : this.#state}`, '0800');
    }
    const started = performance.now();
    const msg = networkRequest(NetworkCodes.ECHO, this.nextStan(), this.options.clock.now());
    return this.#send(conn, msg, this.options.deadlineMs).then((reply) => {
      checkApproved(reply, matchKey(msg));
      return performance.now() - started;
    });
  }

  #fail(code: LinkErrorCode, detail: string, mti?: string, key?: string): Promise<never> {
    return Promise.reject(new LinkError(code, false, detail, { mti, key }));
  }

  #log(level: 'debug' | 'info' | 'warn' | 'error', obj: object, msg: string): void {
    this.options.logger[level]({ acquirer: this.id, ...obj }, msg);
  }

  #setState(state: LinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#log('info', { state }, 'host link state');
    this.emit('state', state);
  }

  #connect(): void {
    this.#reconnectTimer = undefined;
    this.#setState(LinkStates.CONNECTING);
    const { host, port, tls: tlsOptions, connectTimeoutMs, maxFrameSize } = this.options;
    const socket = tlsOptions ? tls.connect({ ...tlsOptions, host, port }) : net.connect({ host, port });
    const conn: Connection = { socket, decoder: new FrameDecoder({ header: 'binary2', maxFrameSize }), dead: false };
    this.#conn = conn;
    const connectTimer = setTimeout(() => {
      this.#log('warn', { connectTimeoutMs }, 'connect timed out');
      this.#drop(conn, 'connect timeout');
    }, connectTimeoutMs);
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      if (conn.dead) return;
      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      this.#lastActivity = performance.now();
      void this.#signOn(conn);
    });
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    // Socket errors carry no card data; 'close' follows every one of them.
    socket.on('error', (err: NodeJS.ErrnoException) => this.#log('warn', { err: { code: err.code, message: err.message } }, 'host link socket error'));
    socket.on('close', () => {
      clearTimeout(connectTimer);
      this.#drop(conn, 'connection closed');
    });
  }

  async #signOn(conn: Connection): Promise<void> {
    this.#setState(LinkStates.SIGNING_ON);
    const msg = networkRequest(NetworkCodes.SIGN_ON, this.nextStan(), this.options.clock.now());
    try {
      checkApproved(await this.#send(conn, msg, this.options.deadlineMs), matchKey(msg));
    } catch (e) {
      if (conn.dead) return;
      this.#log('warn', errorFacts(e), 'sign-on failed');
      this.#drop(conn, 'sign-on failed');
      return;
    }
    if (conn.dead || this.#stopping) return;
    this.#backoff.reset();
    this.#setState(LinkStates.UP);
    this.#armEcho();
  }

  /** Registers the request, then writes it. Everything refused here was not sent. */
  #send(conn: Connection, msg: IsoMessage, deadlineMs: number): Promise<IsoMessage> {
    const key = matchKey(msg);
    if (this.#pending.has(key)) return this.#fail('DUPLICATE_KEY', `a request with key ${key} is already pending`, msg.mti, key);
    if (this.#pending.size >= this.options.maxPending) {
      return this.#fail('OVERLOADED', `${this.#pending.size} requests are pending on link ${this.id}`, msg.mti, key);
    }
    let frame: Buffer;
    try {
      frame = this.#frame(msg);
    } catch (e) {
      return Promise.reject(new LinkError('INVALID_REQUEST', false, `the request does not encode: ${(e as Error).message}`, { mti: msg.mti, key, cause: e }));
    }
    return new Promise<IsoMessage>((resolve, reject) => {
      const sentAt = this.options.clock.now();
      const sentMono = performance.now();
      const entry: PendingRequest = {
        key,
        mti: msg.mti,
        sentAt,
        deadlineAt: sentAt + deadlineMs,
        sentMono,
        deadlineMs,
        deadlineMono: sentMono + deadlineMs,
        resolve,
        reject,
      };
      this.#pending.add(entry);
      writeBatched(conn.socket, frame);
      this.#counts.sent++;
      this.#lastActivity = entry.sentMono;
    });
  }

  /** Encodes and frames a message, refusing what the acquirer's decoder would refuse. */
  #frame(msg: IsoMessage): Buffer {
    const payload = codec.encode(msg);
    if (payload.length > this.options.maxFrameSize) {
      throw new ProtocolError('FRAME_TOO_LARGE', `message is ${payload.length} bytes, the maximum is ${this.options.maxFrameSize}`, { mti: msg.mti });
    }
    return framer.encode(payload);
  }

  #onDeadline(entry: PendingRequest): void {
    if (this.#pending.take(entry.key) !== entry) return;
    this.#pending.expire(entry);
    this.#counts.timeouts++;
    const deadlineMs = entry.deadlineMs;
    this.#log('warn', { key: entry.key, mti: entry.mti, deadlineMs }, 'request timed out');
    entry.reject(new LinkError('TIMEOUT', true, `no reply within ${deadlineMs} ms`, { key: entry.key, mti: entry.mti }));
  }

  #onData(conn: Connection, chunk: Buffer): void {
    if (conn.dead) return;
    this.#lastActivity = performance.now();
    try {
      conn.decoder.append(chunk);
    } catch (e) {
      this.#malformed(conn, e);
      return;
    }
    for (;;) {
      let msg: IsoMessage;
      try {
        const frame = conn.decoder.next();
        if (frame === undefined) return;
        msg = codec.decode(frame.payload);
      } catch (e) {
        this.#malformed(conn, e);
        return;
      }
      this.#onMessage(conn, msg);
      if (conn.dead) return;
    }
  }

  /**
   * After a bad frame or message the byte stream can no longer be trusted: drop it and start over. The codec only
   * throws ProtocolError; anything else is treated the same way rather than crashing the gateway from a socket event.
   */
  #malformed(conn: Connection, e: unknown): void {
    this.#counts.malformed++;
    this.#log('error', errorFacts(e), 'malformed frame from acquirer');
    this.#drop(conn, 'malformed frame');
  }

  #onMessage(conn: Connection, msg: IsoMessage): void {
    if (!isResponseMti(msg.mti)) {
      if (msg.mti === '0800') {
        this.#write(conn, networkReply(msg));
        return;
      }
      this.#log('warn', { mti: msg.mti }, 'request from acquirer');
      this.emit('inbound', msg);
      return;
    }
    const key = matchKey(msg);
    const entry = this.#pending.take(key);
    if (entry !== undefined) {
      const ms = performance.now() - entry.sentMono;
      this.#counts.replies++;
      this.#lastLatencyMs = ms;
      this.emit('latency', ms);
      entry.resolve(msg);
      return;
    }
    const expired = this.#pending.expired(key);
    const info: LateReplyInfo = expired ? { key, afterDeadline: true, deadlineAt: expired.deadlineAt, sentAt: expired.sentAt } : { key, afterDeadline: false };
    this.#counts.late++;
    this.#log('warn', { key, mti: msg.mti, afterDeadline: info.afterDeadline }, expired ? 'late reply' : 'reply matches no request');
    this.emit('late', msg, info);
  }

  /** Writes a message that expects no reply (an answer to the acquirer's 0800). */
  #write(conn: Connection, msg: IsoMessage): void {
    try {
      writeBatched(conn.socket, this.#frame(msg));
      this.#lastActivity = performance.now();
    } catch (e) {
      this.#log('error', errorFacts(e), 'could not encode an answer to the acquirer');
    }
  }

  #armEcho(): void {
    const interval = this.options.echoIntervalMs;
    if (interval === 0) return;
    clearTimeout(this.#echoTimer);
    const wait = Math.max(1, this.#lastActivity + interval - performance.now());
    this.#echoTimer = setTimeout(() => this.#echoTick(), wait);
  }

  #echoTick(): void {
    this.#echoTimer = undefined;
    const conn = this.#conn;
    if (this.#state !== LinkStates.UP || conn === undefined || this.#stopping) return;
    if (performance.now() - this.#lastActivity < this.options.echoIntervalMs) {
      this.#armEcho();
      return;
    }
    // The next echo is armed only once this one settles, so a slow acquirer never has two in flight.
    this.echo().then(
      (ms) => {
        this.#log('debug', { ms }, 'echo');
        if (this.#conn === conn && this.#state === LinkStates.UP && !this.#stopping) this.#armEcho();
      },
      (e) => {
        if (conn.dead || this.#stopping) return;
        this.#log('warn', errorFacts(e), 'echo failed');
        this.#drop(conn, 'echo failed');
      },
    );
  }

  /**
   * Gives up a connection once: fails what is pending on it (it was all sent) and, unless stopping, schedules the
   * next attempt.
   */
  #drop(conn: Connection, reason: string): void {
    if (conn.dead) return;
    conn.dead = true;
    conn.socket.destroy();
    if (this.#conn !== conn) return;
    this.#conn = undefined;
    clearTimeout(this.#echoTimer);
    this.#echoTimer = undefined;
    const lost = this.#pending.drain();
    if (lost.length > 0) this.#log('warn', { reason, pending: lost.length }, 'connection lost with requests in flight');
    else this.#log('info', { reason }, 'connection closed');
    for (const entry of lost) {
      entry.reject(new LinkError('DISCONNECTED', true, `the connection closed (${reason}) before a reply`, { key: entry.key, mti: entry.mti }));
    }
    if (!this.#running || this.#stopping) return;
    this.#setState(LinkStates.DOWN);
    const delay = this.#backoff.next();
    this.#log('info', { delay, attempt: this.#backoff.attempt }, 'reconnecting');
    this.#reconnectTimer = setTimeout(() => {
      this.#counts.reconnects++;
      this.#connect();
    }, delay);
  }

  async #shutdown(): Promise<void> {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    clearTimeout(this.#echoTimer);
    this.#echoTimer = undefined;
    const conn = this.#conn;
    if (conn !== undefined && this.#state === LinkStates.UP) {
      const msg = networkRequest(NetworkCodes.SIGN_OFF, this.nextStan(), this.options.clock.now());
      try {
        checkApproved(await this.#send(conn, msg, this.options.deadlineMs), matchKey(msg));
        this.#log('info', {}, 'signed off');
      } catch (e) {
        this.#log('warn', errorFacts(e), 'sign-off failed');
      }
    }
    if (conn !== undefined && !conn.dead && this.#state !== LinkStates.UP) this.#drop(conn, 'stopped');
    if (conn !== undefined && !conn.dead) {
      // Half-close: replies still in flight can arrive until the acquirer closes its side.
      conn.socket.end();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(CLOSE_GRACE_MS, this.options.deadlineMs));
        conn.socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.#drop(conn, 'stopped');
    }
    this.#running = false;
    this.#setState(LinkStates.STOPPED);
  }
}

function checkApproved(reply: IsoMessage, key: string): void {
  const code = reply.fields[39];
  if (code !== '00') {
    const responseCode = typeof code === 'string' ? code : undefined;
    throw new LinkError('REJECTED', true, `the acquirer answered ${reply.mti} with response code ${responseCode ?? '(none)'}`, {
      key,
      mti: reply.mti,
      responseCode,
    });
  }
}

/** Loggable facts of an error: code and message, both free of card data for LinkError and ProtocolError. */
function errorFacts(e: unknown): object {
  if (e instanceof LinkError || e instanceof ProtocolError) return { err: e.toJSON() };
  return { err: { message: e instanceof Error ? e.message : String(e) } };
}
