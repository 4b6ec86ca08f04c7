import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlErrors, defaultRules } from '../../../terminal-sim/acquirer/index.js';
import { LinkClient, PAN, auth, network, sleep, startTestStub, type TestStub } from './helpers.js';

describe('acquirer stub: HTTP control API', () => {
  let t: TestStub;
  let link: LinkClient;

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${t.stub.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }

  beforeAll(async () => {
    t = await startTestStub({ rules: { cards: { [PAN]: { balance: 5000 } } } });
    link = await LinkClient.connect(t.stub.port);
  });
  beforeEach(async () => {
    expect((await call('POST', '/reset')).status).toBe(200);
  });
  afterAll(async () => {
    link.close();
    await t.close();
  });

  it('reports its URL and ports, and health', async () => {
    expect(t.stub.url).toBe(`http://127.0.0.1:${t.stub.httpPort}`);
    expect(t.stub.port).toBeGreaterThan(0);
    const { status, json } = await call('GET', '/health');
    expect(status).toBe(200);
    expect(json).toEqual({ status: 'ok', mode: 'normal', latencyMs: 0, failCode: '96', connections: 1, revertsInMs: null });
  });

  it('lists ledger rows, filtered by RRN and status, and the summary', async () => {
    const a = auth({ amount: 1000 });
    await link.request(a);
    await link.request(auth({ amount: 1051 }));
    const all = await call('GET', '/ledger');
    expect(all.json.rows).toHaveLength(2);
    expect((await call('GET', `/ledger?rrn=${a.fields[37]}`)).json.rows.map((r: { rrn: string }) => r.rrn)).toEqual([a.fields[37]]);
    expect((await call('GET', '/ledger?status=declined')).json.rows).toHaveLength(1);
    const summary = await call('GET', '/ledger/summary');
    expect(summary.json).toMatchObject({ approved: { count: 1, amount: 1000 }, declined: { count: 1 }, charged: { count: 1, amount: 1000 } });
    expect((await call('GET', '/ledger/reversals')).json).toEqual({ rows: [] });
    expect((await call('GET', '/balances')).json).toEqual({ cards: [{ panMasked: '476173******0119', balance: 4000 }] });
  });

  it('rejects bad queries with BAD_REQUEST naming the problem', async () => {
    const bad = await call('GET', '/ledger?status=pending');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('BAD_REQUEST');
    expect(bad.json.error.message).toContain('approved, declined, reversed');
    const unknown = await call('GET', '/ledger?pan=4761');
    expect(unknown.json.error).toEqual({ code: 'BAD_REQUEST', message: 'querystring has an unknown key "pan"' });
  });

  it('mode silent stops answering, then reverts to normal after durationMs', async () => {
    const state = await call('POST', '/control', { mode: 'silent', durationMs: 250 });
    expect(state.json).toMatchObject({ mode: 'silent', revertsInMs: expect.any(Number) });
    const req = auth({ amount: 1000 });
    link.send(req);
    link.send(network('301'));
    await link.expectSilence(150);
    await sleep(150);
    expect((await call('GET', '/health')).json.mode).toBe('normal');
    expect((await link.request(network('301'))).fields[39]).toBe('00');
    // What arrived while silent was never processed.
    expect(t.stub.ledger({ rrn: req.fields[37] as string })).toEqual([]);
  });

  it("mode fail answers every request '96' (or the given fail code) and records declines", async () => {
    await call('POST', '/control', { mode: 'fail' });
    const req = auth({ amount: 1000 });
    expect((await link.request(req)).fields).toMatchObject({ 39: '96' });
    expect((await link.request(network('301'))).fields[39]).toBe('96');
    expect(t.stub.ledger({ rrn: req.fields[37] as string })[0]).toMatchObject({ status: 'declined', responseCode: '96' });
    expect(t.stub.balanceOf(PAN)).toBe(5000);
    await call('POST', '/control', { mode: 'fail', failCode: '91' });
    expect((await link.request(auth({ amount: 1000 }))).fields[39]).toBe('91');
    await call('POST', '/control', { mode: 'normal' });
    expect((await link.request(auth({ amount: 1000 }))).fields[39]).toBe('00');
  });

  it('mode drop closes every connection and each new one, until durationMs ends', async () => {
    const other = await LinkClient.connect(t.stub.port);
    await call('POST', '/control', { mode: 'drop', durationMs: 300 });
    await Promise.all([link.closed, other.closed]);
    const during = await LinkClient.connect(t.stub.port);
    await during.closed;
    await sleep(320);
    link = await LinkClient.connect(t.stub.port);
    expect((await link.request(network('301'))).fields[39]).toBe('00');
  });

  it('latencyMs delays every answer; durationMs restores the latency from before', async () => {
    await call('POST', '/control', { latencyMs: 150, durationMs: 400 });
    const started = Date.now();
    await link.request(network('301'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await sleep(420);
    expect((await call('GET', '/health')).json).toMatchObject({ latencyMs: 0, mode: 'normal' });
  });

  it('reset empties the ledger, reloads balances and goes back to normal', async () => {
    await link.request(auth({ amount: 1000 }));
    await call('POST', '/control', { mode: 'fail', latencyMs: 10 });
    const { json } = await call('POST', '/reset');
    expect(json).toMatchObject({ mode: 'normal', latencyMs: 0 });
    expect(t.stub.ledger()).toEqual([]);
    expect(t.stub.balanceOf(PAN)).toBe(5000);
  });

  it('rejects control bodies that do not match, with stable codes', async () => {
    const cases: [unknown, string][] = [
      [{ mode: 'sleepy' }, 'body.mode must be one of normal, silent, fail, drop'],
      [{ latency: 10 }, 'body has an unknown key "latency"'],
      [{ latencyMs: -1 }, 'body.latencyMs must be >= 0'],
      [{ latencyMs: '10' }, 'body.latencyMs must be integer'],
      [{ mode: 'fail', failCode: '05' }, 'body.failCode must be one of 96, 91'],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/control', body);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: { code: 'BAD_REQUEST', message } });
    }
    const notJson = await call('POST', '/control', '{"mode":');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.code).toBe('BAD_REQUEST');
    expect((await call('GET', '/health')).json.mode).toBe('normal');
  });

  it('reads and replaces the rules; invalid rules are RULES_INVALID naming the key', async () => {
    expect((await call('GET', '/rules')).json.amountEndings).toEqual(defaultRules.amountEndings);
    const bad = await call('PUT', '/rules', { amountEndings: { '42': '57' }, timing: {} });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('RULES_INVALID');
    expect(bad.json.error.message).toContain('unknown key "timing"');
    const ok = await call('PUT', '/rules', { amountEndings: { '42': '57' } });
    expect(ok.status).toBe(200);
    expect((await link.request(auth({ amount: 1042 }))).fields[39]).toBe('57');
    await call('PUT', '/rules', { cards: { [PAN]: { balance: 5000 } } });
  });

  it('answers unknown routes NOT_FOUND', async () => {
    const res = await call('GET', '/nope?x=1');
    expect(res).toEqual({ status: 404, json: { error: { code: 'NOT_FOUND', message: 'no route GET /nope' } } });
  });

  it('has an HTTP status for every error code', () => {
    for (const [code, e] of Object.entries(ControlErrors)) {
      expect(e.status, code).toBeGreaterThanOrEqual(400);
      expect(e.description.length, code).toBeGreaterThan(0);
    }
  });

  it('offers the same controls programmatically', async () => {
    expect(t.stub.setMode('fail', { failCode: '91' })).toMatchObject({ mode: 'fail', failCode: '91' });
    expect(t.stub.setLatency(5)).toMatchObject({ mode: 'fail', latencyMs: 5 });
    expect(() => t.stub.setMode('off' as never)).toThrow(/"mode" must be one of/);
    expect(() => t.stub.control({ latency: 1 } as never)).toThrow(/unknown control key "latency"/);
    t.stub.setMode('normal');
    t.stub.setLatency(0);
  });
});
