import { describe, expect, it } from 'vitest';
import { alertEvents, batchClosedEvent, caseEvent, creditEvents, transactionEvent, txKind } from '../../../gateway/feed/events.js';
import { formatMessage, money } from '../../../gateway/feed/format.js';
import type { Alert } from '../../../gateway/feed/types.js';
import type { Case } from '../../../gateway/recon/index.js';
import type { CreditRecord } from '../../../gateway/store/types.js';

const tx = {
  merchantId: 'M1',
  rrn: '532500000001',
  terminalId: 'TERM0001',
  batchNo: '000001',
  stan: '000042',
  mti: '0200',
  procCode: '000000',
  amount: 1234,
  currency: '840',
  panMasked: '476173******0119',
  panHash: 'ab'.repeat(32),
  responseCode: '00',
  authCode: 'A1B2C3',
  acquirerId: 'stub',
};

describe('feed events', () => {
  it.each([
    ['0200', '000000', false, 'purchase'],
    ['0200', '200000', false, 'refund'],
    ['0200', '020000', true, 'void'],
    ['0100', '000000', false, 'preauth'],
    ['0220', '000000', true, 'completion'],
    ['0220', '000000', false, 'offline'],
  ] as const)('names MTI %s processing code %s (original: %s) a %s', (mti, proc, original, kind) => {
    expect(txKind(mti, proc, original)).toBe(kind);
  });

  it('tells a transaction by its ids, amount and masked card, and nothing else of the card', () => {
    const e = transactionEvent('transaction.approved', tx, tx, 5);
    expect(e).toEqual({
      merchantId: 'M1',
      type: 'transaction.approved',
      at: 5,
      data: { rrn: '532500000001', terminalId: 'TERM0001', batchNo: '000001', stan: '000042', kind: 'purchase', amount: 1234, currency: '840', panMasked: '476173******0119', responseCode: '00', authCode: 'A1B2C3', acquirerId: 'stub', originalRrn: null },
    });
    expect(JSON.stringify(e)).not.toContain('abab');
    expect(transactionEvent('transaction.reversed', tx, tx, 5, 'timeout').data.reason).toBe('timeout');
  });

  it('closes a batch with its three totals and the net variances', () => {
    const t = (n: number, a: number) => ({ saleCount: n, saleAmount: a, refundCount: 1, refundAmount: 100 });
    const e = batchClosedEvent({ merchantId: 'M1', terminalId: 'TERM0001', batchNo: '000001', status: 'out_of_balance', terminal: t(3, 3000), host: t(2, 2000), funded: t(1, 500) }, 9);
    expect(e.data).toMatchObject({ status: 'out_of_balance', variance: { terminalVsHost: -1000, fundedVsHost: -1500 } });
  });

  it('makes one credit event per credit or debit line, under the line\'s merchant, and none for payouts', () => {
    const line = (n: number, record: CreditRecord['record'], merchantId: string): CreditRecord => ({
      reportId: 'R1', line: n, record, acquirerId: 'stub', settlementDate: '2025-11-22', merchantId, terminalId: 'TERM0001', rrn: `r${n}`, authCode: null,
      panMasked: null, amount: 100 * n, currency: '840', transactionDate: '2025-11-21', fee: 1, netAmount: 100 * n - 1,
    });
    const events = creditEvents([line(1, 'CREDIT', 'M1'), line(2, 'PAYOUT', 'M1'), line(3, 'DEBIT', 'M2')], 7);
    expect(events.map((e) => [e.merchantId, e.type, e.data.line, e.data.record])).toEqual([['M1', 'credit.received', 1, 'CREDIT'], ['M2', 'credit.received', 3, 'DEBIT']]);
    expect(events[0].data).not.toHaveProperty('merchantId');
  });

  it('sends a case without its audit trail, and keeps a case of no merchant off the feed', () => {
    const c = { id: 'C1', merchantId: 'M1', class: 'DUPLICATE', status: 'open', explanation: 'x', audit: [{ at: 1 }] } as unknown as Case;
    expect(caseEvent(c, 'opened', 3)).toEqual({ merchantId: 'M1', type: 'case.opened', at: 3, data: { id: 'C1', merchantId: 'M1', class: 'DUPLICATE', status: 'open', explanation: 'x' } });
    expect(caseEvent({ ...c, merchantId: null }, 'closed', 3)).toBeUndefined();
  });

  it('journals an alert once per merchant it concerns', () => {
    const alert: Alert = {
      id: 'upstream-timeouts:acquirer:stub', rule: 'upstream-timeouts', severity: 'critical', scope: { kind: 'acquirer', id: 'stub' }, merchantIds: ['M1', 'M2'],
      startedAt: 1, clearedAt: null, message: 'm', firstAction: 'f', value: 50, threshold: 20,
    };
    expect(alertEvents(alert, 'raised', 2).map((e) => [e.merchantId, e.type, e.data.id])).toEqual([
      ['M1', 'alert.raised', alert.id],
      ['M2', 'alert.raised', alert.id],
    ]);
  });
});

describe('watch lines', () => {
  it.each([
    [1234, '840', '12.34'],
    [5, '840', '0.05'],
    [-250, '978', '-2.50'],
    [1234, '392', '1234'],
    [1234, '048', '1.234'],
  ])('prints %i of %s as %s', (amount, currency, text) => {
    expect(money(amount, currency)).toBe(text);
  });

  it('prints an event on one line, the merchant only on the operator\'s feed', () => {
    const msg = { type: 'event', seq: 4, id: 90, merchantId: 'M1', event: 'transaction.declined', at: '2025-11-21T10:00:00.000Z', data: { ...transactionEvent('transaction.declined', tx, { ...tx, responseCode: '05', authCode: null }, 1).data } };
    expect(formatMessage(msg)).toEqual(['2025-11-21T10:00:00.000Z #4 declined  TERM0001 purchase 12.34 840 476173******0119 rc 05 rrn 532500000001']);
    expect(formatMessage(msg, true)[0]).toContain('#4 M1 declined');
    expect(formatMessage({ type: 'live', seq: 4 })).toEqual([]);
  });
});
