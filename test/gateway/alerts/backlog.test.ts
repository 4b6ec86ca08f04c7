import { afterEach, describe, expect, it } from 'vitest';
import { ReconService } from '../../../gateway/recon-service/service.js';
import { REPORT_COLUMNS } from '../../../gateway/settlement/report.js';
import { alertsConfig, DAY, HOUR, journal, M1, M2, MIN, ManualClock, rig, T0, tempStore, type Rig } from './fixtures.js';
import { JournalError, JournalErrorCodes } from '../../../gateway/store/errors.js';

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

async function start(...args: Parameters<typeof rig>): Promise<Rig> {
  const r = await rig(...args);
  rigs.push(r);
  return r;
}

const briefly = (r: Rig) => r.changes.map(([change, a]) => `${change} ${a.id}`);

/** A settlement report crediting sales (CSV as the acquirer writes it). */
function report(reportId: string, settlementDate: string, credits: { rrn: string; amount: number }[]): string {
  const rows = [REPORT_COLUMNS.join(',')];
  for (const c of credits) rows.push(['CREDIT', reportId, 'acq-a', settlementDate, M1, 'TERM0001', c.rrn, 'A1B2C3', '476173******0119', c.amount, '840', '2026-11-21', 0, c.amount].join(','));
  const total = credits.reduce((n, c) => n + c.amount, 0);
  rows.push(['PAYOUT', reportId, 'acq-a', settlementDate, M1, '', '', '', '', total, '840', '', 0, total].join(','));
  return `${rows.join('\n')}\n`;
}

describe('receipts without credit', () => {
  it('raises per merchant from the open RECEIPT_WITHOUT_CREDIT cases of reconciliation, and clears when they are resolved', async () => {
    const clock = new ManualClock();
    const store = await tempStore();
    const paid = await journal(store, { state: 'approved', at: T0, amount: 1000 });
    await journal(store, { state: 'approved', at: T0, amount: 2500 });
    const recon = new ReconService({ store, clock, maxStalenessMs: 0 });
    await recon.sync();
    const r = await start(alertsConfig({ clearAfterMs: 0, receiptsWithoutCredit: {} }), { clock, store, cases: recon });
    clock.t = T0 + DAY;
    await recon.importReport(report('acq-a-2026-11-22-1', '2026-11-22', [{ rrn: paid.rrn, amount: 1000 }]));
    // inside the settlement window and grace: expected, not yet a case
    await r.engine.evaluate();
    expect(r.changes).toEqual([]);

    clock.t = T0 + 3 * DAY;
    await r.engine.evaluate();
    expect(r.engine.active()).toEqual([
      expect.objectContaining({
        id: `receipts_without_credit:merchant:${M1}`,
        severity: 'critical',
        scope: { kind: 'merchant', id: M1 },
        merchantIds: [M1],
        value: 1,
        threshold: 1,
        message: `Merchant ${M1} has 1 approved receipt with no settlement credit after the settlement window and grace (alert at 1).`,
      }),
    ]);
    // no card data, not even the masked PAN the journal keeps
    expect(JSON.stringify(r.changes)).not.toContain('0119');

    const [c] = recon.cases({ class: 'RECEIPT_WITHOUT_CREDIT', status: 'open' });
    await recon.act(c.id, 'resolve', 'ops@test', 'credit claimed from the acquirer and received');
    await r.engine.evaluate();
    expect(briefly(r)).toEqual([`raised receipts_without_credit:merchant:${M1}`, `cleared receipts_without_credit:merchant:${M1}`]);
    await recon.flush();
  });
});

describe('store-and-forward backlog age', () => {
  it('raises per acquirer when the oldest reversal waits too long, and clears once it is delivered', async () => {
    const store = await tempStore();
    const tx = await journal(store, { state: 'timed_out', at: T0 });
    const item = await store.queueReversal(tx.id, 'acq-a', 'timeout', T0);
    const r = await start(alertsConfig({ clearAfterMs: 0, safBacklog: { raiseAgeMs: 10 * MIN, clearAgeMs: 2 * MIN } }), { store });
    await r.engine.evaluate(T0 + 10 * MIN - 1);
    expect(r.changes).toEqual([]);
    await r.engine.evaluate(T0 + 10 * MIN);
    expect(r.engine.active()).toEqual([
      expect.objectContaining({
        id: 'saf_backlog:acquirer:acq-a',
        scope: { kind: 'acquirer', id: 'acq-a' },
        // no merchant used the acquirer since this engine started: every configured merchant is told
        merchantIds: [M1, M2],
        value: 10 * MIN,
        threshold: 10 * MIN,
        message: '1 reversal waiting for acquirer acq-a, the oldest for 10 min (alert at 10 min, clears under 2 min).',
      }),
    ]);
    await store.updateSaf(item.id, { state: 'done', attempts: 1, lastResult: '00' }, T0 + 11 * MIN);
    await r.engine.evaluate(T0 + 11 * MIN);
    expect(briefly(r)).toEqual(['raised saf_backlog:acquirer:acq-a', 'cleared saf_backlog:acquirer:acq-a']);
  });

  it('names the merchants that used the acquirer lately, and keeps its alert when the store cannot be read', async () => {
    const store = await tempStore();
    const tx = await journal(store, { state: 'timed_out', at: T0 });
    await store.queueReversal(tx.id, 'acq-a', 'timeout', T0);
    const r = await start(alertsConfig({ clearAfterMs: 0, safBacklog: { raiseAgeMs: 10 * MIN, clearAgeMs: 2 * MIN } }), { store });
    r.engine.record({ merchantId: M2, acquirerId: 'acq-a', approved: false, timedOut: true, latencyMs: null, at: T0 + MIN });
    await r.engine.evaluate(T0 + 10 * MIN);
    expect(r.engine.active().map((a) => a.merchantIds)).toEqual([[M2]]);
    await store.close();
    await r.engine.evaluate(T0 + 20 * MIN);
    expect(r.ids()).toEqual(['saf_backlog:acquirer:acq-a']);
    expect(r.lines.filter((l) => l.msg === 'alert rule failed: its alerts stay as they are').map((l) => l.rule)).toEqual(['saf_backlog']);
    rigs.splice(rigs.indexOf(r), 1);
    await r.engine.stop();
  });
});

describe('open-batch age', () => {
  it("raises per terminal when its oldest batch stays open, and clears when the batch closes", async () => {
    const store = await tempStore();
    await store.openBatch('TERM0001', '000001', M1, T0);
    await store.openBatch('TERM0002', '000007', M2, T0 + 5 * HOUR);
    const r = await start(alertsConfig({ clearAfterMs: 0, openBatch: { raiseAgeMs: 26 * HOUR } }), { store });
    await r.engine.evaluate(T0 + 26 * HOUR - 1);
    expect(r.changes).toEqual([]);
    await r.engine.evaluate(T0 + 26 * HOUR);
    expect(r.engine.active()).toEqual([
      expect.objectContaining({
        id: 'open_batch:terminal:TERM0001',
        scope: { kind: 'terminal', id: 'TERM0001' },
        merchantIds: [M1],
        message: 'Batch 000001 of terminal TERM0001 has been open for 26 h (alert at 26 h).',
      }),
    ]);
    expect(r.engine.active(M2)).toEqual([]);
    await store.closeBatch('TERM0001', '000001', 'balanced', T0 + 27 * HOUR, '000123');
    await r.engine.evaluate(T0 + 27 * HOUR);
    expect(briefly(r)).toEqual(['raised open_batch:terminal:TERM0001', 'cleared open_batch:terminal:TERM0001']);
  });
});

describe('listeners', () => {
  it('a listener that throws is logged; the others still hear every change', async () => {
    const store = await tempStore();
    await store.openBatch('TERM0001', '000001', M1, T0);
    const r = await start(alertsConfig({ openBatch: { raiseAgeMs: HOUR } }), { store });
    r.engine.onChange(() => {
      throw new Error('feed down');
    });
    const later: string[] = [];
    const off = r.engine.onChange((a, change) => later.push(`${change} ${a.id}`));
    await r.engine.evaluate(T0 + HOUR);
    expect(later).toEqual(['raised open_batch:terminal:TERM0001']);
    expect(r.lines.filter((l) => l.msg === 'alert listener failed')).toHaveLength(1);
    // a copy: changing what a listener got changes nothing in the engine
    r.changes[0][1].merchantIds.push('someone');
    expect(r.engine.active()[0].merchantIds).toEqual([M1]);
    off();
    await store.closeBatch('TERM0001', '000001', 'balanced', T0 + 2 * HOUR, '000123');
    await r.engine.evaluate(T0 + 2 * HOUR);
    await r.engine.evaluate(T0 + 2 * HOUR + 2 * MIN);
    expect(briefly(r)).toEqual(['raised open_batch:terminal:TERM0001', 'cleared open_batch:terminal:TERM0001']);
    expect(later).toEqual(['raised open_batch:terminal:TERM0001']);
  });
});

describe('a journal that takes no more writes', () => {
  it('raises journal_failed for the whole gateway and every merchant, even with every other rule switched off', async () => {
    const store = await tempStore();
    const r = await start(
      alertsConfig({
        clearAfterMs: 0,
        approvalRate: { enabled: false },
        upstreamTimeouts: { enabled: false },
        upstreamLatency: { enabled: false },
        volume: { enabled: false },
        receiptsWithoutCredit: { enabled: false },
        safBacklog: { enabled: false },
        openBatch: { enabled: false },
      }),
      { store },
    );
    await r.engine.evaluate(T0);
    expect(r.changes).toEqual([]);
    const failure = new JournalError(JournalErrorCodes.syncFailed, 'journal: fdatasync of /data/j.db-wal failed (EIO)');
    store.failure = () => failure;
    await r.engine.evaluate(T0 + MIN);
    expect(r.engine.active()).toEqual([
      expect.objectContaining({
        id: 'journal_failed:gateway:',
        severity: 'critical',
        scope: { kind: 'gateway' },
        merchantIds: [M1, M2],
        message: 'The journal takes no more writes (JOURNAL_SYNC_FAILED): every terminal request is answered 96 without being forwarded.',
      }),
    ]);
    // it stays: nothing but a restart ends it
    await r.engine.evaluate(T0 + DAY);
    expect(briefly(r)).toEqual(['raised journal_failed:gateway:']);
  });
});
