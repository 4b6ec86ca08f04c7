import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SETTLEMENT_COLUMNS,
  parseSettlementCsv,
  type ReportSummary,
  type SettlementLine,
} from '../../../terminal-sim/acquirer/index.js';
import { LinkClient, PAN, PAN2, auth, original, reversalOf, sleep, startTestStub, type TestStub } from './helpers.js';

const DAY = 86_400_000;
const DAY1 = Date.UTC(2025, 10, 21, 9, 0, 0);
const M1 = 'MERCHANT0000001';
const M2 = 'MERCHANT0000002';

/** Polls until the timer has made `n` reports. */
async function reportsAfterTimer(t: TestStub, n: number): Promise<ReportSummary[]> {
  for (let i = 0; i < 100; i++) {
    const reports = t.stub.settlementReports();
    if (reports.length >= n) return reports;
    await sleep(10);
  }
  throw new Error(`the timer made no report ${n}`);
}

/** A clock a test moves by hand. */
function fakeClock(start: number) {
  const clock = { at: start, now: () => clock.at };
  return clock;
}

type Expected = Pick<SettlementLine, 'record' | 'merchantId' | 'terminalId' | 'rrn' | 'authCode' | 'amount' | 'fee' | 'netAmount'>;

function shape(lines: SettlementLine[]): Expected[] {
  return lines.map(({ record, merchantId, terminalId, rrn, authCode, amount, fee, netAmount }) => ({
    record,
    merchantId,
    terminalId,
    rrn,
    authCode,
    amount,
    fee,
    netAmount,
  }));
}

describe('acquirer stub: settlement reports', () => {
  let t: TestStub;
  let link: LinkClient;
  let now = DAY1;

  // The timer is as slow as it goes: these tests run the due cutovers themselves, between awaits.
  beforeAll(async () => {
    t = await startTestStub({ clock: { now: () => now }, settlementCheckMs: 60_000 });
    link = await LinkClient.connect(t.stub.port);
  });
  beforeEach(() => {
    now = DAY1;
    t.stub.reset();
  });
  afterAll(async () => {
    link.close();
    await t.close();
  });

  /** A day at two merchants: approvals, a decline, a reversal, voids, refunds, a completion and an offline sale. */
  async function day() {
    const approve = async (msg: ReturnType<typeof auth>) => {
      now += 60_000;
      const reply = await link.request(msg);
      return { msg, rrn: msg.fields[37] as string, authCode: (reply.fields[38] as string | undefined) ?? null, rc: reply.fields[39] };
    };
    const voidOf = (orig: ReturnType<typeof auth>) =>
      auth({ proc: '020000', amount: Number(orig.fields[4]), original: original('0200', orig.fields[11] as string, orig.fields[7] as string) });
    const a = await approve(auth({ amount: 1000 }));
    const b = await approve(auth({ amount: 2500, pan: PAN2 }));
    const declined = await approve(auth({ amount: 1305 }));
    const reversed = await approve(auth({ amount: 4000 }));
    now += 1000;
    await link.request(reversalOf(reversed.msg));
    const voided = await approve(auth({ amount: 3000 }));
    await approve(voidOf(voided.msg));
    const refund = await approve(auth({ proc: '200000', amount: 700 }));
    const voidedRefund = await approve(auth({ proc: '200000', amount: 800 }));
    await approve(voidOf(voidedRefund.msg));
    const preauth = await approve(auth({ mti: '0100', amount: 9000 }));
    const completion = await approve(
      auth({ mti: '0220', amount: 8500, authCode: preauth.authCode ?? undefined, original: original('0100', preauth.msg.fields[11] as string, preauth.msg.fields[7] as string) }),
    );
    await approve(auth({ mti: '0100', amount: 5000 }));
    const offline = await approve(auth({ mti: '0220', amount: 800, authCode: 'OFF001' }));
    const other = await approve(auth({ amount: 10000, extra: { 41: 'TERM0002', 42: M2 } }));
    expect([a, b, reversed, voided, refund, voidedRefund, preauth, completion, offline, other].map((x) => x.rc)).toEqual(Array(10).fill('00'));
    expect(declined.rc).toBe('05');
    return { a, b, refund, completion, offline, other };
  }

  it('pays a day at T+1: one CREDIT per captured approval, a DEBIT per refund, a PAYOUT per merchant, fee and net', async () => {
    const d = await day();
    expect(t.stub.settlementState()).toMatchObject({ cutover: '22:00', nextCutoverAt: '2025-11-21T22:00:00.000Z', settleAfterDays: 1 });
    // The same day's cutover pays nothing yet: T+1.
    now = Date.UTC(2025, 10, 21, 22, 0, 5);
    expect(t.stub.runDueCutovers()).toEqual([]);
    expect(t.stub.settlementState().nextCutoverAt).toBe('2025-11-22T22:00:00.000Z');

    now = Date.UTC(2025, 10, 22, 22, 0, 1);
    const [summary] = t.stub.runDueCutovers();
    expect(summary).toEqual({
      reportId: 'stub-2025-11-22-001',
      acquirerId: 'stub',
      settlementDate: '2025-11-22',
      sequence: 1,
      cutoverAt: '2025-11-22T22:00:00.000Z',
      scheduled: true,
      counts: { credit: 5, debit: 1, payout: 2 },
      totals: { credit: 22800, debit: 700, fee: 343, net: 21757 },
      file: null,
    });
    const report = t.stub.settlementReport(summary.reportId)!;
    const line = (record: 'CREDIT' | 'DEBIT', x: { rrn: string; authCode: string | null }, amount: number, fee: number, terminalId = 'TERM0001', merchantId = M1) => ({
      record,
      merchantId,
      terminalId,
      rrn: x.rrn,
      authCode: x.authCode,
      amount,
      fee,
      netAmount: amount - fee,
    });
    const payout = (merchantId: string, amount: number, fee: number) => ({
      record: 'PAYOUT',
      merchantId,
      terminalId: null,
      rrn: null,
      authCode: null,
      amount,
      fee,
      netAmount: amount - fee,
    });
    // 1.5% rounded half up: 2500 -> 37.5 -> 38, 8500 -> 127.5 -> 128.
    expect(shape(report.lines)).toEqual([
      line('CREDIT', d.a, 1000, 15),
      line('CREDIT', d.b, 2500, 38),
      line('DEBIT', d.refund, 700, 0),
      line('CREDIT', d.completion, 8500, 128),
      line('CREDIT', d.offline, 800, 12),
      payout(M1, 1000 + 2500 - 700 + 8500 + 800, 15 + 38 + 128 + 12),
      line('CREDIT', d.other, 10000, 150, 'TERM0002', M2),
      payout(M2, 10000, 150),
    ]);
    expect(d.offline.authCode).toBe('OFF001');
    for (const l of report.lines) {
      expect(l).toMatchObject({ reportId: summary.reportId, acquirerId: 'stub', settlementDate: '2025-11-22', currency: '840' });
      if (l.record === 'PAYOUT') expect(l).toMatchObject({ panMasked: null, transactionDate: null });
      else expect(l).toMatchObject({ panMasked: expect.stringMatching(/^\d{6}\*{6}\d{4}$/), transactionDate: '2025-11-21' });
    }
    expect(report.lines[1].panMasked).toBe('541333******0011');
  });

  it('pays nothing twice: later cutovers pay only what came due since', async () => {
    const d = await day();
    now = Date.UTC(2025, 10, 22, 22, 0, 0);
    expect(t.stub.runDueCutovers().map((r) => r.reportId)).toEqual(['stub-2025-11-22-001']);
    // A forced cutover the same evening: everything due is paid already.
    now += 60_000;
    expect(t.stub.cutover()).toBeNull();
    const late = auth({ amount: 1200 });
    await link.request(late);
    // A reversal after the payment changes no report.
    await link.request(reversalOf(d.a.msg));
    now = Date.UTC(2025, 10, 23, 22, 0, 0);
    const [second] = t.stub.runDueCutovers();
    expect(second).toMatchObject({ reportId: 'stub-2025-11-23-001', counts: { credit: 1, debit: 0, payout: 1 }, totals: { credit: 1200, fee: 18 } });
    expect(t.stub.settlementReport(second.reportId)!.lines[0]).toMatchObject({ rrn: late.fields[37], transactionDate: '2025-11-22' });
    now = Date.UTC(2025, 10, 26, 23, 0, 0);
    expect(t.stub.runDueCutovers()).toEqual([]);
    expect(t.stub.cutover()).toBeNull();
    const paid = t.stub.settlementReports().flatMap((r) => t.stub.settlementReport(r.reportId)!.lines.filter((l) => l.record !== 'PAYOUT'));
    const rrns = paid.map((l) => l.rrn);
    expect(new Set(rrns).size).toBe(rrns.length);
    expect(rrns).toHaveLength(7);
  });

  it('catches up one report per settlement date when the clock jumps days', async () => {
    await link.request(auth({ amount: 1000 }));
    now += DAY;
    await link.request(auth({ amount: 2000 }));
    now = DAY1 + 3 * DAY + 14 * 3_600_000;
    const made = t.stub.runDueCutovers();
    expect(made.map((r) => [r.settlementDate, r.totals.credit])).toEqual([
      ['2025-11-22', 1000],
      ['2025-11-23', 2000],
    ]);
    expect(t.stub.settlementState().nextCutoverAt).toBe('2025-11-25T22:00:00.000Z');
  });

  it('numbers the reports of one date in sequence, forced or scheduled', async () => {
    const clock = fakeClock(DAY1);
    const s = await startTestStub({ clock, settleAfterDays: 0, settlementCheckMs: 60_000 });
    const sl = await LinkClient.connect(s.stub.port);
    await sl.request(auth({ amount: 1000 }));
    expect(s.stub.cutover()).toMatchObject({ reportId: 'stub-2025-11-21-001', scheduled: false, cutoverAt: '2025-11-21T09:00:00.000Z' });
    expect(s.stub.cutover()).toBeNull();
    clock.at += 3_600_000;
    await sl.request(auth({ amount: 1100 }));
    expect(s.stub.cutover()).toMatchObject({ reportId: 'stub-2025-11-21-002', totals: { credit: 1100 } });
    await sl.request(auth({ amount: 1200 }));
    clock.at = Date.UTC(2025, 10, 21, 22, 0, 0);
    expect(s.stub.runDueCutovers()).toMatchObject([{ reportId: 'stub-2025-11-21-003', scheduled: true, totals: { credit: 1200 } }]);
    sl.close();
    await s.close();
  });

  it('runs the daily cutover on a timer against the injected clock', async () => {
    const clock = fakeClock(DAY1);
    const s = await startTestStub({ clock, settlementCheckMs: 20 });
    const sl = await LinkClient.connect(s.stub.port);
    await sl.request(auth({ amount: 1000 }));
    clock.at += DAY + 13 * 3_600_000;
    const [made] = await reportsAfterTimer(s, 1);
    expect(made).toMatchObject({ reportId: 'stub-2025-11-22-001', scheduled: true, cutoverAt: '2025-11-22T22:00:00.000Z' });
    sl.close();
    await s.close();
  });

  it('writes reports as CSV that parses back to the same rows, and keeps no full PAN in files or database', async () => {
    const dir = join(t.dir, 'written', 'reports');
    const w = await startTestStub({ clock: { now: () => now }, reportsDir: dir, acquirerId: 'ACQ-7', cutover: null, feeBasisPoints: 100, feeFixed: 5 });
    const wl = await LinkClient.connect(w.stub.port);
    await wl.request(auth({ amount: 1000 }));
    await wl.request(auth({ amount: 1999, pan: PAN2 }));
    await wl.request(auth({ proc: '200000', amount: 300 }));
    now += DAY;
    const summary = w.stub.cutover()!;
    expect(summary.file).toBe(join(dir, 'ACQ-7-2025-11-22-001.csv'));
    expect(readdirSync(dir)).toEqual(['ACQ-7-2025-11-22-001.csv']);
    const text = readFileSync(summary.file!, 'utf8');
    const report = w.stub.settlementReport(summary.reportId)!;
    expect(text).toBe(report.csv);
    expect(text.split('\n')[0]).toBe(SETTLEMENT_COLUMNS.join(','));
    expect(text.endsWith('\n')).toBe(true);
    expect(parseSettlementCsv(text)).toEqual(report.lines);
    // 1% + 5: 1000 -> 15, 1999 -> 19.99 -> 20 + 5 = 25.
    expect(report.lines.map((l) => [l.record, l.amount, l.fee, l.netAmount])).toEqual([
      ['CREDIT', 1000, 15, 985],
      ['CREDIT', 1999, 25, 1974],
      ['DEBIT', 300, 0, 300],
      ['PAYOUT', 2699, 40, 2659],
    ]);
    for (const row of text.trim().split('\n').slice(1)) {
      expect(row.split(',')).toHaveLength(SETTLEMENT_COLUMNS.length);
      expect(row).not.toMatch(/\d+\.\d/);
    }
    wl.close();
    await w.stub.close();
    const db = [w.dbPath, `${w.dbPath}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
    for (const bytes of [...db, Buffer.from(text)]) {
      for (const pan of [PAN, PAN2]) expect(bytes.includes(Buffer.from(pan))).toBe(false);
      expect(bytes.includes(Buffer.from('476173******0119'))).toBe(true);
    }
    await w.close();
  });

  describe('over HTTP', () => {
    async function get(path: string) {
      const res = await fetch(`${t.stub.url}${path}`);
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    }
    async function post(path: string, body?: unknown) {
      const res = await fetch(`${t.stub.url}${path}`, {
        method: 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as any };
    }

    it('forces a cutover, lists reports and serves one as text/csv', async () => {
      await link.request(auth({ amount: 1000 }));
      expect(await post('/settlement/cutover')).toEqual({ status: 200, json: { report: null } });
      now += DAY;
      const forced = await post('/settlement/cutover', {});
      expect(forced.status).toBe(200);
      expect(forced.json.report).toMatchObject({ reportId: 'stub-2025-11-22-001', scheduled: false, counts: { credit: 1, debit: 0, payout: 1 } });
      const list = await get('/settlement/reports');
      expect(JSON.parse(list.text)).toEqual({ reports: [forced.json.report] });
      const csv = await get('/settlement/reports/stub-2025-11-22-001');
      expect(csv.status).toBe(200);
      expect(csv.type).toBe('text/csv; charset=utf-8');
      expect(csv.text).toBe(t.stub.settlementReport('stub-2025-11-22-001')!.csv);
      expect(JSON.parse((await get('/settlement')).text)).toMatchObject({ acquirerId: 'stub', cutover: '22:00', feeBasisPoints: 150, feeFixed: 0 });
    });

    it('answers an unknown report REPORT_NOT_FOUND and a cutover body with keys BAD_REQUEST', async () => {
      const missing = await get('/settlement/reports/stub-2099-01-01-001');
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.text)).toEqual({ error: { code: 'REPORT_NOT_FOUND', message: 'no settlement report "stub-2099-01-01-001"' } });
      const bad = await post('/settlement/cutover', { date: '2025-11-22' });
      expect(bad).toEqual({ status: 400, json: { error: { code: 'BAD_REQUEST', message: 'body has an unknown key "date"' } } });
    });

    it('POST /reset forgets the reports', async () => {
      await link.request(auth({ amount: 1000 }));
      now += DAY;
      expect(t.stub.cutover()).not.toBeNull();
      await post('/reset');
      expect(JSON.parse((await get('/settlement/reports')).text)).toEqual({ reports: [] });
    });
  });
});

describe('acquirer stub: settlement options', () => {
  it.each([
    [{ cutover: '24:00' }, /"cutover" must be a time of day HH:MM/],
    [{ cutover: '7:30' }, /"cutover" must be a time of day HH:MM/],
    [{ settleAfterDays: -1 }, /"settleAfterDays" must be an integer from 0 to 30/],
    [{ feeBasisPoints: 1.5 }, /"feeBasisPoints" must be an integer/],
    [{ acquirerId: 'a,b' }, /"acquirerId" must be 1 to 32/],
    [{ acquirerId: '../x' }, /"acquirerId" must be 1 to 32/],
    [{ settlementCheckMs: 1 }, /"settlementCheckMs" must be an integer from 10/],
    [{ faults: { omit: { rate: 2 } } }, /"faults": faults.omit.rate: must be a number from 0 to 1/],
  ])('rejects %j naming the option', async (opts, message) => {
    await expect(startTestStub(opts as never)).rejects.toThrow(message);
  });

  it('runs without a daily cutover when cutover is null', async () => {
    const t = await startTestStub({ cutover: null, settleAfterDays: 0 });
    expect(t.stub.settlementState()).toMatchObject({ cutover: null, nextCutoverAt: null, settleAfterDays: 0 });
    expect(t.stub.runDueCutovers()).toEqual([]);
    await t.close();
  });
});
