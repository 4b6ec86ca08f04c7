import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoMessage, Primitive } from '../../protocol/index.js';
import { serialPortConfig, terminalsWith, waitPortState } from '../gateway/serial/harness.js';
import { hasSocat, PtyPair, ptySuite } from '../gateway/serial/pty.js';
import { SerialTestTerminal, txRequest, type TxOptions } from '../gateway/serial/serial-terminal.js';
import { startStack, waitFor, type Stack } from './stack.js';

// Every message type of the terminal profile, over real pseudo-terminal pairs with the real serialport bindings on
// both ends: the gateway on one end of each pair, a test terminal on the other.

const LINKED = 'SERIAL01';
const PLAIN = 'SERIAL02';

let stack: Stack;
let linked: PtyPair;
let plain: PtyPair;
let t: SerialTestTerminal;
let p: SerialTestTerminal;

beforeAll(async () => {
  if (!hasSocat) return;
  [linked, plain] = await Promise.all([PtyPair.open(), PtyPair.open()]);
  stack = await startStack({
    config: {
      terminals: terminalsWith(LINKED, PLAIN),
      serialPorts: [
        serialPortConfig('counter-1', linked.a, { link: { ackTimeoutMs: 300, interCharTimeoutMs: 50 } }),
        serialPortConfig('counter-2', plain.a, { framing: 'length' }),
      ],
    },
  });
  await Promise.all([waitPortState(stack.gw, 'counter-1', 'open'), waitPortState(stack.gw, 'counter-2', 'open')]);
  t = await SerialTestTerminal.open(linked.b, { link: { ackTimeoutMs: 300, interCharTimeoutMs: 50 } });
  p = await SerialTestTerminal.open(plain.b, { framing: 'length' }, 500_000);
});
afterAll(async () => {
  await t?.close();
  await p?.close();
  await stack?.close();
  await linked?.close();
  await plain?.close();
});

function tx(o: Omit<TxOptions, 'terminalId' | 'stan'> & { stan?: string }) {
  return txRequest({ terminalId: LINKED, stan: o.stan ?? t.nextStan(), ...o });
}

function totals(saleCount: number, saleAmount: number, refundCount: number, refundAmount: number): string {
  const n = (v: number, w: number) => String(v).padStart(w, '0');
  return `${n(saleCount, 3)}${n(saleAmount, 12)}${n(refundCount, 3)}${n(refundAmount, 12)}`;
}

function settlement(proc: '920000' | '960000', batch: string, f63: string) {
  return { mti: '0500', fields: { 3: proc, 11: t.nextStan(), 12: '230000', 13: '1121', 41: LINKED, 42: 'MERCHANT0000001', 60: batch, 63: f63 } };
}

function upload(original: { mti: string; fields: Record<number, Primitive> }, batch: string, receipt: IsoMessage) {
  const f = original.fields;
  return {
    mti: '0320',
    fields: {
      2: f[2], 3: f[3], 4: f[4], 11: t.nextStan(), 12: f[12], 13: f[13], 41: LINKED, 42: 'MERCHANT0000001', 49: '840',
      37: receipt.fields[37] as string, 38: receipt.fields[38] as string, 60: `${original.mti}${String(f[11])}${batch}`, 62: f[62],
    },
  };
}

describe.skipIf(!hasSocat)(ptySuite('the terminal profile over a pty pair (STX/ETX, ACK/NAK)'), () => {
  it('signs on and answers an echo test', async () => {
    for (const code of ['001', '301']) {
      const res = await t.request({ mti: '0800', fields: { 11: t.nextStan(), 41: LINKED, 42: 'MERCHANT0000001', 70: code } });
      expect(res).toMatchObject({ mti: '0810', fields: { 39: '00', 70: code } });
    }
  });

  it('approves a purchase (one ledger row) and passes a decline through', async () => {
    const res = await t.request(tx({ amount: 1234 }));
    expect(res.mti).toBe('0210');
    expect(res.fields[39]).toBe('00');
    expect(res.fields[38]).toMatch(/^.{6}$/);
    expect(stack.stub.ledger({ rrn: res.fields[37] as string })).toMatchObject([{ amount: 1234, status: 'approved', terminalId: LINKED }]);
    expect((await stack.gw.store.findByRrn(res.fields[37] as string))?.captured).toBe(true);
    const declined = await t.request(tx({ amount: 1005 }));
    expect(declined.fields[39]).toBe('05');
  });

  it('relays a refund and a void; the void takes its sale out of the batch', async () => {
    expect((await t.request(tx({ amount: 300, proc: '200000', invoice: '000101' }))).fields[39]).toBe('00');
    const s = await t.request(tx({ amount: 777, invoice: '000102' }));
    const v = await t.request(tx({ amount: 777, proc: '020000', invoice: '000103', extra: { 37: s.fields[37] as string } }));
    expect(v.fields[39]).toBe('00');
    expect((await stack.gw.store.findByRrn(s.fields[37] as string))?.captured).toBe(false);
    expect(stack.stub.ledger({ rrn: s.fields[37] as string })[0].status).toBe('reversed');
  });

  it('authorizes a pre-auth, then captures its completion advice', async () => {
    const pre = await t.request(tx({ amount: 5000, mti: '0100' }));
    expect(pre).toMatchObject({ mti: '0110', fields: { 39: '00' } });
    const done = await t.request(tx({ amount: 4500, mti: '0220', extra: { 37: pre.fields[37] as string, 38: pre.fields[38] as string } }));
    expect(done).toMatchObject({ mti: '0230', fields: { 39: '00' } });
    expect(await stack.gw.store.findByRrn(done.fields[37] as string)).toMatchObject({ captured: true, amount: 4500 });
  });

  it('reverses on a terminal 0400 and its 0401 repeat, idempotently', async () => {
    const s = tx({ amount: 2500 });
    const res = await t.request(s);
    expect(res.fields[39]).toBe('00');
    expect((await t.request({ mti: '0400', fields: { ...s.fields } })).fields[39]).toBe('00');
    expect((await t.request({ mti: '0401', fields: { ...s.fields } })).fields[39]).toBe('00');
    await waitFor(() => stack.stub.ledger({ rrn: res.fields[37] as string })[0]?.status === 'reversed', 3000, 'reversal at the acquirer');
  });

  it('settles a batch that differs with 95, a batch upload and a trailer: balanced after upload', async () => {
    const batch = '000021';
    const a = tx({ amount: 1500, batch });
    const ra = await t.request(a);
    const b = tx({ amount: 2500, batch });
    const rb = await t.request(b);
    expect([ra.fields[39], rb.fields[39]]).toEqual(['00', '00']);
    const ask = await t.request(settlement('920000', batch, totals(2, 4001, 0, 0)));
    expect(ask).toMatchObject({ mti: '0510', fields: { 39: '95', 63: totals(2, 4000, 0, 0) } });
    for (const [req, rec] of [[a, ra], [b, rb]] as const) {
      expect((await t.request(upload(req, batch, rec))).fields[39]).toBe('00');
    }
    const trailer = await t.request(settlement('960000', batch, totals(2, 4000, 0, 0)));
    expect(trailer.fields[39]).toBe('00');
    expect(await stack.gw.store.getBatch(LINKED, batch)).toMatchObject({ status: 'balanced_after_upload' });
    expect(await stack.gw.store.uploads(LINKED, batch)).toHaveLength(2);
  });

  it('closes a batch in balance with 00', async () => {
    const batch = '000022';
    expect((await t.request(tx({ amount: 1000, batch }))).fields[39]).toBe('00');
    const res = await t.request(settlement('920000', batch, totals(1, 1000, 0, 0)));
    expect(res.fields).toMatchObject({ 39: '00', 44: 'GB ACCEPTED' });
  });

  it('reports the ports in /health and their link counters in /metrics', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${stack.gw.ports.http}/health`)).json()) as { serialPorts: { framesIn: number }[] };
    expect(health.serialPorts).toMatchObject([
      { name: 'counter-1', path: linked.a, framing: 'stx-etx', state: 'open', reopens: 0, link: { retransmissions: 0 } },
      { name: 'counter-2', path: plain.a, framing: 'length', state: 'open', link: null },
    ]);
    expect(health.serialPorts[0].framesIn).toBeGreaterThan(10);
    const metrics = await (await fetch(`http://127.0.0.1:${stack.gw.ports.http}/metrics`)).text();
    expect(metrics).toMatch(/posgw_serial_port_state\{port="counter-1"\} 1/);
    expect(metrics).toMatch(/posgw_serial_link_events_total\{port="counter-1",event="frames_in"\} [1-9]/);
    expect(metrics).toMatch(/posgw_serial_link_events_total\{port="counter-1",event="naks_sent"\} 0/);
    expect(metrics).toMatch(/posgw_connected_terminals\{listener="counter-1"\} 1/);
  });
});

describe.skipIf(!hasSocat)(ptySuite('the terminal profile over a pty pair (plain length framing)'), () => {
  it('signs on, approves a purchase and reverses it', async () => {
    const on = await p.request({ mti: '0800', fields: { 11: p.nextStan(), 41: PLAIN, 42: 'MERCHANT0000001', 70: '001' } });
    expect(on.fields[39]).toBe('00');
    const s = txRequest({ terminalId: PLAIN, stan: p.nextStan(), amount: 4321 });
    const res = await p.request(s);
    expect(res.fields[39]).toBe('00');
    expect((await p.request({ mti: '0400', fields: { ...s.fields } })).fields[39]).toBe('00');
  });

  it('reopens the port after a framing error, and serves the terminal again', async () => {
    // a length of 0xFFFF is over maxFrameSize: the stream cannot be trusted, so the gateway closes and reopens
    p.writeRaw(Buffer.from([0xff, 0xff, 0x60]));
    await waitFor(() => (stack.gw.serial.get('counter-2')?.status().reopens ?? 0) >= 1, 5000, 'port reopened');
    await waitPortState(stack.gw, 'counter-2', 'open');
    const res = await p.request(txRequest({ terminalId: PLAIN, stan: p.nextStan(), amount: 4400 }));
    expect(res.fields[39]).toBe('00');
  });
});
