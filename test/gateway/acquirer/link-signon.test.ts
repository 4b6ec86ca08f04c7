import { afterEach, describe, expect, it } from 'vitest';
import type { IsoMessage } from '../../../protocol/index.js';
import { HostLink, LinkError } from '../../../gateway/acquirer/index.js';
import { approveAll, replyTo } from './fake-acquirer.js';
import { plain, purchase, rig, sleep, teardown, until } from './harness.js';

afterEach(teardown);

describe('HostLink sign-on', () => {
  it('signs on with 0800/001, field 7 from the clock and a fresh STAN, then goes up', async () => {
    const { fake, link, states } = await rig();
    expect(states).toEqual(['connecting', 'signing-on', 'up']);
    expect(fake.received.map(plain)).toEqual([{ mti: '0800', fields: { 7: '0305140709', 11: '000001', 70: '001' } }]);
    expect(link.nextStan()).toBe('000002');
    expect(link.stats()).toMatchObject({ state: 'up', pending: 0, sent: 1, replies: 1 });
  });

  it('stays short of up when the sign-on is refused, and signs on again after backoff', async () => {
    const { fake, link, states } = await rig({}, false);
    fake.handler = (msg) => replyTo(msg, { 39: '91' });
    link.start();
    await until(link, 'down');
    expect(states).toEqual(['connecting', 'signing-on', 'down']);
    fake.handler = approveAll;
    await until(link, 'up');
    expect(fake.received.map((m) => m.fields[70])).toEqual(['001', '001']);
    expect(fake.peers).toHaveLength(2);
  });

  it('refuses requests with NOT_CONNECTED (sent: false) before start and while signing on', async () => {
    const { fake, link } = await rig({}, false);
    const before = await link.request(purchase('000010', '000000000010')).catch((e: unknown) => e);
    expect(before).toBeInstanceOf(LinkError);
    expect(before).toMatchObject({ code: 'NOT_CONNECTED', sent: false });

    fake.handler = () => undefined; // hold the sign-on
    link.start();
    await until(link, 'signing-on');
    await expect(link.request(purchase('000011', '000000000011'))).rejects.toMatchObject({ code: 'NOT_CONNECTED', sent: false });
    await expect(link.echo()).rejects.toMatchObject({ code: 'NOT_CONNECTED', sent: false });
    await fake.next((m) => m.fields[70] === '001');
    expect(fake.received.every((m) => m.mti === '0800')).toBe(true);
  });

  it('wraps the STAN from 999999 to 000001', async () => {
    const { fake, link } = await rig({ initialStan: 999_998 });
    expect(fake.received[0].fields[11]).toBe('999998');
    expect(link.nextStan()).toBe('999999');
    expect(link.nextStan()).toBe('000001');
    expect(link.nextStan()).toBe('000002');
  });

  it('answers an 0800 the acquirer sends with 0810 / 00', async () => {
    const { fake } = await rig();
    fake.peer.send({ mti: '0800', fields: { 7: '0305140800', 11: '777777', 70: '301' } });
    const answer = await new Promise((resolve) => fake.peer.socket.once('data', resolve));
    expect((answer as Buffer).subarray(2).toString('latin1')).toBe('0810' + '8220000002000000' + '0400000000000000' + '0305140800777777' + '00' + '301');
  });

  it('emits inbound for any other request the acquirer sends', async () => {
    const { fake, link } = await rig();
    const inbound = new Promise((resolve) => link.once('inbound', resolve));
    fake.peer.send({ mti: '0500', fields: { 3: '920000', 11: '000005' } });
    expect(plain((await inbound) as IsoMessage)).toEqual({ mti: '0500', fields: { 3: '920000', 11: '000005' } });
  });

  it('stop() signs off with 0800/002, fails what is pending with DISCONNECTED and closes', async () => {
    const { fake, link, states } = await rig();
    fake.handler = (msg) => (msg.mti === '0800' ? replyTo(msg) : undefined);
    const pending = link.request(purchase(link.nextStan(), '000000000001')).catch((e: unknown) => e);
    await fake.next((m) => m.mti === '0200');
    await link.stop();
    expect(plain(fake.received.at(-1)!)).toMatchObject({ mti: '0800', fields: { 70: '002' } });
    expect(await pending).toMatchObject({ code: 'DISCONNECTED', sent: true });
    expect(states.at(-1)).toBe('stopped');
    expect(link.stats().pending).toBe(0);
    await expect(link.request(purchase(link.nextStan(), '000000000002'))).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await sleep(60);
    expect(fake.peers).toHaveLength(1); // no reconnect after stop
  });

  it('can start again after stop', async () => {
    const { fake, link } = await rig();
    await link.stop();
    link.start();
    await until(link, 'up');
    expect(fake.peers).toHaveLength(2);
  });

  it('stop() while down cancels the reconnect', async () => {
    const { fake, link } = await rig({ reconnect: { initialMs: 100, maxMs: 100, jitter: 0 } });
    fake.dropAll();
    await until(link, 'down');
    await link.stop();
    await sleep(150);
    expect(link.state).toBe('stopped');
    expect(fake.peers).toHaveLength(1);
  });
});

describe('HostLink options', () => {
  const base = { id: 'a', host: '127.0.0.1', port: 9 };
  it.each([
    [{ ...base, id: '' }, '"id"'],
    [{ ...base, host: 5 }, '"host"'],
    [{ ...base, port: 70000 }, '"port"'],
    [{ ...base, deadlineMs: 0 }, '"deadlineMs"'],
    [{ ...base, echoIntervalMs: -1 }, '"echoIntervalMs"'],
    [{ ...base, connectTimeoutMs: Number.NaN }, '"connectTimeoutMs"'],
    [{ ...base, reconnect: { jitter: 2 } }, '"reconnect.jitter"'],
    [{ ...base, reconnect: { initialMs: 500, maxMs: 100 } }, '"reconnect.maxMs"'],
    [{ ...base, reconnect: { factor: 2 } }, '"reconnect.factor"'],
    [{ ...base, maxFrameSize: 70000 }, '"maxFrameSize"'],
    [{ ...base, maxPending: 0 }, '"maxPending"'],
    [{ ...base, initialStan: 0 }, '"initialStan"'],
    [{ ...base, clock: {} }, '"clock"'],
    [{ ...base, logger: { info() {} } }, '"logger"'],
    [{ ...base, tls: 'yes' }, '"tls"'],
    [{ ...base, retries: 3 }, '"retries"'],
  ])('rejects %o naming %s', (opts, name) => {
    expect(() => new HostLink(opts as never)).toThrow(TypeError);
    expect(() => new HostLink(opts as never)).toThrow(name);
  });

  it('fills in the defaults and freezes them', () => {
    const link = new HostLink(base);
    expect(link.options).toMatchObject({
      deadlineMs: 10_000,
      echoIntervalMs: 30_000,
      reconnect: { initialMs: 200, maxMs: 10_000 },
      maxFrameSize: 8192,
      maxPending: 10_000,
      initialStan: 1,
    });
    expect(Object.isFrozen(link.options)).toBe(true);
    expect(link.state).toBe('stopped');
  });
});
