import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import {
  encodeFrame,
  FrameDecoder,
  ProtocolError,
  replyTpdu,
  type Frame,
  type IsoMessage,
  type MessageCodec,
} from '../../protocol/index.js';
import type { ListenerConfig } from '../config/types.js';
import type { FlowContext } from '../flow/context.js';
import { dispatch } from '../flow/dispatch.js';
import { reply } from '../flow/reply.js';
import { RC } from '../responses.js';

/**
 * A terminal listener: TCP (or TLS), one session per connection, frames per the terminal link profile. A session
 * that sends garbage is closed with a log line; everyone else keeps being served.
 */
export class TerminalServer {
  private readonly server: net.Server;
  private readonly sessions = new Set<Session>();

  constructor(
    readonly config: ListenerConfig,
    private readonly codec: MessageCodec,
    private readonly ctx: FlowContext,
  ) {
    const onConnection = (socket: net.Socket): void => {
      const session = new Session(socket, this.config, this.codec, this.ctx, () => {
        this.sessions.delete(session);
        this.ctx.metrics.connectedTerminals.set({ listener: this.config.name }, this.sessions.size);
      });
      this.sessions.add(session);
      this.ctx.metrics.connectedTerminals.set({ listener: this.config.name }, this.sessions.size);
    };
    if (config.tls) {
      this.server = tls.createServer(
        {
          cert: readFileSync(config.tls.cert),
          key: readFileSync(config.tls.key),
          ca: config.tls.ca ? readFileSync(config.tls.ca) : undefined,
          requestCert: config.tls.requestCert ?? false,
          rejectUnauthorized: config.tls.requestCert ?? false,
        },
        onConnection,
      );
    } else {
      this.server = net.createServer(onConnection);
    }
    this.server.maxConnections = config.maxConnections;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting, lets requests in progress finish (bounded), then closes every session. */
  async close(graceMs = 2000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.race([Promise.all([...this.sessions].map((s) => s.drained())), new Promise((r) => setTimeout(r, graceMs).unref())]);
    for (const s of this.sessions) s.destroy();
    await closed;
  }
}

class Session {
  private readonly decoder: FrameDecoder;
  private readonly remote: string;
  private inFlight = 0;
  private frameTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private idle: (() => void)[] = [];
  private readonly log: Logger;

  constructor(
    private readonly socket: net.Socket,
    private readonly config: ListenerConfig,
    private readonly codec: MessageCodec,
    private readonly ctx: FlowContext,
    private readonly onClose: () => void,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.log = ctx.logger.child({ listener: config.name, remote: this.remote });
    this.decoder = new FrameDecoder({ header: config.header, tpdu: config.tpdu, maxFrameSize: config.maxFrameSize });
    socket.setNoDelay(true);
    socket.setTimeout(config.idleTimeoutMs, () => this.close('idle timeout'));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.log.debug({ error: e.message }, 'terminal socket error'));
    socket.on('close', () => {
      this.closed = true;
      clearTimeout(this.frameTimer);
      this.onClose();
    });
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.append(chunk);
      for (let frame = this.decoder.next(); frame !== undefined; frame = this.decoder.next()) this.onFrame(frame);
    } catch (e) {
      const reason = e instanceof ProtocolError ? e.code : 'error';
      this.ctx.metrics.framesRejected.inc({ listener: this.config.name, reason });
      this.log.warn({ code: reason, error: e instanceof ProtocolError ? e.message : String(e) }, 'bad frame from terminal: closing');
      this.close('bad frame');
      return;
    }
    // a frame that stays incomplete is a stalled or hostile peer (slowloris): give it a bounded time
    clearTimeout(this.frameTimer);
    if (this.decoder.midFrame) this.frameTimer = setTimeout(() => this.close('incomplete frame timeout'), this.config.frameTimeoutMs);
  }

  private onFrame(frame: Frame): void {
    let req: IsoMessage;
    try {
      req = this.codec.decode(frame.payload);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.ctx.metrics.framesRejected.inc({ listener: this.config.name, reason: e.code });
      // the code, MTI, field and offset only: never the bytes, which may hold card data
      this.log.warn({ code: e.code, mti: e.mti, field: e.field, offset: e.offset }, `malformed message: ${e.message}`);
      this.answerMalformed(frame, e);
      return;
    }
    if (this.inFlight >= this.config.maxInFlight) {
      this.send(frame, reply(req, RC.ISSUER_UNAVAILABLE));
      return;
    }
    this.inFlight++;
    dispatch(req, this.ctx, { listener: this.config.name, remote: this.remote })
      .then(
        (res) => {
          if (res !== undefined) {
            this.ctx.metrics.requests.inc({ mti: req.mti, rc: typeof res.fields[39] === 'string' ? res.fields[39] : '' });
            this.send(frame, res);
          }
        },
        (e: unknown) => {
          // the journal could not be written or something failed unexpectedly: the outcome is not known to be safe
          this.log.error({ mti: req.mti, error: e instanceof Error ? e.message : String(e) }, 'request failed');
          this.ctx.metrics.requests.inc({ mti: req.mti, rc: RC.SYSTEM_MALFUNCTION });
          this.send(frame, reply(req, RC.SYSTEM_MALFUNCTION));
        },
      )
      .finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
  }

  /** A message that does not decode: answered 30 when its MTI is a readable request, else the connection closes. */
  private answerMalformed(frame: Frame, e: ProtocolError): void {
    const mti = e.mti;
    if (mti !== undefined && Number(mti[2]) % 2 === 0) {
      this.send(frame, reply({ mti, fields: {} }, RC.FORMAT_ERROR));
      return;
    }
    this.close('undecodable message');
  }

  private send(frame: Frame, res: IsoMessage): void {
    if (this.closed) return;
    let payload: Buffer;
    try {
      payload = this.codec.encode(res, { pad: true });
    } catch (e) {
      this.log.error({ mti: res.mti, error: e instanceof ProtocolError ? e.message : String(e) }, 'response does not encode');
      // the terminal still gets an answer it can match: STAN, terminal id and 96
      const f = res.fields;
      payload = this.codec.encode({ mti: res.mti, fields: { 11: f[11], 39: RC.SYSTEM_MALFUNCTION, 41: f[41] } }, { pad: true });
    }
    this.socket.write(encodeFrame(payload, { header: this.config.header, tpdu: frame.tpdu ? replyTpdu(frame.tpdu) : undefined }));
  }

  drained(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  close(why: string): void {
    if (this.closed) return;
    this.log.info({ why }, 'closing terminal connection');
    this.closed = true;
    this.socket.end();
    this.socket.destroySoon();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
