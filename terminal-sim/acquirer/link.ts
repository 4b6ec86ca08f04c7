import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  FrameDecoder,
  ProtocolError,
  builtinSpecs,
  codecFor,
  encodeFrame,
  type IsoMessage,
  type MessageInput,
} from '../../protocol/index.js';
import { formatError, malfunction, type Reply } from './handlers.js';
import { isRequestMti } from './messages.js';
import type { Timings } from './rules.js';

/** Host link profile: 2-byte big-endian length, no TPDU, ISO 8583:1987 ASCII. */
const HEADER = 'binary2';
const codec = codecFor(builtinSpecs.iso87ascii);

/** The answers to one chunk of requests leave in one system call: corked at the first write, uncorked after the tick. */
function writeBatched(socket: Socket, frame: Buffer): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(uncork, socket);
  }
  socket.write(frame);
}

function uncork(socket: Socket): void {
  socket.uncork();
}

export const Modes = {
  normal: 'answer by the rules',
  silent: 'read every message and answer none',
  fail: "answer every request with the fail code ('96' or '91') and process nothing",
  drop: 'close every connection, and each new one as soon as it opens',
} as const;
export type Mode = keyof typeof Modes;

/** What the link asks of the stub, read at each message so control changes apply at once. */
export interface LinkHost {
  mode(): Mode;
  latencyMs(): number;
  timings(): Timings;
  handle(msg: IsoMessage): Reply;
  /** Runs `fn` so that what the messages it handles record is committed together, when it returns. */
  batch(fn: () => void): void;
}

interface Connection {
  id: number;
  socket: Socket;
  decoder: FrameDecoder;
  /** Answers waiting for their latency or behaviour delay. */
  pending: Set<NodeJS.Timeout>;
}

/** The TCP side: one decoder per connection; a frame error closes only that connection. */
export class HostLink {
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  readonly #host: LinkHost;
  readonly #log: Logger;
  readonly #maxFrameSize: number;
  #nextId = 1;

  constructor(host: LinkHost, log: Logger, maxFrameSize: number) {
    this.#host = host;
    this.#log = log;
    this.#maxFrameSize = maxFrameSize;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as { port: number }).port);
      });
    });
  }

  get connections(): number {
    return this.#connections.size;
  }

  /** Closes every open connection (mode 'drop'). */
  dropAll(): void {
    for (const conn of this.#connections) this.#close(conn, 'dropped by mode');
  }

  async close(): Promise<void> {
    for (const conn of this.#connections) this.#close(conn, 'stub closing');
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const conn: Connection = {
      id: this.#nextId++,
      socket,
      decoder: new FrameDecoder({ header: HEADER, maxFrameSize: this.#maxFrameSize }),
      pending: new Set(),
    };
    this.#connections.add(conn);
    socket.setNoDelay(true);
    const log = this.#log.child({ conn: conn.id });
    log.info({ event: 'connection_opened', remote: `${socket.remoteAddress}:${socket.remotePort}` });
    socket.on('error', (e: NodeJS.ErrnoException) => log.debug({ event: 'socket_error', code: e.code }));
    socket.on('close', () => {
      for (const t of conn.pending) clearTimeout(t);
      conn.pending.clear();
      this.#connections.delete(conn);
      log.info({ event: 'connection_closed' });
    });
    if (this.#host.mode() === 'drop') {
      this.#close(conn, 'dropped by mode');
      return;
    }
    socket.on('data', (chunk: Buffer) => this.#receive(conn, chunk, log));
  }

  /**
   * The frames of one chunk are handled in one ledger transaction, committed before their answers leave (they are
   * corked until the next tick). Nothing is thrown inside it: rows whose answers are already queued are never rolled
   * back; an unexpected error is rethrown once they are committed.
   */
  #receive(conn: Connection, chunk: Buffer, log: Logger): void {
    let failure: { error: unknown } | undefined;
    try {
      this.#host.batch(() => {
        try {
          this.#frames(conn, chunk, log);
        } catch (e) {
          failure = { error: e };
        }
      });
    } catch (e) {
      // The commit failed and the chunk's rows are gone: its answers, still corked, go with the connection.
      log.error({ event: 'commit_error', error: (e as Error).message });
      this.#close(conn, 'commit error');
    }
    if (failure !== undefined) throw failure.error;
  }

  #frames(conn: Connection, chunk: Buffer, log: Logger): void {
    try {
      conn.decoder.append(chunk);
      for (let frame = conn.decoder.next(); frame !== undefined; frame = conn.decoder.next()) {
        this.#onFrame(conn, frame.payload, log);
        if (conn.socket.destroyed) return;
      }
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      // After a framing error the byte stream cannot be resynchronised: this connection goes, the others stay.
      log.warn({ event: 'frame_error', code: e.code, offset: e.offset, detail: e.detail });
      this.#close(conn, 'frame error');
    }
  }

  #onFrame(conn: Connection, payload: Buffer, log: Logger): void {
    const mode = this.#host.mode();
    if (mode === 'silent') {
      log.debug({ event: 'ignored', reason: 'mode silent' });
      return;
    }
    if (mode === 'drop') {
      this.#close(conn, 'dropped by mode');
      return;
    }
    let msg: IsoMessage;
    try {
      msg = codec.decode(payload);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      log.warn({ event: 'message_error', code: e.code, mti: e.mti, field: e.field, offset: e.offset, detail: e.detail });
      if (e.mti !== undefined && isRequestMti(e.mti)) {
        this.#deliver(conn, formatError({ mti: e.mti, fields: {} }, { reason: e.code }), log);
      } else {
        this.#close(conn, 'unreadable message');
      }
      return;
    }
    if (!isRequestMti(msg.mti)) {
      log.warn({ event: 'unexpected_response', mti: msg.mti });
      return;
    }
    let reply: Reply;
    try {
      reply = this.#host.handle(msg);
    } catch (e) {
      log.error({ event: 'handler_error', mti: msg.mti, error: (e as Error).message });
      reply = malfunction(msg, { reason: 'handler error' });
    }
    if (log.isLevelEnabled('info')) log.info({ event: 'request', mti: msg.mti, ...reply.log });
    this.#deliver(conn, reply, log);
  }

  #deliver(conn: Connection, reply: Reply, log: Logger): void {
    if (reply.message === null || reply.behaviour === 'never') return;
    if (reply.behaviour === 'drop') {
      this.#close(conn, 'behaviour drop');
      return;
    }
    const timings = this.#host.timings();
    const extra = reply.behaviour === 'slow' ? timings.slowMs : reply.behaviour === 'late' ? timings.lateMs : 0;
    const delay = this.#host.latencyMs() + extra;
    const frame = this.#frame(reply.message, log);
    if (frame === undefined) return;
    if (delay === 0) {
      writeBatched(conn.socket, frame);
      return;
    }
    const timer = setTimeout(() => {
      conn.pending.delete(timer);
      // A host gone silent meanwhile does not answer what it had queued either.
      if (this.#host.mode() === 'silent' || conn.socket.destroyed) return;
      conn.socket.write(frame);
    }, delay);
    conn.pending.add(timer);
  }

  #frame(message: MessageInput, log: Logger): Buffer | undefined {
    try {
      return encodeFrame(codec.encode(message), { header: HEADER });
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      log.error({ event: 'encode_error', code: e.code, mti: e.mti, field: e.field, detail: e.detail });
      return undefined;
    }
  }

  #close(conn: Connection, reason: string): void {
    if (conn.socket.destroyed) return;
    this.#log.info({ event: 'connection_closing', conn: conn.id, reason });
    conn.socket.destroy();
  }
}
