import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startGateway } from '../../gateway/app.js';
import { defaultRules } from '../../terminal-sim/acquirer/index.js';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale, type TestTerminal } from './terminal-client.js';

const DAY = 86_400_000;
const OPERATOR = 'operator-token-0000001';
const M1 = 'MERCHANT0000001';
const M2 = 'MERCHANT0000002';
const TOKEN1 = 'merchant-one-token-01';
const TOKEN2 = 'merchant-two-token-02';
// the gateway's upstream deadline is 1 s (stack.ts): an amount ending in 72 is answered after 1.5 s, too late
const rules = { ...defaultRules, cards: {}, timings: { slowMs: 200, lateMs: 1500 } };

// one clock for the gateway and the acquirer stub: real time plus an offset the test moves forward
let offset = 0;
const clock = { now: () => Date.now() + offset };

let stack: Stack;
let t: TestTerminal;
const rrns: Record<string, string> = {};
let reportId = '';
let csv = '';

async function call(method: 'GET' | 'POST', url: string, token?: string, body?: string, type = 'text/csv') {
  const res = await stack.gw.http.inject({
    method,
    url,
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': type }) },
    payload: body,
  });
  return { status: res.statusCode, body: res.headers['content-type']?.toString().startsWith('application/json') ? res.json() : res.body, type: res.headers['content-type'] };
}

beforeAll(async () => {
  stack = await startStack({
    clock,
    stub: { rules, clock, cutover: null },
    config: {
      http: { host: '127.0.0.1', port: 0, adminToken: OPERATOR },
      merchants: [
        { id: M1, name: 'Shop One', enabled: true, apiToken: TOKEN1 },
        { id: M2, name: 'Shop Two', enabled: true, apiToken: TOKEN2 },
      ],
      terminals: [
        { id: 'TERM0001', merchantId: M1, enabled: true },
        { id: 'TERM0002', merchantId: M2, enabled: true },
      ],
    },
  });
  t = await stack.terminal();

  const approve = async (name: string, terminalId: string, merchantId: string, amount: number): Promise<void> => {
    const res = await t.request(sale(t, { terminalId, merchantId, amount }));
    expect(res.fields[39]).toBe('00');
    rrns[name] = res.fields[37] as string;
  };
  await approve('a', 'TERM0001', M1, 1000);
  await approve('omitted', 'TERM0001', M1, 2500);
  await approve('b', 'TERM0002', M2, 3000);
  await approve('c', 'TERM0002', M2, 4010);
  const late = await t.request(sale(t, { terminalId: 'TERM0001', merchantId: M1, amount: 1072 }));
  expect(late.fields[39]).toBe('91');
  rrns.reversed = late.fields[37] as string;
  await waitFor(() => stack.stub.ledger({ rrn: rrns.reversed }).some((r) => r.status === 'reversed'), 5000, 'reversal at the acquirer');
  await waitFor(async () => (await stack.gw.store.pendingSaf()).length === 0, 5000, 'reversal queue empty');

  // the terminals settle their batches (in balance): an open batch a day later would be a case of its own
  const settle = async (terminalId: string, merchantId: string, count: number, amount: number): Promise<void> => {
    const f63 = `${String(count).padStart(3, '0')}${String(amount).padStart(12, '0')}${'0'.repeat(15)}`;
    const res = await t.request({ mti: '0500', fields: { 3: '920000', 11: t.nextStan(), 12: '230000', 13: '1121', 41: terminalId, 42: merchantId, 60: '000001', 63: f63 } });
    expect(res.fields[39]).toBe('00');
  };
  await settle('TERM0001', M1, 2, 3500);
  await settle('TERM0002', M2, 2, 7010);

  stack.stub.setSettlementFaults({ omit: { rate: 0, rrns: [rrns.omitted] } });
  offset += DAY; // the next day's cutover pays the day before
  const summary = stack.stub.cutover();
  expect(summary).not.toBeNull();
  reportId = summary!.reportId;
  csv = stack.stub.settlementReport(reportId)!.csv;
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

describe('reconciliation service and API', () => {
  it('refuses a request without a valid token', async () => {
    expect((await call('GET', '/recon/cases')).status).toBe(401);
    expect((await call('GET', '/recon/cases', 'not-a-token-at-all-x')).body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    expect((await call('POST', '/settlement/reports', TOKEN1, csv)).status).toBe(403);
  });

  it('rejects a malformed report with line and column, importing nothing', async () => {
    const bad = csv.replace(/\n([^\n]*?),(\d+),840,/, (_m, head: string) => `\n${head},12x4,840,`);
    const res = await call('POST', '/settlement/reports', OPERATOR, bad);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'REPORT_INVALID', line: 2, column: expect.any(Number) });
    expect((await call('GET', '/settlement/reports', OPERATOR)).body.reports).toEqual([]);
  });

  it('imports the report, matches the paid sales and expects the omitted one inside its window', async () => {
    const res = await call('POST', '/settlement/reports', OPERATOR, csv);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ reportId, imported: true });
    expect((await call('GET', '/settlement/reports', OPERATOR)).body.reports.map((r: { reportId: string }) => r.reportId)).toEqual([reportId]);

    const open = await call('GET', '/recon/cases', OPERATOR);
    expect(open.body.cases).toEqual([]);
    const expected = await call('GET', '/recon/cases?class=EXPECTED', OPERATOR);
    expect(expected.body.cases.map((c: { rrn: string }) => c.rrn)).toEqual([rrns.omitted]);

    const where = await call('GET', `/recon/lookup?rrn=${rrns.omitted}`, TOKEN1);
    expect(where.body.matches[0]).toMatchObject({ rrn: rrns.omitted, stage: 'awaiting_credit' });
    const paid = await call('GET', `/recon/lookup?rrn=${rrns.a}`, TOKEN1);
    expect(paid.body.matches[0]).toMatchObject({ stage: 'credited' });
    const reversed = await call('GET', `/recon/lookup?rrn=${rrns.reversed}`, OPERATOR);
    expect(reversed.body.matches[0]).toMatchObject({ stage: 'reversed' });
  });

  it('turns the missing credit into RECEIPT_WITHOUT_CREDIT once its window has passed, and nothing else', async () => {
    offset += 2 * DAY;
    const res = await call('GET', '/recon/cases', OPERATOR);
    expect(res.status).toBe(200);
    expect(res.body.cases).toHaveLength(1);
    const c = res.body.cases[0];
    expect(c).toMatchObject({ class: 'RECEIPT_WITHOUT_CREDIT', rrn: rrns.omitted, merchantId: M1, terminalId: 'TERM0001', amount: 2500, status: 'open' });
    // the engine's sentence names the amount and the dates; the case carries the RRN it is about
    expect(c.explanation).toMatch(/^credit missing: journal 25\.00 approved on \d{4}-\d{2}-\d{2}, no credit by \d{4}-\d{2}-\d{2}$/);

    const where = await call('GET', `/recon/lookup?rrn=${rrns.omitted}`, TOKEN1);
    expect(where.body.matches[0]).toMatchObject({ stage: 'overdue', cases: [expect.objectContaining({ id: c.id })] });
    const day = new Date(clock.now() - 3 * DAY).toISOString().slice(0, 10);
    const byCard = await call('GET', `/recon/lookup?last4=0119&amount=2500&date=${day}`, TOKEN1);
    expect(byCard.body.matches.map((m: { rrn: string }) => m.rrn)).toEqual([rrns.omitted]);

    const csvOut = await call('GET', '/recon/cases?format=csv', OPERATOR);
    expect(csvOut.type).toMatch(/^text\/csv/);
    expect(csvOut.body.split('\n')[0]).toMatch(/^id,class,severity,status,/);
    expect(csvOut.body).toContain(`RECEIPT_WITHOUT_CREDIT`);
  });

  it('shows each batch with terminal, host and funded totals and the variance', async () => {
    const res = await call('GET', '/batches', TOKEN1);
    expect(res.status).toBe(200);
    expect(res.body.batches).toHaveLength(1);
    expect(res.body.batches[0]).toMatchObject({
      terminalId: 'TERM0001',
      host: { saleCount: 2, saleAmount: 3500 },
      funded: { saleCount: 1, saleAmount: 1000 },
      variance: { fundedVsHost: -2500 },
    });
    // filters: open and closed split the list; a limit keeps the most recent; an unknown status is refused
    const open = (await call('GET', '/batches?status=open', TOKEN1)).body.batches as { status: string }[];
    const closed = (await call('GET', '/batches?status=closed', TOKEN1)).body.batches as { status: string }[];
    expect(open.length + closed.length).toBe(1);
    expect(open.every((b) => b.status === 'open') && closed.every((b) => b.status !== 'open')).toBe(true);
    expect((await call('GET', '/batches?limit=1', OPERATOR)).body.batches).toHaveLength(1);
    const bad = await call('GET', '/batches?status=lost', TOKEN1);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('BAD_REQUEST');
  });

  it('imports the same report again without changing anything', async () => {
    const before = (await call('GET', '/recon/cases', OPERATOR)).body;
    const again = await call('POST', '/settlement/reports', OPERATOR, csv);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ reportId, imported: false });
    expect((await call('GET', '/recon/cases', OPERATOR)).body).toEqual(before);
    expect((await stack.gw.store.credits()).length).toBe(csv.trim().split('\n').length - 1);
  });

  it('gives the same cases in a full run as incrementally', async () => {
    expect((await call('POST', '/recon/run', TOKEN1)).status).toBe(403);
    const run = await call('POST', '/recon/run', OPERATOR);
    expect(run.body).toEqual({ cases: 1, agrees: true, differences: [] });
  });

  it("keeps a merchant out of another merchant's data", async () => {
    const c = (await call('GET', '/recon/cases', OPERATOR)).body.cases[0];
    expect((await call('GET', '/recon/cases', TOKEN2)).body.cases).toEqual([]);
    expect((await call('GET', `/recon/cases/${encodeURIComponent(c.id)}`, TOKEN2)).status).toBe(404);
    expect((await call('GET', `/recon/cases/${encodeURIComponent(c.id)}`, TOKEN1)).body).toMatchObject({ id: c.id });
    expect((await call('GET', `/recon/cases?merchant=${M1}`, TOKEN2)).body.error.code).toBe('MERCHANT_NOT_FOUND');
    expect((await call('GET', '/recon/cases?terminal=TERM0001', TOKEN2)).status).toBe(404);
    expect((await call('GET', `/recon/lookup?rrn=${rrns.omitted}`, TOKEN2)).body.error.code).toBe('TRANSACTION_NOT_FOUND');
    expect((await call('GET', '/batches', TOKEN2)).body.batches.map((b: { terminalId: string }) => b.terminalId)).toEqual(['TERM0002']);
    expect((await call('GET', '/recon/cases', TOKEN1)).body.cases).toHaveLength(1);
  });

  it('keeps what people did to a case across a gateway restart on the same journal', async () => {
    const c = (await call('GET', '/recon/cases', OPERATOR)).body.cases[0];
    const ack = await call('POST', `/recon/cases/${c.id}/acknowledge`, TOKEN1, JSON.stringify({ actor: 'shop manager', note: 'called the acquirer' }), 'application/json');
    expect(ack.body).toMatchObject({ status: 'acknowledged' });
    await stack.gw.close();
    const gw = await startGateway(stack.gw.config, { clock, logger: pino({ level: 'silent' }) });
    try {
      const res = await gw.http.inject({ method: 'GET', url: `/recon/cases/${c.id}`, headers: { authorization: `Bearer ${TOKEN1}` } });
      expect(res.json()).toMatchObject({ id: c.id, class: 'RECEIPT_WITHOUT_CREDIT', status: 'acknowledged', manual: true });
      expect(res.json().audit.map((a: { actor: string; action: string }) => `${a.actor}: ${a.action}`)).toEqual(['recon: opened', `merchant:${M1} (shop manager): acknowledged`]);
      const run = await gw.http.inject({ method: 'POST', url: '/recon/run', headers: { authorization: `Bearer ${OPERATOR}` } });
      expect(run.json()).toEqual({ cases: 1, agrees: true, differences: [] });
    } finally {
      await gw.close();
    }
  });
});
