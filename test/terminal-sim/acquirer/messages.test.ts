import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkClient, PAN, auth, network, original, reversalOf, startTestStub, trace, type TestStub } from './helpers.js';

describe('acquirer stub: each message class on the host link', () => {
  let t: TestStub;
  let link: LinkClient;
  beforeAll(async () => {
    t = await startTestStub({ authCode: () => 'A1B2C3' });
    link = await LinkClient.connect(t.stub.port);
  });
  afterAll(async () => {
    link.close();
    await t.close();
  });

  it.each([
    ['001', 'sign-on'],
    ['301', 'echo'],
    ['002', 'sign-off'],
  ])('answers 0800/%s (%s) with 0810: 7, 11, 39 00, 70', async (code) => {
    const req = network(code);
    const reply = await link.request(req);
    expect(reply).toEqual({ mti: '0810', fields: { 7: req.fields[7], 11: req.fields[11], 39: '00', 70: code } });
  });

  it('approves a purchase (0200/000000) with a 6-character auth code and echoes the profile fields', async () => {
    const req = auth({ amount: 1000 });
    const reply = await link.request(req);
    const f = req.fields;
    expect(reply).toEqual({
      mti: '0210',
      fields: { 3: '000000', 4: '000000001000', 7: f[7], 11: f[11], 37: f[37], 38: 'A1B2C3', 39: '00', 41: 'TERM0001', 42: 'MERCHANT0000001', 49: '840' },
    });
    const [row] = t.stub.ledger({ rrn: f[37] as string });
    expect(row).toMatchObject({ mti: '0200', kind: 'purchase', procCode: '000000', stan: f[11], transmittedAt: f[7] });
    expect(row).toMatchObject({ terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', amount: 1000, currency: '840' });
    expect(row).toMatchObject({ authCode: 'A1B2C3', responseCode: '00', status: 'approved', panMasked: '476173******0119' });
    expect(row.panHmac).toMatch(/^[0-9a-f]{64}$/);
  });

  it('approves a pre-auth (0100) with 0110', async () => {
    const req = auth({ mti: '0100', amount: 2500 });
    const reply = await link.request(req);
    expect(reply.mti).toBe('0110');
    expect(reply.fields[39]).toBe('00');
    expect(t.stub.ledger({ rrn: req.fields[37] as string })[0]).toMatchObject({ kind: 'preauth', status: 'approved' });
  });

  it('approves a refund (0200/200000)', async () => {
    const req = auth({ proc: '200000', amount: 700 });
    const reply = await link.request(req);
    expect(reply.fields).toMatchObject({ 3: '200000', 38: 'A1B2C3', 39: '00' });
    expect(t.stub.ledger({ rrn: req.fields[37] as string })[0]).toMatchObject({ kind: 'refund', status: 'approved' });
  });

  it('takes the PAN from track 2 (field 35) when field 2 is absent', async () => {
    const req = auth({ amount: 1200, pan: null, track2: `${PAN}=25122011758928889` });
    const reply = await link.request(req);
    expect(reply.fields[39]).toBe('00');
    expect(t.stub.ledger({ rrn: req.fields[37] as string })[0].panMasked).toBe('476173******0119');
  });

  it('voids (0200/020000) the original named by field 90', async () => {
    const sale = auth({ amount: 1500 });
    await link.request(sale);
    const v = auth({ proc: '020000', amount: 1500, original: original('0200', sale.fields[11] as string, sale.fields[7] as string) });
    const reply = await link.request(v);
    expect(reply.mti).toBe('0210');
    expect(reply.fields).toMatchObject({ 3: '020000', 39: '00' });
    const orig = t.stub.ledger({ rrn: sale.fields[37] as string })[0];
    expect(orig.status).toBe('reversed');
    expect(orig.reversedAt).not.toBeNull();
    expect(t.stub.ledger({ rrn: v.fields[37] as string })[0]).toMatchObject({ kind: 'void', originalId: orig.id, status: 'approved' });
  });

  it("answers a void of an unknown original '25'", async () => {
    const tr = trace();
    const reply = await link.request(auth({ proc: '020000', amount: 1500, original: original('0200', tr.stan, tr.f7) }));
    expect(reply.fields[39]).toBe('25');
    expect(reply.fields[38]).toBeUndefined();
  });

  it('acknowledges an offline advice (0220) with 0230, keeping its auth code', async () => {
    const req = auth({ mti: '0220', amount: 1851, authCode: 'OFF123' });
    const reply = await link.request(req);
    expect(reply.mti).toBe('0230');
    // Advices are acknowledged, not decided: the '51' ending does not apply.
    expect(reply.fields).toMatchObject({ 38: 'OFF123', 39: '00' });
    expect(t.stub.ledger({ rrn: req.fields[37] as string })[0]).toMatchObject({ kind: 'advice', authCode: 'OFF123', status: 'approved' });
  });

  it('records a 0220 naming an approved pre-auth as its completion', async () => {
    const pre = auth({ mti: '0100', amount: 5000 });
    await link.request(pre);
    const completion = auth({
      mti: '0220',
      amount: 4200,
      authCode: 'A1B2C3',
      original: original('0100', pre.fields[11] as string, pre.fields[7] as string),
    });
    expect((await link.request(completion)).fields[39]).toBe('00');
    const preRow = t.stub.ledger({ rrn: pre.fields[37] as string })[0];
    expect(t.stub.ledger({ rrn: completion.fields[37] as string })[0]).toMatchObject({ kind: 'completion', originalId: preRow.id });
  });

  it.each(['0400', '0401', '0420', '0421'])('reverses with %s, answered 0410/0430 with 11, 37, 39', async (mti) => {
    const sale = auth({ amount: 3000 });
    await link.request(sale);
    const rev = reversalOf(sale, { mti });
    const reply = await link.request(rev);
    expect(reply).toEqual({ mti: mti.startsWith('040') ? '0410' : '0430', fields: { 11: rev.fields[11], 37: sale.fields[37], 39: '00' } });
    expect(t.stub.ledger({ rrn: sale.fields[37] as string })[0].status).toBe('reversed');
  });

  it('answers a cutover (0500/920000) with 0510 00', async () => {
    const tr = trace();
    const reply = await link.request({ mti: '0500', fields: { 3: '920000', 7: tr.f7, 11: tr.stan, 41: 'TERM0001', 42: 'MERCHANT0000001' } });
    expect(reply).toEqual({ mti: '0510', fields: { 3: '920000', 7: tr.f7, 11: tr.stan, 39: '00', 41: 'TERM0001', 42: 'MERCHANT0000001' } });
  });

  it("answers '30' to a request missing a field it needs, echoing what it can", async () => {
    const req = auth({ amount: 1000 });
    delete req.fields[4];
    const reply = await link.request(req);
    expect(reply.mti).toBe('0210');
    expect(reply.fields).toMatchObject({ 11: req.fields[11], 37: req.fields[37], 39: '30' });
    expect(t.stub.ledger({ rrn: req.fields[37] as string })).toEqual([]);
  });

  it("answers '30' to a request without a PAN, an unknown processing code and an unsupported MTI", async () => {
    expect((await link.request(auth({ amount: 1000, pan: null }))).fields[39]).toBe('30');
    expect((await link.request(auth({ amount: 1000, proc: '310000' }))).fields[39]).toBe('30');
    const tr = trace();
    const reply = await link.request({ mti: '0320', fields: { 11: tr.stan } });
    expect(reply).toEqual({ mti: '0330', fields: { 11: tr.stan, 39: '30' } });
    expect((await link.request(network('999'))).fields[39]).toBe('30');
  });

  it('ignores a response MTI sent to it, and keeps the connection', async () => {
    const tr = trace();
    link.send({ mti: '0810', fields: { 7: tr.f7, 11: tr.stan, 39: '00', 70: '301' } });
    await link.expectSilence(100);
    expect((await link.request(network('301'))).fields[39]).toBe('00');
  });

  it('answers requests on the same connection independently (a slow one does not hold back the next)', async () => {
    t.stub.setRules({ timings: { slowMs: 300, lateMs: 1000 } });
    try {
      const slow = auth({ amount: 1071 });
      const quick = auth({ amount: 1000 });
      link.send(slow);
      link.send(quick);
      expect((await link.next()).fields[11]).toBe(quick.fields[11]);
      expect((await link.next()).fields[11]).toBe(slow.fields[11]);
    } finally {
      t.stub.setRules({});
    }
  });
});
