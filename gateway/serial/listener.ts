import type { Logger } from 'pino';
import { SerialLink, type MessageCodec, type SerialLinkStats } from '../../protocol/index.js';
import { Backoff } from '../acquirer/backoff.js';
import type { SerialPortConfig } from '../config/types.js';
import type { FlowContext } from '../flow/context.js';
import { newChannelStats, type ChannelStats, type FrameChannel } from '../terminal/channel.js';
import { Session } from '../terminal/session.js';
import { StreamChannel } from '../terminal/stream-channel.js';
import { SerialLinkChannel } from './link-channel.js';
import { lineSettings, openRealPort, type OpenablePort, type PortFactory } from './port.js';

/** Where a serial port is in its life. */
export const SerialPortStates = {
  opening: 'opening the device',
  open: 'open: the terminal is served',
  reopening: 'lost (unplugged, power cut) or could not be opened: waiting out the backoff before the next try',
  closed: 'stopped with the gateway',
} as const;
export type SerialPortState = keyof typeof SerialPortStates;

/** A port's state and traffic, for /health and the metrics. Counts run from the gateway's start. */
export interface SerialPortStatus {
  name: string;
  path: string;
  framing: SerialPortConfig['framing'];
  state: SerialPortState;
  /** Since when (epoch ms) the port is in `state`. */
  since: number;
  /** Times the port came back after it was lost. */
  reopens: number;
  /** Attempts to open that failed (no such device, permission, busy). */
  openFailures: number;
  /** Why the port was last lost or failed to open; null once it opened. */
  lastError: string | null;
  traffic: ChannelStats;
  /** The ACK/NAK link's counters ('stx-etx' framing); null for 'length' framing. */
  link: SerialLinkStats | null;
}

export interface SerialListenerOptions {
  /** Opens the device; the real `serialport` bindings by default, @serialport/binding-mock in unit tests. */
  openPort?: PortFactory;
  /** Jitter source of the reopen backoff. */
  random?: () => number;
}

/**
 * One terminal on one serial port: opens the port, runs one session over it through the same flow as a TCP
 * connection, and when the port goes away (unplugged, power cut, a framing error in length mode) reopens it with
 * exponential backoff. Every opening gets a new session, as every TCP connection does: a reply whose port closed is
 * dropped, and the terminal's repeat after the reopen is answered by the duplicate check from the journal.
 */
export class SerialListener {
  readonly #openPort: PortFactory;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  /** One link for the port's life: its repeat detection and counters span reopens. */
  readonly #link: SerialLink | null;
  readonly #traffic = newChannelStats();
  #state: SerialPortState = 'closed';
  #since = Date.now();
  #reopens = 0;
  #openFailures = 0;
  #everOpened = false;
  #lastError: string | null = null;
  #port: OpenablePort | undefined;
  #session: Session | undefined;
  #channel: FrameChannel | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stopped = true;
  #closedWaiters: (() => void)[] = [];

  constructor(
    readonly config: SerialPortConfig,
    private readonly codec: MessageCodec,
    private readonly ctx: FlowContext,
    options: SerialListenerOptions = {},
  ) {
    this.#openPort = options.openPort ?? openRealPort;
    this.#log = ctx.logger.child({ serialPort: config.name, path: config.path });
    this.#backoff = new Backoff(config.reopen, options.random);
    this.#link =
      config.framing === 'stx-etx' ? new SerialLink({ ...config.link, maxFrameSize: Math.min(config.maxFrameSize, 9999) }) : null;
  }

  get state(): SerialPortState {
    return this.#state;
  }

  status(): SerialPortStatus {
    return {
      name: this.config.name,
      path: this.config.path,
      framing: this.config.framing,
      state: this.#state,
      since: this.#since,
      reopens: this.#reopens,
      openFailures: this.#openFailures,
      lastError: this.#lastError,
      traffic: { ...this.#traffic },
      link: this.#link?.stats ?? null,
    };
  }

  /** Starts opening the port and returns at once: a terminal unplugged at start-up must not stop the gateway. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#open();
  }

  /** Lets requests in progress finish and replies get their ACK (bounded by `graceMs`), then closes the port. */
  async close(graceMs = 2000): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const session = this.#session;
    const channel = this.#channel;
    if (session !== undefined && channel !== undefined) {
      const settled = (async () => {
        await session.drained();
        if (channel instanceof SerialLinkChannel) await channel.idle();
      })();
      await Promise.race([settled, new Promise((r) => setTimeout(r, graceMs).unref())]);
      const closed = new Promise<void>((resolve) => this.#closedWaiters.push(resolve));
      session.destroy();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
    } else if (this.#port?.isOpen) {
      await new Promise<void>((resolve) => this.#port!.close(() => resolve()));
    }
    this.#setState('closed');
  }

  #open(): void {
    this.#setState('opening');
    let port: OpenablePort;
    try {
      port = this.#openPort(lineSettings(this.config));
    } catch (e) {
      this.#openFailed(e);
      return;
    }
    this.#port = port;
    // a write to a port that just went away errors here; the close that follows is what counts
    port.on('error', (e: Error) => this.#log.debug({ error: e.message }, 'serial port error'));
    port.open((err) => {
      if (err !== null) {
        this.#openFailed(err);
        return;
      }
      if (this.#stopped) {
        port.close(() => undefined);
        return;
      }
      this.#opened(port);
    });
  }

  #openFailed(e: unknown): void {
    this.#port = undefined;
    this.#openFailures++;
    this.#lastError = e instanceof Error ? e.message : String(e);
    this.#scheduleReopen();
  }

  #opened(port: OpenablePort): void {
    if (this.#everOpened) this.#reopens++;
    this.#everOpened = true;
    this.#backoff.reset();
    this.#lastError = null;
    port.once('close', (err: Error | null) => {
      if (err) this.#lastError = err.message;
    });
    const remote = `serial:${this.config.path}`;
    const log = this.ctx.logger.child({ listener: this.config.name, remote });
    const channel: FrameChannel =
      this.#link === null
        ? new StreamChannel(port, {
            remote,
            header: this.config.header,
            tpdu: this.config.tpdu,
            maxFrameSize: this.config.maxFrameSize,
            frameTimeoutMs: this.config.frameTimeoutMs,
            stats: this.#traffic,
            end: () => port.drain(() => port.isOpen && port.close(() => undefined)),
            destroy: () => port.isOpen && port.close(() => undefined),
          })
        : new SerialLinkChannel(port, this.#link, { remote, tpdu: this.config.tpdu, stats: this.#traffic, log });
    this.#channel = channel;
    this.#session = new Session(channel, this.config, this.codec, this.ctx, () => this.#lost(), log);
    this.#setState('open');
  }

  /** The session's port closed: unplugged, or closed after a framing error, or by `close`. */
  #lost(): void {
    this.#session = undefined;
    this.#channel = undefined;
    this.#port = undefined;
    for (const resolve of this.#closedWaiters.splice(0)) resolve();
    if (this.#stopped) return;
    this.#scheduleReopen();
  }

  #scheduleReopen(): void {
    if (this.#stopped) return;
    const delayMs = this.#backoff.next();
    this.#setState('reopening', { delayMs, attempt: this.#backoff.attempt });
    this.#retry = setTimeout(() => this.#open(), delayMs);
  }

  #setState(state: SerialPortState, extra: Record<string, unknown> = {}): void {
    if (state === this.#state && state !== 'reopening') return;
    this.#state = state;
    this.#since = Date.now();
    this.ctx.metrics.connectedTerminals.set({ listener: this.config.name }, state === 'open' ? 1 : 0);
    const fields = { state, reopens: this.#reopens, openFailures: this.#openFailures, error: this.#lastError ?? undefined, ...extra, ...this.#countersForLog() };
    if (state === 'reopening') this.#log.warn(fields, 'serial port lost or not openable: will try again');
    else this.#log.info(fields, `serial port ${state}`);
  }

  #countersForLog(): Record<string, number> {
    const s = this.#link?.stats;
    const t = this.#traffic;
    return s === undefined
      ? { framesIn: t.framesIn, framesOut: t.framesOut }
      : { framesIn: t.framesIn, framesOut: t.framesOut, retransmissions: s.retransmissions, naksSent: s.naksSent, naksReceived: s.naksReceived, ackTimeouts: s.ackTimeouts, corruptFrames: s.corruptFrames, repeats: s.repeats };
  }
}
