import { describe, expect, it } from 'vitest';
import { caseId, Reconciler, Subject } from '../../../gateway/recon/index.js';
import { credit, day, DAY, entry, HOUR, OPTIONS, receipt, T0 } from './fixtures.js';

const ID = caseId('RECEIPT_WITHOUT_CREDIT', Subject.tx('406500000001'));

describe('the settlement window on an injected clock', () => {
  it('keeps a sale EXPECTED through T+1 plus a day of grace, then opens the missing-credit case', () => {
    const r = new Reconciler(OPTIONS);
    r.addJournal([entry()]);
    r.addReceipts([receipt()]);
    expect(r.advance(T0 + HOUR)).toEqual([]);
    const expected = r.expected();
    expect(expected).toHaveLength(1);
    expect(expected[0]).toMatchObject({ id: ID, class: 'EXPECTED', severity: 'info', explanation: 'credit pending: 12.34 due by 2024-03-07', audit: [] });
    expect(r.cases()).toEqual([]);
    expect(r.cases({ includeExpected: true }).map((c) => c.class)).toEqual(['EXPECTED']);

    expect(r.advance(day(3) - 1)).toEqual([]);
    const opened = r.advance(day(3));
    expect(opened.map((c) => [c.id, c.class])).toEqual([[ID, 'RECEIPT_WITHOUT_CREDIT']]);
    expect(r.expected()).toEqual([]);
    // nothing changes when the clock moves on without new data
    expect(r.advance(day(5))).toEqual([]);
  });

  it('closes the case as LATE_CREDIT when the late credit arrives, in the audit trail', () => {
    const r = new Reconciler({ ...OPTIONS, rules: { lateCreditCloses: true } });
    r.addJournal([entry()]);
    r.advance(day(3) + HOUR);
    r.addCredits([credit({ reportId: 'acq-a-2024-03-09-1', settlementDate: '2024-03-09' })]);
    const [c] = r.advance(day(4) + HOUR);
    expect(c).toMatchObject({ id: ID, class: 'LATE_CREDIT', status: 'resolved', resolution: { by: 'rule:late-credit', at: day(4) + HOUR } });
    expect(c.audit.map((a) => [a.actor, a.action])).toEqual([
      ['recon', 'opened'],
      ['recon', 'reclassified'],
      ['rule:late-credit', 'resolved'],
    ]);
    expect(c.audit[1].note).toBe('RECEIPT_WITHOUT_CREDIT -> LATE_CREDIT: credit date differs: due by 2024-03-07, credited on 2024-03-09');
    expect(c.resolution!.reason).toBe('late credit arrived: credit date differs: due by 2024-03-07, credited on 2024-03-09');
  });

  it('clears the case when a credit paid on time turns up in a report imported late', () => {
    const r = new Reconciler(OPTIONS);
    r.addJournal([entry()]);
    r.advance(day(3) + HOUR);
    r.addCredits([credit()]);
    const [c] = r.advance(day(3) + 2 * HOUR);
    expect(c).toMatchObject({ id: ID, class: 'RECEIPT_WITHOUT_CREDIT', status: 'resolved', cleared: true, resolution: { by: 'recon' } });
    expect(c.audit.at(-1)).toMatchObject({ action: 'cleared', note: 'cleared: the credit or the journal entry it lacked has arrived' });
    expect(r.cases({ includeCleared: false })).toEqual([]);
  });

  it('takes the window and grace per acquirer, and a default for the others', () => {
    const options = { acquirers: { slow: { settleAfterDays: 3, graceDays: 2 }, fast: { settleAfterDays: 0, graceDays: 0 } }, defaultWindow: { settleAfterDays: 1, graceDays: 0 } };
    const r = new Reconciler(options);
    r.addJournal([
      entry({ id: 1, rrn: '000000000001', acquirerId: 'slow' }),
      entry({ id: 2, rrn: '000000000002', stan: '000002', acquirerId: 'fast' }),
      entry({ id: 3, rrn: '000000000003', stan: '000003', acquirerId: 'other' }),
    ]);
    const due = (now: number): string[] => (r.advance(now), r.cases().map((c) => c.rrn!).sort());
    expect(due(day(1))).toEqual(['000000000002']);
    expect(due(day(2))).toEqual(['000000000002', '000000000003']);
    expect(due(day(5) + 23 * HOUR)).toEqual(['000000000002', '000000000003']);
    expect(due(day(6))).toEqual(['000000000001', '000000000002', '000000000003']);
  });

  it('counts days in the gateway\'s time zone', () => {
    // 23:30 UTC on 03-05 is 00:30 on 03-06 at UTC+1: the credit is due by 03-08 there
    const late = entry({ createdAt: Date.UTC(2024, 2, 5, 23, 30) });
    const utc = new Reconciler(OPTIONS);
    utc.addJournal([late]);
    utc.advance(Date.UTC(2024, 2, 8, 12));
    expect(utc.cases().map((c) => c.explanation)).toEqual(['credit missing: journal 12.34 approved on 2024-03-05, no credit by 2024-03-07']);
    const plusOne = new Reconciler({ ...OPTIONS, utcOffsetMinutes: 60 });
    plusOne.addJournal([late]);
    plusOne.advance(Date.UTC(2024, 2, 8, 12));
    expect(plusOne.cases()).toEqual([]);
    expect(plusOne.expected()[0].explanation).toBe('credit pending: 12.34 due by 2024-03-08');
  });

  it('refuses a clock that goes back', () => {
    const r = new Reconciler(OPTIONS);
    r.advance(T0);
    expect(() => r.advance(T0 - 1)).toThrow(RangeError);
    expect(() => r.advance(Number.NaN)).toThrow(TypeError);
  });

  it('answers "where is my money" at each stage', () => {
    const r = new Reconciler(OPTIONS);
    r.addJournal([entry(), entry({ id: 2, rrn: '406500000002', stan: '000002', state: 'timed_out', captured: false, reversal: 'timeout', reversalState: 'pending' })]);
    r.advance(T0 + HOUR);
    expect(r.locate('406500000001')).toMatchObject({ stage: 'awaiting_credit', dueBy: '2024-03-07', next: 'approved and captured: the acquirer should pay it by 2024-03-07' });
    expect(r.locate('406500000002')).toMatchObject({ stage: 'reversing', dueBy: null });
    expect(r.locate('000000000000')).toMatchObject({ stage: 'unknown', journalId: null });
    r.advance(day(3));
    const overdue = r.locate('406500000001');
    expect(overdue.stage).toBe('overdue');
    expect(overdue.cases.map((c) => c.class)).toEqual(['RECEIPT_WITHOUT_CREDIT']);
    r.addCredits([credit({ settlementDate: '2024-03-08', reportId: 'acq-a-2024-03-08-1' })]);
    r.advance(day(3) + DAY / 2);
    expect(r.locate('406500000001')).toMatchObject({ stage: 'credited', credits: [{ reportId: 'acq-a-2024-03-08-1', line: 2, settlementDate: '2024-03-08', amount: 1234 }] });
  });
});
