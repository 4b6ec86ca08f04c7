import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerialLink, type LinkAction, type SerialLinkOptions } from '../../../protocol/index.js';
import { startStack, waitFor, type Stack } from '../../e2e/stack.js';
import { serialPortConfig, terminalsWith } from './harness.js';

// The hardware suite: runs against a real port when TEST_PORT names one, and is reported as skipped otherwise.
//
//   TEST_PORT=/dev/ttyUSB0 npx vitest run test/gateway/serial/hardware.test.ts
//
// TEST_PORT_MODE=loopback (default): pins 2 and 3 bridged at the far end of the cable (hardware-notes.md section 4).
//   Checks the line is 8-bit clean at the settings, and the link layer over the real UART: a frame comes back and is
//   acknowledged, a damaged one is NAKed and sent again, one whose ACK is lost is delivered again as a repeat.
// TEST_PORT_MODE=terminal: a terminal on the line. Starts the gateway (and the acquirer stub) on the port and waits
//   TEST_PORT_WAIT_S seconds (default 120) for the person at the terminal to do a sign-on and a purchase, with the
//   terminal id in TEST_TERMINAL (default TERM0001, merchant MERCHANT0000001).
// Line settings: TEST_BAUD (9600), TEST_DATA_BITS (8), TEST_PARITY (none), TEST_STOP_BITS (1), TEST_RTSCTS (0).
// Link timers: TEST_ACK_TIMEOUT_MS (2000), TEST_INTERCHAR_MS (500).

const PATH = process.env.TEST_PORT;
const MODE = process.env.TEST_PORT_MODE ?? 'loopback';
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const line = {
  baudRate: env('TEST_BAUD', 9600),
  dataBits: env('TEST_DATA_BITS', 8) as 5 | 6 | 7 | 8,
  parity: (process.env.TEST_PARITY ?? 'none') as 'none' | 'even' | 'odd' | 'mark' | 'space',
  stopBits: env('TEST_STOP_BITS', 1) as 1 | 2,
  rtscts: process.env.TEST_RTSCTS === '1',
};
const link: SerialLinkOptions = { ackTimeoutMs: env('TEST_ACK_TIMEOUT_MS', 2000), interCharTimeoutMs: env('TEST_INTERCHAR_MS', 500) };
/** Time for `bytes` on the wire at the line speed (10 bits a byte), with slack for adapters that buffer. */
const wireMs = (bytes: number) => Math.ceil((bytes * 10 * 1000) / line.baudRate) * 2 + 500;

describe.skipIf(PATH === undefined || MODE !== 'loopback')(`hardware loopback on TEST_PORT (${PATH ?? 'not set'})`, () => {
  let port: SerialPort;
  const received: Buffer[] = [];

  beforeAll(async () => {
    port = new SerialPort({ path: PATH!, ...line, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    port.on('data', (c: Buffer) => received.push(c));
  });
  afterAll(async () => {
    if (port?.isOpen) await new Promise((r) => port.close(() => r(undefined)));
  });

  /** Reads from the loopback until `predicate` holds or the wire time is up. */
  async function readBack(bytes: number, predicate: (all: Buffer) => boolean): Promise<Buffer> {
    await waitFor(() => predicate(Buffer.concat(received)), wireMs(bytes) + link.ackTimeoutMs! * 5, 'bytes back from the loopback');
    return Buffer.concat(received.splice(0));
  }

  it('carries every byte value, 0x00 to 0xFF, unchanged (8-bit clean, no XON/XOFF)', async () => {
    received.splice(0);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    port.write(all);
    expect(await readBack(256, (b) => b.length >= 256)).toEqual(all);
  });

  /** A SerialLink on the port: sends one frame to itself, with `tamper` deciding what each write becomes. */
  async function selfSend(tamper: (a: Extract<LinkAction, { type: 'write' }>, n: number) => Buffer | null) {
    const l = new SerialLink(link);
    const deliveries: { payload: Buffer; repeat: boolean }[] = [];
    let result: Extract<LinkAction, { type: 'sent' | 'failed' }> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let writes = 0;
    const run = (actions: LinkAction[]): void => {
      for (const a of actions) {
        if (a.type === 'write') {
          const bytes = tamper(a, writes++);
          if (bytes !== null) port.write(bytes);
        } else if (a.type === 'deliver') deliveries.push({ payload: Buffer.from(a.payload), repeat: a.repeat });
        else if (a.type === 'sent' || a.type === 'failed') result = a;
      }
      clearTimeout(timer);
      const at = l.deadline;
      if (at !== null) timer = setTimeout(() => run(l.tick(performance.now())), Math.max(1, Math.ceil(at - performance.now())));
    };
    const onData = (c: Buffer): void => run(l.receive(c, performance.now()));
    port.on('data', onData);
    const message = Buffer.from('6000010000080020200000008000000000010000000000', 'hex');
    run(l.send(message, performance.now()).actions);
    await waitFor(() => result !== undefined, (link.ackTimeoutMs! + wireMs(60)) * 6, 'the frame settled');
    port.off('data', onData);
    clearTimeout(timer);
    received.splice(0);
    return { result: result!, deliveries, stats: l.stats, message };
  }

  it('a frame comes back whole and its own ACK settles it', async () => {
    const { result, deliveries, message } = await selfSend((a) => a.bytes);
    expect(result).toMatchObject({ type: 'sent', attempts: 1 });
    expect(deliveries).toEqual([{ payload: message, repeat: false }]);
  });

  it('a damaged frame is NAKed and sent again', async () => {
    const { result, deliveries, stats } = await selfSend((a, n) => {
      if (n !== 0) return a.bytes;
      const bad = Buffer.from(a.bytes);
      bad[8] ^= 0x10;
      return bad;
    });
    expect(result).toMatchObject({ type: 'sent', attempts: 2 });
    expect(deliveries).toHaveLength(1);
    expect(stats).toMatchObject({ naksSent: 1, naksReceived: 1, retransmissions: 1 });
  });

  it('a frame whose ACK is lost is sent again after the ACK timeout and delivered again as a repeat', async () => {
    let acks = 0;
    const { result, deliveries, stats } = await selfSend((a) => (a.what === 'ack' && acks++ === 0 ? null : a.bytes));
    expect(result).toMatchObject({ type: 'sent', attempts: 2 });
    expect(deliveries.map((d) => d.repeat)).toEqual([false, true]);
    expect(stats.ackTimeouts).toBe(1);
  });
});

describe.skipIf(PATH === undefined || MODE !== 'terminal')(`hardware terminal on TEST_PORT (${PATH ?? 'not set'})`, () => {
  const terminalId = process.env.TEST_TERMINAL ?? 'TERM0001';
  const waitS = env('TEST_PORT_WAIT_S', 120);
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      config: { terminals: terminalsWith(terminalId), serialPorts: [serialPortConfig('hardware', PATH!, { ...line, link: { ...link } })] },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it(`serves a sign-on and a purchase from the terminal within ${waitS} s`, { timeout: (waitS + 30) * 1000 }, async () => {
    console.log(`TEST_PORT: do a sign-on and then a purchase on terminal ${terminalId} now (waiting ${waitS} s)`);
    const answered = async (mti: string) =>
      ((await stack.gw.metrics.requests.get()).values as { labels: { mti?: string; rc?: string } }[]).some((v) => v.labels.mti === mti && v.labels.rc === '00');
    await waitFor(async () => (await answered('0800')) && (await answered('0200')), waitS * 1000, 'a sign-on and a purchase approved');
    const s = stack.gw.serial.get('hardware')!.status();
    console.log('TEST_PORT link counters:', JSON.stringify({ traffic: s.traffic, link: s.link }));
    expect(s.link!.failed).toBe(0);
    expect(stack.stub.ledger().filter((r) => r.terminalId === terminalId && r.duplicateRrn)).toEqual([]);
  });
});
