import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { FeedConfig } from '../../../gateway/config/types.js';
import { EventLog } from '../../../gateway/feed/log.js';
import { FeedServer } from '../../../gateway/feed/server.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';
import { FeedClient } from '../../e2e/feed-client.js';

const CONFIG: FeedConfig = { pingIntervalMs: 30_000, helloTimeoutMs: 2_000, maxBufferedBytes: 1_048_576, replayPageSize: 16, maxClients: 100 };
const TOKENS = new Map([
  ['A', 'token-of-merchant-a'],
  ['B', 'token-of-merchant-b'],
]);
const ADMIN = 'token-of-the-operator';

interface Rig {
  store: SqliteStore;
  log: EventLog;
  feed: FeedServer;
  http: Server;
  port: number;
}

const rigs: Rig[] = [];
const clients: FeedClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.drop();
  for (const r of rigs.splice(0)) {
    await r.feed.close();
    await new Promise((resolve) => r.http.close(resolve));
    await r.store.close();
  }
});

async function rig(config: Partial<FeedConfig> = {}): Promise<Rig> {
  const store = new SqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'posgw-feed-')), 'j.db') });
  const logger = pino({ level: 'silent' });
  const log = new EventLog(store, { now: () => Date.now() }, logger);
  await log.init(TOKENS.keys());
  const feed = new FeedServer({
    log,
    config: { ...CONFIG, ...config },
    adminToken: ADMIN,
    merchantTokens: TOKENS,
    merchantIds: new Set(TOKENS.keys()),
    snapshot: async () => ({ batches: [], cases: [] }),
    clock: { now: () => Date.now() },
    logger,
  });
  const http = createServer((_req, res) => res.end('ok'));
  feed.attach(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const r = { store, log, feed, http, port: (http.address() as { port: number }).port };
  rigs.push(r);
  return r;
}

async function client(r: Rig, hello: Record<string, unknown> | null, port = r.port): Promise<FeedClient> {
  const c = await FeedClient.open(port, hello);
  clients.push(c);
  return c;
}

const ev = (merchantId: string, n: number) => ({ merchantId, type: 'transaction.approved' as const, at: n, data: { n } });
const tick = () => new Promise((r) => setImmediate(r));

describe('feed server', () => {
  it('joins replay and live without a gap or a repeat while events keep coming', async () => {
    const r = await rig();
    const total = 300;
    const joined: { c: FeedClient; since: number | undefined }[] = [];
    for (let n = 1; n <= total; n++) {
      // one event per turn for A, every third also one for B; clients join along the way, some with since
      void r.log.publish(n % 3 === 0 ? [ev('A', n), ev('B', n)] : [ev('A', n)]);
      if (n % 37 === 0) {
        const since = n % 2 === 0 ? Math.max(0, r.log.cursor('A') - 25) : undefined;
        joined.push({ c: await client(r, { type: 'hello', token: TOKENS.get('A')!, since }), since });
      }
      await tick();
    }
    const op = await client(r, { type: 'hello', token: ADMIN, since: 0 });
    for (const { c, since } of joined) {
      await c.until(() => c.events.at(-1)?.seq === total, 10_000, 'every event of A');
      const first = (since ?? c.snapshot!.seq) + 1;
      expect(c.events.map((e) => e.seq)).toEqual(Array.from({ length: total - first + 1 }, (_, i) => first + i));
      expect(c.events.every((e) => e.merchantId === 'A')).toBe(true);
    }
    await op.until(() => op.events.length === total + total / 3, 10_000, 'every event for the operator');
    const ids = op.events.map((e) => e.id!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('drops a client that stops answering pings and keeps one that answers', async () => {
    const r = await rig({ pingIntervalMs: 100 });
    const good = await client(r, { type: 'hello', token: TOKENS.get('A')! });
    const deaf = new WebSocket(`ws://127.0.0.1:${r.port}/feed`, { autoPong: false });
    const deafClosed = new Promise<number>((resolve) => deaf.on('close', (code) => resolve(code)));
    deaf.on('open', () => deaf.send(JSON.stringify({ type: 'hello', token: TOKENS.get('B')! })));
    await good.untilLive();
    // terminated without a close frame: the client sees 1006
    expect(await deafClosed).toBe(1006);
    await new Promise((res) => setTimeout(res, 300));
    expect(good.closeInfo).toBeUndefined();
    expect(r.feed.stats().clients).toBe(1);
  });

  it('refuses connections beyond maxClients with 503, and upgrades of other paths with 404', async () => {
    const r = await rig({ maxClients: 1 });
    await client(r, { type: 'hello', token: TOKENS.get('A')! });
    const status = (path: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${r.port}${path}`);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => undefined);
        ws.on('open', () => resolve(101));
      });
    expect(await status('/feed')).toBe(503);
    expect(await status('/elsewhere')).toBe(404);
  });

  it('lets the operator follow one known merchant, by seq, and refuses an unknown one', async () => {
    const r = await rig();
    await r.log.publish([ev('A', 1), ev('B', 2), ev('B', 3)]);
    const opB = await client(r, { type: 'hello', token: ADMIN, merchantId: 'B', since: 0 });
    await opB.untilLive();
    expect(opB.snapshot).toMatchObject({ scope: { kind: 'operator', merchantId: 'B' }, seq: 2 });
    expect(opB.events.map((e) => [e.merchantId, e.seq])).toEqual([['B', 1], ['B', 2]]);
    const nobody = await client(r, { type: 'hello', token: ADMIN, merchantId: 'Z' });
    expect(await nobody.closed).toEqual({ code: 4400, reason: 'hello: no merchant "Z"' });
  });

  it('replays from a time: the events journaled at or after it, for a merchant and for the operator', async () => {
    const r = await rig();
    const iso = (ms: number) => new Date(ms).toISOString();
    // A's events at 1000, 2000, ... 40000; B's in between
    for (let n = 1; n <= 40; n++) await r.log.publish([ev('A', n * 1000), ev('B', n * 1000 + 500)]);
    const a = await client(r, { type: 'hello', token: TOKENS.get('A')!, from: iso(25_000) });
    await a.untilLive();
    expect(a.events.map((e) => e.seq)).toEqual(Array.from({ length: 16 }, (_, i) => 25 + i));
    const op = await client(r, { type: 'hello', token: ADMIN, from: iso(39_000) });
    await op.untilLive();
    expect(op.events.map((e) => [e.merchantId, e.at])).toEqual([['A', iso(39_000)], ['B', iso(39_500)], ['A', iso(40_000)], ['B', iso(40_500)]]);
    // after the last event: nothing to replay, live from here
    const late = await client(r, { type: 'hello', token: TOKENS.get('B')!, from: iso(90_000) });
    await late.untilLive();
    expect(late.events).toEqual([]);
    const both = await client(r, { type: 'hello', token: TOKENS.get('B')!, from: iso(1), since: 3 });
    expect(await both.closed).toEqual({ code: 4400, reason: 'hello: give "since" or "from", not both' });
    const bad = await client(r, { type: 'hello', token: TOKENS.get('B')!, from: 'yesterday' });
    expect((await bad.closed).code).toBe(4400);
  });

  it('says goodbye with 1001 when it shuts down', async () => {
    const r = await rig();
    const c = await client(r, { type: 'hello', token: TOKENS.get('A')! });
    await c.untilLive();
    await r.feed.close();
    expect(await c.closed).toEqual({ code: 1001, reason: 'gateway shutting down' });
  });
});
