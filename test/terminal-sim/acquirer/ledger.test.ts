import { existsSync, readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  LinkClient,
  PAN,
  PAN2,
  PAN_KEY,
  auth,
  original,
  reversalOf,
  startTestStub,
  trace,
  type TestStub,
} from './helpers.js';

const START = Date.UTC(2025, 10, 21, 15, 30, 0);

describe('acquirer stub: the ledger', () => {
  let t: TestStub;
  let link: LinkClient;
  let now = START;
  beforeAll(async () => {
    t = await startTestStub({ clock: { now: () => now } });
    link = await LinkClient.connect(t.stub.port);
  });
  beforeEach(() => t.stub.reset());
  afterAll(async () => {
    link.close();
    await t.close();
  });

  it('stamps rows with the injected clock and keeps field 7 as sent', async () => {
    now = START;
    const sale = auth({ amount: 1000, f7: '1121153000' });
    await link.request(sale);
    now = START + 60_000;
    await link.request(reversalOf(sale));
    const [row] = t.stub.ledger();
    expect(row).toMatchObject({ transmittedAt: '1121153000', createdAt: '2025-11-21T15:30:00.000Z', reversedAt: '2025-11-21T15:31:00.000Z' });
  });

  it('stores the PAN as HMAC-SHA256 under the configured key plus its masked form', async () => {
    await link.request(auth({ amount: 1000 }));
    const [row] = t.stub.ledger();
    expect(row.panMasked).toBe('476173******0119');
    expect(row.panHmac).toBe(createHmac('sha256', PAN_KEY).update(PAN).digest('hex'));
  });

  describe('reversals', () => {
    it("are idempotent: a repeat answers '00' again and changes nothing", async () => {
      const sale = auth({ amount: 2000 });
      await link.request(sale);
      expect((await link.request(reversalOf(sale))).fields[39]).toBe('00');
      const after = t.stub.ledger()[0];
      for (const mti of ['0401', '0401', '0420', '0421']) {
        expect((await link.request(reversalOf(sale, { mti }))).fields[39]).toBe('00');
      }
      expect(t.stub.ledger()).toEqual([after]);
      expect(t.stub.reversals().map((r) => [r.mti, r.responseCode, r.reversed, r.originalId])).toEqual([
        ['0400', '00', true, after.id],
        ['0401', '00', false, after.id],
        ['0401', '00', false, after.id],
        ['0420', '00', false, after.id],
        ['0421', '00', false, after.id],
      ]);
      expect(t.stub.ledgerSummary()).toMatchObject({ approved: { count: 1, amount: 2000 }, reversed: { count: 1, amount: 2000 }, charged: { count: 0, amount: 0 } });
    });

    it('find the original by RRN alone', async () => {
      const sale = auth({ amount: 2100 });
      await link.request(sale);
      expect((await link.request(reversalOf(sale, { by90: false }))).fields[39]).toBe('00');
      expect(t.stub.ledger()[0].status).toBe('reversed');
    });

    it('find the original by field 90 alone (original STAN + field 7)', async () => {
      const sale = auth({ amount: 2200 });
      await link.request(sale);
      expect((await link.request(reversalOf(sale, { byRrn: false }))).fields[39]).toBe('00');
      expect(t.stub.ledger()[0].status).toBe('reversed');
    });

    it("answer '25' for an unknown original and change nothing", async () => {
      const sale = auth({ amount: 2300 });
      await link.request(sale);
      const tr = trace();
      const reply = await link.request({
        mti: '0400',
        fields: { 3: '000000', 4: '000000002300', 7: tr.f7, 11: tr.stan, 37: '999999999999', 90: original('0200', '999999', '0101000000') },
      });
      expect(reply.fields).toEqual({ 11: tr.stan, 37: '999999999999', 39: '25' });
      expect(t.stub.ledger()[0].status).toBe('approved');
      expect(t.stub.reversals()[0]).toMatchObject({ responseCode: '25', reversed: false, originalId: null });
    });

    it('of a declined authorization answer 00 and leave it declined', async () => {
      const sale = auth({ amount: 2305 });
      await link.request(sale);
      expect((await link.request(reversalOf(sale))).fields[39]).toBe('00');
      expect(t.stub.ledger()[0]).toMatchObject({ status: 'declined', responseCode: '05' });
    });

    it('of a double charge by field 90 reverse exactly the row named', async () => {
      const first = auth({ amount: 2400 });
      const second = auth({ amount: 2400, rrn: first.fields[37] as string });
      await link.request(first);
      await link.request(second);
      await link.request(reversalOf(second));
      await link.request(reversalOf(second, { mti: '0401' }));
      expect(t.stub.ledger().map((r) => r.status)).toEqual(['approved', 'reversed']);
    });
  });

  describe('voids', () => {
    it('reverse the original once; a repeated void answers 00 and changes nothing more', async () => {
      const sale = auth({ amount: 3000 });
      await link.request(sale);
      const f90 = original('0200', sale.fields[11] as string, sale.fields[7] as string);
      expect((await link.request(auth({ proc: '020000', amount: 3000, original: f90 }))).fields[39]).toBe('00');
      const reversedAt = t.stub.ledger()[0].reversedAt;
      expect((await link.request(auth({ proc: '020000', amount: 3000, original: f90 }))).fields[39]).toBe('00');
      const rows = t.stub.ledger();
      expect(rows.map((r) => [r.kind, r.status])).toEqual([
        ['purchase', 'reversed'],
        ['void', 'approved'],
        ['void', 'approved'],
      ]);
      expect(rows[0].reversedAt).toBe(reversedAt);
      expect(t.stub.ledgerSummary().charged).toEqual({ count: 0, amount: 0 });
    });

    it("need field 90 ('30' without it)", async () => {
      expect((await link.request(auth({ proc: '020000', amount: 3000 }))).fields[39]).toBe('30');
    });
  });

  describe('double charges', () => {
    it('are recorded, not de-duplicated: the same RRN charged twice gives two rows, the second marked', async () => {
      const first = auth({ amount: 4000 });
      await link.request(first);
      await link.request(auth({ amount: 4000, rrn: first.fields[37] as string }));
      const rows = t.stub.ledger({ rrn: first.fields[37] as string });
      expect(rows.map((r) => [r.status, r.duplicateRrn])).toEqual([
        ['approved', false],
        ['approved', true],
      ]);
      expect(t.stub.ledgerSummary().doubleCharged).toEqual([{ rrn: first.fields[37], count: 2, amount: 8000 }]);
    });

    it('stop being double once one of them is reversed', async () => {
      const first = auth({ amount: 4000 });
      await link.request(first);
      await link.request(auth({ amount: 4000, rrn: first.fields[37] as string }));
      await link.request(reversalOf(first));
      expect(t.stub.ledgerSummary().doubleCharged).toEqual([]);
    });
  });

  it('summarises approvals, declines, reversals, charges, holds and refunds', async () => {
    const a = auth({ amount: 1000 });
    await link.request(a);
    await link.request(auth({ amount: 2500 }));
    await link.request(auth({ amount: 1305 }));
    await link.request(auth({ mti: '0220', amount: 800, authCode: 'OFF001' }));
    await link.request(auth({ mti: '0100', amount: 9000 }));
    await link.request(auth({ proc: '200000', amount: 300 }));
    await link.request(reversalOf(a));
    expect(t.stub.ledgerSummary()).toEqual({
      approved: { count: 3, amount: 4300 },
      declined: { count: 1 },
      reversed: { count: 1, amount: 1000 },
      charged: { count: 2, amount: 3300 },
      held: { count: 1, amount: 9000 },
      refunded: { count: 1, amount: 300 },
      doubleCharged: [],
    });
  });

  it('filters rows by RRN and status', async () => {
    const a = auth({ amount: 1000 });
    await link.request(a);
    await link.request(auth({ amount: 1051 }));
    expect(t.stub.ledger({ rrn: a.fields[37] as string })).toHaveLength(1);
    expect(t.stub.ledger({ status: 'declined' }).map((r) => r.responseCode)).toEqual(['51']);
    expect(t.stub.ledger({ status: 'reversed' })).toEqual([]);
  });
});

describe('acquirer stub: card data at rest and in logs', () => {
  it('never writes a full PAN, track data or a PIN block to the database file or the logs', async () => {
    const t = await startTestStub({ rules: { cards: { [PAN2]: { balance: 100000 } } } });
    const link = await LinkClient.connect(t.stub.port);
    const track2 = `${PAN2}=25122011758928889`;
    const pinBlock = '8A3F19C2D45E7B60';
    const sale = auth({ amount: 1000, extra: { 52: pinBlock } });
    await link.request(sale);
    await link.request(auth({ amount: 1205, pan: null, track2 }));
    await link.request(auth({ mti: '0100', amount: 1000, pan: null, track2 }));
    await link.request(auth({ proc: '020000', amount: 1000, original: original('0200', sale.fields[11] as string, sale.fields[7] as string) }));
    // A request answered '30' is logged too.
    expect((await link.request(auth({ amount: 1000, pan: '4111111111111111', proc: '310000' }))).fields[39]).toBe('30');
    const rows = t.stub.ledger();
    expect(rows).toHaveLength(4);
    const logs = t.logs.text;
    await t.stub.close();
    const files = [t.dbPath, `${t.dbPath}-wal`, `${t.dbPath}-shm`].filter((f) => existsSync(f));
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    for (const secret of [PAN, PAN2, '4111111111111111', '25122011758928889', pinBlock, pinBlock.toLowerCase()]) {
      expect(bytes.includes(Buffer.from(secret, 'latin1')), `database holds ${secret.slice(0, 4)}...`).toBe(false);
      expect(logs.includes(secret), `logs hold ${secret.slice(0, 4)}...`).toBe(false);
      expect(JSON.stringify(rows).includes(secret)).toBe(false);
    }
    // The masked forms are there, so the search above looked at real content.
    expect(bytes.includes(Buffer.from('476173******0119'))).toBe(true);
    expect(logs).toContain('541333******0011');
    link.close();
    await t.close();
  });
});

describe('Ledger.record', () => {
  it('returns the row exactly as it reads back from the table, duplicate flag included', async () => {
    const { Ledger } = await import('../../../terminal-sim/acquirer/ledger.js');
    const ledger = new Ledger(':memory:', Buffer.from(PAN_KEY), { now: () => START });
    const a = { mti: '0200', procCode: '000000', kind: 'purchase' as const, rrn: '532500000001', stan: '000001', transmittedAt: '1121153000', terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', pan: PAN, amount: 1234, currency: '840', authCode: 'A1B2C3', responseCode: '00', status: 'approved' as const, originalId: null };
    const first = ledger.record(a);
    expect(first).toEqual(ledger.byId(first.id));
    expect(first.panMasked).toBe(`${PAN.slice(0, 6)}${'*'.repeat(PAN.length - 10)}${PAN.slice(-4)}`);
    const again = ledger.record({ ...a, stan: '000002' });
    expect(again).toEqual(ledger.byId(again.id));
    expect(again.duplicateRrn).toBe(true);
    const unknownCard = ledger.record({ ...a, rrn: '532500000002', pan: null, status: 'declined', responseCode: '05', authCode: null });
    expect(unknownCard).toEqual(ledger.byId(unknownCard.id));
  });
});
