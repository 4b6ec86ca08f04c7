import type { Logger } from 'pino';
import { ProtocolError, type Frame, type IsoMessage, type MessageCodec } from '../../protocol/index.js';
import type { FlowContext, Origin } from '../flow/context.js';
import { dispatch } from '../flow/dispatch.js';
import { reply } from '../flow/reply.js';
import { RC } from '../responses.js';
import type { FrameChannel } from './channel.js';

/** What a session needs to know about the listener or serial port it belongs to. */
export interface SessionOptions {
  /** The listener or serial port name: metric label and log field. */
  name: string;
  /** Requests being processed at once; more are answered 91 without being processed. */
  maxInFlight: number;
}

/**
 * One terminal's conversation, whatever carries its frames: decodes each request, runs it through the flow and
 * sends the answer back the way the request came. A channel that breaks is closed with a log line.
 */
export class Session {
  #inFlight = 0;
  #closed = false;
  #idle: (() => void)[] = [];
  readonly #log: Logger;
  readonly #origin: Origin;

  constructor(
    private readonly channel: FrameChannel,
    private readonly options: SessionOptions,
    private readonly codec: MessageCodec,
    private readonly ctx: FlowContext,
    private readonly onClose: () => void,
    log?: Logger,
  ) {
    this.#log = log ?? ctx.logger.child({ listener: options.name, remote: channel.remote });
    this.#origin = { listener: options.name, remote: channel.remote };
    channel.start({
      frame: (frame) => this.#onFrame(frame),
      broken: (code, message) => this.#onBroken(code, message),
      rejected: (code, message) => {
        this.ctx.metrics.framesRejected.inc({ listener: this.options.name, reason: code });
        this.#log.warn({ code, error: message }, 'unusable frame from terminal: dropped');
      },
      closed: () => {
        this.#closed = true;
        this.onClose();
      },
    });
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  #onBroken(code: string, message: string): void {
    if (code === 'frame-timeout') {
      this.close('incomplete frame timeout');
      return;
    }
    this.ctx.metrics.framesRejected.inc({ listener: this.options.name, reason: code });
    this.#log.warn({ code, error: message }, 'bad frame from terminal: closing');
    this.close('bad frame');
  }

  #onFrame(frame: Frame): void {
    let req: IsoMessage;
    try {
      req = this.codec.decode(frame.payload);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.ctx.metrics.framesRejected.inc({ listener: this.options.name, reason: e.code });
      // the code, MTI, field and offset only: never the bytes, which may hold card data
      this.#log.warn({ code: e.code, mti: e.mti, field: e.field, offset: e.offset }, `malformed message: ${e.message}`);
      this.#answerMalformed(frame, e);
      return;
    }
    if (this.#inFlight >= this.options.maxInFlight) {
      this.#send(frame, reply(req, RC.ISSUER_UNAVAILABLE));
      return;
    }
    this.#inFlight++;
    void this.#process(frame, req);
  }

  /** One request through the flow, answered. */
  async #process(frame: Frame, req: IsoMessage): Promise<void> {
    try {
      let res: IsoMessage | undefined;
      try {
        res = await dispatch(req, this.ctx, this.#origin);
      } catch (e) {
        // the journal could not be written or something failed unexpectedly: the outcome is not known to be safe
        this.#log.error({ mti: req.mti, error: e instanceof Error ? e.message : String(e) }, 'request failed');
        res = reply(req, RC.SYSTEM_MALFUNCTION);
      }
      if (res !== undefined) {
        this.ctx.metrics.requestsBy.of(req.mti, typeof res.fields[39] === 'string' ? res.fields[39] : '').inc();
        this.#send(frame, res);
      }
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0 && this.#idle.length > 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  /** A message that does not decode: answered 30 when its MTI is a readable request, else the channel closes. */
  #answerMalformed(frame: Frame, e: ProtocolError): void {
    const mti = e.mti;
    if (mti !== undefined && Number(mti[2]) % 2 === 0) {
      this.#send(frame, reply({ mti, fields: {} }, RC.FORMAT_ERROR));
      return;
    }
    this.close('undecodable message');
  }

  #send(frame: Frame, res: IsoMessage): void {
    if (this.#closed) return;
    let payload: Buffer;
    try {
      payload = this.codec.encode(res, { pad: true });
    } catch (e) {
      this.#log.error({ mti: res.mti, error: e instanceof ProtocolError ? e.message : String(e) }, 'response does not encode');
      // the terminal still gets an answer it can match: STAN, terminal id and 96
      const f = res.fields;
      payload = this.codec.encode({ mti: res.mti, fields: { 11: f[11], 39: RC.SYSTEM_MALFUNCTION, 41: f[41] } }, { pad: true });
    }
    this.channel.reply(frame, payload);
  }

  /** Resolves when no request of this session is being processed. */
  drained(): Promise<void> {
    return this.#inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  close(why: string): void {
    if (this.#closed) return;
    this.#log.info({ why }, 'closing terminal connection');
    this.#closed = true;
    this.channel.close();
  }

  destroy(): void {
    this.#closed = true;
    this.channel.destroy();
  }
}
