/**
 * What a terminal talks through: whole frames in, whole frames out. A frame here is the message payload only; the
 * length header, the TPDU (or, later, STX/ETX/LRC on a serial line) belong to the implementation.
 */
export interface Transport {
  /** For messages and logs: "tcp://127.0.0.1:9000". */
  readonly description: string;
  readonly connected: boolean;
  /** Opens the connection; rejects with TransportError CONNECT_FAILED (or TIMEOUT). No-op when connected. */
  connect(timeoutMs?: number): Promise<void>;
  /** Frames `payload` and writes it; rejects with NOT_CONNECTED or CLOSED. */
  send(payload: Buffer): Promise<void>;
  /**
   * The payload of the next frame received (frames that arrived while nobody waited are queued, in order); rejects
   * with TIMEOUT, CLOSED or BAD_FRAME.
   */
  receive(timeoutMs: number): Promise<Buffer>;
  /** Drops every queued frame (a reply to an earlier request that came late, say). */
  discard(): void;
  close(): Promise<void>;
}

/** A hook's verdict on a payload: other bytes to use instead, null to drop it, undefined to leave it as it is. */
export type HookResult = Buffer | null | undefined | void;

/**
 * Points where a test or a fault switch can watch or change the traffic. A dropped outgoing payload is never written
 * (as if lost on the way); a dropped incoming one is as if it never arrived.
 */
export interface TransportHooks {
  beforeSend?(payload: Buffer): HookResult | Promise<HookResult>;
  afterReceive?(payload: Buffer): HookResult | Promise<HookResult>;
}

/** `transport` with `hooks` around its send and receive. */
export function withHooks(transport: Transport, hooks: TransportHooks): Transport {
  return new HookedTransport(transport, hooks);
}

class HookedTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly hooks: TransportHooks,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  get connected(): boolean {
    return this.inner.connected;
  }

  connect(timeoutMs?: number): Promise<void> {
    return this.inner.connect(timeoutMs);
  }

  async send(payload: Buffer): Promise<void> {
    const out = this.hooks.beforeSend === undefined ? undefined : await this.hooks.beforeSend(payload);
    if (out === null) return;
    await this.inner.send(out ?? payload);
  }

  async receive(timeoutMs: number): Promise<Buffer> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const payload = await this.inner.receive(Math.max(0, end - Date.now()));
      const out = this.hooks.afterReceive === undefined ? undefined : await this.hooks.afterReceive(payload);
      if (out !== null) return out ?? payload;
    }
  }

  discard(): void {
    this.inner.discard();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
