import type { Frame } from '../../protocol/index.js';

/**
 * What a terminal session reads and writes through: whole frames in, replies out. The channel owns the framing
 * (a length header on TCP, STX/ETX with ACK/NAK or a length header on a serial line) and the transport under it;
 * the session owns the messages.
 */
export interface FrameChannel {
  /** For logs and the request's origin: "127.0.0.1:50312", "serial:/dev/ttyUSB0". */
  readonly remote: string;
  /** Starts reading; `sink` hears every frame, framing error and the close. Called once. */
  start(sink: FrameSink): void;
  /** Sends `payload` (an encoded ISO 8583 message) as the reply to `request`: same header kind, TPDU swapped. */
  reply(request: Frame, payload: Buffer): void;
  /** Writes what is queued, then closes. Harmless when already closed. */
  close(): void;
  /** Closes now. */
  destroy(): void;
}

export interface FrameSink {
  frame(frame: Frame): void;
  /**
   * The byte stream broke (a ProtocolError from the framing, or a frame left incomplete too long): nothing after
   * it can be trusted. The session logs it and closes the channel. `code` is the error code or "frame-timeout".
   */
  broken(code: string, message: string): void;
  /** A frame arrived whole but cannot be used (a bad TPDU) and was dropped; the stream goes on. */
  rejected(code: string, message: string): void;
  /** The transport closed, from either side. Called once. */
  closed(): void;
}

/** Traffic of a channel, counted by the channel into an object its owner keeps (so it outlives reopens). */
export interface ChannelStats {
  /** Frames handed to the session. */
  framesIn: number;
  /** Replies written (length framing) or acknowledged by the terminal (STX/ETX link). */
  framesOut: number;
  /** Bytes read and written on the wire, framing and link control included. */
  bytesIn: number;
  bytesOut: number;
}

export function newChannelStats(): ChannelStats {
  return { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 };
}
