import { afterEach, describe, expect, it } from 'vitest';
import type { Case } from '../../../gateway/recon/index.js';
import { call, DAY, M1, ManualClock, OPERATOR, report, sale, startRecon, tempDb, TOKEN1, TOKEN2, type Running } from './fixtures.js';

const open: Running[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function start(path: string, clock: ManualClock): Promise<Running> {
  const r = await startRecon(path, clock);
  open.push(r);
  return r;
}

async function stop(r: Running): Promise<void> {
  open.splice(open.indexOf(r), 1);
  await r.close();
}

/** Three sales: one paid right, one underpaid, one never paid; the clock past their window. */
async function day(path: string, clock: ManualClock): Promise<{ r: Running; amt: Case; rwc: Case }> {
  const r = await start(path, clock);
  await sale(r.store, { rrn: '632500000001', amount: 1000 });
  await sale(r.store, { rrn: '632500000002', amount: 2000 });
  await sale(r.store, { rrn: '632500000003', amount: 3000 });
  clock.t += DAY;
  await r.service.importReport(report('stub-2026-11-22-1', '2026-11-22', [{ rrn: '632500000001', amount: 1000 }, { rrn: '632500000002', amount: 1990 }]));
  clock.t += 2 * DAY;
  const cases = (await call(r.http, 'GET', '/recon/cases', OPERATOR)).body.cases as Case[];
  expect(cases.map((c) => c.class).sort()).toEqual(['AMOUNT_MISMATCH', 'RECEIPT_WITHOUT_CREDIT']);
  return { r, amt: cases.find((c) => c.class === 'AMOUNT_MISMATCH')!, rwc: cases.find((c) => c.class === 'RECEIPT_WITHOUT_CREDIT')! };
}

describe('case actions over HTTP', () => {
  it('acknowledges, notes, resolves and reopens, recording the principal and the actor named', async () => {
    const clock = new ManualClock();
    const { r, rwc } = await day(tempDb(), clock);
    const url = `/recon/cases/${rwc.id}`;

    const ack = await call(r.http, 'POST', `${url}/acknowledge`, TOKEN1, { actor: 'alice', note: 'asked the acquirer' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ id: rwc.id, status: 'acknowledged', manual: true });
    expect(ack.body.audit.at(-1)).toEqual({ at: clock.t, actor: `merchant:${M1} (alice)`, action: 'acknowledged', note: 'asked the acquirer' });

    const note = await call(r.http, 'POST', `${url}/notes`, OPERATOR, { note: 'acquirer ticket 4711' });
    expect(note.body.audit.at(-1)).toMatchObject({ actor: 'operator', action: 'note', note: 'acquirer ticket 4711' });
    expect(note.body.status).toBe('acknowledged');

    const resolved = await call(r.http, 'POST', `${url}/resolve`, OPERATOR, { reason: 'paid by cheque', actor: 'bob' });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: { reason: 'paid by cheque', by: 'operator (bob)', at: clock.t } });

    const reopened = await call(r.http, 'POST', `${url}/reopen`, TOKEN1, { note: 'the cheque bounced' });
    expect(reopened.body).toMatchObject({ status: 'open', resolution: null });
    expect(reopened.body.audit.map((a: { action: string }) => a.action)).toEqual(['opened', 'acknowledged', 'note', 'resolved', 'reopened']);
    expect((await call(r.http, 'GET', url, TOKEN1)).body.audit).toHaveLength(5);
  });

  it("refuses a bad body, an unknown case and another merchant's case", async () => {
    const clock = new ManualClock();
    const { r, rwc } = await day(tempDb(), clock);
    const url = `/recon/cases/${rwc.id}`;
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x', actor: '' }]) {
      const res = await call(r.http, 'POST', `${url}/resolve`, OPERATOR, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
    expect((await call(r.http, 'POST', `${url}/notes`, OPERATOR, { actor: 'x' })).status).toBe(400);
    expect((await call(r.http, 'POST', `${url}/acknowledge`, TOKEN2, { note: 'mine now' })).body.error.code).toBe('CASE_NOT_FOUND');
    expect((await call(r.http, 'POST', '/recon/cases/RWC-0000000000000000/acknowledge', OPERATOR, {})).status).toBe(404);
    expect((await call(r.http, 'POST', `${url}/acknowledge`, undefined, {})).status).toBe(401);
    // none of that touched the case
    expect((await call(r.http, 'GET', url, OPERATOR)).body).toMatchObject({ status: 'open', manual: false, audit: [expect.objectContaining({ action: 'opened' })] });
    // a body is optional where nothing is required
    expect((await call(r.http, 'POST', `${url}/acknowledge`, OPERATOR)).body).toMatchObject({ status: 'acknowledged' });
  });

  it('keeps statuses and the audit trail across a restart on the same SQLite file, and the full run still agrees', async () => {
    const path = tempDb();
    const clock = new ManualClock();
    const first = await day(path, clock);
    await call(first.r.http, 'POST', `/recon/cases/${first.rwc.id}/acknowledge`, TOKEN1, { actor: 'alice' });
    await call(first.r.http, 'POST', `/recon/cases/${first.amt.id}/resolve`, OPERATOR, { reason: 'fee agreed with the acquirer' });
    const before = (await call(first.r.http, 'GET', '/recon/cases', OPERATOR)).body.cases as Case[];
    expect((await first.r.store.loadCases()).map((c) => [c.id, c.status]).sort()).toEqual(
      [[first.amt.id, 'resolved'], [first.rwc.id, 'acknowledged']].sort(),
    );
    await stop(first.r);

    clock.t += 60_000;
    const again = await start(path, clock);
    const after = (await call(again.http, 'GET', '/recon/cases', OPERATOR)).body.cases as Case[];
    expect(after).toEqual(before);
    expect(after.find((c) => c.id === first.rwc.id)?.audit.at(-1)).toMatchObject({ actor: `merchant:${M1} (alice)`, action: 'acknowledged' });
    expect((await call(again.http, 'POST', '/recon/run', OPERATOR)).body).toEqual({ cases: 2, agrees: true, differences: [] });

    // the credit that was missing arrives after the restart: the case it belongs to moves on, its history kept
    await again.service.importReport(report('stub-2026-11-25-1', '2026-11-25', [{ rrn: '632500000003', amount: 3000 }]));
    const late = (await call(again.http, 'GET', `/recon/cases/${first.rwc.id}`, OPERATOR)).body as Case;
    expect(late).toMatchObject({ class: 'LATE_CREDIT', status: 'acknowledged' });
    expect(late.audit.map((a) => a.action)).toEqual(['opened', 'acknowledged', 'reclassified']);
    await stop(again);
    const third = await start(path, clock);
    expect((await call(third.http, 'GET', `/recon/cases/${first.rwc.id}`, OPERATOR)).body).toEqual(late);
  });
});
