import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACT, startGateway, type RunningGateway } from '../../gateway/app.js';
import type { AcquirerConfig } from '../../gateway/config/types.js';
import { startAcquirer, type AcquirerStub } from '../../terminal-sim/acquirer/index.js';
import { testConfig, waitFor } from './stack.js';
import { sale, TestTerminal } from './terminal-client.js';

const VISA = '4761739001010119';
const MASTERCARD = '5413330089020011';

let dir: string;
let a: AcquirerStub;
let b: AcquirerStub;
let gw: RunningGateway;
let logFile: string;

function acquirer(id: string, port: number): AcquirerConfig {
  return {
    id,
    host: '127.0.0.1',
    port,
    deadlineMs: 400,
    echoIntervalMs: 30_000,
    acquiringInstitution: '123456',
    reconnect: { initialMs: 50, maxMs: 300, jitter: 0.1 },
    maxFrameSize: 8192,
    breaker: { consecutiveFailures: 3, halfOpenAfterMs: 1_000 },
    drained: false,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posgw-failover-'));
  logFile = join(dir, 'gateway.log');
  const quiet = pino({ level: 'silent' });
  // balances off: every card is approved unless its amount says otherwise
  const rules = { amountEndings: {}, cards: {}, timings: { slowMs: 100, lateMs: 1000 }, failCode: '96' };
  a = await startAcquirer({ port: 0, httpPort: 0, dbPath: join(dir, 'a.db'), logger: quiet, rules });
  b = await startAcquirer({ port: 0, httpPort: 0, dbPath: join(dir, 'b.db'), logger: quiet, rules });
  const base = testConfig(dir, a.port);
  gw = await startGateway(
    {
      ...base,
      acquirers: [acquirer('acq-a', a.port), acquirer('acq-b', b.port)],
      routing: {
        rules: [
          { name: 'mastercard-to-b', match: { schemes: ['mastercard'] }, acquirers: ['acq-b', 'acq-a'] },
          { name: 'second-merchant', match: { merchants: ['MERCHANT0000002'] }, acquirers: ['acq-b'] },
        ],
        default: ['acq-a', 'acq-b'],
      },
      merchants: [...base.merchants, { id: 'MERCHANT0000002', name: 'Second Shop', enabled: true }],
      terminals: [...base.terminals, { id: 'TERM0005', merchantId: 'MERCHANT0000002', enabled: true }],
    },
    { logger: pino({ level: 'debug', redact: REDACT }, pino.destination({ dest: logFile, sync: true })) },
  );
  await waitFor(() => [...gw.links.values()].every((l) => l.state === 'up'), 5000, 'both links up');
});
afterAll(async () => {
  await gw?.close();
  await a?.close();
  await b?.close();
});

async function terminal(): Promise<TestTerminal> {
  return TestTerminal.connect(gw.ports.listeners.terminals);
}

async function http(path: string, method = 'GET'): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${gw.ports.http}${path}`, { method });
  return { status: res.status, body: await res.json() };
}

/** Approved and not reversed, per RRN, over both acquirers: every sale must be charged at most once. */
function charges(): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of [...a.ledger(), ...b.ledger()]) {
    if (row.status === 'approved') out.set(row.rrn, (out.get(row.rrn) ?? 0) + 1);
  }
  return out;
}

describe('routing', () => {
  it('routes by scheme (BIN) and by merchant, and journals the route', async () => {
    const t = await terminal();
    const visa = await t.request(sale(t, { pan: VISA, amount: 1000 }));
    const mc = await t.request(sale(t, { pan: MASTERCARD, amount: 1000 }));
    const second = await t.request(sale(t, { pan: VISA, amount: 1000, terminalId: 'TERM0005', merchantId: 'MERCHANT0000002' }));
    expect([visa, mc, second].map((r) => r.fields[39])).toEqual(['00', '00', '00']);
    expect(a.ledger({ rrn: visa.fields[37] as string })).toHaveLength(1);
    expect(b.ledger({ rrn: mc.fields[37] as string })).toHaveLength(1);
    expect(b.ledger({ rrn: second.fields[37] as string })).toHaveLength(1);
    expect((await gw.store.findByRrn(mc.fields[37] as string))?.route).toBe('mastercard-to-b: acq-b');
    expect((await gw.store.findByRrn(visa.fields[37] as string))?.route).toBe('default: acq-a');
    t.close();
  });

  it('a drained acquirer gets no new authorizations, and its reversals still reach it', async () => {
    const t = await terminal();
    const mc = sale(t, { pan: MASTERCARD, amount: 2000 });
    const approved = await t.request(mc);
    expect(b.ledger({ rrn: approved.fields[37] as string })).toHaveLength(1);
    expect((await http('/acquirers/acq-b/drain', 'POST')).status).toBe(200);
    // the terminal reverses its sale: the reversal goes to acq-b, which holds the original, drained or not
    expect((await t.request({ mti: '0400', fields: { ...mc.fields } })).fields[39]).toBe('00');
    await waitFor(() => b.ledger({ rrn: approved.fields[37] as string })[0].status === 'reversed', 3000, 'reversal at the drained acquirer');
    const next = await t.request(sale(t, { pan: MASTERCARD, amount: 2000 }));
    expect(next.fields[39]).toBe('00');
    expect(a.ledger({ rrn: next.fields[37] as string })).toHaveLength(1);
    expect((await gw.store.findByRrn(next.fields[37] as string))?.route).toBe('mastercard-to-b: acq-a');
    const rows = (await http('/acquirers')).body as { id: string; drained: boolean; breaker: string }[];
    expect(rows.find((r) => r.id === 'acq-b')).toMatchObject({ drained: true, breaker: 'closed' });
    expect((await http('/acquirers/acq-b/resume', 'POST')).status).toBe(200);
    expect((await http('/acquirers/nope/drain', 'POST')).status).toBe(404);
    t.close();
  });
});

describe('failover', () => {
  it('opens the breaker when the primary stops answering, moves traffic to the secondary, and charges each sale once', async () => {
    const terminals = await Promise.all([1, 2, 3, 4].map(() => terminal()));
    /** `at`: when the request was sent. */
    const answers: { rc: string; rrn: string; at: number }[] = [];
    let stop = false;
    let amount = 30_000;
    const load = terminals.map(async (t) => {
      while (!stop) {
        const at = Date.now();
        const res = await t.request(sale(t, { pan: VISA, amount: amount++ * 100 }), 3000).catch(() => undefined);
        if (res) answers.push({ rc: res.fields[39] as string, rrn: res.fields[37] as string, at });
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const cut = Date.now();
    a.setMode('silent');
    await waitFor(() => gw.gates.get('acq-a')!.snapshot().breaker !== 'closed', 5000, 'breaker open');
    const opened = Date.now();
    expect(opened - cut).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 700));
    stop = true;
    await Promise.all(load);
    terminals.forEach((t) => t.close());
    // everything sent after the breaker opened was approved by the secondary
    const after = answers.filter((x) => x.at > opened);
    expect(after.length).toBeGreaterThan(5);
    expect(after.every((x) => x.rc === '00')).toBe(true);
    expect(after.every((x) => b.ledger({ rrn: x.rrn }).length === 1)).toBe(true);
    const timedOut = answers.filter((x) => x.rc === '91');
    expect(timedOut.length).toBeGreaterThan(0);
    // the primary comes back: every authorization that timed out there is reversed there
    a.setMode('normal');
    await waitFor(async () => (await gw.store.safStats()).depth === 0, 10_000, 'reversals delivered');
    for (const x of timedOut) {
      const tx = await gw.store.findByRrn(x.rrn);
      expect(tx?.acquirerId).toBe('acq-a');
      expect(b.ledger({ rrn: x.rrn })).toHaveLength(0);
    }
    for (const [rrn, n] of charges()) expect(n, `RRN ${rrn}`).toBe(1);
    expect(readFileSync(logFile, 'utf8')).toContain('"alert":"ACQUIRER_BREAKER_OPEN"');
    const metrics = await (await fetch(`http://127.0.0.1:${gw.ports.http}/metrics`)).text();
    expect(metrics).toMatch(/posgw_breaker_transitions_total\{acquirer="acq-a",to="open"\} [1-9]/);
    expect(metrics).toMatch(/posgw_routed_total\{acquirer="acq-b",failover="no"\} [1-9]/);
    // the breaker closes again after a successful probe
    const t = await terminal();
    await waitFor(async () => {
      await t.request(sale(t, { pan: VISA, amount: 100 }));
      return gw.gates.get('acq-a')!.snapshot().breaker === 'closed';
    }, 5000, 'breaker closed again');
    t.close();
  }, 30_000);

  it('a flapping acquirer does not make the breaker open more often than its probe interval allows', async () => {
    const gate = gw.gates.get('acq-a')!;
    const opens: number[] = [];
    const sub = gate.breaker.onBreak(() => opens.push(Date.now()));
    const t = await terminal();
    let flip = false;
    const flapper = setInterval(() => {
      flip = !flip;
      a.setMode(flip ? 'silent' : 'normal');
    }, 150);
    const started = Date.now();
    let amount = 50_000;
    while (Date.now() - started < 3_000) await t.request(sale(t, { pan: VISA, amount: amount++ * 100 }), 3000).catch(() => undefined);
    clearInterval(flapper);
    sub.dispose();
    a.setMode('normal');
    t.close();
    for (let i = 1; i < opens.length; i++) expect(opens[i] - opens[i - 1]).toBeGreaterThanOrEqual(1_000 - 50);
    expect(opens.length).toBeLessThanOrEqual(4);
    await waitFor(async () => (await gw.store.safStats()).depth === 0, 10_000, 'reversals delivered');
    for (const [rrn, n] of charges()) expect(n, `RRN ${rrn}`).toBe(1);
  }, 30_000);
});
