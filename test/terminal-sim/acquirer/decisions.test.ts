import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Rules } from '../../../terminal-sim/acquirer/index.js';
import { LinkClient, PAN, PAN2, auth, network, original, reversalOf, sleep, startTestStub, type TestStub } from './helpers.js';

const BALANCE_PAN = '4000000000000010';
const NEVER_PAN = '4000000000000028';
const SLOW_PAN = '4000000000000036';
const RULES = {
  cards: { [BALANCE_PAN]: { balance: 10000 }, [PAN2]: { outcome: '05' }, [NEVER_PAN]: { outcome: 'never' }, [SLOW_PAN]: { outcome: 'slow' } },
  timings: { slowMs: 150, lateMs: 400 },
};

describe('acquirer stub: decisions by rules', () => {
  let t: TestStub;
  let link: LinkClient;
  let rules: Rules;
  beforeAll(async () => {
    t = await startTestStub({ rules: RULES });
    rules = t.stub.rules();
    link = await LinkClient.connect(t.stub.port);
  });
  // Rules go back to these after each test that changes them; balances carry over within a describe.
  afterEach(() => {
    if (t.stub.rules() !== rules) rules = t.stub.setRules(RULES);
  });
  afterAll(async () => {
    link.close();
    await t.close();
  });

  it.each(['05', '14', '51', '54', '55', '57', '58', '91', '96'])(
    "declines an amount ending in %s with that code, no auth code, and records it declined",
    async (code) => {
      const req = auth({ amount: 1200 + Number(code) });
      const reply = await link.request(req);
      expect(reply.fields[39]).toBe(code);
      expect(reply.fields[38]).toBeUndefined();
      expect(t.stub.ledger({ rrn: req.fields[37] as string })[0]).toMatchObject({ status: 'declined', responseCode: code, authCode: null });
    },
  );

  it('approves any other ending', async () => {
    for (const amount of [100, 1, 1299, 4250]) {
      const reply = await link.request(auth({ amount }));
      expect(reply.fields[39]).toBe('00');
      expect(reply.fields[38]).toMatch(/^[0-9A-Z]{6}$/);
    }
  });

  it('applies the endings to pre-auths and refunds too', async () => {
    expect((await link.request(auth({ mti: '0100', amount: 3051 }))).fields[39]).toBe('51');
    expect((await link.request(auth({ proc: '200000', amount: 3005 }))).fields[39]).toBe('05');
  });

  it('follows endings changed at run time', async () => {
    t.stub.setRules({ amountEndings: { '42': '57' } });
    expect((await link.request(auth({ amount: 1042 }))).fields[39]).toBe('57');
    // A given section replaces the default: 05 is no longer a decline.
    expect((await link.request(auth({ amount: 1005 }))).fields[39]).toBe('00');
  });

  describe('test cards with balances', () => {
    it("declines a purchase over the balance '51' and leaves the balance", async () => {
      expect((await link.request(auth({ pan: BALANCE_PAN, amount: 10001 }))).fields[39]).toBe('51');
      expect(t.stub.balanceOf(BALANCE_PAN)).toBe(10000);
    });

    it('debits approvals, credits reversals and refunds', async () => {
      const sale = auth({ pan: BALANCE_PAN, amount: 6000 });
      expect((await link.request(sale)).fields[39]).toBe('00');
      expect(t.stub.balanceOf(BALANCE_PAN)).toBe(4000);
      expect((await link.request(auth({ pan: BALANCE_PAN, amount: 4001 }))).fields[39]).toBe('51');
      expect((await link.request(auth({ pan: BALANCE_PAN, amount: 4000 }))).fields[39]).toBe('00');
      expect(t.stub.balanceOf(BALANCE_PAN)).toBe(0);
      expect((await link.request(reversalOf(sale))).fields[39]).toBe('00');
      expect(t.stub.balanceOf(BALANCE_PAN)).toBe(6000);
      expect((await link.request(auth({ pan: BALANCE_PAN, proc: '200000', amount: 1500 }))).fields[39]).toBe('00');
      expect(t.stub.balanceOf(BALANCE_PAN)).toBe(7500);
      expect(t.stub.balances()).toContainEqual({ panMasked: '400000******0010', balance: 7500 });
    });

    it('holds on a pre-auth and swaps the hold for the completion amount', async () => {
      t.stub.reset();
      const pre = auth({ mti: '0100', pan: BALANCE_PAN, amount: 8000 });
      await link.request(pre);
      expect(t.stub.balanceOf(BALANCE_PAN)).toBe(2000);
      const done = auth({ mti: '0220', pan: BALANCE_PAN, amount: 7000, original: original('0100', pre.fields[11] as string, pre.fields[7] as string) });
      await link.request(done);
      expect(t.stub.balanceOf(BALANCE_PAN)).toBe(3000);
    });

    it('is back to the rules balance after reset', () => {
      t.stub.reset();
      expect(t.stub.balanceOf(BALANCE_PAN)).toBe(10000);
      expect(t.stub.balanceOf(PAN)).toBeUndefined();
    });
  });

  describe('per-card rules', () => {
    it('answer the card its code whatever the amount', async () => {
      expect((await link.request(auth({ pan: PAN2, amount: 1000 }))).fields[39]).toBe('05');
    });

    it('win over the amount endings', async () => {
      t.stub.setRules({ cards: { [PAN2]: { outcome: '00' } } });
      expect((await link.request(auth({ pan: PAN2, amount: 1051 }))).fields[39]).toBe('00');
    });

    it('apply to a PAN read from track 2', async () => {
      expect((await link.request(auth({ pan: null, track2: `${PAN2}=2512201`, amount: 1000 }))).fields[39]).toBe('05');
    });

    it('can make a card never answered, while the authorization is still recorded approved', async () => {
      const req = auth({ pan: NEVER_PAN, amount: 1000 });
      link.send(req);
      await link.expectSilence(200);
      expect(t.stub.ledger({ rrn: req.fields[37] as string })[0].status).toBe('approved');
    });

    it('can make a card slow', async () => {
      const started = Date.now();
      const reply = await link.request(auth({ pan: SLOW_PAN, amount: 1000 }));
      expect(reply.fields[39]).toBe('00');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });
  });

  describe('behaviours by amount ending', () => {
    it('71 answers after slowMs', async () => {
      const started = Date.now();
      link.send(auth({ amount: 1071 }));
      await link.expectSilence(100);
      const reply = await link.next(1000);
      expect(reply.fields[39]).toBe('00');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('72 answers after lateMs, approved, and the ledger holds the approval', async () => {
      const req = auth({ amount: 1072 });
      const started = Date.now();
      link.send(req);
      await link.expectSilence(300);
      const reply = await link.next(1000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
      expect(reply.fields).toMatchObject({ 11: req.fields[11], 39: '00' });
      expect(t.stub.ledger({ rrn: req.fields[37] as string })[0].status).toBe('approved');
    });

    it('73 never answers; a reversal then finds the approval and reverses it', async () => {
      const req = auth({ amount: 1073 });
      link.send(req);
      await link.expectSilence(150);
      // Reversals are not decided by amount: the same amount is answered.
      expect((await link.request(reversalOf(req))).fields[39]).toBe('00');
      expect(t.stub.ledger({ rrn: req.fields[37] as string })[0].status).toBe('reversed');
    });

    it('74 drops the connection without answering; other connections and new ones work', async () => {
      const other = await LinkClient.connect(t.stub.port);
      const doomed = await LinkClient.connect(t.stub.port);
      const req = auth({ amount: 1074 });
      doomed.send(req);
      await doomed.closed;
      await expect(doomed.next(50)).rejects.toThrow(/closed/);
      expect(t.stub.ledger({ rrn: req.fields[37] as string })[0].status).toBe('approved');
      expect((await other.request(network('301'))).fields[39]).toBe('00');
      other.close();
    });

    it('a pending slow answer is not sent after its connection closed', async () => {
      const c = await LinkClient.connect(t.stub.port);
      c.send(auth({ amount: 1071 }));
      await sleep(20);
      c.close();
      await sleep(200);
      expect(t.logs.events().some((e) => e.event === 'socket_error' && e.code === 'EPIPE')).toBe(false);
    });
  });

  it('adds the configured latency to every answer', async () => {
    t.stub.setLatency(120);
    try {
      const started = Date.now();
      expect((await link.request(network('301'))).fields[39]).toBe('00');
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    } finally {
      t.stub.setLatency(0);
    }
  });
});
