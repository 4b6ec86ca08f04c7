import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale, TEST_PAN, type TestTerminal } from './terminal-client.js';

let stack: Stack;
let t: TestTerminal;

beforeAll(async () => {
  stack = await startStack();
  t = await stack.terminal();
});
afterAll(async () => {
  await stack?.close();
});

describe('gateway end to end through the acquirer stub', () => {
  it('signs a terminal on and answers echo', async () => {
    const on = await t.request({ mti: '0800', fields: { 11: t.nextStan(), 41: 'TERM0001', 42: 'MERCHANT0000001', 70: '001' } });
    expect(on.mti).toBe('0810');
    expect(on.fields[39]).toBe('00');
    const echo = await t.request({ mti: '0800', fields: { 11: t.nextStan(), 41: 'TERM0001', 42: 'MERCHANT0000001', 70: '301' } });
    expect(echo.fields[39]).toBe('00');
  });

  it('approves a purchase, with a gateway RRN and the acquirer auth code, and journals it captured', async () => {
    const req = sale(t, { amount: 1234 });
    const res = await t.request(req);
    expect(res.mti).toBe('0210');
    expect(res.fields[39]).toBe('00');
    expect(res.fields[37]).toMatch(/^\d{12}$/);
    expect(res.fields[38]).toMatch(/^.{6}$/);
    const row = stack.stub.ledger({ rrn: res.fields[37] as string });
    expect(row).toHaveLength(1);
    expect(row[0].amount).toBe(1234);
    expect(row[0].status).toBe('approved');
    const tx = await stack.gw.store.findByRrn(res.fields[37] as string);
    expect(tx).toMatchObject({ state: 'approved', captured: true, amount: 1234, panMasked: '476173******0119' });
  });

  it('passes a decline through and does not capture it', async () => {
    const res = await t.request(sale(t, { amount: 1005 }));
    expect(res.fields[39]).toBe('05');
    expect(res.fields[38]).toBeUndefined();
    const tx = await stack.gw.store.findByRrn(res.fields[37] as string);
    expect(tx).toMatchObject({ state: 'declined', captured: false });
  });

  it('answers 89 to an unknown or disabled terminal and never relays it', async () => {
    const before = stack.stub.ledger().length;
    const unknown = await t.request(sale(t, { amount: 500, terminalId: 'NOSUCH01' }));
    expect(unknown.fields[39]).toBe('89');
    const disabled = await t.request(sale(t, { amount: 500, terminalId: 'TERM0009' }));
    expect(disabled.fields[39]).toBe('89');
    expect(stack.stub.ledger().length).toBe(before);
  });

  it('answers 03 when field 42 is not the terminal merchant', async () => {
    const res = await t.request(sale(t, { amount: 500, merchantId: 'OTHERMERCHANT01' }));
    expect(res.fields[39]).toBe('03');
  });

  it('relays a refund and a void, and the void takes the sale out of the batch', async () => {
    const refund = await t.request(sale(t, { amount: 300, proc: '200000', invoice: '000101' }));
    expect(refund.fields[39]).toBe('00');
    const s = await t.request(sale(t, { amount: 777, invoice: '000102' }));
    expect(s.fields[39]).toBe('00');
    const v = await t.request(sale(t, { amount: 777, proc: '020000', invoice: '000103', extra: { 37: s.fields[37] as string } }));
    expect(v.fields[39]).toBe('00');
    const original = await stack.gw.store.findByRrn(s.fields[37] as string);
    expect(original?.captured).toBe(false);
    expect(stack.stub.ledger({ rrn: s.fields[37] as string })[0].status).toBe('reversed');
  });

  it('answers 25 to a void of an unknown sale', async () => {
    const v = await t.request(sale(t, { amount: 777, proc: '020000', extra: { 37: '999999999999' } }));
    expect(v.fields[39]).toBe('25');
  });

  it('authorizes a pre-auth without capturing it, then captures its completion advice', async () => {
    const pre = await t.request(sale(t, { amount: 5000, mti: '0100', proc: '000000' }));
    expect(pre.mti).toBe('0110');
    expect(pre.fields[39]).toBe('00');
    expect((await stack.gw.store.findByRrn(pre.fields[37] as string))?.captured).toBe(false);
    const done = await t.request(sale(t, { amount: 4500, mti: '0220', extra: { 37: pre.fields[37] as string, 38: pre.fields[38] as string } }));
    expect(done.mti).toBe('0230');
    expect(done.fields[39]).toBe('00');
    const tx = await stack.gw.store.findByRrn(done.fields[37] as string);
    expect(tx).toMatchObject({ captured: true, amount: 4500 });
  });

  it('reverses on a terminal 0400, idempotently, and 25 for an unknown original', async () => {
    const s = sale(t, { amount: 2500 });
    const res = await t.request(s);
    expect(res.fields[39]).toBe('00');
    const rev = { mti: '0400', fields: { ...s.fields } };
    const r1 = await t.request(rev);
    expect(r1.mti).toBe('0410');
    expect(r1.fields[39]).toBe('00');
    const r2 = await t.request({ mti: '0401', fields: { ...s.fields } });
    expect(r2.fields[39]).toBe('00');
    await waitFor(() => stack.stub.ledger({ rrn: res.fields[37] as string })[0]?.status === 'reversed', 3000, 'reversal at the acquirer');
    expect((await stack.gw.store.findByRrn(res.fields[37] as string))?.captured).toBe(false);
    const unknown = await t.request({ mti: '0400', fields: { ...sale(t, { amount: 1 }).fields } });
    expect(unknown.fields[39]).toBe('25');
  });

  it('answers 30 to a request missing a required field', async () => {
    const req = sale(t, { amount: 100 });
    delete (req.fields as Record<number, unknown>)[4];
    const res = await t.request(req);
    expect(res.fields[39]).toBe('30');
  });

  it('never stores the full PAN in the journal', async () => {
    const rows = await stack.gw.store.inFlight();
    expect(JSON.stringify(rows)).not.toContain(TEST_PAN);
  });
});
