import { describe, expect, it } from 'vitest';

// the page's plain ES modules have no type declarations: loaded by a computed path, typed here by what the test uses
interface Dashboard {
  snapshot(msg: unknown): void;
  event(msg: unknown, replayed: boolean): void;
  setBatches(list: unknown[]): void;
  recentTxs(): { rrn: string; outcome: string; reversed: string | null }[];
  caseList(): { id: string }[];
  alertList(): { id: string }[];
  batchList(): { terminalId: string; batchNo: string; status: string }[];
  today(): { day: string; hours: { approved: number; declined: number; approvedAmount: number }[] };
}
const modelPath = '../../../gateway/web/model.js';
const formatPath = '../../../gateway/web/format.js';
const { Dashboard } = (await import(modelPath)) as { Dashboard: new () => Dashboard };
const { money, parseMoney, maskedPan } = (await import(formatPath)) as {
  money(minor: number, currency?: string): string;
  parseMoney(text: string, currency?: string): number | null;
  maskedPan(p: unknown): string;
};

const AT = Date.parse('2025-11-21T10:15:00Z');
const totals = { saleCount: 1, saleAmount: 1000, refundCount: 0, refundAmount: 0 };
const openCase = { id: 'RWC-1', class: 'RECEIPT_WITHOUT_CREDIT', severity: 'critical', status: 'open', cleared: false, openedAt: AT };
const alert = { id: 'approval-rate:merchant:M1', severity: 'warning', clearedAt: null, startedAt: AT };

let seq = 0;
function ev(event: string, data: Record<string, unknown>, at = AT) {
  seq += 1;
  return { type: 'event', seq, id: seq, merchantId: 'M1', event, at: new Date(at).toISOString(), data };
}
function tx(rrn: string, amount: number, responseCode = '00') {
  return { rrn, terminalId: 'TERM0001', batchNo: '000001', amount, currency: '840', panMasked: '476173******0119', responseCode, kind: 'purchase' };
}
function snapshot(over: Record<string, unknown> = {}) {
  return {
    type: 'snapshot',
    scope: { kind: 'merchant', merchantId: 'M1' },
    seq: 0,
    at: new Date(AT).toISOString(),
    batches: [{ terminalId: 'TERM0001', batchNo: '000001', status: 'open', openedAt: AT, closedAt: null, terminal: null, host: totals, funded: totals, variance: { terminalVsHost: null, fundedVsHost: 0 } }],
    cases: [openCase],
    alerts: [alert],
    ...over,
  };
}

describe('the dashboard model', () => {
  it('takes replayed events into the history only: the snapshot already has their effect', () => {
    const d = new Dashboard();
    d.snapshot(snapshot());
    // an old case.closed / alert.cleared before the snapshot's cursor must not remove what the snapshot lists
    d.event(ev('case.closed', { ...openCase, status: 'resolved' }), true);
    d.event(ev('alert.cleared', { ...alert, clearedAt: AT }), true);
    d.event(ev('transaction.approved', tx('000000000001', 1000)), true);
    expect(d.caseList().map((c) => c.id)).toEqual(['RWC-1']);
    expect(d.alertList().map((a) => a.id)).toEqual([alert.id]);
    expect(d.recentTxs().map((t) => t.rrn)).toEqual(['000000000001']);
    // the same events live do change them
    d.event(ev('case.closed', { ...openCase, status: 'resolved' }), false);
    d.event(ev('alert.cleared', { ...alert, clearedAt: AT }), false);
    expect(d.caseList()).toEqual([]);
    expect(d.alertList()).toEqual([]);
  });

  it('keeps a case that is updated but still open, and drops one cleared by the data', () => {
    const d = new Dashboard();
    d.snapshot(snapshot({ cases: [] }));
    d.event(ev('case.opened', openCase), false);
    d.event(ev('case.updated', { ...openCase, status: 'acknowledged' }), false);
    expect(d.caseList()).toHaveLength(1);
    d.event(ev('case.updated', { ...openCase, cleared: true }), false);
    expect(d.caseList()).toEqual([]);
  });

  it('marks a reversed sale on its row and keeps the chart at what the terminal was answered', () => {
    const d = new Dashboard();
    d.snapshot(snapshot());
    d.event(ev('transaction.approved', tx('000000000001', 1200)), false);
    d.event(ev('transaction.declined', tx('000000000002', 500, '91')), false);
    d.event(ev('transaction.reversed', { ...tx('000000000002', 500, '91'), reason: 'timeout' }), false);
    expect(d.recentTxs()).toMatchObject([
      { rrn: '000000000002', outcome: 'declined', reversed: 'timeout' },
      { rrn: '000000000001', outcome: 'approved', reversed: null },
    ]);
    const hour = d.today().hours[new Date(AT).getHours()];
    expect(hour).toEqual({ approved: 1, declined: 1, approvedAmount: 1200 });
  });

  it('keeps the 50 newest transactions, newest first, and charts the gateway day only', () => {
    const d = new Dashboard();
    d.snapshot(snapshot());
    d.event(ev('transaction.approved', tx('OLD000000000', 100), AT - 86_400_000), false);
    for (let i = 1; i <= 60; i++) d.event(ev('transaction.approved', tx(String(i).padStart(12, '0'), 100), AT + i * 1000), false);
    const rrns = d.recentTxs().map((t) => t.rrn);
    expect(rrns).toHaveLength(50);
    expect(rrns[0]).toBe('000000000060');
    expect(rrns[49]).toBe('000000000011');
    expect(d.today().hours.reduce((n, h) => n + h.approved, 0)).toBe(60);
  });

  it('lists open batches first and replaces them from a fresher snapshot', () => {
    const d = new Dashboard();
    d.setBatches([
      { terminalId: 'TERM0001', batchNo: '000000', status: 'balanced', openedAt: '2025-11-20T10:00:00.000Z', closedAt: '2025-11-20T18:00:00.000Z', terminal: totals, host: totals, funded: totals, variance: { terminalVsHost: 0, fundedVsHost: 0 } },
    ]);
    d.snapshot(snapshot());
    expect(d.batchList().map((b) => `${b.batchNo} ${b.status}`)).toEqual(['000001 open', '000000 balanced']);
    d.event(ev('batch.closed', { terminalId: 'TERM0001', batchNo: '000001', status: 'balanced', terminal: totals, host: totals, funded: totals, variance: { terminalVsHost: 0, fundedVsHost: 0 } }), false);
    d.snapshot(snapshot({ batches: [] }));
    expect(d.batchList().map((b) => `${b.batchNo} ${b.status}`)).toEqual(['000001 balanced', '000000 balanced']);
  });
});

describe('the dashboard formats', () => {
  it('shows minor units with the currency decimals, on integers', () => {
    expect(money(1234)).toBe('12.34');
    expect(money(5)).toBe('0.05');
    expect(money(-2500)).toBe('-25.00');
    expect(money(1234, '392')).toBe('1234');
    expect(money(1234, '048')).toBe('1.234');
    expect(parseMoney('12.34')).toBe(1234);
    expect(parseMoney('12')).toBe(1200);
    expect(parseMoney('0.1')).toBe(10);
    expect(parseMoney('1.234')).toBeNull();
    expect(parseMoney('12,3x')).toBeNull();
  });

  it('never shows more of a card number than first 6 and last 4', () => {
    expect(maskedPan('476173******0119')).toBe('476173******0119');
    expect(maskedPan('4761739001010119')).toBe('476173******0119');
    expect(maskedPan(null)).toBe('—');
  });
});
