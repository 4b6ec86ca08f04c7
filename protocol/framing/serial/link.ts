import { SerialControl } from './control.js';
import { SerialFrameDecoder, type SerialFrameEvent } from './decoder.js';
import { writeSerialFrame } from './encoder.js';
import { resolveLinkOptions, type ResolvedSerialLinkOptions, type SerialLinkOptions } from './link-options.js';

/** Why the link gave up on a frame. */
export const LinkFailReasons = {
  'ack-timeout': 'no ACK or NAK came within ackTimeoutMs of the last attempt, and no retries were left',
  nak: 'the last attempt was answered with NAK, and no retries were left',
  reset: 'the link was reset (the port closed or was unplugged) before the frame was acknowledged',
} as const;
export type LinkFailReason = keyof typeof LinkFailReasons;

/**
 * What the caller must do, in order. `write`s go to the port as they come; a `deliver` is a received message for the
 * upper layer; `sent` and `failed` settle a `send`; `timer` says when to call `tick` next (null: no timer needed).
 */
export type LinkAction =
  | { type: 'write'; what: 'frame'; bytes: Buffer; id: number; attempt: number }
  | { type: 'write'; what: 'ack' | 'nak'; bytes: Buffer }
  /** `repeat`: byte for byte the message delivered last, most likely a retransmission after a lost ACK. */
  | { type: 'deliver'; payload: Buffer; repeat: boolean }
  | { type: 'sent'; id: number; attempts: number }
  | { type: 'failed'; id: number; reason: LinkFailReason; attempts: number }
  | { type: 'timer'; at: number | null };

export interface SerialLinkStats {
  /** Frames written for the first time. */
  framesSent: number;
  retransmissions: number;
  acked: number;
  failed: number;
  delivered: number;
  /** Deliveries flagged `repeat`. */
  repeats: number;
  acksSent: number;
  naksSent: number;
  naksReceived: number;
  ackTimeouts: number;
  /** Received frames that failed a check, stalled ones included. */
  corruptFrames: number;
  stalledFrames: number;
  /** ACK or NAK bytes that came with nothing in flight. */
  strayControl: number;
  /** Bytes outside frames that were not taken as ACK or NAK. */
  noiseBytes: number;
}

interface Outgoing {
  id: number;
  frame: Buffer;
  attempts: number;
}

/**
 * The ACK/NAK link layer of an `STX | length | message | ETX | LRC` serial line, as a pure state machine: it does
 * no I/O and keeps no timers. The caller passes its clock's `now` (milliseconds) to every call and carries out the
 * returned actions; a `timer` action asks to be called back with `tick` at that time.
 *
 * Sending: one frame in flight at a time; more sends queue. A NAK or `ackTimeoutMs` without an answer
 * retransmits the same bytes, up to `retries` times, then the frame fails.
 *
 * Receiving: a good frame is answered ACK and delivered, every time it arrives (dropping duplicates is the upper
 * layer's job; `repeat` flags one). A frame with a bad LRC is answered NAK at once. After a bad length or a missing
 * ETX the frame's end is unknown, so the receiver drops everything until the line has been quiet for
 * `interCharTimeoutMs`, then answers one NAK; a frame that stalls that long is dropped and answered NAK too.
 *
 * ACK and NAK are single bytes without a check. To keep line garbage (say, the body of a frame whose STX was hit)
 * from being taken for them, an ACK or NAK counts only when no other stray byte came within `interCharTimeoutMs`
 * before it.
 */
export class SerialLink {
  readonly options: ResolvedSerialLinkOptions;

  readonly #decoder: SerialFrameDecoder;
  #nextId = 1;
  #queue: Outgoing[] = [];
  #inFlight: Outgoing | null = null;
  #ackAt: number | null = null;
  /** When the receiving side acts on a quiet line: end of a stalled frame, or end of a drain after a bad frame. */
  #quietAt: number | null = null;
  #draining = false;
  #noisyUntil = -Infinity;
  #lastDelivered: Buffer | null = null;
  /** The deadline last announced with a `timer` action. */
  #timer: number | null = null;
  #stats: SerialLinkStats = {
    framesSent: 0,
    retransmissions: 0,
    acked: 0,
    failed: 0,
    delivered: 0,
    repeats: 0,
    acksSent: 0,
    naksSent: 0,
    naksReceived: 0,
    ackTimeouts: 0,
    corruptFrames: 0,
    stalledFrames: 0,
    strayControl: 0,
    noiseBytes: 0,
  };

  constructor(options: SerialLinkOptions = {}) {
    this.options = resolveLinkOptions(options);
    const { lrcCovers, lrcSeed, maxFrameSize } = this.options;
    this.#decoder = new SerialFrameDecoder({ lrcCovers, lrcSeed, maxFrameSize });
  }

  /** Counters for metrics; a copy. */
  get stats(): SerialLinkStats {
    return { ...this.#stats };
  }

  /** Frames sent but not yet settled (`sent` or `failed`): the one in flight and the queued ones. */
  get pending(): number {
    return this.#queue.length + (this.#inFlight === null ? 0 : 1);
  }

  /** When `tick` must be called next, or null. */
  get deadline(): number | null {
    return this.#timer;
  }

  /**
   * Queues `message` (the TPDU and ISO 8583 message) and returns the id its `sent` or `failed` action will carry.
   * Throws FRAME_BAD_LENGTH or FRAME_TOO_LARGE, and queues nothing, for an empty or oversized message.
   */
  send(message: Buffer, now: number): { id: number; actions: LinkAction[] } {
    checkNow(now);
    const frame = writeSerialFrame(message, this.options);
    const actions: LinkAction[] = [];
    this.#expire(now, actions);
    const id = this.#nextId++;
    this.#queue.push({ id, frame, attempts: 0 });
    this.#startNext(now, actions);
    return { id, actions: this.#settle(actions) };
  }

  /** Bytes read from the port. The link keeps no reference to `bytes`. */
  receive(bytes: Buffer, now: number): LinkAction[] {
    checkNow(now);
    const actions: LinkAction[] = [];
    this.#expire(now, actions);
    if (bytes.length > 0) {
      if (this.#draining) {
        this.#stats.noiseBytes += bytes.length;
      } else {
        for (const event of this.#decoder.push(bytes)) this.#onEvent(event, now, actions);
      }
      this.#quietAt = this.#draining || this.#decoder.midFrame ? now + this.options.interCharTimeoutMs : null;
    }
    return this.#settle(actions);
  }

  /** Acts on every deadline up to `now`. Calling it early, late or more than once is harmless. */
  tick(now: number): LinkAction[] {
    checkNow(now);
    const actions: LinkAction[] = [];
    this.#expire(now, actions);
    return this.#settle(actions);
  }

  /**
   * After the port closed (unplugged, power loss) or before it reopens: fails the frame in flight and every queued
   * one with reason `reset`, and forgets any partial frame received. The link stays usable; the last delivered
   * message is kept, so a frame the terminal repeats after a reopen is still flagged `repeat`.
   */
  reset(): LinkAction[] {
    const actions: LinkAction[] = [];
    const dropped = this.#inFlight === null ? this.#queue : [this.#inFlight, ...this.#queue];
    for (const out of dropped) this.#fail(out, 'reset', actions);
    this.#inFlight = null;
    this.#queue = [];
    this.#ackAt = null;
    this.#decoder.reset();
    this.#draining = false;
    this.#quietAt = null;
    this.#noisyUntil = -Infinity;
    return this.#settle(actions);
  }

  #onEvent(event: SerialFrameEvent, now: number, actions: LinkAction[]): void {
    if (this.#draining) {
      this.#stats.noiseBytes += event.type === 'noise' ? event.bytes.length : 0;
      return;
    }
    switch (event.type) {
      case 'noise':
        for (const byte of event.bytes) this.#onStrayByte(byte, now, actions);
        return;
      case 'frame': {
        this.#write('ack', actions);
        const repeat = this.#lastDelivered !== null && this.#lastDelivered.equals(event.payload);
        this.#lastDelivered = Buffer.from(event.payload);
        this.#stats.delivered++;
        if (repeat) this.#stats.repeats++;
        actions.push({ type: 'deliver', payload: event.payload, repeat });
        return;
      }
      case 'corrupt':
        this.#stats.corruptFrames++;
        if (event.reason === 'bad-lrc') {
          // The frame ended where its length said (ETX in place): the sender is done and waits for the answer.
          this.#write('nak', actions);
        } else {
          this.#draining = true;
          this.#decoder.reset();
        }
        return;
    }
  }

  #onStrayByte(byte: number, now: number, actions: LinkAction[]): void {
    const control = byte === SerialControl.ACK || byte === SerialControl.NAK;
    if (!control || now < this.#noisyUntil) {
      this.#stats.noiseBytes++;
      this.#noisyUntil = now + this.options.interCharTimeoutMs;
      return;
    }
    const out = this.#inFlight;
    if (out === null) {
      this.#stats.strayControl++;
      return;
    }
    if (byte === SerialControl.ACK) {
      this.#inFlight = null;
      this.#ackAt = null;
      this.#stats.acked++;
      actions.push({ type: 'sent', id: out.id, attempts: out.attempts });
      this.#startNext(now, actions);
    } else {
      this.#stats.naksReceived++;
      this.#retryOrFail(out, 'nak', now, actions);
    }
  }

  #expire(now: number, actions: LinkAction[]): void {
    if (this.#quietAt !== null && now >= this.#quietAt) {
      this.#quietAt = null;
      if (this.#draining) {
        this.#draining = false;
        this.#write('nak', actions);
      } else if (this.#decoder.midFrame) {
        this.#decoder.reset();
        this.#stats.corruptFrames++;
        this.#stats.stalledFrames++;
        this.#write('nak', actions);
      }
    }
    if (this.#inFlight !== null && this.#ackAt !== null && now >= this.#ackAt) {
      this.#stats.ackTimeouts++;
      this.#retryOrFail(this.#inFlight, 'ack-timeout', now, actions);
    }
  }

  #startNext(now: number, actions: LinkAction[]): void {
    if (this.#inFlight !== null) return;
    const next = this.#queue.shift();
    if (next === undefined) return;
    this.#inFlight = next;
    this.#stats.framesSent++;
    this.#transmit(next, now, actions);
  }

  #retryOrFail(out: Outgoing, reason: LinkFailReason, now: number, actions: LinkAction[]): void {
    if (out.attempts <= this.options.retries) {
      this.#stats.retransmissions++;
      this.#transmit(out, now, actions);
      return;
    }
    this.#inFlight = null;
    this.#ackAt = null;
    this.#fail(out, reason, actions);
    this.#startNext(now, actions);
  }

  #transmit(out: Outgoing, now: number, actions: LinkAction[]): void {
    out.attempts++;
    actions.push({ type: 'write', what: 'frame', bytes: out.frame, id: out.id, attempt: out.attempts });
    this.#ackAt = now + this.options.ackTimeoutMs;
  }

  #fail(out: Outgoing, reason: LinkFailReason, actions: LinkAction[]): void {
    this.#stats.failed++;
    actions.push({ type: 'failed', id: out.id, reason, attempts: out.attempts });
  }

  #write(what: 'ack' | 'nak', actions: LinkAction[]): void {
    if (what === 'ack') this.#stats.acksSent++;
    else this.#stats.naksSent++;
    actions.push({ type: 'write', what, bytes: Buffer.of(what === 'ack' ? SerialControl.ACK : SerialControl.NAK) });
  }

  /** Appends a `timer` action when the next deadline changed. */
  #settle(actions: LinkAction[]): LinkAction[] {
    const a = this.#ackAt;
    const q = this.#quietAt;
    const at = a === null ? q : q === null ? a : Math.min(a, q);
    if (at !== this.#timer) {
      this.#timer = at;
      actions.push({ type: 'timer', at });
    }
    return actions;
  }
}

function checkNow(now: number): void {
  if (!Number.isFinite(now)) throw new TypeError('"now" must be a finite number of milliseconds');
}
