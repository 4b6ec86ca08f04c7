import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../terminal-sim/commands/index.js';
import {
  loadScenario,
  localAcquirer,
  parseScenario,
  renderReport,
  runScenario,
  scenarioCommand,
  type ScenarioReport,
} from '../../../terminal-sim/scenario/index.js';
import { parseTarget } from '../../../terminal-sim/transport/index.js';
import { startStack, waitFor, type Stack } from '../../e2e/stack.js';
import { MERCHANT, simStack, tempDir } from '../device/sim-stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function run(name: string): Promise<ScenarioReport> {
  stack = await simStack();
  return runScenario(loadScenario(name, process.cwd()), {
    target: parseTarget(`tcp://127.0.0.1:${stack.port}`),
    acquirer: localAcquirer(stack.stub),
    dataDir: tempDir(),
  });
}

async function cli(args: string[], cwd = tempDir()): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const io: CommandIo = { stdout, stderr, env: {}, cwd };
  const code = await scenarioCommand.run(args, io);
  return { code, out: out.join(''), err: err.join('') };
}

const receipts = (r: ScenarioReport) => r.terminals.flatMap((t) => t.printed);

describe('shipped scenarios against the gateway and the acquirer stub', () => {
  it('happy-day: every terminal settles in balance, and no receipt is one a merchant would call about', async () => {
    const r = await run('happy-day');
    expect(r.steps.filter((s) => s.outcome === 'error' || s.outcome === 'no_answer')).toEqual([]);
    expect(r.complaints).toEqual([]);
    expect(r.unprinted).toEqual([]);
    const settles = r.steps.filter((s) => s.action === 'settle');
    expect(settles.map((s) => [s.terminalId, s.responseCode])).toEqual([['TERM0001', '00'], ['TERM0002', '00'], ['TERM0003', '00']]);
    for (const t of r.terminals) {
      expect(t.closedBatches).toHaveLength(1);
      expect(await stack!.gw.store.getBatch(t.terminalId, '000001')).toMatchObject({ status: 'balanced', terminalTotals: t.closedBatches[0].totals });
      expect(t.pendingReversal).toBeNull();
    }
    // the acquirer charged exactly the sales printed APPROVED and not voided, and refunded the refunds
    const printed = receipts(r);
    const voided = new Set(printed.filter((p) => p.kind === 'void' && p.approved).map((p) => `${p.terminalId}/${p.invoice}`));
    const sales = printed.filter((p) => p.kind === 'purchase' && p.approved && !voided.has(`${p.terminalId}/${p.invoice}`));
    const refunds = printed.filter((p) => p.kind === 'refund' && p.approved);
    expect(r.acquirerView).toMatchObject({
      charged: { count: sales.length, amount: sales.reduce((n, p) => n + p.amount, 0) },
      refunded: { count: refunds.length, amount: refunds.reduce((n, p) => n + p.amount, 0) },
      reversed: { count: voided.size },
      doubleCharged: [],
    });
    expect(sales.length).toBeGreaterThan(10);
    expect(renderReport(r)).toContain('MERCHANT WOULD CALL ABOUT: nothing');
  });

  it('approved-but-not-paid (CLI, stub over HTTP): the report names the three receipts not charged and the one charged, never credited', async () => {
    // a stub that pays today's approvals at the scenario's cutover
    const terminals = ['TERM0001', 'TERM0002', 'TERM0003'].map((id) => ({ id, merchantId: MERCHANT, enabled: true }));
    stack = await startStack({ config: { terminals }, stub: { settleAfterDays: 0 } });
    const dir = tempDir();
    const res = await cli(['approved-but-not-paid', '--target', `tcp://127.0.0.1:${stack.port}`, '--acquirer-url', stack.stub.url, '--data-dir', dir, '--json', '--fail-on-complaints', '--report', 'out/report.txt'], dir);
    expect(res.code).toBe(1);
    expect(res.err).toContain('TERM0002 purchase inv 000001 23.72 {skip-reversal, print-approved-on-timeout}: APPROVED 00 APPROVED');
    const r = JSON.parse(res.out) as ScenarioReport;
    expect(r.complaints.map((c) => [c.terminalId, c.invoice, c.amount, c.printed, c.acquirer, c.faults])).toEqual([
      ['TERM0001', '000001', 1271, '00 APPROVED', 'reversed', ['print-approved-on-timeout']],
      ['TERM0001', '000002', 500, '00 APPROVED', 'not credited', []],
      ['TERM0002', '000001', 2372, '00 APPROVED', 'reversed', ['print-approved-on-timeout', 'skip-reversal']],
      ['TERM0003', '000001', 800, 'Y1 APPROVED OFFLINE', 'missing', ['skip-advice']],
    ]);
    expect(r.complaints[0].why).toContain("the terminal's own saved reversal cancelled it");
    expect(r.complaints[2].why).toContain('the gateway timed out upstream and reversed it');
    expect(r.unprinted).toEqual([]);
    // charged by the acquirer, left out of the report the scenario's cutover made; the day's other sales paid
    const uncredited = r.complaints[1];
    expect(uncredited.why).toContain('charged, never credited');
    expect(stack.stub.ledger().filter((row) => row.rrn === uncredited.acquirerRrn).map((row) => row.status)).toEqual(['approved']);
    expect(r.settlement).toMatchObject({ settleAfterDays: 0, checked: true, note: null, omitted: [{ terminalId: 'TERM0001', invoice: '000002', rrn: uncredited.acquirerRrn }] });
    expect(r.settlement!.reports).toHaveLength(1);
    const lines = stack.stub.settlementReport(r.settlement!.reports[0].reportId)!.lines.filter((l) => l.record === 'CREDIT');
    expect(lines.map((l) => l.amount).sort((a, b) => a - b)).toEqual([700, 2000]);
    expect(stack.stub.appliedFaults({ kind: 'omit' }).map((f) => f.rrn)).toEqual([uncredited.acquirerRrn]);
    const byId = Object.fromEntries(r.terminals.map((t) => [t.terminalId, t]));
    // TERM0001 reversed the sale itself: its batch never held it
    expect(byId.TERM0001.closedBatches[0].totals).toMatchObject({ saleCount: 1, saleAmount: 500 });
    // TERM0002 believes its batch holds the sale and uploaded it; the gateway had timed it out and reversed it
    expect(byId.TERM0002.closedBatches[0]).toMatchObject({ totals: { saleCount: 2, saleAmount: 3072 }, uploaded: 2 });
    const late = await stack.gw.store.findByRrn(r.complaints[2].acquirerRrn!);
    expect(late).toMatchObject({ state: 'timed_out', reversal: 'timeout', captured: false, amount: 2372 });
    expect((await stack.gw.store.uploads('TERM0002', '000001')).map((u) => u.amount).sort()).toEqual([2372, 700]);
    // TERM0003 settled in balance without the offline sale; the acquirer never saw it
    expect(byId.TERM0003.closedBatches[0].totals).toMatchObject({ saleCount: 1, saleAmount: 2000 });
    expect(await stack.gw.store.getBatch('TERM0003', '000001')).toMatchObject({ status: 'balanced' });
    expect(stack.stub.ledger().filter((row) => row.amount === 800)).toEqual([]);
    expect(stack.stub.ledger().filter((row) => row.amount === 1271 || row.amount === 2372).map((row) => row.status)).toEqual(['reversed', 'reversed']);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(join(dir, 'out/report.txt'), 'utf8');
    expect(text).toContain('MERCHANT WOULD CALL ABOUT: 4 receipt(s) printed APPROVED but not paid: 3 not charged, 1 charged, never credited');
    expect(text).toContain('TERM0001 batch 000001 invoice 000002: SALE 5.00');
    expect(text).not.toContain('Pending');
    expect(text).not.toContain('NOT CHECKED');
  });

  it('a cutover on a stub that settles a day late pays none of today\'s sales: the report says the credits were not checked', async () => {
    stack = await simStack();
    const s = parseScenario({
      name: 'lagged',
      terminals: [{ id: 'TERM0001', merchant: MERCHANT }],
      steps: [{ signon: {} }, { terminal: 'TERM0001', purchase: { amount: '5.00' } }, { settle: {} }, { settlement: { omit: [{ terminal: 'TERM0001', invoice: '1' }], cutover: true } }],
    });
    const r = await runScenario(s, { target: parseTarget(`tcp://127.0.0.1:${stack.port}`), acquirer: localAcquirer(stack.stub), dataDir: tempDir() });
    expect(r.complaints).toEqual([]);
    expect(r.settlement).toMatchObject({ settleAfterDays: 1, checked: false, reports: [], omitted: [{ terminalId: 'TERM0001', invoice: '000001' }] });
    expect(r.steps.at(-1)!.text).toContain("the stub settles 1 day(s) after approval: today's sales are not in it");
    const text = renderReport(r);
    expect(text).toContain('MERCHANT WOULD CALL ABOUT: nothing (every APPROVED receipt is charged)');
    expect(text).toContain('NOT CHECKED: the stub settles 1 day(s) after approval');
  });

  it('duplicate-storm: lost replies and resends; every sale charged once, every reply lost reversed, every batch in balance', async () => {
    const r = await run('duplicate-storm');
    expect(r.complaints).toEqual([]);
    expect(r.unprinted).toEqual([]);
    expect(r.acquirerView!.doubleCharged).toEqual([]);
    const applied = r.terminals.flatMap((t) => t.wireFaults.map((f) => ({ ...f, terminalId: t.terminalId })));
    expect(applied.filter((f) => f.fault === 'send-twice').length).toBeGreaterThan(2);
    // a reply dropped while its twin (send-twice) got through is no loss: only the requests left unanswered count
    const lost = r.steps.filter((s) => s.outcome === 'no_answer');
    expect(lost.every((s) => s.faults.includes('drop-reply') || s.faults.includes('disconnect'))).toBe(true);
    const lostSales = lost.filter((s) => s.action === 'purchase');
    expect(lostSales.length).toBeGreaterThan(2);
    // each lost reply was reversed by the terminal before its next transaction; the acquirer shows each sale reversed
    expect(r.acquirerView!.reversed).toEqual({ count: lostSales.length, amount: lostSales.reduce((n, s) => n + s.amount!, 0) });
    expect((await stack!.gw.metrics.duplicates.get()).values[0].value).toBeGreaterThan(2);
    for (const t of r.terminals) {
      expect(t.pendingReversal).toBeNull();
      expect(await stack!.gw.store.getBatch(t.terminalId, '000001')).toMatchObject({ status: 'balanced' });
    }
  });

  it('acquirer-outage: 91 while the stub is silent, nothing owed for those, in balance once it is back', async () => {
    const r = await run('acquirer-outage');
    expect(r.complaints).toEqual([]);
    expect(r.unprinted).toEqual([]);
    const during = r.steps.filter((s) => s.step >= 4 && s.step <= 6);
    expect(during.map((s) => [s.action, s.responseCode])).toEqual([['purchase', '91'], ['echo', '00'], ['purchase', '91']]);
    expect(receipts(r).filter((p) => p.responseCode === '91').map((p) => p.approved)).toEqual([false, false]);
    expect(r.steps.filter((s) => s.action === 'settle').map((s) => s.responseCode)).toEqual(['00', '00']);
    await waitFor(async () => (await stack!.gw.store.safStats()).depth === 0, 5000, 'store-and-forward drained');
    // the stub read nothing while silent: the sale retried after the outage is the only one it charged
    expect(stack!.stub.ledger().filter((row) => row.amount === 2100)).toMatchObject([{ status: 'approved' }]);
    expect(stack!.stub.ledger().filter((row) => row.amount === 630)).toEqual([]);
  });
});

describe('scenario files', () => {
  const minimal = { name: 'x', terminals: [{ id: 'TERM0001', merchant: 'M1' }], steps: [{ signon: {} }] };

  it('are validated with errors that name the key', () => {
    const bad = (patch: Record<string, unknown>): string => {
      try {
        parseScenario({ ...minimal, ...patch });
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(bad({ termnals: [] })).toBe('scenario: unknown key "termnals" (known: name, description, seed, notes, target, acquirerUrl, defaults, terminals, acquirer, steps, reconcileWait)');
    expect(bad({ steps: [{ terminal: 'TERM0001', purchase: { amount: 12.5 } }] })).toBe('scenario.steps[0].purchase.amount: must be decimal money as a string, e.g. "12.34"');
    expect(bad({ steps: [{ terminal: 'TERM0001', purchase: { amount: '1.00', colour: 'red' } }] })).toMatch(/^scenario.steps\[0\].purchase: unknown key "colour"/);
    expect(bad({ steps: [{ terminal: 'TERM0009', purchase: { amount: '1.00' } }] })).toBe('scenario.steps[0].terminal: terminal "TERM0009" is not in "terminals"');
    expect(bad({ steps: [{ purchase: { amount: '1.00' }, refund: { amount: '1.00' }, terminal: 'TERM0001' }] })).toMatch(/must have exactly one action key.*found purchase, refund/);
    expect(bad({ steps: [{ terminal: 'TERM0001', purchase: { amount: '1.00' }, faults: { 'drop-replies': true } }] })).toMatch(/^scenario.steps\[0\].faults: unknown fault "drop-replies"/);
    expect(bad({ steps: [{ acquirer: { mode: 'asleep' } }] })).toBe('scenario.steps[0].acquirer.mode: must be one of normal, silent, fail, drop');
    expect(bad({ steps: [{ wait: 'soon' }] })).toMatch(/^scenario.steps\[0\].wait: wait must be a duration/);
    expect(bad({ terminals: [{ id: 'TERM0001' }] })).toBe('scenario.terminals[0].merchant: is required (here or in "defaults")');
    expect(bad({ steps: [{ mix: { count: 5, faults: { 'clock-skew': 0.5 } } }] })).toMatch(/^scenario.steps\[0\].mix.faults.clock-skew: needs a value/);
    expect(bad({ steps: [{ mix: { count: 5, amount: { min: '9.00', max: '1.00' } } }] })).toBe('scenario.steps[0].mix.amount.min: is above "max"');
    expect(bad({ steps: [{ settlement: {} }] })).toBe('scenario.steps[0].settlement: changes nothing: give "omit" or "cutover": true');
    expect(bad({ steps: [{ settlement: { omit: [{ terminal: 'TERM0009', invoice: '1' }] } }] })).toBe('scenario.steps[0].settlement.omit[0].terminal: terminal "TERM0009" is not in "terminals"');
    expect(bad({})).toBe('no error');
  });

  it('the command refuses a bad file (64, naming file and key) and acquirer steps without an acquirer (3)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...minimal, steps: [{ signon: {}, wait: '1s' }] }));
    const bad = await cli(['bad.json', '--target', 'tcp://127.0.0.1:1'], dir);
    expect(bad.code).toBe(64);
    expect(bad.err).toContain(`${join(dir, 'bad.json')}: scenario.steps[0]: must have exactly one action key`);
    writeFileSync(join(dir, 'stub.json'), JSON.stringify({ ...minimal, steps: [{ acquirer: { mode: 'silent' } }] }));
    const noStub = await cli(['stub.json', '--target', 'tcp://127.0.0.1:1'], dir);
    expect(noStub.code).toBe(3);
    expect(noStub.err).toContain('scenario.steps[0] changes the acquirer stub: give its control API (--acquirer-url)');
    expect((await cli([], dir)).code).toBe(64);
    const help = await cli(['--help'], dir);
    expect(help.out).toContain('happy-day, approved-but-not-paid, duplicate-storm, acquirer-outage');
  });
});
