import pino from 'pino';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import type { SerialPortConfig } from '../../../gateway/config/types.js';
import type { FlowContext } from '../../../gateway/flow/context.js';
import { createMetrics } from '../../../gateway/metrics.js';
import { SerialListener, SerialPorts, type PortFactory } from '../../../gateway/serial/index.js';
import { builtinSpecs, codecFor, encodeSerialFrame, SerialFrameDecoder, type IsoMessage } from '../../../protocol/index.js';
import { waitFor } from '../../e2e/stack.js';
import { serialPortConfig } from './harness.js';

// The serial listener over @serialport/binding-mock: no device, no socat. The bytes the gateway writes are read back
// from the mock port's recording; what the "terminal" sends is pushed in with emitData.

const codec = codecFor(builtinSpecs.iso87binary);
/** The mock binding SerialPortMock uses (@serialport/binding-mock, as serialport loads it). */
const MockBinding = SerialPortMock.binding;
type MockPortBinding = NonNullable<SerialPortMock['port']>;
const ACK = Buffer.of(0x06);
const NAK = Buffer.of(0x15);

let n = 0;
const started: SerialListener[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((l) => l.close(100)));
});

/** A mock device per test, and a switch to unplug it: while unplugged, opening fails as for a missing device. */
function device() {
  const path = `/dev/ttyMOCK${n++}`;
  MockBinding.createPort(path, { record: true });
  const ports: SerialPortMock[] = [];
  let plugged = true;
  const openPort: PortFactory = (s) => {
    const port = new SerialPortMock({ ...s, path: plugged ? s.path : '/dev/missing', autoOpen: false });
    ports.push(port);
    return port;
  };
  return {
    path,
    openPort,
    get binding(): MockPortBinding {
      return ports.at(-1)!.port!;
    },
    /** What the gateway wrote since the port last opened. */
    written(): Buffer {
      return ports.at(-1)?.port?.recording ?? Buffer.alloc(0);
    },
    send(bytes: Buffer): void {
      ports.at(-1)!.port!.emitData(bytes);
    },
    /** The device goes away: the pending read fails (as with EIO on a tty), and reopening fails until `plug`. */
    unplug(): void {
      plugged = false;
      const binding = ports.at(-1)!.port as unknown as { pendingRead: ((e: Error) => void) | null };
      binding.pendingRead?.(new Error('Input/output error'));
    },
    plug(): void {
      plugged = true;
    },
  };
}

function context(lines: Record<string, unknown>[] = []): FlowContext {
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  return {
    logger,
    metrics: createMetrics(),
    terminals: new Map([['TERM0001', { id: 'TERM0001', merchantId: 'M1', enabled: true }]]),
    merchants: new Map([['M1', { id: 'M1', name: 'Shop', enabled: true }]]),
  } as unknown as FlowContext;
}

function listen(config: SerialPortConfig, d: ReturnType<typeof device>, ctx = context()): SerialListener {
  const l = new SerialListener(config, codec, ctx, { openPort: d.openPort });
  started.push(l);
  l.start();
  return l;
}

const signOn = (stan: string) =>
  encodeSerialFrame(Buffer.concat([Buffer.from('6000010000', 'hex'), codec.encode({ mti: '0800', fields: { 11: stan, 41: 'TERM0001', 42: 'M1', 70: '001' } }, { pad: true })]));

/** The frames in what the gateway wrote, and the ACK/NAK bytes between them. */
function parse(bytes: Buffer): { frames: Buffer[]; controls: number[] } {
  const frames: Buffer[] = [];
  const controls: number[] = [];
  for (const e of new SerialFrameDecoder().push(bytes)) {
    if (e.type === 'frame') frames.push(Buffer.from(e.payload));
    if (e.type === 'noise') controls.push(...e.bytes);
  }
  return { frames, controls };
}

function reply(frame: Buffer): IsoMessage {
  return codec.decode(frame.subarray(5));
}

describe('serial listener over a mock port', () => {
  it('answers a sign-on: ACK, then the reply in a frame with the TPDU swapped; counts the terminal ACK', async () => {
    const d = device();
    const l = listen(serialPortConfig('p', d.path), d);
    await waitFor(() => l.state === 'open', 1000, 'open');
    d.send(signOn('000001'));
    await waitFor(() => parse(d.written()).frames.length === 1, 1000, 'reply');
    const { frames, controls } = parse(d.written());
    expect(controls).toEqual([0x06]);
    expect(frames[0].subarray(0, 5).toString('hex')).toBe('6000000001');
    expect(reply(frames[0])).toMatchObject({ mti: '0810', fields: { 11: '000001', 39: '00', 70: '001' } });
    d.send(ACK);
    await waitFor(() => l.status().traffic.framesOut === 1, 1000, 'acked');
    expect(l.status()).toMatchObject({ state: 'open', traffic: { framesIn: 1, framesOut: 1 }, link: { acksSent: 1, acked: 1, retransmissions: 0 } });
  });

  it('sends a reply again after a NAK and after an ACK timeout, then gives up after the retries', async () => {
    const d = device();
    const lines: Record<string, unknown>[] = [];
    const l = listen(serialPortConfig('p', d.path, { link: { ackTimeoutMs: 40, interCharTimeoutMs: 10, retries: 2 } }), d, context(lines));
    await waitFor(() => l.state === 'open', 1000, 'open');
    d.send(signOn('000002'));
    await waitFor(() => parse(d.written()).frames.length === 1, 1000, 'reply');
    d.send(NAK);
    await waitFor(() => parse(d.written()).frames.length === 2, 1000, 'sent again after the NAK');
    // no answer: one more after 40 ms, then the frame fails
    await waitFor(() => l.status().link!.failed === 1, 1000, 'given up');
    const { frames } = parse(d.written());
    expect(frames).toHaveLength(3);
    expect(frames[1].equals(frames[0]) && frames[2].equals(frames[0])).toBe(true);
    expect(l.status().link).toMatchObject({ naksReceived: 1, ackTimeouts: 2, retransmissions: 2, failed: 1 });
    expect(lines.some((x) => x.msg === 'reply not acknowledged by the terminal' && x.reason === 'ack-timeout')).toBe(true);
  });

  it('answers a repeated frame (its ACK was lost) again, flagged as a repeat', async () => {
    const d = device();
    const l = listen(serialPortConfig('p', d.path), d);
    await waitFor(() => l.state === 'open', 1000, 'open');
    d.send(signOn('000003'));
    await waitFor(() => parse(d.written()).frames.length === 1, 1000, 'reply');
    d.send(ACK);
    await waitFor(() => l.status().traffic.framesOut === 1, 1000, 'acked');
    d.send(signOn('000003'));
    await waitFor(() => parse(d.written()).frames.length === 2, 1000, 'second reply');
    expect(l.status().link).toMatchObject({ delivered: 2, repeats: 1 });
  });

  it('NAKs a frame with a bad LRC, and drops a good frame with a bad TPDU without closing the port', async () => {
    const d = device();
    const ctx = context();
    const l = listen(serialPortConfig('p', d.path), d, ctx);
    await waitFor(() => l.state === 'open', 1000, 'open');
    const bad = Buffer.from(signOn('000004'));
    bad[bad.length - 1] ^= 0xff;
    d.send(bad);
    await waitFor(() => parse(d.written()).controls.includes(0x15), 1000, 'NAK');
    d.send(encodeSerialFrame(Buffer.from('7000010000080000', 'hex')));
    await waitFor(() => l.status().link!.acksSent === 1, 1000, 'ACK of the bad-TPDU frame');
    expect((await ctx.metrics.framesRejected.get()).values).toMatchObject([{ labels: { listener: 'p', reason: 'BAD_TPDU' }, value: 1 }]);
    expect(l.state).toBe('open');
    expect(l.status().traffic.framesIn).toBe(0);
  });

  it('reopens a port that went away, with doubling delays while it stays away, and serves the terminal again', async () => {
    const d = device();
    const lines: Record<string, unknown>[] = [];
    const ctx = context(lines);
    const l = listen(serialPortConfig('p', d.path, { reopen: { initialMs: 10, maxMs: 40, jitter: 0 } }), d, ctx);
    await waitFor(() => l.state === 'open', 1000, 'open');
    d.unplug();
    await waitFor(() => l.status().openFailures >= 4, 2000, 'open attempts');
    expect(l.status()).toMatchObject({ state: 'reopening', reopens: 0 });
    expect(l.status().lastError).toMatch(/does not exist/);
    const delays = lines.filter((x) => x.msg === 'serial port lost or not openable: will try again').map((x) => x.delayMs);
    expect(delays.slice(0, 4)).toEqual([10, 20, 40, 40]);
    d.plug();
    await waitFor(() => l.state === 'open', 1000, 'open again');
    expect(l.status()).toMatchObject({ reopens: 1, lastError: null });
    expect((await ctx.metrics.connectedTerminals.get()).values).toMatchObject([{ labels: { listener: 'p' }, value: 1 }]);
    d.send(signOn('000005'));
    await waitFor(() => parse(d.written()).frames.length === 1, 1000, 'reply after the reopen');
  });

  it('length framing: the TCP framing over the port; a framing error closes and reopens it', async () => {
    const d = device();
    const l = listen(serialPortConfig('p', d.path, { framing: 'length' }), d);
    await waitFor(() => l.state === 'open', 1000, 'open');
    const msg = codec.encode({ mti: '0800', fields: { 11: '000006', 41: 'TERM0001', 42: 'M1', 70: '301' } }, { pad: true });
    d.send(Buffer.concat([Buffer.of(0, msg.length + 5), Buffer.from('6000010000', 'hex'), msg]));
    await waitFor(() => d.written().length > 0, 1000, 'reply');
    const out = d.written();
    expect(out.readUInt16BE(0)).toBe(out.length - 2);
    expect(codec.decode(out.subarray(7))).toMatchObject({ mti: '0810', fields: { 39: '00' } });
    expect(l.status()).toMatchObject({ link: null, traffic: { framesIn: 1, framesOut: 1 } });
    d.send(Buffer.from('ffff60', 'hex'));
    await waitFor(() => l.status().reopens === 1 && l.state === 'open', 2000, 'reopened after the framing error');
  });

  it('stops on close: the port is closed and not reopened', async () => {
    const d = device();
    const l = listen(serialPortConfig('p', d.path), d);
    await waitFor(() => l.state === 'open', 1000, 'open');
    const binding = d.binding;
    await l.close();
    expect(l.state).toBe('closed');
    expect(binding.isOpen).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(l.state).toBe('closed');
  });

  it('publishes state and counters to the metrics by difference', async () => {
    const d = device();
    const ctx = context();
    const ports = new SerialPorts([serialPortConfig('p', d.path)], () => codec, ctx, { openPort: d.openPort });
    started.push(...ports.listeners);
    ports.start();
    await waitFor(() => ports.get('p')!.state === 'open', 1000, 'open');
    d.send(signOn('000007'));
    await waitFor(() => parse(d.written()).frames.length === 1, 1000, 'reply');
    ports.publish(ctx.metrics);
    ports.publish(ctx.metrics);
    const text = await ctx.metrics.registry.metrics();
    expect(text).toMatch(/posgw_serial_port_state\{port="p"\} 1/);
    expect(text).toMatch(/posgw_serial_link_events_total\{port="p",event="frames_in"\} 1\n/);
    expect(text).toMatch(/posgw_serial_link_events_total\{port="p",event="acks_sent"\} 1\n/);
    expect(text).toMatch(/posgw_serial_link_events_total\{port="p",event="retransmissions"\} 0\n/);
  });
});
