import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Case } from '../../gateway/recon/index.js';
import { loadScenario, localAcquirer, runScenario, type ScenarioReport } from '../../terminal-sim/scenario/index.js';
import { parseTarget } from '../../terminal-sim/transport/index.js';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale, type TestTerminal } from './terminal-client.js';

const DAY = 86_400_000;
const M = 'MERCHANT0000001';
const OPERATOR = 'operator-token-0000001';
const TOKEN = 'merchant-one-token-01';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Gateway and stub on one clock the test moves forward; the stub pays a day's approvals at that day's cutover. */
async function start(offset: { ms: number }): Promise<Stack> {
  const clock = { now: () => Date.now() + offset.ms };
  return startStack({
    clock,
    stub: { clock, cutover: null, settleAfterDays: 0 },
    config: {
      http: { host: '127.0.0.1', port: 0, adminToken: OPERATOR },
      merchants: [{ id: M, name: 'Demo Corner Shop', enabled: true, apiToken: TOKEN }],
      terminals: Array.from({ length: 6 }, (_, i) => ({ id: `TERM000${i + 1}`, merchantId: M, enabled: true })),
      // a reversal nobody acknowledges is given up quickly
      saf: { retryInitialMs: 100, retryMaxMs: 300, expireAfterMs: 2_000, pollMs: 50 },
    },
  });
}

async function call(s: Stack, method: 'GET' | 'POST', url: string, body?: string, type = 'application/json') {
  const res = await s.gw.http.inject({ method, url, headers: { authorization: `Bearer ${OPERATOR}`, ...(body === undefined ? {} : { 'content-type': type }) }, payload: body });
  return { status: res.statusCode, body: res.json() };
}

/** Every report the stub made, imported over HTTP; every terminal's receipts uploaded as their export. */
async function feed(s: Stack, report: ScenarioReport): Promise<void> {
  for (const r of s.stub.settlementReports()) {
    expect((await call(s, 'POST', '/settlement/reports', s.stub.settlementReport(r.reportId)!.csv, 'text/csv')).status).toBe(201);
  }
  for (const t of report.terminals) {
    const res = await call(s, 'POST', '/recon/receipts', JSON.stringify(t.printed));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

function approve(t: TestTerminal, terminalId: string, amount: number, batch = '000001'): Promise<string> {
  return t.request(sale(t, { terminalId, amount, batch })).then((res) => {
    expect(res.fields[39]).toBe('00');
    return res.fields[37] as string;
  });
}

async function settle(t: TestTerminal, terminalId: string, proc: '920000' | '960000', count: number, amount: number): Promise<string> {
  const f63 = `${String(count).padStart(3, '0')}${String(amount).padStart(12, '0')}${'0'.repeat(15)}`;
  const res = await t.request({ mti: '0500', fields: { 3: proc, 11: t.nextStan(), 12: '230000', 13: '1121', 41: terminalId, 42: M, 60: '000001', 63: f63 } });
  return res.fields[39] as string;
}

const view = (cases: Case[]): string[] => cases.map((c) => `${c.class} ${c.terminalId} ${c.amount ?? ''}`.trim()).sort();

describe('every discrepancy class, from the simulator and the stub', () => {
  it('approved-but-not-paid plus the settlement faults: each class found, for the sale it belongs to, and nothing else', async () => {
    const offset = { ms: 0 };
    stack = await start(offset);
    const s = stack;
    const report = await runScenario(loadScenario('approved-but-not-paid', process.cwd()), {
      target: parseTarget(`tcp://127.0.0.1:${s.port}`),
      acquirer: localAcquirer(s.stub),
      dataDir: mkdtempSync(join(tmpdir(), 'posgw-sim-')),
    });
    expect(report.complaints).toHaveLength(4);

    const t = await s.terminal();
    // TERM0004: paid twice, paid 0.05 more, paid three days late
    const duplicate = await approve(t, 'TERM0004', 1100);
    const wrong = await approve(t, 'TERM0004', 1200);
    const late = await approve(t, 'TERM0004', 1300);
    // TERM0005: settles out of balance (the terminal claims two sales, uploads none)
    await approve(t, 'TERM0005', 3000);
    expect(await settle(t, 'TERM0005', '920000', 2, 6000)).toBe('95');
    expect(await settle(t, 'TERM0005', '960000', 2, 6000)).toBe('00');
    // TERM0006: a sale in a batch never closed
    await approve(t, 'TERM0006', 4000);
    // TERM0004 again: the acquirer approves, answers too late, and then hears nothing of the reversal
    s.stub.control({ latencyMs: 1_500 });
    const abandoned = t.request(sale(t, { terminalId: 'TERM0004', amount: 1400 }));
    await waitFor(() => s.stub.ledger({}).some((r) => r.amount === 1400 && r.status === 'approved'), 5_000, 'the approval at the acquirer');
    s.stub.setMode('silent');
    expect((await abandoned).fields[39]).toBe('91');
    await waitFor(async () => (await s.gw.store.exceptions()).length === 1, 10_000, 'the reversal abandoned');
    s.stub.control({ mode: 'normal', latencyMs: 0 });
    expect(await settle(t, 'TERM0004', '920000', 3, 3600)).toBe('00');

    const omitted = s.stub.settlementFaults().omit;
    s.stub.setSettlementFaults({
      omit: omitted,
      duplicate: { rate: 0, rrns: [duplicate] },
      wrongAmount: { rate: 0, rrns: [wrong], delta: 5 },
      late: { rate: 0, rrns: [late], days: 3 },
      phantom: { rate: 0, rrns: ['999999999999'], amount: 4242 },
    });
    expect(s.stub.cutover()).not.toBeNull();
    offset.ms += 3 * DAY;
    expect(s.stub.cutover()).not.toBeNull();
    await feed(s, report);

    // (the credits of the second report cleared the cases the first one left open: those are left out)
    const cases = (await call(s, 'GET', '/recon/cases?cleared=false')).body.cases as Case[];
    expect(view(cases)).toEqual([
      'AMOUNT_MISMATCH TERM0004 1200',
      'CREDIT_WITHOUT_RECEIPT TERM0004 4242',
      'DUPLICATE TERM0004 1100',
      'LATE_CREDIT TERM0004 1300',
      'OFFLINE_NOT_UPLOADED TERM0003 800',
      'OUT_OF_BALANCE TERM0005 6000',
      'RECEIPT_WITHOUT_CREDIT TERM0001 500',
      'RECEIPT_WITHOUT_CREDIT TERM0002 2372',
      'REVERSAL_ABANDONED TERM0004 1400',
      'STALE_OPEN_BATCH TERM0006',
    ]);
    const byClass = (cls: string, amount?: number) => cases.find((c) => c.class === cls && (amount === undefined || c.amount === amount))!;
    expect(byClass('RECEIPT_WITHOUT_CREDIT', 500).rrn).toBe(report.complaints.find((c) => c.amount === 500)!.acquirerRrn);
    expect(byClass('RECEIPT_WITHOUT_CREDIT', 2372).explanation).toBe('approval differs: receipt approved 23.72, gateway journal timed out and reversed');
    expect(byClass('AMOUNT_MISMATCH').explanation).toBe('amount differs: journal 12.00, credit 12.05');
    expect(byClass('DUPLICATE').rrn).toBe(duplicate);
    expect(byClass('LATE_CREDIT').rrn).toBe(late);
    expect((await call(s, 'POST', '/recon/run')).body).toEqual({ cases: 10, agrees: true, differences: [] });
  }, 120_000);

  it('happy-day: every sale paid, every batch in balance, no case', async () => {
    const offset = { ms: 0 };
    stack = await start(offset);
    const s = stack;
    const report = await runScenario(loadScenario('happy-day', process.cwd()), {
      target: parseTarget(`tcp://127.0.0.1:${s.port}`),
      acquirer: localAcquirer(s.stub),
      dataDir: mkdtempSync(join(tmpdir(), 'posgw-sim-')),
    });
    expect(report.complaints).toEqual([]);
    expect(s.stub.cutover()).not.toBeNull();
    offset.ms += 3 * DAY;
    await feed(s, report);
    expect(report.terminals.reduce((n, t) => n + t.printed.length, 0)).toBeGreaterThan(20);
    expect((await call(s, 'GET', '/recon/cases')).body.cases).toEqual([]);
    expect((await call(s, 'GET', '/recon/cases?class=EXPECTED')).body.cases).toEqual([]);
    expect((await call(s, 'POST', '/recon/run')).body).toEqual({ cases: 0, agrees: true, differences: [] });
  }, 120_000);
});
