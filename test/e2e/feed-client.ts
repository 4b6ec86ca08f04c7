import { WebSocket } from 'ws';

/** A message of the feed as a client sees it (docs/websocket-feed.md). */
export interface FeedMessage {
  type: 'snapshot' | 'event' | 'live';
  seq: number;
  id?: number;
  merchantId?: string;
  event?: string;
  at?: string;
  data?: Record<string, unknown>;
  [k: string]: unknown;
}

/** A test client of the gateway's /feed: records every message and the close, raw text included. */
export class FeedClient {
  readonly messages: FeedMessage[] = [];
  readonly raw: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  closeInfo: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      this.messages.push(JSON.parse(text) as FeedMessage);
      this.wake();
    });
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        this.wake();
        resolve(this.closeInfo);
      }),
    );
  }

  /** Connects to ws://127.0.0.1:port/feed and sends `hello` (unless null) once open. */
  static async open(port: number, hello: Record<string, unknown> | string | null): Promise<FeedClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/feed`);
    const client = new FeedClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (hello !== null) ws.send(typeof hello === 'string' ? hello : JSON.stringify(hello));
    return client;
  }

  get events(): FeedMessage[] {
    return this.messages.filter((m) => m.type === 'event');
  }

  get snapshot(): FeedMessage | undefined {
    return this.messages.find((m) => m.type === 'snapshot');
  }

  /** Resolves once `cond` holds (checked on every message and on close), rejects after `timeoutMs`. */
  async until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`feed client: timed out waiting for ${what} (${this.messages.length} messages, close ${JSON.stringify(this.closeInfo)})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  untilLive(timeoutMs = 5_000): Promise<void> {
    return this.until(() => this.messages.some((m) => m.type === 'live'), timeoutMs, 'live');
  }

  close(): void {
    this.ws.close();
  }

  /** Drops the connection without a closing handshake, as a lost network does. */
  drop(): void {
    this.ws.terminate();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
