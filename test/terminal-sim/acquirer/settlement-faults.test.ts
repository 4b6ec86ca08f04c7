import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FaultsError,
  acquirerCommand,
  type AcquirerStub,
  type AppliedFault,
  type SettlementLine,
} from '../../../terminal-sim/acquirer/index.js';
import { LinkClient, LogCapture, auth, startTestStub, type TestStub } from './helpers.js';

const DAY = 86_400_000;
const DAY1 = Date.UTC(2025, 10, 21, 9, 0, 0);

function clockAt(start: number) {
  const clock = { at: start, now: () => clock.at };
  return clock;
}

/** Every line of every report, oldest report first. */
function allLines(stub: AcquirerStub): SettlementLine[] {
  return stub.settlementReports().flatMap((r) => stub.settlementReport(r.reportId)!.lines);
}

function credits(stub: AcquirerStub): SettlementLine[] {
  return allLines(stub).filter((l) => l.record === 'CREDIT');
}

/**
 * A reconciliation in miniature: the ledger's sales against the credits, by RRN, classified as the gateway would.
 * A test passes when it finds exactly the faults the stub says it applied.
 */
function reconcile(sales: { rrn: string; amount: number; date: string }[], lines: SettlementLine[]): { kind: string; rrn: string }[] {
  const byRrn = new Map<string, SettlementLine[]>();
  for (const l of lines) byRrn.set(l.rrn as string, [...(byRrn.get(l.rrn as string) ?? []), l]);
  const found: { kind: string; rrn: string }[] = [];
  for (const sale of sales) {
    const paid = byRrn.get(sale.rrn) ?? [];
    if (paid.length === 0) found.push({ kind: 'omit', rrn: sale.rrn });
    else if (paid.length > 1) found.push({ kind: 'duplicate', rrn: sale.rrn });
    else if (paid[0].amount !== sale.amount) found.push({ kind: 'wrongAmount', rrn: sale.rrn });
    else if (paid[0].settlementDate > sale.date) found.push({ kind: 'late', rrn: sale.rrn });
    byRrn.delete(sale.rrn);
  }
  for (const rrn of byRrn.keys()) found.push({ kind: 'phantom', rrn });
  return found.sort((a, b) => a.rrn.localeCompare(b.rrn));
}

function kindsAndRrns(applied: AppliedFault[]): { kind: string; rrn: string }[] {
  return applied.map(({ kind, rrn }) => ({ kind, rrn })).sort((a, b) => a.rrn.localeCompare(b.rrn));
}

describe('acquirer stub: settlement faults by RRN', () => {
  const clock = clockAt(DAY1);
  let t: TestStub;
  let link: LinkClient;
  // T+0 and no daily cutover: each test forces its cutovers and moves the clock by whole days.
  beforeAll(async () => {
    t = await startTestStub({ clock, cutover: null, settleAfterDays: 0 });
    link = await LinkClient.connect(t.stub.port);
  });
  beforeEach(() => {
    clock.at = DAY1;
    t.stub.reset();
  });
  afterAll(async () => {
    link.close();
    await t.close();
  });

  async function sale(amount: number, rrn: string, extra?: Record<number, unknown>) {
    const reply = await link.request(auth({ amount, rrn, extra }));
    expect(reply.fields[39]).toBe('00');
    return { rrn, amount, authCode: reply.fields[38] as string };
  }

  it('omit: the credit is in no report, then or later; the rest is paid', async () => {
    t.stub.setSettlementFaults({ omit: { rrns: ['100000000001'] } });
    await sale(1000, '100000000001');
    const kept = await sale(2000, '100000000002');
    const report = t.stub.cutover()!;
    expect(credits(t.stub).map((l) => l.rrn)).toEqual([kept.rrn]);
    expect(report.totals).toMatchObject({ credit: 2000 });
    clock.at += DAY;
    expect(t.stub.cutover()).toBeNull();
    expect(t.stub.appliedFaults()).toEqual([
      {
        id: expect.any(Number),
        kind: 'omit',
        selectedBy: 'rrn',
        authorizationId: t.stub.ledger({ rrn: '100000000001' })[0].id,
        rrn: '100000000001',
        authCode: expect.stringMatching(/^[0-9A-Z]{6}$/),
        merchantId: 'MERCHANT0000001',
        terminalId: 'TERM0001',
        amount: 1000,
        paidAmount: 0,
        delta: null,
        days: null,
        settlementDate: '2025-11-21',
        reportId: report.reportId,
        payOn: null,
        paidReportId: null,
      },
    ]);
  });

  it('omit of the only credit of a cutover: no report is made, the fault is recorded without one', async () => {
    t.stub.setSettlementFaults({ omit: { rrns: ['100000000003'] } });
    await sale(1000, '100000000003');
    expect(t.stub.cutover()).toBeNull();
    expect(t.stub.appliedFaults()).toMatchObject([{ kind: 'omit', rrn: '100000000003', reportId: null, settlementDate: '2025-11-21' }]);
  });

  it('wrongAmount: the credit pays amount + delta, the fee and payout follow the paid amount', async () => {
    t.stub.setSettlementFaults({ wrongAmount: { rrns: ['200000000001'], delta: -9 } });
    const s = await sale(1234, '200000000001');
    t.stub.cutover();
    const lines = allLines(t.stub);
    expect(lines.map((l) => [l.record, l.rrn, l.authCode, l.amount, l.fee, l.netAmount])).toEqual([
      ['CREDIT', s.rrn, s.authCode, 1225, 18, 1207],
      ['PAYOUT', null, null, 1225, 18, 1207],
    ]);
    expect(t.stub.appliedFaults()).toMatchObject([{ kind: 'wrongAmount', rrn: s.rrn, amount: 1234, paidAmount: 1225, delta: -9 }]);
  });

  it('wrongAmount never pays a credit of zero or less: a delta past the amount is added instead', async () => {
    t.stub.setSettlementFaults({ wrongAmount: { rrns: ['200000000002'], delta: -500 } });
    await sale(300, '200000000002');
    t.stub.cutover();
    expect(credits(t.stub)[0].amount).toBe(800);
    expect(t.stub.appliedFaults()[0]).toMatchObject({ paidAmount: 800, delta: 500 });
  });

  it('duplicate: the same credit twice in one report, both in the payout', async () => {
    t.stub.setSettlementFaults({ duplicate: { rrns: ['300000000001'] } });
    const s = await sale(1000, '300000000001');
    await sale(500, '300000000002');
    t.stub.cutover();
    const lines = allLines(t.stub);
    expect(lines.map((l) => [l.record, l.rrn, l.amount, l.fee])).toEqual([
      ['CREDIT', s.rrn, 1000, 15],
      ['CREDIT', s.rrn, 1000, 15],
      ['CREDIT', '300000000002', 500, 8],
      ['PAYOUT', null, 2500, 38],
    ]);
    expect(lines[0]).toEqual(lines[1]);
    expect(t.stub.appliedFaults()).toMatchObject([{ kind: 'duplicate', rrn: s.rrn, paidAmount: 2000 }]);
    clock.at += DAY;
    expect(t.stub.cutover()).toBeNull();
  });

  it('late: the credit moves to the first report N settlement dates later', async () => {
    t.stub.setSettlementFaults({ late: { rrns: ['400000000001'], days: 2 } });
    const s = await sale(1000, '400000000001');
    await sale(700, '400000000002');
    const first = t.stub.cutover()!;
    expect(credits(t.stub).map((l) => l.rrn)).toEqual(['400000000002']);
    clock.at += DAY;
    expect(t.stub.cutover()).toBeNull();
    clock.at += DAY;
    const third = t.stub.cutover()!;
    expect(third.settlementDate).toBe('2025-11-23');
    expect(t.stub.settlementReport(third.reportId)!.lines[0]).toMatchObject({
      record: 'CREDIT',
      rrn: s.rrn,
      authCode: s.authCode,
      amount: 1000,
      transactionDate: '2025-11-21',
      settlementDate: '2025-11-23',
    });
    expect(t.stub.appliedFaults()).toMatchObject([
      { kind: 'late', rrn: s.rrn, days: 2, settlementDate: '2025-11-21', reportId: first.reportId, payOn: '2025-11-23', paidReportId: third.reportId },
    ]);
    clock.at += DAY;
    expect(t.stub.cutover()).toBeNull();
  });

  it('phantom: a credit never authorized, paid once, for the merchant and terminal given', async () => {
    t.stub.setSettlementFaults({ phantom: { rrns: ['999000000001'], merchantId: 'MERCHANT0000009', terminalId: 'TERM0009', amount: 4321 } });
    expect(t.stub.cutover()).toMatchObject({ counts: { credit: 1, debit: 0, payout: 1 }, totals: { credit: 4321, fee: 65 } });
    const [line] = allLines(t.stub);
    expect(line).toMatchObject({
      record: 'CREDIT',
      merchantId: 'MERCHANT0000009',
      terminalId: 'TERM0009',
      rrn: '999000000001',
      authCode: expect.stringMatching(/^[0-9A-Z]{6}$/),
      panMasked: expect.stringMatching(/^400000\*{6}\d{4}$/),
      amount: 4321,
      transactionDate: '2025-11-21',
    });
    expect(t.stub.ledger({ rrn: '999000000001' })).toEqual([]);
    expect(t.stub.appliedFaults()).toMatchObject([
      { kind: 'phantom', selectedBy: 'rrn', authorizationId: null, rrn: '999000000001', authCode: line.authCode, amount: 4321, paidAmount: 4321 },
    ]);
    clock.at += DAY;
    expect(t.stub.cutover()).toBeNull();
  });

  it('phantom without a merchant waits for a report with a credit and takes its merchant and terminal', async () => {
    t.stub.setSettlementFaults({ phantom: { rrns: ['999000000002'] } });
    expect(t.stub.cutover()).toBeNull();
    expect(t.stub.appliedFaults()).toEqual([]);
    await sale(1000, '500000000001', { 41: 'TERM0005', 42: 'MERCHANT0000005' });
    t.stub.cutover();
    expect(credits(t.stub).map((l) => [l.rrn, l.merchantId, l.terminalId])).toEqual([
      ['500000000001', 'MERCHANT0000005', 'TERM0005'],
      ['999000000002', 'MERCHANT0000005', 'TERM0005'],
    ]);
  });

  it('faults set after a credit was paid do not pay it again; refunds are never faulted', async () => {
    await sale(1000, '600000000001');
    await link.request(auth({ proc: '200000', amount: 300, rrn: '600000000002' }));
    t.stub.cutover();
    t.stub.setSettlementFaults({ duplicate: { rrns: ['600000000001'] }, omit: { rrns: ['600000000002'] } });
    clock.at += DAY;
    expect(t.stub.cutover()).toBeNull();
    await link.request(auth({ proc: '200000', amount: 400, rrn: '600000000002' }));
    t.stub.cutover();
    expect(allLines(t.stub).filter((l) => l.record === 'DEBIT').map((l) => l.amount)).toEqual([300, 400]);
    expect(t.stub.appliedFaults()).toEqual([]);
  });

  it('what reconciliation finds is exactly what was applied', async () => {
    t.stub.setSettlementFaults({
      omit: { rrns: ['700000000001'] },
      wrongAmount: { rrns: ['700000000002'], delta: 9 },
      duplicate: { rrns: ['700000000003'] },
      late: { rrns: ['700000000004'] },
      phantom: { rrns: ['700000000099'] },
    });
    const sales = [];
    for (let i = 1; i <= 6; i++) sales.push({ ...(await sale(1000 + i * 10, `70000000000${i}`)), date: '2025-11-21' });
    t.stub.cutover();
    clock.at += DAY;
    t.stub.cutover();
    expect(reconcile(sales, credits(t.stub))).toEqual(kindsAndRrns(t.stub.appliedFaults()));
    expect(kindsAndRrns(t.stub.appliedFaults()).map((f) => f.kind)).toEqual(['omit', 'wrongAmount', 'duplicate', 'late', 'phantom']);
  });
});

describe('acquirer stub: settlement faults by rate', () => {
  const RATES = {
    omit: { rate: 0.1 },
    wrongAmount: { rate: 0.1, delta: 1 },
    duplicate: { rate: 0.1 },
    late: { rate: 0.1, days: 1 },
    phantom: { rate: 0.1 },
  };

  /** 80 sales on a fresh stub, cutovers on two days (the second pays the late ones): what was applied and paid. */
  async function run(seed: number) {
    const clock = clockAt(DAY1);
    const t = await startTestStub({ clock, cutover: null, settleAfterDays: 0, faultSeed: seed, faults: RATES });
    const link = await LinkClient.connect(t.stub.port);
    const sales = [];
    for (let i = 0; i < 80; i++) {
      const rrn = `81000000${String(i).padStart(4, '0')}`;
      const amount = 1000 + i * 10;
      expect((await link.request(auth({ amount, rrn }))).fields[39]).toBe('00');
      sales.push({ rrn, amount, date: '2025-11-21' });
    }
    t.stub.cutover();
    clock.at += DAY;
    t.stub.cutover();
    const applied = t.stub.appliedFaults();
    const lines = credits(t.stub);
    link.close();
    await t.close();
    return { sales, applied, lines };
  }

  let first: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    first = await run(42);
  });

  it('applies every kind, each one found by reconciliation and nothing else', () => {
    const kinds = new Set(first.applied.map((a) => a.kind));
    expect([...kinds].sort()).toEqual(['duplicate', 'late', 'omit', 'phantom', 'wrongAmount']);
    expect(first.applied.every((a) => a.selectedBy === 'rate')).toBe(true);
    expect(reconcile(first.sales, first.lines)).toEqual(kindsAndRrns(first.applied));
    // Roughly the rates asked for: 80 credits, 10% each.
    for (const kind of kinds) expect(first.applied.filter((a) => a.kind === kind).length).toBeLessThan(20);
  });

  it('makes up phantom RRNs no authorization has, riding with the merchant and terminal of a credit', () => {
    for (const p of first.applied.filter((a) => a.kind === 'phantom')) {
      expect(p.rrn).toMatch(/^9\d{11}$/);
      expect(first.sales.some((s) => s.rrn === p.rrn)).toBe(false);
      expect(p).toMatchObject({ merchantId: 'MERCHANT0000001', terminalId: 'TERM0001', authorizationId: null });
      expect(p.amount).toBeGreaterThanOrEqual(100);
    }
  });

  it('the same seed gives the same faults; another seed others', async () => {
    const again = await run(42);
    const strip = (a: AppliedFault[]) => a.map(({ kind, rrn, amount, paidAmount }) => ({ kind, rrn, amount, paidAmount }));
    expect(strip(again.applied)).toEqual(strip(first.applied));
    // Real auth codes are random per stub; the made-up ones come from the seed.
    const phantomCodes = (a: AppliedFault[]) => a.filter((p) => p.kind === 'phantom').map((p) => p.authCode);
    expect(phantomCodes(again.applied)).toEqual(phantomCodes(first.applied));
    const other = await run(7);
    expect(kindsAndRrns(other.applied)).not.toEqual(kindsAndRrns(first.applied));
    expect(reconcile(other.sales, other.lines)).toEqual(kindsAndRrns(other.applied));
  });
});

describe('acquirer stub: settlement faults, validated', () => {
  let t: TestStub;
  beforeAll(async () => {
    t = await startTestStub({ cutover: null, faultSeed: 5 });
  });
  afterAll(async () => {
    await t.close();
  });

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${t.stub.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  it.each([
    [{ omitt: {} }, 'faults: unknown key "omitt" (known: seed, omit, wrongAmount, duplicate, late, phantom)'],
    [{ omit: { rate: 1.5 } }, 'faults.omit.rate: must be a number from 0 to 1'],
    [{ omit: { rate: 0.6 }, late: { rate: 0.5 } }, 'faults: the rates of omit, wrongAmount, duplicate, late add up to more than 1'],
    [{ omit: { rrns: ['1'] }, late: { rrns: ['1'] } }, 'faults.late.rrns: RRN 1 is already in faults.omit.rrns'],
    [{ omit: { rrns: ['12345678901234'] } }, 'faults.omit.rrns[0]: an RRN is 1 to 12 letters or digits'],
    [{ omit: { days: 2 } }, 'faults.omit: unknown key "days" (known: rate, rrns)'],
    [{ wrongAmount: { delta: 0 } }, 'faults.wrongAmount.delta: must not be 0'],
    [{ late: { days: 0 } }, 'faults.late.days: must be an integer from 1 to 30'],
    [{ phantom: { merchantId: 'A,B' } }, 'faults.phantom.merchantId: must be 1 to 15 characters without commas, quotes or line breaks'],
    [{ seed: -1 }, 'faults.seed: must be an integer from 0 to 4294967295'],
  ])('rejects %j naming the key, programmatically and over HTTP', async (input, message) => {
    expect(() => t.stub.setSettlementFaults(input)).toThrow(new FaultsError(message.split(': ')[0], message.slice(message.indexOf(': ') + 2)));
    const res = await call('POST', '/settlement/faults', input);
    expect(res).toEqual({ status: 400, json: { error: { code: 'FAULTS_INVALID', message } } });
  });

  it('rejects a body that is not an object', async () => {
    expect(() => t.stub.setSettlementFaults([])).toThrow('faults: must be an object');
    expect((await call('POST', '/settlement/faults', [])).json.error.code).toBe('BAD_REQUEST');
  });

  it('sets, reads and resets the faults over HTTP; the seed defaults to faultSeed', async () => {
    const set = await call('POST', '/settlement/faults', { omit: { rrns: ['1', '1', '2'] }, late: { rate: 0.25, days: 3 } });
    expect(set.status).toBe(200);
    expect(set.json).toEqual({
      seed: 5,
      omit: { rate: 0, rrns: ['1', '2'] },
      wrongAmount: { rate: 0, rrns: [], delta: 100 },
      duplicate: { rate: 0, rrns: [] },
      late: { rate: 0.25, rrns: [], days: 3 },
      phantom: { rate: 0, rrns: [], merchantId: null, terminalId: null, amount: null, currency: null },
    });
    expect((await call('GET', '/settlement/faults')).json).toEqual(set.json);
    expect(t.stub.settlementFaults()).toEqual(set.json);
    await call('POST', '/reset');
    expect((await call('GET', '/settlement/faults')).json).toMatchObject({ seed: 5, late: { rate: 0 }, omit: { rrns: [] } });
  });

  it('lists applied faults, filtered by kind or report', async () => {
    expect(await call('GET', '/settlement/faults/applied')).toEqual({ status: 200, json: { faults: [] } });
    const clock = clockAt(DAY1);
    const s = await startTestStub({ clock, cutover: null, settleAfterDays: 0, faults: { omit: { rrns: ['120000000001'] }, phantom: { rrns: ['P1'], merchantId: 'M1' } } });
    const link = await LinkClient.connect(s.stub.port);
    await link.request(auth({ amount: 1000, rrn: '120000000001' }));
    const report = s.stub.cutover()!;
    const get = async (q: string) => ((await (await fetch(`${s.stub.url}/settlement/faults/applied${q}`)).json()) as { faults: AppliedFault[] }).faults;
    expect((await get('')).map((f) => f.kind)).toEqual(['omit', 'phantom']);
    expect((await get('?kind=phantom')).map((f) => f.rrn)).toEqual(['P1']);
    expect((await get(`?reportId=${report.reportId}`)).length).toBe(2);
    expect(await get('?reportId=nope')).toEqual([]);
    const bad = await fetch(`${s.stub.url}/settlement/faults/applied?kind=typo`);
    expect(bad.status).toBe(400);
    link.close();
    await s.close();
  });
});

describe('terminal-sim acquirer: settlement flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'acquirer-settle-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function io() {
    const stdout = new LogCapture();
    const stderr = new LogCapture();
    const controller = new AbortController();
    let started: (stub: AcquirerStub) => void = () => {};
    const ready = new Promise<AcquirerStub>((resolve) => (started = resolve));
    return { stdout, stderr, env: {}, signal: controller.signal, onStarted: (s: AcquirerStub) => started(s), ready, stop: () => controller.abort() };
  }

  it('documents the settlement flags in --help', async () => {
    const x = io();
    expect(await acquirerCommand.run(['--help'], x)).toBe(0);
    for (const flag of ['--reports-dir DIR', '--cutover HH:MM|off', '--settle-after-days N', '--fault-omit X', '--fault-seed N', '--fault-phantom-merchant ID']) {
      expect(x.stdout.text).toContain(flag);
    }
  });

  it('turns the flags into options and faults, and writes reports to --reports-dir', async () => {
    const reports = join(dir, 'out');
    const x = io();
    const args = [
      ['--port', '0', '--http-port', '0', '--db', join(dir, 'a.db'), '--log-level', 'warn'],
      ['--acquirer-id', 'ACQ9', '--reports-dir', reports, '--cutover', 'off', '--settle-after-days', '0', '--fee-bps', '200'],
      ['--fault-omit', '0.05', '--fault-omit', '111111111111,222222222222', '--fault-wrong-amount', '0.1', '--fault-delta=-9'],
      ['--fault-late', '333333333333', '--fault-late-days', '2', '--fault-duplicate', '0.5', '--fault-duplicate', '444444444444'],
      ['--fault-phantom', 'PHANTOM00001', '--fault-phantom-merchant', 'MERCHANT0000001', '--fault-phantom-amount', '500', '--fault-seed', '9'],
    ].flat();
    const done = acquirerCommand.run(args, x);
    const stub = await Promise.race([x.ready, done.then((code) => Promise.reject(new Error(`exited ${code}: ${x.stderr.text}`)))]);
    expect(stub.settlementState()).toMatchObject({ acquirerId: 'ACQ9', cutover: null, settleAfterDays: 0, feeBasisPoints: 200, reportsDir: reports });
    expect(stub.settlementFaults()).toEqual({
      seed: 9,
      omit: { rate: 0.05, rrns: ['111111111111', '222222222222'] },
      wrongAmount: { rate: 0.1, rrns: [], delta: -9 },
      duplicate: { rate: 0.5, rrns: ['444444444444'] },
      late: { rate: 0, rrns: ['333333333333'], days: 2 },
      phantom: { rate: 0, rrns: ['PHANTOM00001'], merchantId: 'MERCHANT0000001', terminalId: null, amount: 500, currency: null },
    });
    const cut = (await (await fetch(`${stub.url}/settlement/cutover`, { method: 'POST' })).json()) as { report: { reportId: string; file: string } };
    expect(cut.report.reportId).toMatch(/^ACQ9-\d{4}-\d{2}-\d{2}-001$/);
    expect(existsSync(join(reports, `${cut.report.reportId}.csv`))).toBe(true);
    x.stop();
    expect(await done).toBe(0);
  });

  it.each([
    [['--fault-omit', '0.5', '--fault-omit', '0.2'], '--fault-omit has two rates'],
    [['--fault-omit', '0.6', '--fault-late', '0.6'], 'settlement faults: faults: the rates of omit, wrongAmount, duplicate, late add up to more than 1'],
    [['--fault-late', '1234567890123'], 'faults.late.rrns[0]: an RRN is 1 to 12 letters or digits'],
    [['--fault-delta', 'x'], '--fault-delta must be an integer'],
    [['--cutover', '25:00'], '--cutover must be HH:MM (UTC, 00:00 to 23:59) or off'],
    [['--settle-after-days', '31'], '--settle-after-days must be an integer from 0 to 30'],
  ])('rejects %j with exit code 2', async (args, message) => {
    const x = io();
    expect(await acquirerCommand.run(args, x)).toBe(2);
    expect(x.stderr.text).toContain(message);
  });
});
