import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { IsoMessage } from '../../../protocol/index.js';
import { HostLink, LinkError } from '../../../gateway/acquirer/index.js';
import { approveAll, replyTo } from './fake-acquirer.js';
import { plain, purchase, rig, sleep, teardown, until } from './harness.js';

afterEach(teardown);

const isSignOn = (m: IsoMessage) => m.mti === '0800' && m.fields[70] === '001';
const isEcho = (m: IsoMessage) => m.mti === '0800' && m.fields[70] === '301';

describe('HostLink connection loss', () => {
  it('fails sent requests with DISCONNECTED, reconnects after backoff and signs on again', async () => {
    const { fake, link, states } = await rig({ reconnect: { initialMs: 50, maxMs: 1000, jitter: 0 } });
    fake.handler = (msg) => (msg.mti === '0800' ? replyTo(msg) : undefined);
    const pending = link.request(purchase(link.nextStan(), '000000000001')).catch((e: unknown) => e);
    await fake.next((m) => m.mti === '0200');
    const droppedAt = performance.now();
    fake.dropAll();
    const err = await pending;
    expect(err).toBeInstanceOf(LinkError);
    expect(err).toMatchObject({ code: 'DISCONNECTED', sent: true, key: '02|000002|000000000001' });
    await until(link, 'up');
    expect(fake.connectedAt[1] - droppedAt).toBeGreaterThanOrEqual(45);
    expect(states).toEqual(['connecting', 'signing-on', 'up', 'down', 'connecting', 'signing-on', 'up']);
    expect(fake.received.filter(isSignOn).map((m) => m.fields[11])).toEqual(['000001', '000003']);
    expect(link.stats()).toMatchObject({ reconnects: 1, pending: 0, state: 'up' });
    fake.handler = approveAll;
    expect((await link.request(purchase(link.nextStan(), '000000000002'))).fields[39]).toBe('00');
  });

  it('backs off exponentially while the acquirer refuses sign-on, and resets once up', async () => {
    const { fake, link } = await rig({ reconnect: { initialMs: 40, maxMs: 1000, jitter: 0 } }, false);
    fake.handler = (msg) => replyTo(msg, { 39: '91' });
    link.start();
    while (fake.connectedAt.length < 4) await sleep(10);
    fake.handler = approveAll;
    await until(link, 'up');
    const gaps = fake.connectedAt.slice(1, 4).map((t, i) => t - fake.connectedAt[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(78);
    expect(gaps[2]).toBeGreaterThanOrEqual(158);
    const upAt = fake.connectedAt.length;
    const droppedAt = performance.now();
    fake.dropAll();
    await until(link, 'down');
    await until(link, 'up');
    expect(fake.connectedAt[upAt] - droppedAt).toBeLessThan(150); // back to initialMs
  });

  it('keeps retrying while the acquirer is unreachable and comes up when it listens again', async () => {
    const { fake, link } = await rig();
    const port = link.options.port;
    await fake.close();
    await until(link, 'down');
    await sleep(100); // several refused connects
    expect(link.stats().reconnects).toBeGreaterThanOrEqual(2);
    await expect(link.request(purchase(link.nextStan(), '000000000001'))).rejects.toMatchObject({ code: 'NOT_CONNECTED', sent: false });
    fake.server.listen(port, '127.0.0.1');
    await until(link, 'up', 3000);
  });

  it('drops and reconnects on a malformed message, failing what was pending', async () => {
    const { fake, link } = await rig();
    fake.handler = (msg) => (msg.mti === '0800' ? replyTo(msg) : undefined);
    const pending = link.request(purchase(link.nextStan(), '000000000001')).catch((e: unknown) => e);
    await fake.next((m) => m.mti === '0200');
    fake.peer.sendRaw(Buffer.from('0004' + Buffer.from('ZZZZ').toString('hex'), 'hex')); // MTI of letters
    expect(await pending).toMatchObject({ code: 'DISCONNECTED', sent: true });
    await until(link, 'down');
    await until(link, 'up');
    expect(link.stats()).toMatchObject({ malformed: 1, reconnects: 1 });
    expect(fake.peers).toHaveLength(2);
  });

  it('drops and reconnects when a frame announces more than maxFrameSize', async () => {
    const { fake, link } = await rig({ maxFrameSize: 512 });
    fake.peer.sendRaw(Buffer.from('0201', 'hex')); // 513 bytes announced: refused before any is buffered
    await until(link, 'down');
    await until(link, 'up');
    expect(link.stats().malformed).toBe(1);
  });

  it('ignores frames after a malformed one in the same chunk', async () => {
    const { fake, link } = await rig();
    const late: unknown[] = [];
    link.on('late', (r) => late.push(r));
    const bad = Buffer.from('00043030', 'hex'); // announces 4, gives 2: then a reply arrives inside the "frame"
    fake.peer.sendRaw(Buffer.concat([Buffer.from('0002', 'hex'), Buffer.from('ZZ'), bad]));
    await until(link, 'down');
    await until(link, 'up');
    expect(late).toEqual([]);
  });
});

describe('HostLink connect timeout', () => {
  it('gives up a connect that does not complete within connectTimeoutMs and retries', async () => {
    // A TCP server that never answers the TLS handshake: the TCP connect succeeds, the secure one never does.
    const silent = net.createServer((s) => s.on('error', () => {}));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as net.AddressInfo;
    const link = new HostLink({ id: 'acq-slow', host: '127.0.0.1', port, connectTimeoutMs: 50, echoIntervalMs: 0, reconnect: { initialMs: 20, jitter: 0 }, tls: {} });
    const states: string[] = [];
    link.on('state', (s) => states.push(s));
    try {
      const started = performance.now();
      link.start();
      await until(link, 'down');
      expect(performance.now() - started).toBeGreaterThanOrEqual(45);
      await until(link, 'connecting');
      expect(states).toEqual(['connecting', 'down', 'connecting']);
    } finally {
      await link.stop();
      silent.close();
    }
  });
});

describe('HostLink echo', () => {
  it('sends 0800/301 once the link has been idle for echoIntervalMs', async () => {
    const { fake, link } = await rig({ echoIntervalMs: 60 });
    const upAt = performance.now();
    const echo = await fake.next(isEcho);
    expect(performance.now() - upAt).toBeGreaterThanOrEqual(50);
    expect(plain(echo)).toEqual({ mti: '0800', fields: { 7: '0305140709', 11: '000002', 70: '301' } });
    await sleep(20);
    expect(link.stats()).toMatchObject({ state: 'up', replies: 2 });
  });

  it('sends no echo while traffic keeps the link busy', async () => {
    const { fake, link } = await rig({ echoIntervalMs: 80 });
    for (let i = 0; i < 6; i++) {
      await link.request(purchase(link.nextStan(), `00000000000${i}`));
      await sleep(30);
    }
    expect(fake.received.filter(isEcho)).toEqual([]);
  });

  it('drops and reconnects when an idle echo gets no answer', async () => {
    const { fake, link } = await rig({ echoIntervalMs: 30, deadlineMs: 60 });
    fake.handler = (msg) => (isEcho(msg) ? undefined : approveAll(msg, fake.peer));
    await until(link, 'down');
    expect(link.stats().timeouts).toBe(1);
    await until(link, 'up');
    expect(fake.peers).toHaveLength(2);
  });

  it('echo() resolves with the round trip in ms', async () => {
    const { fake, link } = await rig();
    const ms = await link.echo();
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(500);
    expect(plain(fake.received.at(-1)!)).toMatchObject({ mti: '0800', fields: { 70: '301' } });
  });

  it('echo() rejects with REJECTED and the response code when the answer is not 00', async () => {
    const { fake, link } = await rig();
    fake.handler = (msg) => replyTo(msg, { 39: '96' });
    await expect(link.echo()).rejects.toMatchObject({ code: 'REJECTED', sent: true, responseCode: '96' });
  });
});
