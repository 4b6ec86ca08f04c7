import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoMessage } from '../../../protocol/index.js';
import {
  decryptPinBlock,
  renderReceipt,
  TestCards,
  TestKeySets,
  type Terminal,
} from '../../../terminal-sim/device/index.js';
import { waitFor, type Stack } from '../../e2e/stack.js';
import { MERCHANT, openTerminal, readJournal, simStack, tempDir, wire, withResponseCode } from './sim-stack.js';

let stack: Stack;
const open: Terminal[] = [];

beforeAll(async () => {
  stack = await simStack();
});
afterAll(async () => {
  for (const t of open) await t.close().catch(() => undefined);
  await stack?.close();
});

async function terminal(id: string, o: Parameters<typeof openTerminal>[2] | Omit<Parameters<typeof openTerminal>[2], 'port'> = {}, dir = tempDir()): Promise<Terminal> {
  const t = await openTerminal(id, dir, { port: stack.port, ...o });
  open.push(t);
  return t;
}

const mtis = (msgs: IsoMessage[]): string[] => msgs.map((m) => m.mti);

/** The gateway's record of a terminal transaction, by the terminal's key (the MTI class as two or three digits). */
async function gatewayTx(terminalId: string, e: { batch: string; stan: string; localDate: string; mti: string }) {
  const key = { terminalId, batchNo: e.batch, stan: e.stan, localDate: e.localDate };
  return (await stack.gw.store.findTransaction({ ...key, mtiClass: e.mti.slice(0, 3) })) ?? stack.gw.store.findTransaction({ ...key, mtiClass: e.mti.slice(0, 2) });
}

describe('network management', () => {
  it('signs on and echoes; an unknown terminal gets 89', async () => {
    const w = wire();
    const t = await terminal('TERM0001', { hooks: w.hooks });
    expect(await t.signOn()).toEqual({ outcome: 'approved', responseCode: '00', responseText: 'APPROVED' });
    expect(await t.echo()).toMatchObject({ outcome: 'approved', responseCode: '00' });
    expect(w.sent.map((m) => [m.mti, m.fields[70], m.fields[41], m.fields[42]])).toEqual([
      ['0800', '001', 'TERM0001', MERCHANT],
      ['0800', '301', 'TERM0001', MERCHANT],
    ]);
    expect(w.sent.map((m) => m.fields[11])).toEqual(['000001', '000002']);
    const stranger = await terminal('TERM9999');
    expect(await stranger.echo()).toMatchObject({ outcome: 'declined', responseCode: '89', responseText: 'INVALID TERMINAL' });
  });
});

describe('authorizations', () => {
  it('runs a chip purchase with a PIN: what went out, and what the stub, the gateway and the journal recorded', async () => {
    const w = wire();
    const t = await terminal('TERM0002', { hooks: w.hooks });
    const r = await t.purchase({ amount: 1234, pin: '4321' });
    expect(r).toMatchObject({ outcome: 'approved', responseCode: '00', offline: false, reversalPending: false });
    const e = r.entry!;
    const req = w.sent[0];
    expect(req.mti).toBe('0200');
    expect(req.fields[3]).toBe('000000');
    expect(req.fields[4]).toBe('000000001234');
    expect(req.fields[35]).toBe(`${TestCards.visa.pan}=28122010000000000`);
    expect(req.fields[2]).toBeUndefined();
    expect(req.fields[22]).toBe('051');
    expect(req.fields[60]).toBe('000001');
    expect(req.fields[62]).toBe('000001');
    expect(decryptPinBlock(req.fields[52] as Buffer, TestCards.visa.pan, TestKeySets.test.tpk)).toBe('4321');
    expect((req.fields[55] as Buffer).length).toBeGreaterThan(60);

    const [row] = stack.stub.ledger({ rrn: e.rrn! });
    expect(row).toMatchObject({ kind: 'purchase', status: 'approved', amount: 1234, terminalId: 'TERM0002', panMasked: '476173******0119', authCode: e.authCode });
    expect(await gatewayTx('TERM0002', e)).toMatchObject({ state: 'approved', captured: true, rrn: e.rrn, amount: 1234 });
    const journal = readJournal(t.journalPath);
    expect(journal.reversal).toBeNull();
    expect(journal.entries[0]).toMatchObject({ status: 'approved', rrn: e.rrn, authCode: e.authCode, stan: '000001', invoice: '000001' });
    expect(t.totals()).toEqual({ saleCount: 1, saleAmount: 1234, refundCount: 0, refundAmount: 0 });
  });

  it('keeps a decline out of the batch', async () => {
    const t = await terminal('TERM0003');
    const r = await t.purchase({ amount: 1005, card: { ...TestCards.mastercard } });
    expect(r).toMatchObject({ outcome: 'declined', responseCode: '05', responseText: 'DO NOT HONOUR' });
    expect(r.receipt).toMatchObject({ approved: false, authCode: null, scheme: 'MASTERCARD', panMasked: '555555******4444' });
    expect(stack.stub.ledger({ rrn: r.entry!.rrn! })[0]).toMatchObject({ status: 'declined', responseCode: '05' });
    expect(readJournal(t.journalPath).entries[0].status).toBe('declined');
    expect(t.totals().saleCount).toBe(0);
  });

  it('refunds, and voids by invoice (field 62) and by RRN (field 37)', async () => {
    const w = wire();
    const t = await terminal('TERM0004', { hooks: w.hooks });
    const a = (await t.purchase({ amount: 1000 })).entry!;
    const b = (await t.purchase({ amount: 2000, entryMode: 'swipe', card: { ...TestCards.amex } })).entry!;
    const refund = await t.refund({ amount: 300, entryMode: 'manual', card: { ...TestCards.discover } });
    expect(refund).toMatchObject({ outcome: 'approved' });
    expect(w.sent[2].fields).toMatchObject({ 2: TestCards.discover.pan, 3: '200000', 14: '2812', 22: '011' });

    const va = await t.void({ invoice: a.invoice });
    expect(va).toMatchObject({ outcome: 'approved', responseCode: '00' });
    expect(w.sent[3].fields).toMatchObject({ 3: '020000', 4: '000000001000', 62: a.invoice });
    expect(w.sent[3].fields[37]).toBeUndefined();
    const vb = await t.void({ rrn: b.rrn! });
    expect(vb).toMatchObject({ outcome: 'approved' });
    expect(w.sent[4].fields).toMatchObject({ 3: '020000', 4: '000000002000', 37: b.rrn });
    expect(vb.receipt).toMatchObject({ type: 'VOID', invoice: b.invoice });

    expect(stack.stub.ledger({ rrn: a.rrn! })[0].status).toBe('reversed');
    expect(stack.stub.ledger({ rrn: b.rrn! })[0].status).toBe('reversed');
    await waitFor(async () => (await gatewayTx('TERM0004', a))?.captured === false, 2000, 'void uncaptures');
    expect(await gatewayTx('TERM0004', b)).toMatchObject({ captured: false });
    const journal = readJournal(t.journalPath);
    expect(journal.entries.filter((x) => x.status === 'voided').map((x) => x.invoice)).toEqual([a.invoice, b.invoice]);
    expect(t.totals()).toEqual({ saleCount: 0, saleAmount: 0, refundCount: 1, refundAmount: 300 });
    await expect(t.void({ invoice: a.invoice })).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(t.void({ invoice: '999' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('pre-authorizes (0100) and completes (0220 naming the pre-auth RRN) for a smaller amount', async () => {
    const w = wire();
    const t = await terminal('TERM0005', { hooks: w.hooks });
    const pre = await t.preauth({ amount: 5000 });
    expect(pre).toMatchObject({ outcome: 'approved' });
    expect(w.sent[0].mti).toBe('0100');
    expect(t.totals().saleCount).toBe(0);
    const done = await t.complete({ rrn: pre.entry!.rrn! }, 4000);
    expect(done).toMatchObject({ outcome: 'approved', responseCode: '00' });
    expect(w.sent[1]).toMatchObject({ mti: '0220', fields: { 3: '000000', 4: '000000004000', 37: pre.entry!.rrn, 38: pre.entry!.authCode } });
    const [preRow] = stack.stub.ledger({ rrn: pre.entry!.rrn! });
    const [completion] = stack.stub.ledger({ rrn: done.entry!.rrn! });
    expect(preRow).toMatchObject({ kind: 'preauth', amount: 5000 });
    expect(completion).toMatchObject({ kind: 'completion', amount: 4000, originalId: preRow.id });
    expect(await gatewayTx('TERM0005', done.entry!)).toMatchObject({ mti: '0220', captured: true, amount: 4000 });
    expect(t.totals()).toEqual({ saleCount: 1, saleAmount: 4000, refundCount: 0, refundAmount: 0 });
    await expect(t.complete({ invoice: pre.entry!.invoice })).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
  });

  it('refuses a second transaction while one is running', async () => {
    const t = await terminal('TERM0006');
    const first = t.purchase({ amount: 100 });
    await expect(t.purchase({ amount: 200 })).rejects.toMatchObject({ code: 'BUSY' });
    expect(await first).toMatchObject({ outcome: 'approved' });
  });
});

describe('reversals', () => {
  it('saves the reversal in the journal file before the authorization leaves', async () => {
    const checked: string[] = [];
    const w = wire();
    let path = '';
    w.onSend = (msg) => {
      if (msg.mti !== '0200' && msg.mti !== '0100') return;
      const journal = readJournal(path);
      const entry = journal.entries.find((e) => e.id === journal.reversal?.entryId);
      expect(journal.reversal).toMatchObject({ reason: 'in_flight', attempts: 0 });
      expect(entry).toMatchObject({ status: 'in_flight', stan: msg.fields[11], mti: msg.mti });
      checked.push(msg.mti);
    };
    const t = await terminal('TERM0007', { hooks: w.hooks });
    path = t.journalPath;
    await t.purchase({ amount: 700 });
    await t.preauth({ amount: 800 });
    await t.refund({ amount: 100 });
    expect(checked).toEqual(['0200', '0100', '0200']);
    expect(readJournal(path).reversal).toBeNull();
  });

  it('on a timeout sends the reversal (same 11, 13, 60) before the next transaction, then 0401 on a repeat', async () => {
    const w = wire();
    const t = await terminal('TERM0008', { hooks: w.hooks, timeoutMs: 300 });
    let drop = ['0210', '0410'];
    w.onReceive = (msg) => (drop[0] === msg.mti ? (drop.shift(), null) : undefined);
    const lost = await t.purchase({ amount: 2500 });
    expect(lost).toMatchObject({ outcome: 'no_answer', responseCode: null, receipt: null, reversalPending: true });
    const original = lost.entry!;
    expect(readJournal(t.journalPath)).toMatchObject({ reversal: { entryId: original.id, reason: 'timeout', attempts: 0 } });
    expect(readJournal(t.journalPath).entries[0].status).toBe('no_answer');

    // the reversal's answer is lost too: the next transaction is not sent, and the reversal stays
    const blocked = await t.purchase({ amount: 100 });
    expect(blocked).toMatchObject({ outcome: 'no_answer', entry: null, housekeeping: { blocked: 'no_answer', reversal: { mti: '0400', outcome: 'no_answer' } } });
    expect(readJournal(t.journalPath).reversal).toMatchObject({ attempts: 1 });

    drop = [];
    const next = await t.purchase({ amount: 100 });
    expect(next).toMatchObject({ outcome: 'approved', housekeeping: { reversal: { mti: '0401', responseCode: '00', cleared: true } } });
    expect(mtis(w.sent)).toEqual(['0200', '0400', '0401', '0200']);
    for (const rev of [w.sent[1], w.sent[2]]) {
      expect(rev.fields).toMatchObject({ 11: original.stan, 13: original.localDate, 60: original.batch, 3: '000000', 4: '000000002500', 41: 'TERM0008' });
    }
    const journal = readJournal(t.journalPath);
    expect(journal.reversal).toBeNull();
    expect(journal.entries[0]).toMatchObject({ status: 'reversed', reversalResponseCode: '00' });
    expect(t.totals()).toEqual({ saleCount: 1, saleAmount: 100, refundCount: 0, refundAmount: 0 });
    // the gateway had approved it: it marks the terminal's reversal and the acquirer gets one
    expect(await gatewayTx('TERM0008', original)).toMatchObject({ reversal: 'terminal', captured: false });
    const approvedRrn = (await gatewayTx('TERM0008', original))!.rrn;
    await waitFor(() => stack.stub.ledger({ rrn: approvedRrn })[0]?.status === 'reversed', 3000, 'acquirer reversal');
  });

  it('treats an unreadable reply like no reply', async () => {
    const w = wire();
    const t = await terminal('TERM0009', { hooks: w.hooks });
    w.onReceive = (msg) => (msg.mti === '0210' ? Buffer.from('0210ffff', 'hex') : undefined);
    const r = await t.purchase({ amount: 900 });
    expect(r).toMatchObject({ outcome: 'no_answer', reversalPending: true });
    expect(readJournal(t.journalPath).reversal).toMatchObject({ reason: 'unreadable' });
    w.onReceive = undefined;
    const hk = await t.flush();
    expect(hk).toMatchObject({ blocked: null, reversal: { mti: '0400', responseCode: '00', cleared: true } });
  });

  it('reverses the last authorization on request', async () => {
    const t = await terminal('TERM0010');
    const r = await t.purchase({ amount: 1500 });
    expect(await t.reverse()).toBeNull();
    const rev = await t.reverse({ last: true });
    expect(rev).toMatchObject({ outcome: 'approved', mti: '0400', responseCode: '00', cleared: true, entry: { invoice: r.entry!.invoice, status: 'reversed' } });
    expect(t.totals().saleCount).toBe(0);
    await waitFor(() => stack.stub.ledger({ rrn: r.entry!.rrn! })[0]?.status === 'reversed', 3000, 'acquirer reversal');
  });
});

describe('offline', () => {
  it('approves below the floor limit with its own auth code, and sends the 0220 advice before the next online transaction', async () => {
    const w = wire();
    const t = await terminal('TERM0011', { hooks: w.hooks, floorLimit: 1000, authCode: () => 'OFF001' });
    const off = await t.purchase({ amount: 500, offline: true });
    expect(off).toMatchObject({ outcome: 'approved', responseCode: 'Y1', offline: true, entry: { authCode: 'OFF001', mti: '0220', advice: { pending: true } } });
    expect(off.receipt).toMatchObject({ approved: true, offline: true, authCode: 'OFF001', rrn: null });
    expect(w.sent).toHaveLength(0);
    expect(await t.purchase({ amount: 1500, offline: true })).toMatchObject({ outcome: 'declined', responseCode: 'Z1' });

    const online = await t.purchase({ amount: 2000 });
    expect(online).toMatchObject({ outcome: 'approved', housekeeping: { advices: [{ mti: '0220', responseCode: '00' }] } });
    expect(mtis(w.sent)).toEqual(['0220', '0200']);
    expect(w.sent[0].fields).toMatchObject({ 38: 'OFF001', 4: '000000000500', 11: off.entry!.stan, 2: TestCards.visa.pan });
    const advised = readJournal(t.journalPath).entries.find((e) => e.id === off.entry!.id)!;
    expect(advised.advice).toMatchObject({ pending: false, responseCode: '00' });
    expect(stack.stub.ledger({ rrn: advised.rrn! })[0]).toMatchObject({ kind: 'advice', authCode: 'OFF001', amount: 500 });
    expect(await gatewayTx('TERM0011', advised)).toMatchObject({ captured: true, authCode: 'OFF001' });
    expect(t.totals()).toEqual({ saleCount: 2, saleAmount: 2500, refundCount: 0, refundAmount: 0 });
  });

  it('approves offline when the host is unreachable (Y3), and refuses above the floor limit', async () => {
    const dir = tempDir();
    const t = await openTerminal('TERM0012', dir, { port: 1, floorLimit: 1000, connectTimeoutMs: 1000 });
    try {
      expect(await t.purchase({ amount: 999 })).toMatchObject({ outcome: 'approved', responseCode: 'Y3', offline: true });
      await expect(t.purchase({ amount: 1000 })).rejects.toMatchObject({ name: 'TransportError', code: 'CONNECT_FAILED' });
      await expect(t.refund({ amount: 10 })).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    } finally {
      await t.close();
    }
    // back online: the advice goes first, and the settlement counts it
    const back = await terminal('TERM0012', {}, dir);
    const s = await back.settle();
    expect(s).toMatchObject({ outcome: 'approved', responseCode: '00', totals: { saleCount: 1, saleAmount: 999 }, housekeeping: { advices: [{ mti: '0220' }] } });
  });
});

describe('the journal', () => {
  it('survives a restart mid-batch: STAN, invoice, batch and the pending reversal carry on', async () => {
    const dir = tempDir();
    const w1 = wire();
    const t1 = await openTerminal('TERM0013', dir, { port: stack.port, hooks: w1.hooks, timeoutMs: 300 });
    await t1.purchase({ amount: 1100 });
    w1.onReceive = (msg) => (msg.mti === '0210' ? null : undefined);
    const lost = await t1.purchase({ amount: 1200 });
    expect(lost.outcome).toBe('no_answer');
    await t1.close();

    const w2 = wire();
    const t2 = await terminal('TERM0013', { hooks: w2.hooks }, dir);
    expect(t2.journal).toMatchObject({ stan: 2, invoice: 2, batch: 1, reversal: { entryId: lost.entry!.id } });
    const third = await t2.purchase({ amount: 1300 });
    expect(mtis(w2.sent)).toEqual(['0400', '0200']);
    expect(w2.sent[0].fields[11]).toBe(lost.entry!.stan);
    expect(third.entry).toMatchObject({ stan: '000003', invoice: '000003', batch: '000001' });
    const s = await t2.settle();
    expect(s).toMatchObject({ outcome: 'approved', uploaded: 0, closed: true, batch: '000001', nextBatch: '000002', totals: { saleCount: 2, saleAmount: 2400 } });
    expect(await stack.gw.store.getBatch('TERM0013', '000001')).toMatchObject({ status: 'balanced' });
    const j = readJournal(t2.journalPath);
    expect(j).toMatchObject({ batch: 2, entries: [], batches: [{ batch: '000001', uploaded: 0, responseCode: '00', responseText: 'GB ACCEPTED' }] });
    // every save replaced the file whole: no temporary files are left behind
    expect(readdirSync(dir).sort()).toEqual(['TERM0013.json', 'TERM0013.lock']);
  });

  it('is locked while open, and refuses a file that is not a journal', async () => {
    const dir = tempDir();
    const t = await terminal('TERM0014', {}, dir);
    await expect(openTerminal('TERM0014', dir, { port: stack.port })).rejects.toMatchObject({ code: 'JOURNAL_LOCKED' });
    await expect(openTerminal('TERM0014', dir, { port: stack.port, merchantId: 'OTHER' })).rejects.toMatchObject({ code: 'JOURNAL_LOCKED' });
    await t.close();
    await expect(openTerminal('TERM0014', dir, { port: stack.port, merchantId: 'OTHERMERCHANT' })).rejects.toMatchObject({ code: 'IDENTITY_MISMATCH' });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/TERM0015.json`, '{"hello": 1}');
    await expect(openTerminal('TERM0015', dir, { port: stack.port })).rejects.toMatchObject({ code: 'JOURNAL_CORRUPT' });
  });
});

describe('settlement', () => {
  it('uploads every captured transaction after a 95 and closes with the trailer; the batch advances', async () => {
    const w = wire();
    const t = await terminal('TERM0016', { hooks: w.hooks });
    await t.purchase({ amount: 1000 });
    await t.refund({ amount: 250 });
    // the terminal reads a decline where the gateway approved and captured: the totals will differ
    w.onReceive = (msg) => (msg.mti === '0210' && msg.fields[39] === '00' ? withResponseCode(msg, '05') : undefined);
    expect(await t.purchase({ amount: 3000 })).toMatchObject({ outcome: 'declined' });
    w.onReceive = undefined;
    const s = await t.settle();
    expect(s).toMatchObject({
      outcome: 'approved',
      responseText: 'GB ACCEPTED AFTER UPLOAD',
      totals: { saleCount: 1, saleAmount: 1000, refundCount: 1, refundAmount: 250 },
      hostTotals: { saleCount: 2, saleAmount: 4000, refundCount: 1, refundAmount: 250 },
      uploaded: 2,
      closed: true,
      nextBatch: '000002',
    });
    const tail = w.sent.slice(3);
    expect(tail.map((m) => `${m.mti}/${m.fields[3]}`)).toEqual(['0500/920000', '0320/000000', '0320/200000', '0500/960000']);
    expect(tail[0].fields[63]).toBe('001000000001000001000000000250');
    expect(tail[1].fields[60]).toBe(`0200${w.sent[0].fields[11]}000001`);
    const uploads = await stack.gw.store.uploads('TERM0016', '000001');
    expect(uploads.map((u) => [u.amount, u.matchedTxId !== null])).toEqual([[1000, true], [250, true]]);
    expect(await stack.gw.store.getBatch('TERM0016', '000001')).toMatchObject({ status: 'balanced_after_upload' });
    expect(readJournal(t.journalPath)).toMatchObject({ batch: 2, batches: [{ uploaded: 2, responseCode: '00' }] });
  });

  it('keeps the batch number when the host does not accept', async () => {
    const w = wire();
    const t = await terminal('TERM0017', { hooks: w.hooks });
    await t.purchase({ amount: 100 });
    w.onReceive = (msg) => (msg.mti === '0510' ? withResponseCode(msg, '96') : undefined);
    expect(await t.settle()).toMatchObject({ outcome: 'declined', responseCode: '96', closed: false, nextBatch: '000001' });
    w.onReceive = undefined;
    // the gateway did close it: now it answers 80, and the terminal still does not advance
    expect(await t.settle()).toMatchObject({ outcome: 'declined', responseCode: '80', closed: false, nextBatch: '000001' });
    expect(readJournal(t.journalPath)).toMatchObject({ batch: 1, batches: [] });
  });
});

describe('receipts', () => {
  it('mask the PAN (first 6, last 4) in print and in the export, and carry what the merchant needs', async () => {
    const t = await terminal('TERM0018', { merchantName: 'Corner Shop' });
    await t.purchase({ amount: 1234, card: { ...TestCards.jcb }, pin: '1234' });
    await t.refund({ amount: 99, card: { ...TestCards.unionpay } });
    const receipts = t.receipts();
    expect(receipts).toHaveLength(2);
    expect(receipts[0]).toMatchObject({ merchantName: 'Corner Shop', terminalId: 'TERM0018', merchantId: MERCHANT, type: 'SALE', panMasked: '353011******0000', amount: 1234, approved: true, responseText: 'APPROVED', cvm: 'PIN VERIFIED' });
    const printed = renderReceipt(receipts[0], 'merchant') + renderReceipt(receipts[0], 'customer') + renderReceipt(receipts[1], 'customer');
    for (const text of [printed, JSON.stringify(receipts)]) {
      expect(text).not.toContain(TestCards.jcb.pan);
      expect(text).not.toContain(TestCards.unionpay.pan);
    }
    expect(printed).toContain('353011******0000');
    expect(printed).toContain('CORNER SHOP');
    expect(printed).toContain('USD 12.34');
    expect(printed).toContain('USD -0.99');
    expect(printed).toContain(`AUTH CODE                 ${receipts[0].authCode}`);
    expect(printed).toContain(`RRN                 ${receipts[0].rrn}`);
    expect(printed).toContain('-- MERCHANT COPY --');
    expect(printed).toContain('-- CUSTOMER COPY --');
    const file = readFileSync(t.journalPath, 'utf8');
    expect(file).not.toMatch(/"track2"|=2812201/);
  });
});
