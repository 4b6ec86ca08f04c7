import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Clock } from '../clock.js';
import type { FeedConfig } from '../config/types.js';
import type { Metrics } from '../metrics.js';
import type { EventLog } from './log.js';
import { CloseCodes, MAX_CLIENT_MESSAGE_BYTES, parseHello, type Hello } from './protocol.js';
import { FeedSession, outgoing, type Scope } from './session.js';
import type { FeedEvent } from './types.js';

/** The path of the feed on the gateway's HTTP server. */
export const FEED_PATH = '/feed';

/** What a snapshot lists besides alerts: open batches and open cases of a merchant, or (null) of all. */
export type SnapshotSource = (merchantId: string | null) => Promise<{ batches: unknown[]; cases: unknown[] }>;

export interface FeedServerOptions {
  log: EventLog;
  config: FeedConfig;
  /** The operator's token (http.adminToken): every merchant's feed. */
  adminToken?: string;
  /** Merchant id -> its API token. */
  merchantTokens: ReadonlyMap<string, string>;
  /** Every configured merchant (the operator may follow any one of them). */
  merchantIds: ReadonlySet<string>;
  snapshot: SnapshotSource;
  clock: Clock;
  logger: Logger;
  /** posgw_feed_clients and posgw_feed_slow_closes_total; absent in tests that need none. */
  metrics?: Pick<Metrics, 'feedClients' | 'feedSlowCloses'>;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The settlement feed over WebSocket, on the HTTP server's `upgrade` (path /feed). Protocol and close codes:
 * docs/websocket-feed.md.
 */
export class FeedServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false });
  private readonly sessions = new Set<FeedSession>();
  /** Sessions by the merchant they follow; the operator's all-merchants sessions apart. */
  private readonly byMerchant = new Map<string, Set<FeedSession>>();
  private readonly everyone = new Set<FeedSession>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private server: Server | undefined;
  private closed = false;
  private tooSlow = 0;

  constructor(private readonly opts: FeedServerOptions) {
    this.unsubscribe = opts.log.subscribe((events) => this.dispatch(events));
    this.heartbeat = setInterval(() => this.ping(), opts.config.pingIntervalMs);
    this.heartbeat.unref();
  }

  /** Takes the HTTP server's upgrades to /feed; other paths are left to other handlers (404 when there are none). */
  attach(server: Server): void {
    this.server = server;
    server.on('upgrade', this.onUpgrade);
  }

  /** Connections now, and those closed so far for falling behind (4008). */
  stats(): { clients: number; closedTooSlow: number } {
    return { clients: this.sessions.size, closedTooSlow: this.tooSlow };
  }

  /** Says goodbye to every client (1001) and stops; clients reconnect with `since` to the next gateway. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.unsubscribe();
    this.server?.off('upgrade', this.onUpgrade);
    const gone = [...this.sessions].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.ws.readyState === s.ws.CLOSED) return resolve();
          s.ws.once('close', () => resolve());
          s.close(CloseCodes.GOING_AWAY, 'gateway shutting down');
        }),
    );
    // a client that does not answer the close is cut off rather than hold up the shutdown
    await Promise.race([Promise.all(gone), new Promise((r) => setTimeout(r, 1_000).unref())]);
    for (const s of this.sessions) s.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== FEED_PATH) {
      if (this.server !== undefined && this.server.listenerCount('upgrade') === 1) refuse(socket, 404, 'Not Found');
      return;
    }
    socket.on('error', () => undefined);
    if (this.closed) return refuse(socket, 503, 'Service Unavailable');
    if (this.sessions.size >= this.opts.config.maxClients) {
      this.opts.logger.warn({ clients: this.sessions.size }, 'feed: connection refused, feed.maxClients reached');
      return refuse(socket, 503, 'Service Unavailable');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`));
  };

  private accept(ws: WebSocket, remote: string): void {
    const s = new FeedSession(ws, this.opts.config.maxBufferedBytes, remote, () => {
      this.tooSlow++;
      this.opts.metrics?.feedSlowCloses.inc();
      this.opts.logger.warn({ remote }, 'feed: client too slow, closed (4008)');
    });
    this.sessions.add(s);
    this.opts.metrics?.feedClients.set(this.sessions.size);
    const helloTimer = setTimeout(() => s.close(CloseCodes.BAD_MESSAGE, `no hello within ${this.opts.config.helloTimeoutMs} ms`), this.opts.config.helloTimeoutMs);
    helloTimer.unref();
    ws.on('pong', () => {
      s.alive = true;
    });
    // protocol errors (a frame over maxPayload, bad framing): ws closes the connection itself with the right code
    ws.on('error', (e) => this.opts.logger.debug({ remote, error: e.message }, 'feed: connection error'));
    ws.on('close', () => {
      clearTimeout(helloTimer);
      s.state = 'closed';
      this.forget(s);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (s.state !== 'hello') return s.close(CloseCodes.BAD_MESSAGE, 'only one message is allowed: the hello');
      clearTimeout(helloTimer);
      if (isBinary) return s.close(CloseCodes.BAD_MESSAGE, 'hello: must be a text frame');
      const hello = parseHello(data.toString());
      if ('error' in hello) return s.close(CloseCodes.BAD_MESSAGE, hello.error);
      this.start(s, hello).catch((e: unknown) => {
        this.opts.logger.error({ remote, error: String(e) }, 'feed: session failed');
        s.close(CloseCodes.INTERNAL, 'internal error');
      });
    });
  }

  private scopeOf(hello: Hello): Scope | { code: number; reason: string } {
    if (this.opts.adminToken !== undefined && same(hello.token, this.opts.adminToken)) {
      if (hello.merchantId !== undefined && !this.opts.merchantIds.has(hello.merchantId)) {
        return { code: CloseCodes.BAD_MESSAGE, reason: `hello: no merchant "${hello.merchantId.slice(0, 40)}"` };
      }
      return { kind: 'operator', merchantId: hello.merchantId ?? null };
    }
    for (const [merchantId, token] of this.opts.merchantTokens) {
      if (!same(hello.token, token)) continue;
      if (hello.merchantId !== undefined && hello.merchantId !== merchantId) {
        return { code: CloseCodes.FORBIDDEN, reason: `a merchant token cannot subscribe to merchant ${hello.merchantId.slice(0, 40)}` };
      }
      return { kind: 'merchant', merchantId };
    }
    return { code: CloseCodes.BAD_TOKEN, reason: 'token not recognised' };
  }

  /** Snapshot, replay, live: the end of the replay is fixed in the same turn the session starts taking live events. */
  private async start(s: FeedSession, hello: Hello): Promise<void> {
    const scope = this.scopeOf(hello);
    if (!('kind' in scope)) return s.close(scope.code, scope.reason);
    const end = this.opts.log.cursor(scope.merchantId);
    if (hello.since !== undefined && hello.since > end) {
      return s.close(CloseCodes.BAD_MESSAGE, `since ${hello.since} is ahead of the feed (last ${scope.merchantId === null ? 'id' : 'seq'} ${end})`);
    }
    s.scope = scope;
    s.state = 'replaying';
    s.cursor = hello.since ?? end;
    this.register(s);
    // from a time: the cursor just before the first event at or after it (events are journaled in time order)
    if (hello.from !== undefined) s.cursor = await this.cursorAt(scope.merchantId, hello.from, end);
    if (!s.active) return;

    const { batches, cases } = await this.opts.snapshot(scope.merchantId);
    if (!s.active) return;
    s.sendJson({
      type: 'snapshot',
      scope,
      seq: end,
      at: new Date(this.opts.clock.now()).toISOString(),
      batches,
      cases,
      alerts: this.opts.log.alertsNow(scope.merchantId),
    });
    await this.replay(s, end);
    if (s.state !== 'replaying') return;
    s.sendJson({ type: 'live', seq: end });
    s.goLive();
  }

  /** The smallest cursor whose next event was journaled at or after `at` (`end` when none): a binary search, one row a probe. */
  private async cursorAt(merchantId: string | null, at: number, end: number): Promise<number> {
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const [next] = await this.opts.log.since(merchantId, mid, 1);
      if (next === undefined || next.at >= at) hi = mid;
      else lo = merchantId === null ? Math.max(mid + 1, next.id) : mid + 1;
    }
    return lo;
  }

  /** Sends the journal's events after the client's cursor up to `end`, a page at a time, pausing while it drains. */
  private async replay(s: FeedSession, end: number): Promise<void> {
    const merchantId = s.scope!.merchantId;
    const page = this.opts.config.replayPageSize;
    while (s.cursor < end && s.state === 'replaying') {
      const events = await this.opts.log.since(merchantId, s.cursor, page);
      if (s.state !== 'replaying') return;
      for (const e of events) {
        if (s.cursorOf(e) > end) return;
        s.sendEvent(outgoing(e));
      }
      if (events.length < page) return;
      await drained(s, this.opts.config.maxBufferedBytes / 2);
    }
  }

  private register(s: FeedSession): void {
    const m = s.scope!.merchantId;
    if (m === null) {
      this.everyone.add(s);
      return;
    }
    let set = this.byMerchant.get(m);
    if (set === undefined) this.byMerchant.set(m, (set = new Set()));
    set.add(s);
  }

  private forget(s: FeedSession): void {
    this.sessions.delete(s);
    this.opts.metrics?.feedClients.set(this.sessions.size);
    this.everyone.delete(s);
    const m = s.scope?.merchantId;
    if (m !== undefined && m !== null) {
      const set = this.byMerchant.get(m);
      set?.delete(s);
      if (set?.size === 0) this.byMerchant.delete(m);
    }
  }

  private dispatch(events: readonly FeedEvent[]): void {
    for (const e of events) {
      const merchant = this.byMerchant.get(e.merchantId);
      if (merchant === undefined && this.everyone.size === 0) continue;
      const o = outgoing(e);
      if (merchant !== undefined) for (const s of merchant) s.offer(o);
      for (const s of this.everyone) s.offer(o);
    }
  }

  /** A client that did not answer the last ping is gone (a dead network path sends no close). */
  private ping(): void {
    for (const s of this.sessions) {
      if (!s.alive) {
        this.opts.logger.info({ remote: s.remote }, 'feed: client missed a pong, dropped');
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Waits until the client's backlog is below `bytes` (or it is gone). */
async function drained(s: FeedSession, bytes: number): Promise<void> {
  while (s.state === 'replaying' && s.ws.bufferedAmount > bytes) await new Promise((r) => setTimeout(r, 10));
}
