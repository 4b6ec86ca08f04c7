import { afterEach, describe, expect, it } from 'vitest';
import type { CaseChange, CreditsImported } from '../../../gateway/recon-service/events.js';
import { DAY, M1, ManualClock, report, sale, startRecon, tempDb, type Running } from './fixtures.js';

const open: Running[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

function brief(c: CaseChange): string {
  return `${c.type} ${c.case.class} ${c.case.status}${c.case.cleared ? ' cleared' : ''}`;
}

describe('case and credit listeners', () => {
  it('hear every case the engine or a person changes, as opened, updated or closed, with the time', async () => {
    const clock = new ManualClock();
    const r = await startRecon(tempDb(), clock, { rules: { lateCreditCloses: true, amountTolerance: 5 } });
    open.push(r);
    const changes: CaseChange[] = [];
    const stop = r.service.onCase((c) => changes.push(c));
    await sale(r.store, { rrn: '632500000001', amount: 1000 });
    await sale(r.store, { rrn: '632500000002', amount: 2000 });
    await sale(r.store, { rrn: '632500000003', amount: 3000 });
    clock.t += DAY;
    // 0002 short by 3 (within tolerance: closed by the rule as it opens), 0003 missing, 0009 never sold
    await r.service.importReport(report('r1', '2026-11-22', [
      { rrn: '632500000001', amount: 1000 }, { rrn: '632500000002', amount: 1997 }, { rrn: '632500000009', amount: 500 },
    ]));
    expect(changes.map(brief).sort()).toEqual([
      'case.closed AMOUNT_MISMATCH resolved',
      'case.opened AMOUNT_MISMATCH resolved',
      'case.opened CREDIT_WITHOUT_RECEIPT open',
    ]);
    expect(changes.every((c) => c.at === clock.t)).toBe(true);
    const opened = changes.findIndex((c) => c.type === 'case.opened' && c.case.class === 'AMOUNT_MISMATCH');
    expect(changes[opened + 1]).toMatchObject({ type: 'case.closed', case: { class: 'AMOUNT_MISMATCH' } });
    changes.length = 0;

    clock.t += 2 * DAY; // past 0003's window: a read moves the clock
    const rwc = r.service.cases({ class: 'RECEIPT_WITHOUT_CREDIT' })[0];
    expect(changes.map(brief)).toEqual(['case.opened RECEIPT_WITHOUT_CREDIT open']);
    expect(changes[0].case).toEqual(rwc);
    changes.length = 0;

    await r.service.act(rwc.id, 'note', 'operator', 'asked the acquirer');
    expect(changes.map(brief)).toEqual(['case.updated RECEIPT_WITHOUT_CREDIT open']);
    expect(changes[0].case.audit.at(-1)).toMatchObject({ action: 'note', note: 'asked the acquirer' });
    changes.length = 0;

    // the late credit closes it by the rule
    await r.service.importReport(report('r2', '2026-11-25', [{ rrn: '632500000003', amount: 3000 }]));
    expect(changes.map(brief)).toEqual(['case.closed LATE_CREDIT resolved']);
    changes.length = 0;

    await r.service.act(rwc.id, 'reopen', 'operator', 'the credit was taken back');
    expect(changes.map(brief)).toEqual(['case.updated LATE_CREDIT open']);
    changes.length = 0;

    stop();
    await r.service.act(rwc.id, 'resolve', 'operator', 'done');
    expect(changes).toEqual([]);
  });

  it('hear a case the data clears as closed, and after a restart a known case as updated', async () => {
    const path = tempDb();
    const clock = new ManualClock();
    const r = await startRecon(path, clock);
    open.push(r);
    await r.service.importReport(report('r1', '2026-11-22', [{ rrn: '632500000007', amount: 700 }]));
    expect(r.service.cases({}).map((c) => c.class)).toEqual(['CREDIT_WITHOUT_RECEIPT']);
    await r.close();
    open.pop();

    const again = await startRecon(path, clock);
    open.push(again);
    const changes: CaseChange[] = [];
    again.service.onCase((c) => changes.push(c));
    // the sale the credit pays turns up in the journal
    await sale(again.store, { rrn: '632500000007', amount: 700 });
    await again.service.sync();
    expect(changes.map(brief)).toEqual(['case.closed CREDIT_WITHOUT_RECEIPT resolved cleared']);
  });

  it('hear each imported report once, with its lines; a listener that throws does not stop the others', async () => {
    const clock = new ManualClock();
    const r = await startRecon(tempDb(), clock);
    open.push(r);
    const heard: CreditsImported[] = [];
    r.service.onCredits(() => {
      throw new Error('a broken listener');
    });
    const stop = r.service.onCredits((c) => heard.push(c));
    const csv = report('r1', '2026-11-22', [{ rrn: '632500000001', amount: 1000 }, { rrn: '632500000002', amount: 250 }]);
    await r.service.importReport(csv);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ reportId: 'r1', acquirerId: 'stub', settlementDate: '2026-11-22' });
    expect(heard[0].lines.map((l) => [l.record, l.rrn, l.amount])).toEqual([['CREDIT', '632500000001', 1000], ['CREDIT', '632500000002', 250], ['PAYOUT', null, 1250]]);
    expect(heard[0].lines[0]).toMatchObject({ merchantId: M1, panMasked: '476173******0119' });
    await r.service.importReport(csv);
    expect(heard).toHaveLength(1);
    stop();
    await r.service.importReport(report('r2', '2026-11-23', [{ rrn: '632500000003', amount: 1 }]));
    expect(heard).toHaveLength(1);
  });
});
