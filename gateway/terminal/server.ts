import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { MessageCodec } from '../../protocol/index.js';
import type { ListenerConfig } from '../config/types.js';
import type { FlowContext } from '../flow/context.js';
import { Session } from './session.js';
import { StreamChannel } from './stream-channel.js';

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
      const channel = tcpChannel(socket, this.config);
      const log = this.ctx.logger.child({ listener: this.config.name, remote: channel.remote });
      socket.on('error', (e) => log.debug({ error: e.message }, 'terminal socket error'));
      const session = new Session(
        channel,
        this.config,
        this.codec,
        this.ctx,
        () => {
          this.sessions.delete(session);
          this.ctx.metrics.connectedTerminals.set({ listener: this.config.name }, this.sessions.size);
        },
        log,
      );
      socket.setTimeout(this.config.idleTimeoutMs, () => session.close('idle timeout'));
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

/** A TCP or TLS connection: length-prefixed frames, closed after `idleTimeoutMs` of silence. */
function tcpChannel(socket: net.Socket, config: ListenerConfig): StreamChannel {
  const channel = new StreamChannel(socket, {
    remote: `${socket.remoteAddress}:${socket.remotePort}`,
    header: config.header,
    tpdu: config.tpdu,
    maxFrameSize: config.maxFrameSize,
    frameTimeoutMs: config.frameTimeoutMs,
    end: () => {
      socket.end();
      socket.destroySoon();
    },
    destroy: () => socket.destroy(),
  });
  socket.setNoDelay(true);
  return channel;
}
