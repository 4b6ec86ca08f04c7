import { afterEach, describe, expect, it } from 'vitest';
import { codecFor, encodeFrame, iso87ascii, type IsoMessage } from '../../../protocol/index.js';
import { LinkError, type LateReplyInfo } from '../../../gateway/acquirer/index.js';
import { replyTo, type Handler } from './fake-acquirer.js';
import { purchase, rig, sleep, teardown } from './harness.js';

afterEach(teardown);

/** Answers 0800 at once and keeps every other request for the test to answer. */
function holding(held: IsoMessage[]): Handler {
  return (msg) => {
    if (msg.mti === '0800') return replyTo(msg);
    held.push(msg);
    return undefined;
  };
}

function lateEvents(link: { on(e: 'late', f: (r: IsoMessage, i: LateReplyInfo) => void): unknown }) {
  const seen: [IsoMessage, LateReplyInfo][] = [];
  link.on('late', (r, i) => seen.push([r, i]));
  return seen;
}

describe('HostLink requests', () => {
  it('sends the requests made in one tick in one write: the acquirer reads them as one chunk', async () => {
    const { fake, link } = await rig();
    const chunks: number[] = [];
    fake.peer.socket.on('data', (c: Buffer) => chunks.push(c.length));
    const replies = Array.from({ length: 20 }, (_, i) => link.request(purchase(link.nextStan(), `5123456789${String(i).padStart(2, '0')}`)));
    await Promise.all(replies);
    expect(chunks).toHaveLength(1);
    // and one more request later: a chunk of its own
    await link.request(purchase(link.nextStan(), '512345678999'));
    expect(chunks).toHaveLength(2);
  });

  it('resolves each request with its own reply when replies come out of order', async () => {
    const { fake, link } = await rig();
    const held: IsoMessage[] = [];
    fake.handler = holding(held);
    const stans = [link.nextStan(), link.nextStan(), link.nextStan()];
    const results = stans.map((stan, i) => link.request(purchase(stan, `41234567890${i}`)));
    // same STAN, different RRN: a different key
    results.push(link.request(purchase(stans[0], '412345678999')));
    while (held.length < 4) await sleep(5);
    for (const [i, req] of [...held].reverse().entries()) fake.peer.send(replyTo(req, { 38: `AUTH0${i}` }));
    const replies = await Promise.all(results);
    expect(replies.map((r) => [r.mti, r.fields[11], r.fields[37], r.fields[38]])).toEqual([
      ['0210', stans[0], '412345678900', 'AUTH03'],
      ['0210', stans[1], '412345678901', 'AUTH02'],
      ['0210', stans[2], '412345678902', 'AUTH01'],
      ['0210', stans[0], '412345678999', 'AUTH00'],
    ]);
    expect(link.stats()).toMatchObject({ pending: 0, sent: 5, replies: 5, late: 0 });
  });

  it('matches a reply split into single bytes', async () => {
    const { fake, link } = await rig();
    const held: IsoMessage[] = [];
    fake.handler = holding(held);
    const result = link.request(purchase(link.nextStan(), '000000000001'));
    const req = await fake.next((m) => m.mti === '0200');
    const frame = encodeFrame(codecFor(iso87ascii).encode(replyTo(req, { 38: 'SPLIT1' })), { header: 'binary2' });
    for (const byte of frame) {
      fake.peer.sendRaw(Buffer.from([byte]));
      await sleep(0);
    }
    expect((await result).fields[38]).toBe('SPLIT1');
  });

  it('rejects with TIMEOUT and sent: true when no reply comes by the deadline', async () => {
    const { fake, link } = await rig();
    fake.handler = holding([]);
    const started = performance.now();
    const err = await link.request(purchase(link.nextStan(), '000000000001'), { deadlineMs: 50 }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(err).toBeInstanceOf(LinkError);
    expect(err).toMatchObject({ code: 'TIMEOUT', sent: true, mti: '0200', key: '02|000002|000000000001' });
    expect(link.stats()).toMatchObject({ pending: 0, timeouts: 1, state: 'up' });
  });

  it("emits 'late' with afterDeadline true for a reply after the deadline", async () => {
    const { fake, link } = await rig();
    const held: IsoMessage[] = [];
    fake.handler = holding(held);
    const late = lateEvents(link);
    const req = purchase(link.nextStan(), '000000000007');
    await expect(link.request(req, { deadlineMs: 30 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    fake.peer.send(replyTo(held[0], { 38: 'LATE01' }));
    await sleep(30);
    expect(late).toHaveLength(1);
    const [reply, info] = late[0];
    expect(reply.fields[38]).toBe('LATE01');
    expect(info).toEqual({ key: '02|000002|000000000007', afterDeadline: true, sentAt: Date.UTC(2024, 2, 5, 14, 7, 9), deadlineAt: Date.UTC(2024, 2, 5, 14, 7, 9) + 30 });
    expect(link.stats()).toMatchObject({ late: 1, timeouts: 1, replies: 1 });
  });

  it("emits 'late' with afterDeadline false for a reply that matches nothing", async () => {
    const { fake, link } = await rig();
    const late = lateEvents(link);
    fake.peer.send(replyTo(purchase('123456', '999999999999'), { 38: 'GHOST1' }));
    await sleep(30);
    expect(late).toHaveLength(1);
    expect(late[0][1]).toEqual({ key: '02|123456|999999999999', afterDeadline: false });
  });

  it('forgets the oldest expired keys beyond lateMemory', async () => {
    const { fake, link } = await rig({ lateMemory: 1 });
    const held: IsoMessage[] = [];
    fake.handler = holding(held);
    const late = lateEvents(link);
    await expect(link.request(purchase(link.nextStan(), '000000000001'), { deadlineMs: 20 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(link.request(purchase(link.nextStan(), '000000000002'), { deadlineMs: 20 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    fake.peer.send(replyTo(held[0]));
    fake.peer.send(replyTo(held[1]));
    await sleep(30);
    expect(late.map(([, i]) => i.afterDeadline)).toEqual([false, true]);
  });

  it('refuses a second request with the same key (DUPLICATE_KEY, sent: false) and keeps the first', async () => {
    const { fake, link } = await rig();
    const held: IsoMessage[] = [];
    fake.handler = holding(held);
    const stan = link.nextStan();
    const first = link.request(purchase(stan, '000000000001', '000000001000'));
    const err = await link.request(purchase(stan, '000000000001', '000000009999')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DUPLICATE_KEY', sent: false, key: `02|${stan}|000000000001` });
    await fake.next((m) => m.mti === '0200');
    await sleep(20);
    expect(held).toHaveLength(1);
    expect(held[0].fields[4]).toBe('000000001000');
    fake.peer.send(replyTo(held[0]));
    expect((await first).fields[4]).toBe('000000001000');
  });

  it('refuses with OVERLOADED (sent: false) once maxPending requests are in flight', async () => {
    const { fake, link } = await rig({ maxPending: 2 });
    const held: IsoMessage[] = [];
    fake.handler = holding(held);
    const a = link.request(purchase(link.nextStan(), '000000000001'));
    const b = link.request(purchase(link.nextStan(), '000000000002'));
    await expect(link.request(purchase(link.nextStan(), '000000000003'))).rejects.toMatchObject({ code: 'OVERLOADED', sent: false });
    expect(link.stats().pending).toBe(2);
    while (held.length < 2) await sleep(5);
    fake.peer.send(replyTo(held[0]));
    await a;
    const c = link.request(purchase(link.nextStan(), '000000000004'));
    while (held.length < 3) await sleep(5);
    fake.peer.send(replyTo(held[1]));
    fake.peer.send(replyTo(held[2]));
    await Promise.all([b, c]);
  });

  it('refuses a request without a usable STAN, or one that does not encode, with INVALID_REQUEST', async () => {
    const { fake, link } = await rig();
    const noStan = purchase('', '000000000001');
    delete noStan.fields[11];
    await expect(link.request(noStan)).rejects.toMatchObject({ code: 'INVALID_REQUEST', sent: false });
    const badAmount = purchase(link.nextStan(), '000000000001', '10.00');
    const err = await link.request(badAmount).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', sent: false });
    expect((err as Error).message).not.toContain('10.00');
    await expect(link.request(purchase(link.nextStan(), '000000000001'), { deadlineMs: -1 })).rejects.toThrow('"deadlineMs"');
    expect(link.stats().pending).toBe(0);
    await sleep(20);
    expect(fake.received).toHaveLength(1); // the sign-on only
  });

  it("reports latency per reply in a 'latency' event and in stats", async () => {
    const { link } = await rig();
    const latencies: number[] = [];
    link.on('latency', (ms) => latencies.push(ms));
    await link.request(purchase(link.nextStan(), '000000000001'));
    expect(latencies).toHaveLength(1);
    expect(latencies[0]).toBeGreaterThan(0);
    expect(link.stats().lastLatencyMs).toBe(latencies[0]);
  });
});
