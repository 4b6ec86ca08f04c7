import net from 'node:net';
import tls from 'node:tls';
import { FrameDecoder, ProtocolError, encodeFrame } from '../../protocol/index.js';
import { Inbox } from './inbox.js';
import { TransportError } from './errors.js';
import type { LinkOptions } from './link-options.js';
import { formatTarget, type Target } from './target.js';
import type { Transport } from './transport.js';

export interface TlsOptions {
  /** PEM CA bundle that signs the server's certificate (default: the system's). */
  ca?: string | Buffer;
  /** Client certificate and key, for listeners that ask for one. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Accept any server certificate: test setups with self-signed certificates only. */
  insecure?: boolean;
  servername?: string;
}

const DEFAULT_CONNECT_MS = 10_000;

/**
 * TCP or TLS with the terminal link profile's framing: length header, optional TPDU, message. `frame` and
 * `writeRaw` are public so that fault switches can send partial, slow or corrupted bytes.
 */
export class StreamTransport implements Transport {
  readonly description: string;
  #socket: net.Socket | undefined;
  #decoder: FrameDecoder | undefined;
  readonly #inbox: Inbox;

  constructor(
    readonly target: Target,
    readonly link: LinkOptions,
    readonly tlsOptions: TlsOptions = {},
  ) {
    this.description = formatTarget(target);
    this.#inbox = new Inbox(this.description);
  }

  get connected(): boolean {
    return this.#socket !== undefined && this.#inbox.failure === undefined;
  }

  connect(timeoutMs = DEFAULT_CONNECT_MS): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.#reset();
    return new Promise((resolve, reject) => {
      const { host, port } = this.target;
      const t = this.tlsOptions;
      const socket =
        this.target.scheme === 'tls'
          ? tls.connect({ host, port, ca: t.ca, cert: t.cert, key: t.key, rejectUnauthorized: t.insecure !== true, servername: t.servername ?? (net.isIP(host) ? undefined : host) })
          : net.connect({ host, port });
      const ready = this.target.scheme === 'tls' ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportError('CONNECT_FAILED', `no connection to ${this.description} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (e: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        socket.destroy();
        const why = e.code ?? e.message;
        reject(new TransportError('CONNECT_FAILED', `cannot connect to ${this.description}: ${why}`, { cause: e }));
      };
      socket.once('error', onError);
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.off('error', onError);
        this.#attach(socket);
        resolve();
      });
    });
  }

  /** The bytes `send` would write for `payload`. */
  frame(payload: Buffer): Buffer {
    return encodeFrame(payload, { header: this.link.header, tpdu: this.link.tpdu ?? undefined });
  }

  send(payload: Buffer): Promise<void> {
    return this.writeRaw(this.frame(payload));
  }

  /** Writes bytes as they are, framed or not. */
  writeRaw(bytes: Buffer): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return Promise.reject(new TransportError('NOT_CONNECTED', `not connected to ${this.description}`));
    // the connection was already gone: these bytes never left
    if (this.#inbox.failure !== undefined) return Promise.reject(new TransportError('CLOSED', this.#inbox.failure.message, { sent: false }));
    return new Promise((resolve, reject) => {
      socket.write(bytes, (e) => {
        if (e) reject(new TransportError('CLOSED', `write to ${this.description} failed: ${e.message}`, { sent: true, cause: e }));
        else resolve();
      });
    });
  }

  receive(timeoutMs: number): Promise<Buffer> {
    return this.#inbox.receive(timeoutMs, this.#socket !== undefined);
  }

  discard(): void {
    this.#inbox.discard();
  }

  close(): Promise<void> {
    const socket = this.#socket;
    this.#fail(new TransportError('CLOSED', `connection to ${this.description} closed`));
    if (socket === undefined || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      // a peer that never finishes its side must not keep us open
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }

  #reset(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
    this.#inbox.reset();
    this.#decoder = new FrameDecoder({ header: this.link.header, tpdu: this.link.tpdu !== null, maxFrameSize: this.link.maxFrameSize });
  }

  #attach(socket: net.Socket): void {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (e) => this.#fail(new TransportError('CLOSED', `connection to ${this.description} failed: ${e.message}`, { sent: true, cause: e })));
    socket.on('close', () => this.#fail(new TransportError('CLOSED', `${this.description} closed the connection`, { sent: true })));
  }

  #onData(chunk: Buffer): void {
    const decoder = this.#decoder!;
    try {
      decoder.append(chunk);
      for (let f = decoder.next(); f !== undefined; f = decoder.next()) this.#deliver(Buffer.from(f.payload));
    } catch (e) {
      const detail = e instanceof ProtocolError ? `${e.code}: ${e.message}` : String(e);
      this.#fail(new TransportError('BAD_FRAME', `unreadable frame from ${this.description} (${detail})`, { sent: true, cause: e }));
      this.#socket?.destroy();
    }
  }

  #deliver(payload: Buffer): void {
    if (this.#inbox.deliver(payload)) return;
    this.#fail(this.#inbox.flooded());
    this.#socket?.destroy();
  }

  #fail(e: TransportError): void {
    this.#inbox.fail(e);
  }
}

/** A transport for a target URL and link options. */
export function openTransport(target: Target, link: LinkOptions, tlsOptions?: TlsOptions): StreamTransport {
  return new StreamTransport(target, link, tlsOptions);
}
