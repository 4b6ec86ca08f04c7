import type { WebSocket } from 'ws';
import { CloseCodes, closeReason, eventMessage } from './protocol.js';
import type { FeedEvent } from './types.js';

/** What a connection may see: one merchant's events (cursor: seq), or every merchant's (operator; cursor: id). */
export interface Scope {
  kind: 'merchant' | 'operator';
  /** null: every merchant (operator only). */
  merchantId: string | null;
}

export const SessionStates = ['hello', 'replaying', 'live', 'closed'] as const;
export type SessionState = (typeof SessionStates)[number];

/** An event on its way to clients: its wire form is built once however many clients get it. */
export interface Outgoing {
  event: FeedEvent;
  wire: Buffer;
}

export function outgoing(event: FeedEvent): Outgoing {
  return { event, wire: Buffer.from(eventMessage(event)) };
}

/**
 * One feed connection. While it replays from the store, live events wait in `pending` (they all come after the
 * replay's end, fixed when the session was registered); then they go out and the session is live. Whatever is
 * waiting (in the socket or in `pending`) counts against `maxBufferedBytes`: a client that cannot keep up is closed
 * with 4008 instead of growing the gateway's memory.
 */
export class FeedSession {
  state: SessionState = 'hello';
  scope: Scope | undefined;
  /** The last cursor sent (seq for a merchant scope, id for the operator's all-merchants scope). */
  cursor = 0;
  /** Answered the last ping. */
  alive = true;
  private pending: Outgoing[] = [];
  private pendingBytes = 0;

  constructor(
    readonly ws: WebSocket,
    private readonly maxBufferedBytes: number,
    readonly remote: string,
    /** Told when the session is closed for being too slow. */
    private readonly onTooSlow: () => void = () => undefined,
  ) {}

  get active(): boolean {
    return this.state !== 'closed';
  }

  cursorOf(e: FeedEvent): number {
    return this.scope?.merchantId === null ? e.id : e.seq;
  }

  /** A live event for this session's scope. */
  offer(o: Outgoing): void {
    if (this.state === 'replaying') {
      this.pending.push(o);
      this.pendingBytes += o.wire.length;
      this.checkBacklog();
      return;
    }
    if (this.state === 'live') this.sendEvent(o);
  }

  /** Sends an event unless the client already has it (replay and live overlap by at most the boundary). */
  sendEvent(o: Outgoing): void {
    const c = this.cursorOf(o.event);
    if (c <= this.cursor || this.state === 'closed') return;
    this.cursor = c;
    this.ws.send(o.wire, { binary: false });
    this.checkBacklog();
  }

  sendJson(msg: unknown): void {
    if (this.state === 'closed') return;
    this.ws.send(JSON.stringify(msg));
    this.checkBacklog();
  }

  /** Ends the replay: what came live meanwhile goes out, in order, and the session is live. */
  goLive(): void {
    if (this.state !== 'replaying') return;
    this.state = 'live';
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const o of pending) this.sendEvent(o);
  }

  /** Bytes waiting for this client: in the socket, in ws's queue, and in the replay's pending list. */
  backlog(): number {
    return this.ws.bufferedAmount + this.pendingBytes;
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.pending = [];
    this.pendingBytes = 0;
    this.ws.close(code, closeReason(reason));
    // a client that does not finish the closing handshake is cut off
    setTimeout(() => this.ws.terminate(), 5_000).unref();
  }

  private checkBacklog(): void {
    const n = this.backlog();
    if (n <= this.maxBufferedBytes) return;
    this.close(CloseCodes.TOO_SLOW, `too slow: ${n} bytes waiting; reconnect with since`);
    this.onTooSlow();
  }
}
