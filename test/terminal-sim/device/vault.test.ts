import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardFromPan, cardVault, parseDataKey, TestCards, TestKeySets, type Terminal } from '../../../terminal-sim/device/index.js';
import type { Stack } from '../../e2e/stack.js';
import { openTerminal, readJournal, simStack, tempDir, wire, withResponseCode } from './sim-stack.js';

let stack: Stack;
const open: Terminal[] = [];
beforeAll(async () => {
  stack = await simStack();
});
afterAll(async () => {
  for (const t of open) await t.close().catch(() => undefined);
  await stack?.close();
});

const KEY = 'c0ffee01'.repeat(8);

describe('the card vault', () => {
  it('seals PAN and expiry with AES-256-GCM: a fresh IV each time, tampering and other keys refused', () => {
    const v = cardVault('TERM0001', TestKeySets.test);
    const a = v.seal({ pan: TestCards.visa.pan, expiry: '2812' });
    const b = v.seal({ pan: TestCards.visa.pan, expiry: '2812' });
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(TestCards.visa.pan);
    expect(v.open(a)).toEqual({ pan: TestCards.visa.pan, expiry: '2812' });
    const raw = Buffer.from(a.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => v.open(`v1:${raw.toString('base64')}`)).toThrow(expect.objectContaining({ code: 'DATA_KEY_MISMATCH' }));
    // another terminal id (the HKDF salt and the AAD), another key set, a user key: none opens it
    for (const other of [cardVault('TERM0002', TestKeySets.test), cardVault('TERM0001', TestKeySets.test3), cardVault('TERM0001', TestKeySets.test, parseDataKey(KEY))]) {
      expect(other.keyCheck).not.toBe(v.keyCheck);
      expect(() => other.open(a)).toThrow(expect.objectContaining({ code: 'DATA_KEY_MISMATCH' }));
    }
    expect(() => v.open('v1:AAAA')).toThrow(expect.objectContaining({ code: 'JOURNAL_CORRUPT' }));
    expect(() => parseDataKey('abc')).toThrow('the data key must be 64 hex digits (32 bytes)');
  });
});

describe('card data at rest in the journal', () => {
  it('never holds a full PAN in clear, through keyed sales, offline advices, voids, completions and a batch upload', async () => {
    const card = cardFromPan('5413330089020011', '2911');
    const pans = [card.pan, TestCards.visa.pan, TestCards.amex.pan];
    const w = wire();
    const dir = tempDir();
    let path = '';
    const checkFile = (): void => {
      const text = readFileSync(path, 'utf8');
      for (const pan of pans) expect(text).not.toContain(pan);
      expect(text).not.toMatch(/=2911|=2812|"track2"|"pinBlock"/);
    };
    // checked as each message leaves, so every save before it is covered too
    w.onSend = () => {
      checkFile();
    };
    const t = await openTerminal('TERM0031', dir, { port: stack.port, hooks: w.hooks, floorLimit: 1000, dataKey: parseDataKey(KEY) });
    open.push(t);
    path = t.journalPath;
    await t.purchase({ amount: 500, offline: true, card: { ...TestCards.amex } });
    const keyed = await t.purchase({ amount: 2500, card, entryMode: 'manual', pin: '1234' });
    expect(keyed.outcome).toBe('approved');
    const sale = await t.purchase({ amount: 1800 });
    await t.void({ invoice: sale.entry!.invoice });
    const pre = await t.preauth({ amount: 4000 });
    await t.complete({ rrn: pre.entry!.rrn! }, 3000);
    // the terminal reads a decline where the gateway approved: the totals will differ and the batch is uploaded
    w.onReceive = (msg) => (msg.mti === '0210' && msg.fields[4] === '000000000700' ? withResponseCode(msg, '05') : undefined);
    await t.purchase({ amount: 700 });
    w.onReceive = undefined;
    const s = await t.settle();
    expect(s).toMatchObject({ outcome: 'approved', uploaded: 3 });
    checkFile();
    // what went out still carried the card: the advice, the keyed sale's upload
    const advice = w.sent.find((m) => m.mti === '0220' && m.fields[38] !== undefined && m.fields[37] === undefined)!;
    expect(advice.fields).toMatchObject({ 2: TestCards.amex.pan, 14: '2812' });
    const uploads = w.sent.filter((m) => m.mti === '0320');
    expect(uploads.map((m) => m.fields[2])).toEqual([TestCards.amex.pan, card.pan, TestCards.visa.pan]);
    expect(uploads[1].fields[14]).toBe('2911');
    const j = readJournal(path);
    expect(j.batches).toHaveLength(1);
  });

  it('keeps the sealed card and its masked form per entry, and refuses the journal under another data key', async () => {
    const dir = tempDir();
    const t = await openTerminal('TERM0032', dir, { port: stack.port, timeoutMs: 300 });
    const r = await t.purchase({ amount: 1234, card: { ...TestCards.jcb } });
    const entry = readJournal(t.journalPath).entries[0];
    expect(entry.card).toMatch(/^v1:/);
    expect(entry.panMasked).toBe('353011******0000');
    expect(Object.keys(entry)).not.toContain('pan');
    expect(Object.keys(entry)).not.toContain('expiry');
    expect(r.outcome).toBe('approved');
    await t.close();
    await expect(openTerminal('TERM0032', dir, { port: stack.port, dataKey: parseDataKey(KEY) })).rejects.toMatchObject({ code: 'DATA_KEY_MISMATCH' });
    await expect(openTerminal('TERM0032', dir, { port: stack.port, keySet: 'test3' })).rejects.toMatchObject({ code: 'DATA_KEY_MISMATCH' });
    const again = await openTerminal('TERM0032', dir, { port: stack.port });
    open.push(again);
    expect(await again.reverse({ last: true })).toMatchObject({ outcome: 'approved', responseCode: '00' });
  });
});
