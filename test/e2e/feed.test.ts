import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../gateway/config/types.js';
import { FeedClient, type FeedMessage } from './feed-client.js';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale, TEST_PAN, type TestTerminal } from './terminal-client.js';

const ADMIN = 'operator-token-0123456789';
const TOKEN_A = 'merchant-a-token-0001';
const TOKEN_B = 'merchant-b-token-0002';
const A = 'MERCHANT0000001';
const B = 'MERCHANT0000002';

function feedConfig(over: Partial<GatewayConfig> = {}): Partial<GatewayConfig> {
  return {
    http: { host: '127.0.0.1', port: 0, adminToken: ADMIN },
    merchants: [
      { id: A, name: 'Shop A', enabled: true, apiToken: TOKEN_A },
      { id: B, name: 'Shop B', enabled: true, apiToken: TOKEN_B },
    ],
    terminals: [
      { id: 'TERM0001', merchantId: A, enabled: true },
      { id: 'TERM0002', merchantId: A, enabled: true },
      { id: 'TERM0003', merchantId: B, enabled: true },
    ],
    feed: { pingIntervalMs: 30_000, helloTimeoutMs: 2_000, maxBufferedBytes: 1_048_576, replayPageSize: 7, maxClients: 100 },
    ...over,
  };
}

const stacks: Stack[] = [];
const clients: FeedClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.drop();
  for (const s of stacks.splice(0)) await s.close();
});

async function stack(over: Partial<GatewayConfig> = {}, dir?: string): Promise<Stack> {
  const s = await startStack({ config: feedConfig(over), dir });
  stacks.push(s);
  return s;
}

async function feed(s: Stack, hello: Record<string, unknown> | string | null): Promise<FeedClient> {
  const c = await FeedClient.open(s.gw.ports.http, hello);
  clients.push(c);
  return c;
}

async function purchase(t: TestTerminal, amount: number, terminalId = 'TERM0001', merchantId = A): Promise<string> {
  const r = await t.request(sale(t, { amount, terminalId, merchantId }));
  expect(r.fields[39]).toBe('00');
  return r.fields[37] as string;
}

const seqs = (ms: FeedMessage[]): number[] => ms.map((m) => m.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('settlement feed over WebSocket', () => {
  it('opens with a snapshot of the open batches, then a purchase arrives live with masked card data only', async () => {
    const s = await stack();
    const t = await s.terminal();
    await purchase(t, 1234);
    const c = await feed(s, { type: 'hello', token: TOKEN_A });
    await c.untilLive();
    const snap = c.snapshot!;
    expect(snap).toMatchObject({ type: 'snapshot', scope: { kind: 'merchant', merchantId: A }, seq: 1, cases: [], alerts: [] });
    expect(snap.batches).toEqual([
      expect.objectContaining({ terminalId: 'TERM0001', batchNo: '000001', status: 'open', terminal: null, host: { saleCount: 1, saleAmount: 1234, refundCount: 0, refundAmount: 0 } }),
    ]);
    // no since: the purchase before the snapshot is in it, not replayed
    expect(c.events).toEqual([]);
    expect(c.messages.map((m) => m.type)).toEqual(['snapshot', 'live']);

    const rrn = await purchase(t, 4321);
    await c.until(() => c.events.length === 1, 5_000, 'the purchase event');
    const [e] = c.events;
    expect(e).toMatchObject({ type: 'event', seq: 2, merchantId: A, event: 'transaction.approved' });
    expect(e.data).toEqual({
      rrn,
      terminalId: 'TERM0001',
      batchNo: '000001',
      stan: expect.stringMatching(/^\d{6}$/),
      kind: 'purchase',
      amount: 4321,
      currency: '840',
      panMasked: '476173******0119',
      responseCode: '00',
      authCode: expect.any(String),
      acquirerId: 'stub',
      originalRrn: null,
    });
    expect(new Date(e.at!).toISOString()).toBe(e.at);
    expect(c.raw.join('\n')).not.toContain(TEST_PAN);
  });

  it('replays what a dropped client missed, then goes on live: nothing lost, nothing twice', async () => {
    const s = await stack();
    const terminals = await Promise.all([s.terminal(), s.terminal()]);
    const first = await feed(s, { type: 'hello', token: TOKEN_A });
    await first.untilLive();
    const total = 40;
    let sent = 0;
    // purchases go on from two terminals while the client drops and comes back
    const load = Promise.all(
      terminals.map(async (t, i) => {
        while (sent < total) {
          sent++;
          await purchase(t, 100 * sent, i === 0 ? 'TERM0001' : 'TERM0002');
        }
      }),
    );
    await first.until(() => first.events.length >= 8, 10_000, '8 events');
    first.drop();
    const seen = first.events.at(-1)!.seq;
    await first.closed;
    // let some events pass while nobody listens
    await waitFor(() => s.gw.feed.cursor(A) >= seen + 5, 10_000, 'more events while disconnected');
    const second = await feed(s, { type: 'hello', token: TOKEN_A, since: seen });
    await load;
    await second.until(() => second.events.length > 0 && second.events.at(-1)!.seq === total, 10_000, 'every event');
    expect(seqs(second.events)).toEqual(range(seen + 1, total));
    expect(seqs([...first.events, ...second.events])).toEqual(range(1, total));
    // the replay ran in pages (replayPageSize 7) and ended with 'live' at the snapshot's cursor
    const live = second.messages.find((m) => m.type === 'live')!;
    expect(live.seq).toBe(second.snapshot!.seq);
    expect(second.snapshot!.seq).toBeGreaterThanOrEqual(seen + 5);
  });

  it('keeps merchants apart; the operator sees every merchant, by global id', async () => {
    const s = await stack();
    const t = await s.terminal();
    const a = await feed(s, { type: 'hello', token: TOKEN_A });
    const b = await feed(s, { type: 'hello', token: TOKEN_B });
    const op = await feed(s, { type: 'hello', token: ADMIN });
    const opB = await feed(s, { type: 'hello', token: ADMIN, merchantId: B });
    await Promise.all([a, b, op, opB].map((c) => c.untilLive()));
    expect(op.snapshot!.scope).toEqual({ kind: 'operator', merchantId: null });
    await purchase(t, 111, 'TERM0001', A);
    await purchase(t, 222, 'TERM0003', B);
    await purchase(t, 333, 'TERM0001', A);
    await op.until(() => op.events.length === 3, 5_000, 'three events for the operator');
    await opB.until(() => opB.events.length === 1, 5_000, "B's event for the operator");
    await a.until(() => a.events.length === 2, 5_000, "A's two events");
    await b.until(() => b.events.length === 1, 5_000, "B's event");
    expect(a.events.map((e) => [e.merchantId, e.seq, e.data!.amount])).toEqual([[A, 1, 111], [A, 2, 333]]);
    expect(b.events.map((e) => [e.merchantId, e.seq, e.data!.amount])).toEqual([[B, 1, 222]]);
    expect(op.events.map((e) => e.data!.amount)).toEqual([111, 222, 333]);
    const ids = op.events.map((e) => e.id!);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(opB.events.map((e) => e.data!.amount)).toEqual([222]);
    expect(a.raw.join('')).not.toContain(B);

    // a merchant token naming another merchant is refused
    const sneaky = await feed(s, { type: 'hello', token: TOKEN_A, merchantId: B });
    expect((await sneaky.closed).code).toBe(4403);
    expect(sneaky.events).toEqual([]);
  });

  it('refuses a bad token with 4401 and a bad message with 4400, naming what was wrong', async () => {
    const s = await stack();
    const bad = await feed(s, { type: 'hello', token: 'not-a-token-at-all' });
    expect(await bad.closed).toEqual({ code: 4401, reason: 'token not recognised' });
    expect(bad.messages).toEqual([]);
    const garbage = await feed(s, '{"type":"hello"');
    expect(await garbage.closed).toEqual({ code: 4400, reason: 'hello: not JSON' });
    const since = await feed(s, { type: 'hello', token: TOKEN_A, since: -1 });
    expect(await since.closed).toEqual({ code: 4400, reason: 'hello: "since" must be a non-negative integer' });
    const ahead = await feed(s, { type: 'hello', token: TOKEN_A, since: 5 });
    expect(await ahead.closed).toEqual({ code: 4400, reason: 'since 5 is ahead of the feed (last seq 0)' });
    const silent = await feed(s, null);
    expect(await silent.closed).toEqual({ code: 4400, reason: 'no hello within 2000 ms' });
    const twice = await feed(s, { type: 'hello', token: TOKEN_A });
    await twice.untilLive();
    twice.ws.send(JSON.stringify({ type: 'hello', token: TOKEN_A }));
    expect(await twice.closed).toEqual({ code: 4400, reason: 'only one message is allowed: the hello' });
    // the gateway still serves others
    const good = await feed(s, { type: 'hello', token: TOKEN_B });
    await good.untilLive();
  });

  it('closes a client that does not read with 4008 and keeps serving the others', async () => {
    const s = await stack({ feed: { pingIntervalMs: 30_000, helloTimeoutMs: 2_000, maxBufferedBytes: 64 * 1024, replayPageSize: 500, maxClients: 100 } });
    const slow = await feed(s, { type: 'hello', token: TOKEN_A });
    const fine = await feed(s, { type: 'hello', token: TOKEN_A });
    await Promise.all([slow.untilLive(), fine.untilLive()]);
    slow.ws.pause();
    // large events fill the socket buffers on both sides quickly
    const blob = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 400 && s.gw.feedServer.stats().closedTooSlow === 0; i++) {
      await s.gw.feed.publish([{ merchantId: A, type: 'case.updated', at: Date.now(), data: { blob, i } }]);
      await fine.until(() => fine.events.length === i + 1, 5_000, `event ${i}`);
    }
    expect(s.gw.feedServer.stats().closedTooSlow).toBe(1);
    // the close frame waits behind what the client has not read yet
    slow.ws.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(4008);
    expect(closed.reason).toMatch(/^too slow: \d+ bytes waiting; reconnect with since$/);
    // the slow client got a prefix of the feed, in order
    expect(seqs(slow.events)).toEqual(range(1, slow.events.length));
    // the others are served as before
    const t = await s.terminal();
    const n = fine.events.length;
    await purchase(t, 500);
    await fine.until(() => fine.events.length === n + 1, 5_000, 'the purchase after');
    expect(s.gw.feedServer.stats().clients).toBe(1);
    const health = await fetch(`http://127.0.0.1:${s.gw.ports.http}/health`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${s.gw.ports.http}/metrics`)).text();
    expect(metrics).toMatch(/^posgw_feed_slow_closes_total 1$/m);
    expect(metrics).toMatch(/^posgw_feed_clients 1$/m);
  });

  it('keeps its events across a gateway restart: a client resumes from the journal', async () => {
    const s = await stack();
    const t = await s.terminal();
    const rrns = [await purchase(t, 100), await purchase(t, 200), await purchase(t, 300)];
    await s.close();
    stacks.splice(stacks.indexOf(s), 1);

    const again = await stack({}, s.dir);
    const c = await feed(again, { type: 'hello', token: TOKEN_A, since: 1 });
    await c.untilLive();
    expect(c.snapshot!.seq).toBe(3);
    expect(c.events.map((e) => [e.seq, e.data!.rrn])).toEqual([[2, rrns[1]], [3, rrns[2]]]);
    const t2 = await again.terminal();
    await purchase(t2, 400);
    await c.until(() => c.events.length === 3, 5_000, 'the purchase after the restart');
    expect(c.events[2]).toMatchObject({ seq: 4, data: { amount: 400 } });
  });

  it('announces a timed-out sale as declined 91 and reversed', async () => {
    const s = await stack();
    const c = await feed(s, { type: 'hello', token: TOKEN_A });
    await c.untilLive();
    const t = await s.terminal();
    // the stub's default rules never answer this amount
    const r = await t.request(sale(t, { amount: 1073 }), 5_000);
    expect(r.fields[39]).toBe('91');
    await c.until(() => c.events.length === 2, 5_000, 'declined and reversed');
    expect(c.events.map((e) => [e.event, e.data!.responseCode, e.data!.reason])).toEqual([
      ['transaction.declined', '91', undefined],
      ['transaction.reversed', '91', 'timeout'],
    ]);
  });
});

describe('transaction events on the feed', () => {
  it('tells a void by the sale it voids, and a terminal reversal by its reason', async () => {
    const s = await stack();
    const c = await feed(s, { type: 'hello', token: TOKEN_A });
    await c.untilLive();
    const t = await s.terminal();
    const rrn = await purchase(t, 700);
    const v = await t.request(sale(t, { amount: 700, proc: '020000', extra: { 37: rrn } }));
    expect(v.fields[39]).toBe('00');
    const req = sale(t, { amount: 800 });
    expect((await t.request(req)).fields[39]).toBe('00');
    const rev = await t.request({ mti: '0400', fields: { ...req.fields } });
    expect(rev.fields[39]).toBe('00');
    // a repeat of the reversal changes nothing and says nothing
    expect((await t.request({ mti: '0401', fields: { ...req.fields } })).fields[39]).toBe('00');
    await c.until(() => c.events.length >= 4, 5_000, 'four events');
    await new Promise((r) => setTimeout(r, 200));
    expect(c.events.map((e) => [e.event, e.data!.kind, e.data!.amount, e.data!.originalRrn, e.data!.reason])).toEqual([
      ['transaction.approved', 'purchase', 700, null, undefined],
      ['transaction.approved', 'void', 700, rrn, undefined],
      ['transaction.approved', 'purchase', 800, null, undefined],
      ['transaction.reversed', 'purchase', 800, null, 'terminal'],
    ]);
  });
});

describe('settlement events on the feed', () => {
  it('announces a batch close with its totals, the credits of a report, and the case of a credit left out', async () => {
    const DAY = 86_400_000;
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    const s = await startStack({ clock, stub: { clock, cutover: null }, config: feedConfig() });
    stacks.push(s);
    const c = await feed(s, { type: 'hello', token: TOKEN_A });
    await c.untilLive();
    const t = await s.terminal();
    const paid = await purchase(t, 1000);
    const omitted = await purchase(t, 2500);
    const f63 = `002${String(3500).padStart(12, '0')}${'0'.repeat(15)}`;
    const res = await t.request({ mti: '0500', fields: { 3: '920000', 11: t.nextStan(), 12: '230000', 13: '1121', 41: 'TERM0001', 42: A, 60: '000001', 63: f63 } });
    expect(res.fields[39]).toBe('00');
    await c.until(() => c.events.some((e) => e.event === 'batch.closed'), 5_000, 'batch.closed');
    const totals = { saleCount: 2, saleAmount: 3500, refundCount: 0, refundAmount: 0 };
    expect(c.events.find((e) => e.event === 'batch.closed')!.data).toEqual({
      terminalId: 'TERM0001',
      batchNo: '000001',
      status: 'balanced',
      terminal: totals,
      host: totals,
      funded: { saleCount: 0, saleAmount: 0, refundCount: 0, refundAmount: 0 },
      variance: { terminalVsHost: 0, fundedVsHost: -3500 },
    });

    s.stub.setSettlementFaults({ omit: { rate: 0, rrns: [omitted] } });
    offset += DAY;
    const cut = s.stub.cutover()!;
    await s.gw.recon.importReport(s.stub.settlementReport(cut.reportId)!.csv);
    await c.until(() => c.events.some((e) => e.event === 'credit.received'), 5_000, 'credit.received');
    const credits = c.events.filter((e) => e.event === 'credit.received');
    expect(credits.map((e) => [e.data!.rrn, e.data!.record, e.data!.amount])).toEqual([[paid, 'CREDIT', 1000]]);

    // past the settlement window the missing credit is a case
    offset += 2 * DAY;
    await s.gw.recon.sync();
    s.gw.recon.cases({});
    await c.until(() => c.events.some((e) => e.event === 'case.opened' && e.data!.rrn === omitted), 5_000, 'the case of the omitted credit');
    const opened = c.events.find((e) => e.event === 'case.opened' && e.data!.rrn === omitted)!;
    expect(opened.data).toMatchObject({ class: 'RECEIPT_WITHOUT_CREDIT', merchantId: A, amount: 2500 });
    expect(opened.data).not.toHaveProperty('audit');
    const later = await feed(s, { type: 'hello', token: TOKEN_A });
    await later.untilLive();
    expect((later.snapshot!.cases as { id: string }[]).map((x) => x.id)).toContain(opened.data!.id);
    // every event of A, in one unbroken sequence
    expect(seqs(c.events)).toEqual(range(1, c.events.length));
  });
});
