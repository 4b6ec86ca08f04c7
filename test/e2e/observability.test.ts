import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale, type TestTerminal } from './terminal-client.js';

/** A clock the test moves: a day of store-and-forward expiry passes in one assignment. */
let offset = 0;
const clock = { now: () => Date.now() + offset };

let stack: Stack;
let t: TestTerminal;

beforeAll(async () => {
  stack = await startStack({ clock, config: { saf: { retryInitialMs: 100, retryMaxMs: 200, expireAfterMs: 3_600_000, pollMs: 50 } } });
  t = await stack.terminal();
});
afterAll(async () => {
  await stack?.close();
});

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${stack.gw.ports.http}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('health, metrics and reversal expiry', () => {
  it('reports health and Prometheus metrics that move with traffic', async () => {
    expect((await t.request(sale(t, { amount: 1500 }))).fields[39]).toBe('00');
    expect((await t.request(sale(t, { amount: 1505 }))).fields[39]).toBe('05');
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', acquirers: [{ id: 'stub', state: 'up' }], storeAndForward: { depth: 0 } });
    const metrics = (await get('/metrics')).body;
    expect(metrics).toMatch(/posgw_requests_total\{mti="0200",rc="00"\} [1-9]/);
    expect(metrics).toMatch(/posgw_requests_total\{mti="0200",rc="05"\} [1-9]/);
    expect(metrics).toMatch(/posgw_upstream_latency_seconds_count\{acquirer="stub"\} [1-9]/);
    // each authorization is journaled twice (the request, then the reply), each write durable before the next step
    expect(metrics).toMatch(/posgw_journal_commit_writes_count [1-9]/);
    expect(metrics).toMatch(/posgw_journal_sync_seconds_count [1-9]/);
    expect(metrics).toMatch(/posgw_connected_terminals\{listener="terminals"\} 1/);
    expect(metrics).toMatch(/posgw_acquirer_up\{acquirer="stub"\} 1/);
    expect(metrics).toMatch(/posgw_open_batches [1-9]/);
    expect((await get('/nope')).status).toBe(404);
  });

  it('abandons a reversal unacknowledged past its expiry: REVERSAL_ABANDONED record, alert log, metric', { timeout: 30_000 }, async () => {
    stack.stub.setMode('silent');
    const res = await t.request(sale(t, { amount: 2500 }));
    expect(res.fields[39]).toBe('91');
    await waitFor(async () => (await stack.gw.store.safStats()).depth === 1, 10_000, 'reversal queued');
    const health = await get('/health');
    expect(JSON.parse(health.body).storeAndForward.depth).toBe(1);
    // the acquirer stays silent; a day passes
    offset += 86_400_000;
    await waitFor(async () => (await stack.gw.store.exceptions()).length === 1, 10_000, 'reversal abandoned');
    const [e] = await stack.gw.store.exceptions();
    expect(e).toMatchObject({ kind: 'REVERSAL_ABANDONED', terminalId: 'TERM0001', merchantId: 'MERCHANT0000001' });
    expect(e.detail).toContain(res.fields[37] as string);
    expect((await stack.gw.store.safStats()).depth).toBe(0);
    // the record is readable in the journal's open transaction before its commit is synced; the count follows the sync
    await waitFor(async () => /posgw_reversals_abandoned_total\{acquirer="stub"\} 1/.test((await get('/metrics')).body), 5_000, 'abandoned reversal counted');
    expect(readFileSync(stack.logFile, 'utf8')).toMatch(/"alert":"REVERSAL_ABANDONED".*"action":"check with the acquirer/);
    stack.stub.setMode('normal');
  });
});
