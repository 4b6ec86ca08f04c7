import { afterEach, describe, expect, it } from 'vitest';
import type { Case } from '../../../gateway/recon/index.js';
import { receiptOf, type JournalEntry as DeviceEntry, type Receipt as DeviceReceipt } from '../../../terminal-sim/device/index.js';
import { call, DAY, M1, ManualClock, OPERATOR, report, sale, startRecon, T0, tempDb, TOKEN1, TOKEN2, type Running } from './fixtures.js';

const open: Running[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function start(path = tempDb(), clock = new ManualClock()): Promise<Running> {
  const r = await startRecon(path, clock);
  open.push(r);
  return r;
}

/** A receipt as the simulator exports it (`terminal-sim receipts --json`), from an entry of its journal. */
function printed(o: Partial<DeviceEntry> & { stan: string; amount: number }): DeviceReceipt {
  const entry: DeviceEntry = {
    id: Number(o.stan), kind: 'purchase', mti: '0200', procCode: '000000', invoice: o.stan, batch: '000001', localDate: '1121', localTime: '100000',
    at: '2026-11-21T10:00:00', currency: '840', card: 'sealed', panMasked: '476173******0119', scheme: 'visa', entryMode: 'chip', pin: true, emv: true,
    offline: false, status: 'approved', responseCode: '00', authCode: 'A1B2C3', rrn: null, advice: null, original: null, closedBy: null,
    reversalResponseCode: null, faults: [], ...o,
  };
  return receiptOf(entry, { terminalId: 'TERM0001', merchantId: M1, merchantName: 'Shop One' });
}

const classes = (cases: Case[]): string[] => cases.map((c) => `${c.class} ${c.stan}${c.cleared ? ' cleared' : ''}`).sort();

describe('receipts from 0220 advices', () => {
  it('count as what the terminal printed: an uncredited advice is a receipt without credit, a declined one too', async () => {
    const clock = new ManualClock();
    const r = await start(tempDb(), clock);
    await sale(r.store, { rrn: '632500000001', amount: 500, mti: '0220', stan: '000101' });
    const declined = await sale(r.store, { rrn: '632500000002', amount: 700, mti: '0220', stan: '000102' });
    await r.store.recordOutcome(declined.id, { state: 'declined', responseCode: '05', captured: false, at: T0 });
    // an 0200 declined: the terminal printed no approval, so no case
    const plain = await sale(r.store, { rrn: '632500000003', amount: 900, stan: '000103' });
    await r.store.recordOutcome(plain.id, { state: 'declined', responseCode: '05', captured: false, at: T0 });
    clock.t += 3 * DAY;
    await r.service.sync();
    const cases = r.service.cases({});
    expect(cases.map((c) => [c.class, c.stan, c.explanation]).sort()).toEqual([
      ['RECEIPT_WITHOUT_CREDIT', '000101', 'credit missing: receipt 5.00 approved on 2026-11-21, no credit by 2026-11-23'],
      ['RECEIPT_WITHOUT_CREDIT', '000102', 'approval differs: receipt approved 7.00, gateway journal declined (response 05)'],
    ]);
    expect(cases.every((c) => c.refs.receipts === 1)).toBe(true);
    expect((await r.service.run()).agrees).toBe(true);
  });
});

describe('POST /recon/receipts', () => {
  it("keeps a merchant's export once, reconciles it, and finds what the journal lacks", async () => {
    const clock = new ManualClock();
    const path = tempDb();
    const r = await start(path, clock);
    await sale(r.store, { rrn: '632500000001', amount: 1000, stan: '000001' });
    const exported = [
      printed({ stan: '000001', amount: 1000, rrn: '632500000001' }),
      printed({ stan: '000050', amount: 2500, offline: true, authCode: 'Y1A2B3' }),
      printed({ stan: '000051', amount: 4000, rrn: '632500000099' }),
      printed({ stan: '000052', amount: 100, status: 'declined', responseCode: '05', authCode: null }),
      printed({ stan: '000053', amount: 1000, kind: 'void', procCode: '020000' }),
    ];
    const res = await call(r.http, 'POST', '/recon/receipts', TOKEN1, exported);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 5, stored: 3, duplicates: 0, skipped: 2 });
    expect((await call(r.http, 'POST', '/recon/receipts', TOKEN1, exported)).body).toEqual({ received: 5, stored: 0, duplicates: 3, skipped: 2 });
    expect((await r.store.receipts()).map((x) => [x.stan, x.kind, x.localDate, x.source])).toEqual([
      ['000001', 'sale', '1121', 'export'], ['000050', 'offline', '1121', 'export'], ['000051', 'sale', '1121', 'export'],
    ]);

    const cases = (await call(r.http, 'GET', '/recon/cases', TOKEN1)).body.cases as Case[];
    expect(classes(cases)).toEqual(['OFFLINE_NOT_UPLOADED 000050', 'RECEIPT_WITHOUT_CREDIT 000051']);
    expect(cases.find((c) => c.stan === '000050')?.explanation).toBe(
      'offline sale missing: receipt 25.00 with auth code Y1A2B3 from terminal TERM0001 batch 000001 STAN 000050, no advice in the gateway journal',
    );

    // the advice comes in after all: the offline sale's case clears
    await sale(r.store, { rrn: '632500000002', amount: 2500, mti: '0220', stan: '000050', authCode: 'Y1A2B3' });
    clock.t += 1000;
    expect(classes((await call(r.http, 'GET', '/recon/cases', TOKEN1)).body.cases)).toEqual(['OFFLINE_NOT_UPLOADED 000050 cleared', 'RECEIPT_WITHOUT_CREDIT 000051']);

    // the paid sale's receipt matched: paid in full, no case, and the full run agrees with the incremental one
    await r.service.importReport(report('r1', '2026-11-22', [{ rrn: '632500000001', amount: 1000 }, { rrn: '632500000002', amount: 2500, authCode: 'Y1A2B3' }]));
    expect((await call(r.http, 'POST', '/recon/run', OPERATOR)).body).toEqual({ cases: 1, agrees: true, differences: [] });

    // kept across a restart
    await r.close();
    open.pop();
    const again = await start(path, clock);
    expect(classes(again.service.cases({ includeCleared: false }))).toEqual(['RECEIPT_WITHOUT_CREDIT 000051']);
    expect((await again.service.run()).agrees).toBe(true);
  });

  it("refuses another merchant's terminal and a malformed export, keeping nothing", async () => {
    const r = await start();
    const exported = [printed({ stan: '000001', amount: 1000 }), printed({ stan: '000002', amount: 1000 })];
    const other = await call(r.http, 'POST', '/recon/receipts', TOKEN2, exported);
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ code: 'RECEIPTS_INVALID', index: 0, field: 'terminalId' });
    // the operator may upload for any merchant, but only for its own terminals
    const wrongTerminal = [exported[0], { ...exported[1], terminalId: 'TERM0002' }];
    expect((await call(r.http, 'POST', '/recon/receipts', OPERATOR, wrongTerminal)).body.error).toMatchObject({ code: 'RECEIPTS_INVALID', index: 1 });
    const bad = await call(r.http, 'POST', '/recon/receipts', TOKEN1, [exported[0], { ...exported[1], amount: '10.00' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('BAD_REQUEST');
    expect(bad.body.error.message).toMatch(/body\/1\/amount/);
    expect((await call(r.http, 'POST', '/recon/receipts', TOKEN1, [{ ...exported[0], dateTime: '2026-13-01T10:00:00' }])).body.error).toMatchObject({ field: 'dateTime' });
    expect(await r.store.receipts()).toEqual([]);
    expect((await call(r.http, 'POST', '/recon/receipts', OPERATOR, exported)).body).toMatchObject({ stored: 2 });
  });
});
