import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import {
  parseTpdu,
  ProtocolError,
  replyTpdu,
  TPDU_SIZE,
  writeTpdu,
  type Frame,
  type LinkAction,
  type SerialLink,
} from '../../protocol/index.js';
import type { ChannelStats, FrameChannel, FrameSink } from '../terminal/channel.js';
import type { OpenablePort } from './port.js';

export interface LinkChannelOptions {
  remote: string;
  /** Each message starts with a 5-byte TPDU. */
  tpdu: boolean;
  stats: ChannelStats;
  log: Logger;
}

/**
 * STX/ETX frames with ACK/NAK over an open serial port: carries out the actions of a `SerialLink` (protocol/) with
 * the port and a timer. The link outlives the channel (one per port, reset when the port closes), so a frame the
 * terminal repeats after a reopen is still flagged as a repeat; the duplicate check upstream decides what to do.
 */
export class SerialLinkChannel implements FrameChannel {
  readonly remote: string;
  #sink: FrameSink | undefined;
  #timer: NodeJS.Timeout | undefined;
  #armedAt: number | null = null;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(
    private readonly port: OpenablePort,
    private readonly link: SerialLink,
    private readonly options: LinkChannelOptions,
  ) {
    this.remote = options.remote;
  }

  start(sink: FrameSink): void {
    this.#sink = sink;
    this.port.on('data', (chunk: Buffer) => {
      this.options.stats.bytesIn += chunk.length;
      this.#run(this.link.receive(chunk, performance.now()));
    });
    this.port.on('close', () => {
      this.#closed = true;
      clearTimeout(this.#timer);
      // fails the reply in flight (reason "reset") and forgets a half-received frame
      this.#run(this.link.reset());
      this.#settleIdle();
      const s = this.#sink;
      this.#sink = undefined;
      s?.closed();
    });
  }

  reply(request: Frame, payload: Buffer): void {
    if (this.#closed) return;
    const message = request.tpdu ? Buffer.concat([writeTpdu(replyTpdu(request.tpdu)), payload]) : payload;
    let actions: LinkAction[];
    try {
      actions = this.link.send(message, performance.now()).actions;
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.options.log.error({ code: e.code, error: e.message }, 'reply does not fit a serial frame');
      return;
    }
    this.#run(actions);
  }

  /** Resolves when no reply waits for the terminal's ACK (or the port closed). */
  idle(): Promise<void> {
    return this.#closed || this.link.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.port.drain(() => this.#closePort());
  }

  destroy(): void {
    this.#closed = true;
    this.#closePort();
  }

  #closePort(): void {
    if (this.port.isOpen) this.port.close(() => undefined);
  }

  #run(actions: LinkAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'write':
          if (this.port.isOpen) {
            this.options.stats.bytesOut += a.bytes.length;
            this.port.write(a.bytes);
          }
          break;
        case 'deliver':
          this.#deliver(a.payload, a.repeat);
          break;
        case 'sent':
          this.options.stats.framesOut++;
          break;
        case 'failed':
          // the terminal never acknowledged the reply: it will time out and repeat the request or reverse it
          this.options.log.warn({ reason: a.reason, attempts: a.attempts }, 'reply not acknowledged by the terminal');
          break;
        case 'timer':
          // see #arm
          break;
      }
    }
    this.#arm();
    if (this.link.pending === 0) this.#settleIdle();
  }

  /**
   * Keeps one timer on the link's deadline. Not driven by `timer` actions alone: Node may fire a timeout a
   * millisecond before performance.now() reaches it, and a tick that comes early changes no deadline, so the link
   * announces none; the timer is armed again from `deadline` after every call instead.
   */
  #arm(): void {
    const at = this.#closed ? null : this.link.deadline;
    if (at === this.#armedAt) return;
    clearTimeout(this.#timer);
    this.#armedAt = at;
    if (at === null) return;
    this.#timer = setTimeout(() => {
      this.#armedAt = null;
      this.#run(this.link.tick(performance.now()));
    }, Math.max(0, Math.ceil(at - performance.now())));
  }

  #deliver(payload: Buffer, repeat: boolean): void {
    const sink = this.#sink;
    if (sink === undefined || this.#closed) return;
    if (repeat) this.options.log.debug('repeated frame (its ACK was lost?): to the duplicate check');
    // no stream offset on a link layer, where a frame may arrive more than once
    let frame: Frame;
    if (this.options.tpdu) {
      try {
        frame = { tpdu: parseTpdu(payload), payload: payload.subarray(TPDU_SIZE), offset: 0 };
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        sink.rejected(e.code, e.message);
        return;
      }
    } else {
      frame = { payload, offset: 0 };
    }
    this.options.stats.framesIn++;
    sink.frame(frame);
  }

  #settleIdle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
