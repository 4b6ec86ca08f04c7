import type { Duplex } from 'node:stream';
import { FrameDecoder, FrameEncoder, ProtocolError, replyTpdu, type Frame, type LengthHeaderKind } from '../../protocol/index.js';
import { newChannelStats, type ChannelStats, type FrameChannel, type FrameSink } from './channel.js';

export interface StreamChannelOptions {
  remote: string;
  header: LengthHeaderKind;
  tpdu: boolean;
  maxFrameSize: number;
  /** A frame that stays incomplete this long is a stalled line or a hostile peer (slowloris). */
  frameTimeoutMs: number;
  /** Ends the transport after pending writes (a socket's end, a serial port's drain and close). */
  end(): void;
  /** Ends it now. */
  destroy(): void;
  /** Where to count traffic; a fresh object when left out. */
  stats?: ChannelStats;
}

/**
 * Length-prefixed frames (header, optional TPDU, message) over any byte stream: a TCP or TLS socket, or a serial
 * port in plain length mode. A framing error poisons the stream; the sink hears it and closes the channel.
 */
export class StreamChannel implements FrameChannel {
  readonly remote: string;
  readonly stats: ChannelStats;
  readonly #decoder: FrameDecoder;
  readonly #encoder: FrameEncoder;
  #sink: FrameSink | undefined;
  #frameTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly stream: Duplex,
    private readonly options: StreamChannelOptions,
  ) {
    this.remote = options.remote;
    this.stats = options.stats ?? newChannelStats();
    this.#decoder = new FrameDecoder({ header: options.header, tpdu: options.tpdu, maxFrameSize: options.maxFrameSize });
    this.#encoder = new FrameEncoder({ header: options.header });
  }

  start(sink: FrameSink): void {
    this.#sink = sink;
    this.stream.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.stream.on('close', () => {
      this.#closed = true;
      clearTimeout(this.#frameTimer);
      const s = this.#sink;
      this.#sink = undefined;
      s?.closed();
    });
  }

  #onData(chunk: Buffer): void {
    const sink = this.#sink;
    if (sink === undefined || this.#closed) return;
    this.stats.bytesIn += chunk.length;
    try {
      this.#decoder.append(chunk);
      for (let frame = this.#decoder.next(); frame !== undefined; frame = this.#decoder.next()) {
        this.stats.framesIn++;
        sink.frame(frame);
      }
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      sink.broken(e.code, e.message);
      return;
    }
    clearTimeout(this.#frameTimer);
    if (this.#decoder.midFrame) {
      this.#frameTimer = setTimeout(() => sink.broken('frame-timeout', 'a frame stayed incomplete too long'), this.options.frameTimeoutMs);
    }
  }

  reply(request: Frame, payload: Buffer): void {
    if (this.#closed) return;
    const bytes = this.#encoder.encode(payload, request.tpdu ? replyTpdu(request.tpdu) : undefined);
    this.stats.framesOut++;
    this.stats.bytesOut += bytes.length;
    this.stream.write(bytes);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#frameTimer);
    this.options.end();
  }

  destroy(): void {
    this.#closed = true;
    clearTimeout(this.#frameTimer);
    this.options.destroy();
  }
}
