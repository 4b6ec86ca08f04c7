import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoMessage } from '../../protocol/index.js';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale, type TestTerminal } from './terminal-client.js';

let stack: Stack;
let t: TestTerminal;

beforeAll(async () => {
  stack = await startStack();
  t = await stack.terminal();
});
afterAll(async () => {
  await stack?.close();
});

const TERMINAL = 'TERM0002';

function totals(saleCount: number, saleAmount: number, refundCount: number, refundAmount: number): string {
  return `${String(saleCount).padStart(3, '0')}${String(saleAmount).padStart(12, '0')}${String(refundCount).padStart(3, '0')}${String(refundAmount).padStart(12, '0')}`;
}

function settlement(proc: '920000' | '960000', batch: string, f63: string): IsoMessage {
  return { mti: '0500', fields: { 3: proc, 11: t.nextStan(), 12: '230000', 13: '1121', 41: TERMINAL, 42: 'MERCHANT0000001', 60: batch, 63: f63 } };
}

function upload(original: IsoMessage, batch: string, rrn?: string, authCode?: string): IsoMessage {
  const f = original.fields;
  const receipt: Record<number, string> = {};
  if (rrn) receipt[37] = rrn;
  if (authCode) receipt[38] = authCode;
  return {
    mti: '0320',
    fields: {
      2: f[2], 3: f[3], 4: f[4], 11: t.nextStan(), 12: f[12], 13: f[13], 41: TERMINAL, 42: 'MERCHANT0000001', 49: '840',
      60: `${original.mti}${f[11]}${batch}`, 62: f[62], ...receipt,
    },
  };
}

describe('terminal settlement', () => {
  it('closes a batch in balance with 00, and refuses to settle it again with 80', async () => {
    const batch = '000011';
    for (const [amount, proc] of [[1000, '000000'], [2000, '000000'], [500, '200000']] as const) {
      expect((await t.request(sale(t, { terminalId: TERMINAL, batch, amount, proc }))).fields[39]).toBe('00');
    }
    // a declined sale is not in the batch
    expect((await t.request(sale(t, { terminalId: TERMINAL, batch, amount: 1005 }))).fields[39]).toBe('05');
    const res = await t.request(settlement('920000', batch, totals(2, 3000, 1, 500)));
    expect(res.mti).toBe('0510');
    expect(res.fields[39]).toBe('00');
    expect(res.fields[44]).toBe('GB ACCEPTED');
    expect(await stack.gw.store.getBatch(TERMINAL, batch)).toMatchObject({ status: 'balanced' });
    // the same 0500 again (its reply was lost) gets the same answer; another settlement of the closed batch gets 80
    const resent = await t.request({ ...res, mti: '0500', fields: { ...settlement('920000', batch, totals(2, 3000, 1, 500)).fields, 11: res.fields[11] } });
    expect(resent.fields[39]).toBe('00');
    const again = await t.request(settlement('920000', batch, totals(2, 3000, 1, 500)));
    expect(again.fields[39]).toBe('80');
    // a terminal that did not advance its batch number: its next sale is refused, not captured into a closed batch
    const late = await t.request(sale(t, { terminalId: TERMINAL, batch, amount: 100 }));
    expect(late.fields[39]).toBe('80');
    expect(stack.stub.ledger().filter((r) => r.amount === 100 && r.terminalId === TERMINAL)).toHaveLength(0);
  });

  it('asks for an upload with 95 when totals differ, keeps a receipt the gateway never authorized, and closes balanced after upload', async () => {
    const batch = '000012';
    const known = sale(t, { terminalId: TERMINAL, batch, amount: 1500 });
    const res = await t.request(known);
    expect(res.fields[39]).toBe('00');
    // the terminal also printed a sale the gateway never saw (an offline approval, say)
    const unknown = sale(t, { terminalId: TERMINAL, batch, amount: 1500 });
    const ask = await t.request(settlement('920000', batch, totals(2, 3000, 0, 0)));
    expect(ask.fields[39]).toBe('95');
    expect(ask.fields[63]).toBe(totals(1, 1500, 0, 0));
    expect((await t.request(upload(known, batch, res.fields[37] as string, res.fields[38] as string))).fields[39]).toBe('00');
    expect((await t.request(upload(unknown, batch, undefined, 'OFF123'))).fields[39]).toBe('00');
    const trailer = await t.request(settlement('960000', batch, totals(2, 3000, 0, 0)));
    expect(trailer.fields[39]).toBe('00');
    expect(await stack.gw.store.getBatch(TERMINAL, batch)).toMatchObject({
      status: 'balanced_after_upload',
      terminalTotals: { saleCount: 2, saleAmount: 3000 },
      uploadTotals: { saleCount: 2, saleAmount: 3000 },
    });
    const receipts = await stack.gw.store.uploads(TERMINAL, batch);
    expect(receipts).toHaveLength(2);
    expect(receipts.filter((r) => r.matchedTxId === null)).toHaveLength(1);
    expect(receipts.find((r) => r.matchedTxId === null)).toMatchObject({ amount: 1500, authCode: 'OFF123', panMasked: '476173******0119' });
  });

  it('closes out of balance when the upload does not add up to the terminal totals', async () => {
    const batch = '000013';
    const a = sale(t, { terminalId: TERMINAL, batch, amount: 700 });
    expect((await t.request(a)).fields[39]).toBe('00');
    expect((await t.request(settlement('920000', batch, totals(2, 1400, 0, 0)))).fields[39]).toBe('95');
    expect((await t.request(upload(a, batch))).fields[39]).toBe('00');
    const trailer = await t.request(settlement('960000', batch, totals(2, 1400, 0, 0)));
    expect(trailer.fields[44]).toBe('OUT OF BALANCE');
    expect((await stack.gw.store.getBatch(TERMINAL, batch))?.status).toBe('out_of_balance');
  });

  it('counts a resent upload frame once', async () => {
    const batch = '000014';
    const a = sale(t, { terminalId: TERMINAL, batch, amount: 900 });
    expect((await t.request(a)).fields[39]).toBe('00');
    expect((await t.request(settlement('920000', batch, totals(1, 901, 0, 0)))).fields[39]).toBe('95');
    const u = upload(a, batch);
    expect((await t.request(u)).fields[39]).toBe('00');
    expect((await t.request(u)).fields[39]).toBe('00');
    expect(await stack.gw.store.uploadTotals(TERMINAL, batch)).toEqual({ saleCount: 1, saleAmount: 900, refundCount: 0, refundAmount: 0 });
  });
});

describe('settlement while requests of its batch are in progress', () => {
  let s: Stack;
  let a: TestTerminal;
  let b: TestTerminal;
  beforeAll(async () => {
    // amounts ending 71: the stub answers after half a second
    s = await startStack({ stub: { rules: { amountEndings: { '71': 'slow' }, timings: { slowMs: 500 } } } });
    a = await s.terminal();
    b = await s.terminal();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('waits for a sale in progress and counts it; a sale sent meanwhile waits, then gets 80 from the closed batch', async () => {
    const batch = '000021';
    const slow = a.request(sale(a, { terminalId: TERMINAL, batch, amount: 1071 }));
    await waitFor(async () => (await s.gw.store.journalTotals(TERMINAL, batch)).saleCount === 0 && (await s.gw.store.inFlight()).length === 1, 2_000, 'the slow sale journaled');
    // the terminal's totals include the sale still waiting for the acquirer
    const settling = b.request({
      mti: '0500',
      fields: { 3: '920000', 11: b.nextStan(), 12: '230000', 13: '1121', 41: TERMINAL, 42: 'MERCHANT0000001', 60: batch, 63: totals(1, 1071, 0, 0) },
    });
    await new Promise((r) => setTimeout(r, 100));
    const meanwhile = a.request(sale(a, { terminalId: TERMINAL, batch, amount: 1200 }));
    expect((await slow).fields[39]).toBe('00');
    expect((await settling).fields[39]).toBe('00');
    expect((await meanwhile).fields[39]).toBe('80');
    expect(await s.gw.store.getBatch(TERMINAL, batch)).toMatchObject({ status: 'balanced' });
    expect(await s.gw.store.journalTotals(TERMINAL, batch)).toEqual({ saleCount: 1, saleAmount: 1071, refundCount: 0, refundAmount: 0 });
    // the sale refused with 80 never reached the acquirer
    expect(s.stub.ledger().filter((r) => r.amount === 1200)).toHaveLength(0);
  });
});
